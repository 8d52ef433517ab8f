/**
 * SQL values -> JSON text, compiled per schema. Rows and structs become generated functions
 * that concatenate constant key prefixes and inline primitive conversions, so a row of
 * primitives costs about what JSON.stringify of the same object does; nested collections use
 * closures. Output follows ksqlDB (Jackson via Kafka's JsonConverter): DOUBLE as Java's
 * Double.toString (`3.0`, `1.0E-5`; NaN/Infinity as strings), DECIMAL as BigDecimal.toString
 * at the column's scale (`12.30`, `0E-7`), BIGINT exactly (bigint digits), TIMESTAMP/DATE/TIME
 * as numbers, BYTES as base64 strings.
 */
import type { SqlType, StructField } from '../types/sql-type.ts';
import { formatType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import { base64Encode } from './bytes.ts';
import { bigDecimalString, javaDouble } from './java-text.ts';

/** A value that does not match its column's type; the serde adds the column and target. */
export class WriteError extends Error {}

/** Writes a non-null value (null and undefined are handled by the caller). */
export type Writer = (v: unknown) => string;

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return `${typeof v} ${typeof v === 'string' ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v) : String(v)}`;
}

function bad(v: unknown, type: string): never {
  throw new WriteError(`expected ${type}, got ${describe(v)}`);
}

/** JSON text of a DOUBLE: Java's form; non-finite values are quoted, as Jackson does. */
export function jsonDouble(v: number): string {
  return v - v === 0 ? javaDouble(v) : '"' + javaDouble(v) + '"';
}

/** JSON text of a DECIMAL at the column scale (HALF_UP if a value arrives with more scale). */
export function jsonDecimal(v: unknown, scale: number): string {
  let d: Decimal;
  if (v instanceof Decimal) d = v;
  else if (typeof v === 'number' && Number.isFinite(v)) d = Decimal.fromNumber(v);
  else if (typeof v === 'bigint') d = Decimal.fromBigInt(v);
  else return bad(v, 'DECIMAL');
  if (d.scale !== scale) d = d.setScale(scale);
  return bigDecimalString(d.unscaled, d.scale);
}

/** Helpers visible to generated code as `h.*`. */
const helpers = {
  bad,
  fd: jsonDouble,
  str: JSON.stringify as (s: string) => string,
};

/**
 * A JS expression (as source text) writing the non-null value held in variable `v`, or null
 * when the type is written by a closure instead.
 */
function inlineExpr(t: SqlType, v: string): string | null {
  const name = JSON.stringify(t.kind);
  switch (t.kind) {
    case 'BOOLEAN':
      return `(${v} === true ? "true" : ${v} === false ? "false" : bad(${v}, ${name}))`;
    case 'INTEGER':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return `(typeof ${v} === "number" ? "" + ${v} : bad(${v}, ${name}))`;
    case 'BIGINT':
      return `(typeof ${v} === "number" || typeof ${v} === "bigint" ? "" + ${v} : bad(${v}, ${name}))`;
    case 'DOUBLE':
      return `(typeof ${v} === "number" ? fd(${v}) : bad(${v}, ${name}))`;
    case 'STRING':
      return `(typeof ${v} === "string" ? str(${v}) : bad(${v}, ${name}))`;
    default:
      return null;
  }
}

/**
 * Generates `function (src) { ... return '{"A":' + ... + '}' }` over the given fields, where
 * `get(i)` is the source expression of field i (`src[0]` for rows, `src["A"]` for structs).
 */
function generateObjectWriter(
  fields: readonly StructField[],
  get: (i: number, name: string) => string,
  prologue: string,
): (src: never) => string {
  const closures: Writer[] = [];
  let body = 'let v;\n';
  let pending = '{';
  fields.forEach((f, i) => {
    pending += (i > 0 ? ',' : '') + JSON.stringify(f.name) + ':';
    let expr = inlineExpr(f.type, 'v');
    if (expr === null) {
      closures.push(compileWriter(f.type));
      expr = `w${closures.length - 1}(v)`;
    }
    body += `v = ${get(i, f.name)};\n`;
    body += `${i === 0 ? 'let s = ' : 's += '}${JSON.stringify(pending)} + (v == null ? "null" : ${expr});\n`;
    pending = '';
  });
  body += fields.length === 0 ? 'return "{}";' : `return s + "}";`;
  const wNames = closures.map((_, i) => `w${i}`).join(', ');
  const src =
    `"use strict";\nconst { bad, fd, str } = h;\nconst [${wNames}] = ws;\n` +
    `return function write(src) {\n${prologue}${body}\n};`;
  return new Function('h', 'ws', src)(helpers, closures) as (src: never) => string;
}

/** Key access in generated code; members of Object.prototype must not leak in as values. */
function ownGet(name: string): string {
  const k = JSON.stringify(name);
  return name in Object.prototype ? `(Object.hasOwn(src, ${k}) ? src[${k}] : undefined)` : `src[${k}]`;
}

/** Writer of a whole row as a JSON object `{"COL": v, ...}` in column order. */
export function compileRowObjectWriter(fields: readonly StructField[]): (values: readonly unknown[]) => string {
  return generateObjectWriter(fields, (i) => `src[${i}]`, '') as (values: readonly unknown[]) => string;
}

/** Writer of one SQL type. */
export function compileWriter(t: SqlType): Writer {
  switch (t.kind) {
    case 'BOOLEAN':
    case 'INTEGER':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
    case 'BIGINT':
    case 'DOUBLE':
    case 'STRING': {
      const src = `"use strict";\nconst { bad, fd, str } = h;\nreturn function write(v) { return ${inlineExpr(t, 'v')}; };`;
      return new Function('h', src)(helpers) as Writer;
    }
    case 'DECIMAL': {
      const scale = t.scale;
      return (v) => jsonDecimal(v, scale);
    }
    case 'BYTES':
      return (v) => (v instanceof Uint8Array ? '"' + base64Encode(v) + '"' : bad(v, 'BYTES'));
    case 'ARRAY': {
      const element = compileWriter(t.element);
      const name = formatType(t);
      return (v) => {
        if (!Array.isArray(v)) return bad(v, name);
        let s = '[';
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          s += (i > 0 ? ',' : '') + (x == null ? 'null' : element(x));
        }
        return s + ']';
      };
    }
    case 'MAP': {
      const value = compileWriter(t.value);
      const name = formatType(t);
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(v, name);
        const o = v as Record<string, unknown>;
        let s = '{';
        let first = true;
        for (const k of Object.keys(o)) {
          const x = o[k];
          s += (first ? '' : ',') + JSON.stringify(k) + ':' + (x == null ? 'null' : value(x));
          first = false;
        }
        return s + '}';
      };
    }
    case 'STRUCT': {
      const name = formatType(t);
      const write = generateObjectWriter(
        t.fields,
        (_i, n) => ownGet(n),
        `if (typeof src !== "object" || src === null || Array.isArray(src)) bad(src, ${JSON.stringify(name)});\n`,
      ) as Writer;
      return write;
    }
  }
}
