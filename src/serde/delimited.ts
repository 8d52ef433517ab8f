/**
 * The DELIMITED format (ksqlDB's KsqlDelimitedSerializer/Deserializer): one CSV record, fields
 * in column order, quoting per ./csv.ts. Only primitive types; ARRAY, MAP and STRUCT columns are
 * rejected when the serde is created.
 *
 * Text of each type: BOOLEAN `true`/`false` (reading: "true" in any case is true, anything else
 * false, as Boolean.parseBoolean); INTEGER, BIGINT, DATE (days), TIME (ms of day), TIMESTAMP
 * (ms) as decimal integers; DOUBLE as Java's Double.toString; DECIMAL in plain notation at the
 * column's scale (`0.1200`); BYTES as base64. An empty field, quoted or not, reads as null; a
 * null is written as an empty field. The field count must equal the column count.
 */
import type { SqlType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import { SerdeError } from './types.ts';
import type { Serde, SerdeColumn } from './types.ts';
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from './bytes.ts';
import { csvField, parseCsvRecord } from './csv.ts';
import { ensureDecimalFit, parseJavaDecimal } from '../types/java/decimal-parse.ts';
import { javaDouble } from '../types/java/number-text.ts';
import { parseJavaBoolean, parseJavaDouble, parseJavaInt, parseJavaLong } from '../types/java/number-parse.ts';
import { emptySerde } from './none.ts';

export interface DelimitedSerdeOptions {
  readonly isKey: boolean;
  /** ksqlDB's VALUE_DELIMITER / KEY_DELIMITER: one character, or `TAB` / `SPACE`. Default ','. */
  readonly delimiter?: string;
}

/** ksqlDB's Delimiter.parse. Throws SerdeError for an invalid delimiter. */
export function parseDelimiter(text: string | undefined): string {
  if (text === undefined) return ',';
  if (text.trim() === '') {
    throw new SerdeError(
      "Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'",
    );
  }
  if (text === 'TAB') return '\t';
  if (text === 'SPACE') return ' ';
  if (text.length !== 1) {
    throw new SerdeError(`Invalid delimiter value: '${text}'. Delimiter must be a single character or TAB,SPACE`);
  }
  if (text === '"') throw new SerdeError(`Invalid delimiter value: '${text}'. The delimiter cannot be the quote character`);
  return text;
}

type FieldWriter = (v: unknown) => string; // v non-null
type FieldParser = (s: string) => unknown; // s non-empty

function typeError(v: unknown, type: string): never {
  throw new TypeError(`expected ${type}, got ${typeof v === 'object' ? (v?.constructor?.name ?? 'object') : typeof v}`);
}

function fieldWriter(t: SqlType): FieldWriter {
  switch (t.kind) {
    case 'BOOLEAN':
      return (v) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : typeError(v, t.kind));
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      return (v) => (typeof v === 'number' ? '' + v : typeError(v, t.kind));
    case 'BIGINT':
      return (v) => (typeof v === 'number' || typeof v === 'bigint' ? '' + v : typeError(v, t.kind));
    case 'DOUBLE':
      return (v) => (typeof v === 'number' ? javaDouble(v) : typeError(v, t.kind));
    case 'STRING':
      return (v) => (typeof v === 'string' ? v : typeError(v, t.kind));
    case 'DECIMAL': {
      const scale = t.scale;
      return (v) => {
        const d = v instanceof Decimal ? v : typeof v === 'number' ? Decimal.fromNumber(v) : typeError(v, 'DECIMAL');
        return (d.scale === scale ? d : d.setScale(scale)).toString(); // toPlainString
      };
    }
    case 'BYTES':
      return (v) => (v instanceof Uint8Array ? base64Encode(v) : typeError(v, t.kind));
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      throw new Error('unreachable: rejected at creation');
  }
}

