/**
 * The row compiled expressions evaluate against: the columns (runtime representation of
 * ../../types/sql-type.ts, indexed as the analyzer's scope numbered them) plus the record
 * context pseudo columns read from (ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND).
 */
import type { Header } from '../../log/log.ts';

export interface Row {
  cols: unknown[];
  /** ROWTIME: the record timestamp, epoch milliseconds. */
  ts: number;
  partition: number;
  offset: number;
  /** Window bounds of a windowed row, else null. */
  windowStart: number | null;
  windowEnd: number | null;
  headers: readonly Header[] | null;
  /**
   * The record's value was null (a tombstone, or a stream record without a value): only key
   * columns are meaningful. Operators' business; expressions ignore it.
   */
  valueNull?: boolean;
  /** The record had no key at all (null bytes), which ksqlDB keeps apart from a key of null columns. */
  keyNull?: boolean;
  /**
   * For table changes: the columns of the row this one replaces (null: there was none). Set by
   * table materialization and aggregations; what retractions and HAVING tombstones need.
   */
  prior?: unknown[] | null;
  /**
   * A retraction (valueNull) that still carries the complete row it retracts in `cols`, so key
   * columns computed from any column can be derived (join results that disappear).
   */
  colsKept?: boolean;
  /** Joined rows: the time of each FROM source's record in it (null: that side is missing), for `alias.ROWTIME`. */
  sideTimes?: (number | null)[];
  /** Joined rows: the partition and offset of each FROM source's record (`alias.ROWPARTITION`, `alias.ROWOFFSET`). */
  sidePartitions?: (number | null)[];
  sideOffsets?: (number | null)[];
  /** Which FROM source the row came from (joins); 0 for a single source and for joined rows. */
  side?: number;
}

/**
 * Receives the processing-log message of an expression that failed for one row (a function
 * that threw, a bad CAST, a division by zero); the expression's value is then NULL (a predicate:
 * false). `error` is the underlying exception, when there is one.
 */
export type ErrorSink = (message: string, error?: unknown) => void;
