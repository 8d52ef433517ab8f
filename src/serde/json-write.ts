/**
 * SQL values -> JSON text, compiled per schema. Rows and structs become generated functions:
 * a template literal of constant key prefixes and inline primitive conversions; nested
 * collections use closures. Rows of primitives whose values JSON.stringify writes exactly as
 * ksqlDB does (DECIMALs too, as a double with the same text: decimalAsJsonNumber) take a faster
 * road still: JSON.stringify of a generated object literal (see compileRowObjectWriter), so they
 * cost about what JSON.stringify of an object does.
 * Output follows ksqlDB (Jackson via Kafka's JsonConverter): DOUBLE as Java's
 * Double.toString (`3.0`, `1.0E-5`; NaN/Infinity as strings), DECIMAL as BigDecimal.toString
 * at the column's scale (`12.30`, `0E-7`), BIGINT exactly (bigint digits), TIMESTAMP/DATE/TIME
 * as numbers, BYTES as base64 strings.
 */
import type { SqlType, StructField } from '../types/sql-type.ts';
import { formatType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import { base64Encode } from './bytes.ts';
import { bigDecimalString, javaDouble } from '../types/java/number-text.ts';

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

/** 10^k as exact doubles, k <= 22 (the largest power of ten a double holds exactly). */
const POW10_DOUBLE = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * A DECIMAL value as the double whose JavaScript text (Number#toString, which JSON.stringify
 * writes) is exactly its BigDecimal text at `scale`, or undefined when there is none. Invariant
 * behind it: a decimal of at most 15 significant digits is the shortest text of its nearest double
 * (distinct 15-digit decimals are farther apart than a double's spacing), so the double prints the
 * same digits; both forms are plain (no exponent) for 1e-6 <= |x| < 1e21 and BigDecimal for
 * scale >= 0 and an adjusted exponent >= -6 (|unscaled| >= 10^(scale-6)); and JavaScript drops
 * trailing fraction zeros (12.30, 0.000), so an unscaled value ending in 0 with scale > 0 is not
 * one of them. unscaled / 10^scale is one correctly rounded division of two exact doubles.
 */
export function decimalAsJsonNumber(v: unknown, scale: number): number | undefined {
  if (!(v instanceof Decimal) || v.scale !== scale || scale > 22) return undefined;
  const n = Number(v.unscaled);
  if (!(n < 1e15 && n > -1e15)) return undefined;
  if (scale === 0) return n;
  if (n % 10 === 0) return undefined;
  if (scale >= 6 && (n < 0 ? -n : n) < POW10_DOUBLE[scale - 6]) return undefined;
  return n / POW10_DOUBLE[scale];
}

/**
 * Whether everything written since the last reset is ASCII, so the serde can encode with
 * latin1 (measured ~35% faster than UTF-8 for the concatenated strings the writers build).
 * Writing is synchronous, so one module-wide flag serves every serde.
 */
export const textState = { ascii: true };

const PLAIN = /[^\x20\x21\x23-\x5b\x5d-\x7e]/; // not printable ASCII, or `"` or `\`
const NON_ASCII = /[^\x00-\x7f]/;

/** A JSON string literal; `'"' + s + '"'` when nothing needs escaping (JSON.stringify of a
 * lone string costs ~4x the regex test). */
export function quote(s: string): string {
  if (!PLAIN.test(s)) return '"' + s + '"';
  const j = JSON.stringify(s);
  if (textState.ascii && NON_ASCII.test(j)) textState.ascii = false;
  return j;
}

/** True when the text is all ASCII (for constant parts such as field names). */
export const isAscii = (s: string): boolean => !NON_ASCII.test(s);

/** Helpers visible to generated code as `h.*`. */
const helpers = {
  bad,
  fd: jsonDouble,
  str: quote,
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

/** Escapes text for the inside of a template literal in generated code. */
function templateText(s: string): string {
  return s.replace(/[\\`]|\$\{/g, (m) => '\\' + m);
}

/**
 * Generates `function (src) { const v0 = ...; return `{"A":${...},"B":${...}}`; }` over the
 * given fields, where `get(i, name)` is the source expression of field i (`src[0]` for rows,
 * `src["A"]` for structs). A template literal measured faster than `+` chains here.
 */
function generateObjectWriter(
  fields: readonly StructField[],
  get: (i: number, name: string) => string,
  prologue: string,
): (src: never) => string {
  const closures: Writer[] = [];
  let body = '';
  let template = '{';
  fields.forEach((f, i) => {
    let expr = inlineExpr(f.type, `v${i}`);
    if (expr === null) {
      closures.push(compileWriter(f.type));
      expr = `w${closures.length - 1}(v${i})`;
    }
    body += `const v${i} = ${get(i, f.name)};\n`;
    template += `${i > 0 ? ',' : ''}${templateText(JSON.stringify(f.name))}:\${v${i} == null ? "null" : ${expr}}`;
  });
  body += `return \`${template}}\`;`;
  const wNames = closures.map((_, i) => `w${i}`).join(', ');
  const src =
    `"use strict";\nconst { bad, fd, str } = h;\nconst [${wNames}] = ws;\n` +
    `return function write(src) {\n${prologue}${body}\n};`;
  return new Function('h', 'ws', src)(helpers, closures) as (src: never) => string;
}

/**
 * The check (source text over `v`) that JSON.stringify writes a value of this type exactly as
 * ksqlDB does, or null when it never does (BIGINT as bigint, DECIMAL, BYTES, collections).
 * DOUBLE qualifies only where Java's Double.toString and JS agree: finite, not integral, in
 * [1e-3, 1e7) in magnitude (`3.0` and `1.0E7` need the Java form).
 */
function stringifyCheck(t: SqlType, v: string): string | null {
  switch (t.kind) {
    case 'BOOLEAN':
      return `typeof ${v} === "boolean"`;
    case 'INTEGER':
    case 'BIGINT':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return `typeof ${v} === "number"`;
    case 'STRING':
      return `typeof ${v} === "string"`;
    case 'DOUBLE':
      return `typeof ${v} === "number" && !Number.isInteger(${v}) && (${v} >= 1e-3 ? ${v} < 1e7 : ${v} <= -1e-3 && ${v} > -1e7)`;
    default:
      return null;
  }
}

/** A canonical array index, which an object literal would move to the front. */
const isIndexKey = (s: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(s) && Number(s) < 4294967295;

/** Key access in generated code; members of Object.prototype must not leak in as values. */
function ownGet(name: string): string {
  const k = JSON.stringify(name);
  return name in Object.prototype ? `(Object.hasOwn(src, ${k}) ? src[${k}] : undefined)` : `src[${k}]`;
}

/**
 * Writer of a whole row as a JSON object `{"COL": v, ...}` in column order. When every column
 * is a primitive that JSON.stringify can write (see stringifyCheck) or a DECIMAL, records whose
 * values all pass the checks (a DECIMAL: decimalAsJsonNumber finds its double) go through
 * JSON.stringify of an object literal (native speed, flat one-byte output); the others through
 * the generated template writer.
 */
export function compileRowObjectWriter(fields: readonly StructField[]): (values: readonly unknown[]) => string {
  const general = generateObjectWriter(fields, (i) => `src[${i}]`, '') as (values: readonly unknown[]) => string;
  const checks = fields.map((f, i) => (f.type.kind === 'DECIMAL' ? `(n${i} = dn(v${i}, ${f.type.scale})) !== undefined` : stringifyCheck(f.type, `v${i}`)));
  const literalOk = fields.every((f) => f.name !== '__proto__' && !isIndexKey(f.name));
  if (fields.length === 0 || !literalOk || checks.some((c) => c === null)) return general;
  const isDecimal = fields.map((f) => f.type.kind === 'DECIMAL');
  const locals = fields.map((_, i) => `const v${i} = src[${i}];${isDecimal[i] ? ` let n${i} = null;` : ''}`).join('\n');
  const test = checks.map((c, i) => `(v${i} === null || (${c}))`).join(' &&\n    ');
  const literal = fields.map((f, i) => `${JSON.stringify(f.name)}: ${isDecimal[i] ? 'n' : 'v'}${i}`).join(', ');
  const src =
    `"use strict";\nreturn function write(src) {\n${locals}\n` +
    `if (${test}) {\n  textState.ascii = false; // may hold any text: encode as UTF-8\n  return JSON.stringify({ ${literal} });\n}\nreturn general(src);\n};`;
  return new Function('general', 'textState', 'dn', src)(general, textState, decimalAsJsonNumber) as (values: readonly unknown[]) => string;
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
          s += (first ? '' : ',') + quote(k) + ':' + (x == null ? 'null' : value(x));
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