function fieldParser(t: SqlType): FieldParser {
  switch (t.kind) {
    case 'BOOLEAN':
      return parseJavaBoolean;
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      return parseJavaInt;
    case 'BIGINT':
      return parseJavaLong;
    case 'TIMESTAMP':
      return (s) => Number(parseJavaLong(s));
    case 'DOUBLE':
      return parseFiniteDouble;
    case 'STRING':
      return (s) => s;
    case 'DECIMAL': {
      const { precision, scale } = t;
      return (s) => ensureDecimalFit(parseJavaDecimal(s), precision, scale);
    }
    case 'BYTES':
      return (s) => {
        const b = base64Decode(s);
        if (b === null) throw new Error(`Value is not a valid Base64 encoded string: ${s}`);
        return b;
      };
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      throw new Error('unreachable: rejected at creation');
  }
}

/**
 * Double.parseDouble, except that digits beyond DOUBLE's range (`1e400`) are an error rather than
 * Infinity (as in the JSON format); the words `Infinity` and `NaN` stay accepted.
 */
function parseFiniteDouble(s: string): number {
  const d = parseJavaDouble(s);
  if (d - d !== 0 && /\d/.test(s)) throw new Error(`Can't convert ${s.length > 40 ? `${s.slice(0, 37)}...` : s} to DOUBLE: out of range`);
  return d;
}

export function createDelimitedSerde(columns: readonly SerdeColumn[], options: DelimitedSerdeOptions): Serde {
  const target = options.isKey ? 'key' : 'value';
  for (const c of columns) {
    if (c.type.kind === 'ARRAY' || c.type.kind === 'MAP' || c.type.kind === 'STRUCT') {
      throw new SerdeError(`The 'DELIMITED' format does not support type '${c.type.kind}', column: \`${c.name}\``);
    }
  }
  const delimiter = parseDelimiter(options.delimiter);
  const n = columns.length;
  if (n === 0) return emptySerde();
  const delim = delimiter.charCodeAt(0);
  const writers = columns.map((c) => fieldWriter(c.type));
  const parsers = columns.map((c) => fieldParser(c.type));
  const isKey = options.isKey;

  const serialize = (values: readonly unknown[]): Uint8Array | null => {
    if (values.length !== n) {
      throw new SerdeError(
        `Failed to serialise ${target}: Column count mismatch on serialization. expected: ${n}, got: ${values.length}`,
      );
    }
    let s = '';
    let allNull = true;
    for (let i = 0; i < n; i++) {
      if (i > 0) s += delimiter;
      const v = values[i];
      if (v == null) continue;
      allNull = false;
      let text: string;
      try {
        text = writers[i](v);
      } catch (e) {
        throw new SerdeError(`Failed to serialise ${target}: column ${columns[i].name}: ${(e as Error).message}`);
      }
      s += csvField(text, i === 0, delim);
    }
    // A single null key column is no key (null bytes), like the KAFKA and JSON formats.
    if (isKey && allNull && n === 1) return null;
    return utf8Encode(s);
  };

  const fail = (reason: string): never => {
    throw new SerdeError(`Failed to deserialise ${target}: ${reason}`);
  };

  const deserialize = (bytes: Uint8Array | null): unknown[] | null => {
    if (bytes === null) return null;
    let fields: string[] | null;
    try {
      fields = parseCsvRecord(utf8Decode(bytes), delim);
    } catch (e) {
      return fail(`Error deserializing delimited: ${(e as Error).message}`);
    }
    if (fields === null || fields.length === 0) return fail('No fields in record');
    if (fields.length !== n) {
      return fail(`Column count mismatch on deserialization. expected: ${n}, got: ${fields.length}`);
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const f = fields[i];
      if (f === '') {
        out[i] = null;
        continue;
      }
      try {
        out[i] = parsers[i](f);
      } catch (e) {
        return fail(`column ${columns[i].name}: ${(e as Error).message}`);
      }
    }
    return out;
  };

  return { serialize, deserialize };
}
