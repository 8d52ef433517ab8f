/**
 * JSON -> SQL values, with ksqlDB's coercions (KsqlJsonDeserializer + JsonSerdeUtils):
 * - BOOLEAN: only true/false.
 * - INTEGER, BIGINT (and DATE, TIME, TIMESTAMP, which are INT32/INT64 on the wire): any JSON
 *   number, truncated toward zero like Java's intValue()/asLong(), that is in the type's range
 *   (unlike ksqlDB, which wraps; see rangeError); a string that Integer.parseInt /
 *   Long.parseLong accepts.
 * - DOUBLE: any finite number (1e400 is an error, not Infinity); a string that
 *   Double.parseDouble accepts.
 * - STRING: a string; a boolean or number as its text (`1.50` stays `1.50`, `1e3` -> `1E+3`,
 *   BigDecimal style); an object as compact JSON; an array as `[a, b]` of its elements' text.
 * - DECIMAL: a number or a numeric string; must fit the precision and reach the scale
 *   without rounding. BYTES: a base64 string.
 * - ARRAY / MAP / STRUCT: an array / an object; STRUCT fields match the declared name exactly,
 *   else a JSON key whose upper-case form equals the declared name (ksqlDB's rule: `f` and `F`
 *   match a field `F`, but a quoted mixed-case field `Foo` matches only `Foo`); missing fields
 *   are null.
 * Anything else is a CoercionError carrying ksqlDB's message and JSON path (`$.A[0].B`).
 *
 * Readers take documents from plain JSON.parse (fast mode) or from the exact parser of
 * ./json-text.ts (bigints, JsonNumbers). In fast mode a reader that needs a number's source
 * text (to truncate a fraction, or to print `1.50` for a STRING) throws NEED_EXACT, and the
 * serde re-parses the record in exact mode: rare input pays, the common path does not.
 */
import type { SqlType, StructField } from '../types/sql-type.ts';
import { formatType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import { JsonNumber } from '../types/java/json-number.ts';
import { base64Decode } from './bytes.ts';
import { bigDecimalString } from '../types/java/number-text.ts';
import { decimalFromDouble, ensureDecimalFit, integerPartOfText, parseBigDecimalParts, parseJavaDecimal } from '../types/java/decimal-parse.ts';
import { normaliseLong, parseJavaDouble, parseJavaInt, parseJavaLong } from '../types/java/number-parse.ts';
import { getOwn, makeFillMissing, setOwn } from './json-fields.ts';

/** A value that cannot be coerced; `path` is filled in outward as the error unwinds. */
export class CoercionError extends Error {
  readonly reason: string;
  path: string;

  constructor(reason: string, path = '') {
    super(reason);
    this.reason = reason;
    this.path = path;
  }
}

/** Thrown (never wrapped) by fast-mode readers that need the exact parse; see the header. */
export const NEED_EXACT: unique symbol = Symbol('NEED_EXACT');

/** Shared by the readers of one serde: whether the document came from the exact parser. */
export interface ReadState {
  exact: boolean;
}

/** Reads a JSON value that is neither null nor undefined. */
export type Reader = (v: unknown) => unknown;

/** Rethrows `e` with `segment` prepended to its path when it is a CoercionError. */
export function rethrowAt(e: unknown, segment: string): never {
  if (e instanceof CoercionError) e.path = segment + e.path;
  throw e;
}

/** Runs a reader, prefixing the path of a coercion error (used by generated code). */
export function readAt(r: Reader, v: unknown, segment: string): unknown {
  try {
    return r(v);
  } catch (e) {
    return rethrowAt(e, segment);
  }
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Jackson's node class for a parsed value, as ksqlDB names it in its messages. */
function nodeType(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'TextNode';
    case 'boolean':
      return 'BooleanNode';
    case 'number':
      return !Number.isInteger(v) ? 'DecimalNode' : (v | 0) === v ? 'IntNode' : 'LongNode';
    case 'bigint':
      return v >= LONG_MIN && v <= LONG_MAX ? 'LongNode' : 'BigIntegerNode';
    default:
      return Array.isArray(v) ? 'ArrayNode' : v instanceof JsonNumber ? 'DecimalNode' : 'ObjectNode';
  }
}

export function convertError(v: unknown, required: string): CoercionError {
  return new CoercionError(`Can't convert type. sourceType: ${nodeType(v)}, requiredType: ${required}`);
}

function stringCoercionError(required: string): CoercionError {
  return new CoercionError(`Can't coerce string to type. targetType: ${required}`);
}

/** A JSON object (not an array, not a number wrapper). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

/**
 * A number beyond the column type's range. ksqlDB's JsonSerdeUtils wraps it silently here
 * (Jackson's intValue()/asLong() keep the low 32/64 bits, and 1e400 becomes Infinity); Riffle
 * rejects the record instead, so a value is never stored as a different number. A fraction is
 * truncated toward zero as in ksqlDB (`-1.7` -> -1 for an INTEGER, as its TRUNC tests expect).
 */
function rangeError(text: string, type: string): CoercionError {
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return new CoercionError(`Can't convert ${shown} to ${type}: out of range`);
}

/** The integer value (fraction truncated) of a JSON number for an integer column in [min, max]. */
function integerIn(v: unknown, st: ReadState, type: string, min: bigint, max: bigint): bigint | number {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) {
      if (v >= Number(min) && v <= Number(max)) return v;
      throw rangeError(String(v), type);
    }
    // A fraction or beyond 2^53: the exact text decides (the fast parse has rounded it).
    if (!st.exact) throw NEED_EXACT;
    if (v - v !== 0) throw rangeError(String(v), type);
    return integerIn(BigInt(Math.trunc(v)), st, type, min, max);
  }
  let int: bigint | 'huge';
  let text: string;
  if (typeof v === 'bigint') {
    int = v;
    text = v.toString();
  } else {
    const n = v as JsonNumber;
    text = n.text;
    try {
      int = integerPartOfText(n.text);
    } catch (e) {
      throw new CoercionError((e as Error).message);
    }
  }
  if (int === 'huge' || int < min || int > max) throw rangeError(text, type);
  return int;
}

