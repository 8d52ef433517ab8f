/**
 * Formats: `createSerde(format, columns, options)` builds the serde of a key or value schema.
 * Creation validates the schema against the format (KAFKA: one INTEGER/BIGINT/DOUBLE/STRING/
 * BYTES column; DELIMITED: no ARRAY/MAP/STRUCT; NONE: no columns; WRAP_SINGLE_VALUE=false only
 * with one value column) and throws SerdeError with ksqlDB's message, so CREATE statements
 * can report it; (de)serialising a record throws SerdeError for that record only.
 *
 * Null conventions shared by all formats:
 * - deserialize(null) is null (a tombstone value, a null key);
 * - serialize returns null bytes when there are no columns, and for a single unwrapped column
 *   whose value is null (JSON bare value, KAFKA, single-column keys), as ksqlDB's serializers
 *   do. A multi-column key of nulls is written (`{"A":null,"B":null}`, `,`): a record whose
 *   key is absent altogether (null bytes) must be told apart by the caller, which then writes
 *   null bytes rather than calling serialize.
 *
 * @example
 *   const serde = createSerde('JSON', [{ name: 'ID', type: BIGINT }], { isKey: false, wrapSingleValue: true });
 *   serde.serialize([2n ** 60n]); // bytes of {"ID":1152921504606846976}
 */
import type { FormatName, Serde, SerdeColumn, SerdeOptions } from './types.ts';
import { createDelimitedSerde } from './delimited.ts';
import { createJsonSerde } from './json.ts';
import { createKafkaSerde } from './kafka.ts';
import { createNoneSerde } from './none.ts';

export function createSerde(
  format: FormatName,
  columns: readonly SerdeColumn[],
  options: SerdeOptions & { readonly isKey: boolean },
): Serde {
  switch (format) {
    case 'JSON':
      return createJsonSerde(columns, options);
    case 'DELIMITED':
      return createDelimitedSerde(columns, options);
    case 'KAFKA':
      return createKafkaSerde(columns, options);
    case 'NONE':
      return createNoneSerde(columns);
  }
}

export { SerdeError } from './types.ts';
export type { FormatName, Serde, SerdeColumn, SerdeOptions } from './types.ts';
export { JsonNumber, isJsonNumber, parseJsonLossless, stringifyJson } from './json-text.ts';
export type { LosslessOptions } from './json-text.ts';
export { fromTestJson, toTestJson } from './test-json.ts';
export { parseDelimiter } from './delimited.ts';
export { javaDouble } from '../types/java/number-text.ts';
