/**
 * Serdes without columns. NONE is ksqlDB's marker format for "do not read this part of the
 * record" (typically the key of a keyless stream): nothing is written and the bytes, whatever
 * they hold, are never looked at. Any other format with no columns behaves the same, except
 * that null bytes stay null.
 */
import { formatType } from '../types/sql-type.ts';
import { SerdeError } from './types.ts';
import type { Serde, SerdeColumn } from './types.ts';

export function createNoneSerde(columns: readonly SerdeColumn[]): Serde {
  if (columns.length > 0) {
    const got = columns.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', ');
    throw new SerdeError(`The 'NONE' format can only be used when no columns are defined. Got: [${got}]`);
  }
  return {
    serialize: () => null,
    deserialize: () => [],
  };
}

/** A serde of zero columns for the other formats. */
export function emptySerde(): Serde {
  return {
    serialize: () => null,
    deserialize: (bytes) => (bytes === null ? null : []),
  };
}