function readInt32(v: unknown, st: ReadState, type: string): number {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonNumber) {
    return Number(integerIn(v, st, type, INT_MIN, INT_MAX)) | 0;
  }
  if (typeof v === 'string') {
    try {
      return parseJavaInt(v);
    } catch {
      throw stringCoercionError(type);
    }
  }
  throw convertError(v, type);
}

function readInt64(v: unknown, st: ReadState, type: string): number | bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonNumber) {
    const exact = integerIn(v, st, type, LONG_MIN, LONG_MAX);
    return typeof exact === 'bigint' ? normaliseLong(exact) : exact;
  }
  if (typeof v === 'string') {
    try {
      return parseJavaLong(v);
    } catch {
      throw stringCoercionError(type);
    }
  }
  throw convertError(v, type);
}

/** A JSON number beyond DOUBLE's range is an error (JSON has no Infinity; only overflow makes one). */
function readDouble(v: unknown, st: ReadState): number {
  let d: number;
  if (typeof v === 'number') {
    if (v - v === 0) return v;
    if (!st.exact) throw NEED_EXACT; // for the message: the text as written, not "Infinity"
    d = v;
  }
  else if (typeof v === 'bigint') d = Number(v);
  else if (v instanceof JsonNumber) d = Number(v.text);
  else if (typeof v === 'string') {
    try {
      d = parseJavaDouble(v);
    } catch {
      throw stringCoercionError('DOUBLE');
    }
    // "Infinity" and "NaN" are Double.parseDouble's own words; digits that overflow are not.
    if (!Number.isFinite(d) && /\d/.test(v)) throw rangeError(v.trim(), 'DOUBLE');
    return d;
  } else throw convertError(v, 'DOUBLE');
  if (!Number.isFinite(d)) throw rangeError(typeof v === 'object' ? (v as JsonNumber).text : String(v), 'DOUBLE');
  return d;
}

/** BigDecimal.toString() of a JSON number token, as Jackson's asText() gives it. */
function numberText(text: string): string {
  const p = parseBigDecimalParts(text)!;
  return bigDecimalString(p.unscaled, p.scale);
}

function readString(v: unknown, st: ReadState): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!st.exact) throw NEED_EXACT; // `1.50` and `1.5` parse alike; the text decides
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof JsonNumber) return numberText(v.text);
  if (Array.isArray(v)) {
    return '[' + v.map((x) => (x === null ? 'null' : readString(x, st))).join(', ') + ']';
  }
  return jacksonJson(v);
}

