/**
 * The contract for formats. A serde is built once per (format, columns) and then turns whole
 * column tuples into bytes and back; it is on the hot path, so implementations are compiled per
 * schema (no per-record schema interpretation) and avoid copies.
 */
import type { SqlType } from '../types/sql-type.ts';

export type FormatName = 'JSON' | 'DELIMITED' | 'KAFKA' | 'NONE';

export interface SerdeColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface SerdeOptions {
  /**
   * For value serdes with exactly one column: true (default for values) writes `{"COL": v}`,
   * false writes the bare value. Key serdes with one column are always unwrapped.
   */
  readonly wrapSingleValue: boolean;
  /** DELIMITED only: the field delimiter (default ','). */
  readonly delimiter?: string;
}

export interface Serde {
  /**
   * Values in `columns` order -> bytes. Returns null only when there are no columns (format
   * NONE or an empty key). Throws SerdeError when a value cannot be written in this format.
   */
  serialize(values: readonly unknown[]): Uint8Array | null;
  /**
   * Bytes -> values in `columns` order, converted to each column's SQL type (runtime
   * representation of ../types/sql-type.ts). `null` bytes give null (a tombstone for values; a
   * null key). Throws SerdeError with a clear reason for malformed input.
   */
  deserialize(bytes: Uint8Array | null): unknown[] | null;
}

export class SerdeError extends Error {}
