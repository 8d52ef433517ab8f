/**
 * Bytes of a format <-> the JSON form that ksqlDB's test files (QTT `input.json` /
 * `output.json`) use for a record's key or value:
 * - JSON: the document itself;
 * - DELIMITED: the record's text as a JSON string (`"1,\"a,b\",2.0"`);
 * - KAFKA: the bare value: a number for INTEGER/BIGINT/DOUBLE, the text for STRING, base64 for
 *   BYTES;
 * - NONE: null (whatever the bytes hold);
 * and null bytes <-> null. Windowed keys are not handled here.
 *
 * Numbers use the representation of parseJsonLossless in its default (exact) mode: integers
 * as number or bigint, numbers with a fraction or exponent as JsonNumber keeping their text.
 * toTestJson renders KAFKA doubles the way ksqlDB's tests print them (`3.0`, `1.0E-5`), so a
 * test file parsed with parseJsonLossless compares like with like.
 */
import { SerdeError } from './types.ts';
import type { FormatName, SerdeColumn } from './types.ts';
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from './bytes.ts';
import { parseJsonExact, stringifyJson } from './json-text.ts';
import { JsonNumber } from '../types/java/json-number.ts';
import { jsonDouble } from './json-write.ts';
import { parseJavaDouble, parseJavaLong } from '../types/java/number-parse.ts';
import { truncateDecimalText } from '../types/java/decimal-parse.ts';
import { createKafkaSerde } from './kafka.ts';

/** The test-file JSON form of a key or value held in `bytes` (see the header). */
export function toTestJson(format: FormatName, columns: readonly SerdeColumn[], bytes: Uint8Array | null): unknown {
  if (bytes === null) return null;
  switch (format) {
    case 'NONE':
      return null;
    case 'DELIMITED':
      return utf8Decode(bytes);
    case 'JSON': {
      const text = utf8Decode(bytes);
      try {
        return parseJsonExact(text);
      } catch (e) {
        throw new SerdeError(`Failed to deserialise JSON: ${(e as Error).message}`);
      }
    }
    case 'KAFKA': {
      if (columns.length === 0) return null;
      const v = createKafkaSerde(columns, { isKey: false }).deserialize(bytes)![0];
      switch (columns[0].type.kind) {
        case 'DOUBLE':
          return parseJsonExact(jsonDouble(v as number));
        case 'BYTES':
          return base64Encode(v as Uint8Array);
        default:
          return v;
      }
    }
  }
}

/** The bytes of a key or value given in test-file JSON form (see the header). */
export function fromTestJson(format: FormatName, columns: readonly SerdeColumn[], json: unknown): Uint8Array | null {
  if (json === null || json === undefined) return null;
  switch (format) {
    case 'JSON':
      return utf8Encode(stringifyJson(json));
    case 'DELIMITED':
    case 'NONE':
      return utf8Encode(typeof json === 'string' ? json : stringifyJson(json));
    case 'KAFKA': {
      if (columns.length === 0) return null;
      const value = kafkaValue(columns[0], json);
      return createKafkaSerde(columns, { isKey: false }).serialize([value]);
    }
  }
}

function kafkaValue(column: SerdeColumn, json: unknown): unknown {
  const bad = (): never => {
    throw new SerdeError(`Cannot write ${stringifyJson(json)} as KAFKA ${column.type.kind} (column ${column.name})`);
  };
  switch (column.type.kind) {
    case 'INTEGER': {
      const n = integerOf(json) ?? bad();
      return typeof n === 'bigint' || n < -2147483648 || n > 2147483647 ? bad() : n;
    }
    case 'BIGINT':
      return integerOf(json) ?? bad();
    case 'DOUBLE':
      if (typeof json === 'number') return json;
      if (typeof json === 'bigint' || json instanceof JsonNumber) return Number(json);
      if (typeof json === 'string') return parseJavaDouble(json);
      return bad();
    case 'STRING':
      return typeof json === 'string' ? json : stringifyJson(json);
    case 'BYTES':
      return (typeof json === 'string' ? base64Decode(json) : null) ?? bad();
    default:
      return bad();
  }
}

/** An integral JSON value (number, bigint, integral JsonNumber, numeric string), else null. */
function integerOf(json: unknown): number | bigint | null {
  if (typeof json === 'number') return Number.isInteger(json) ? json : null;
  if (typeof json === 'bigint') return json;
  if (json instanceof JsonNumber) {
    const v = Number(json.text);
    return Number.isInteger(v) ? (Number.isSafeInteger(v) ? v : truncateDecimalText(json.text)) : null;
  }
  if (typeof json === 'string') {
    try {
      return parseJavaLong(json);
    } catch {
      return null;
    }
  }
  return null;
}