/** Compact JSON as Jackson re-serialises a parsed tree (numbers BigDecimal-style). */
function jacksonJson(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
    case 'number':
    case 'bigint':
      return String(v);
  }
  if (v instanceof JsonNumber) return numberText(v.text);
  if (Array.isArray(v)) return '[' + v.map(jacksonJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).map((k) => JSON.stringify(k) + ':' + jacksonJson(o[k])).join(',') + '}';
}

function readDecimal(v: unknown, precision: number, scale: number): Decimal {
  let d: Decimal;
  if (typeof v === 'number') {
    if (v - v !== 0) throw rangeError(String(v), `DECIMAL(${precision}, ${scale})`);
    try {
      return decimalFromDouble(v, precision, scale);
    } catch (e) {
      throw new CoercionError((e as Error).message);
    }
  } else if (typeof v === 'bigint') d = Decimal.fromBigInt(v);
  else if (v instanceof JsonNumber) {
    try {
      d = parseJavaDecimal(v.text);
    } catch (e) {
      throw new CoercionError((e as Error).message);
    }
  } else if (typeof v === 'string') {
    try {
      d = parseJavaDecimal(v);
    } catch {
      throw stringCoercionError(`DECIMAL(${precision}, ${scale})`);
    }
  } else throw convertError(v, `DECIMAL(${precision}, ${scale})`);
  try {
    return ensureDecimalFit(d, precision, scale);
  } catch (e) {
    throw new CoercionError((e as Error).message);
  }
}

function readBytes(v: unknown): Uint8Array {
  if (typeof v !== 'string') throw convertError(v, 'BYTES');
  const b = base64Decode(v);
  if (b === null) throw new CoercionError(`Value is not a valid Base64 encoded string: ${v}`);
  return b;
}

/** Compiles the reader of one SQL type (closures; the row level is generated code, ./json.ts). */
export function compileReader(t: SqlType, st: ReadState): Reader {
  switch (t.kind) {
    case 'BOOLEAN':
      return (v) => {
        if (typeof v === 'boolean') return v;
        throw convertError(v, 'BOOLEAN');
      };
    case 'INTEGER':
    case 'DATE':
    case 'TIME': {
      const name = t.kind;
      return (v) => readInt32(v, st, name);
    }
    case 'BIGINT':
      return (v) => readInt64(v, st, 'BIGINT');
    case 'TIMESTAMP':
      return (v) => Number(readInt64(v, st, 'TIMESTAMP'));
    case 'DOUBLE':
      return (v) => readDouble(v, st);
    case 'STRING':
      return (v) => readString(v, st);
    case 'DECIMAL': {
      const { precision, scale } = t;
      return (v) => readDecimal(v, precision, scale);
    }
    case 'BYTES':
      return readBytes;
    case 'ARRAY': {
      const element = compileReader(t.element, st);
      const name = formatType(t);
      return (v) => {
        if (!Array.isArray(v)) throw convertError(v, name);
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          out[i] = x === null ? null : readAt(element, x, `[${i}]`);
        }
        return out;
      };
    }
    case 'MAP': {
      const value = compileReader(t.value, st);
      const name = formatType(t);
      return (v) => {
        if (!isJsonObject(v)) throw convertError(v, name);
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
          const x = v[k];
          setOwn(out, k, x === null ? null : readAt(value, x, `.${k}.value`));
        }
        return out;
      };
    }
    case 'STRUCT':
      return compileStructReader(t.fields, st, formatType(t));
  }
}

function compileStructReader(fields: readonly StructField[], st: ReadState, typeName: string): Reader {
  const names = fields.map((f) => f.name);
  const readers = fields.map((f) => compileReader(f.type, st));
  const segments = names.map((n) => '.' + n);
  const fillMissing = makeFillMissing(names);
  return (v) => {
    if (!isJsonObject(v)) throw convertError(v, typeName);
    const values = names.map((n) => getOwn(v, n));
    if (values.includes(undefined)) fillMissing(v, values);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const x = values[i];
      setOwn(out, names[i], x === null || x === undefined ? null : readAt(readers[i], x, segments[i]));
    }
    return out;
  };
}
