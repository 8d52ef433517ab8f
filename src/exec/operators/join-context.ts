/**
 * What the three join operators (./join-stream-stream.ts, ./join-stream-table.ts,
 * ./join-table-table.ts) share: the context ./join.ts builds for them, the row kept in join state,
 * and the split of a batch into the join's own rows and those passing through.
 */
import type { JoinStep } from '../../plan/steps.ts';
import type { OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { StoredRow } from '../../state/codecs/formats.ts';
import { keyBytes } from '../state-keys.ts';

/**
 * What a join keeps of a row in its state: columns, time, the record's partition and offset and,
 * for a joined (left) row, each source's time, partition and offset — so that `alias.ROWTIME`,
 * `alias.ROWPARTITION` and `alias.ROWOFFSET` of a stored side are its own record's, as in ksqlDB
 * (whose join inputs carry their system columns in the value). Fields are optional for states
 * written before they existed.
 */
export type { StoredRow };

/** The join state key of a row's join key: a row of windowed sources matches only rows of its own window. */
export function joinStateKey(key: unknown, row: Row): Uint8Array {
  return row.windowStart === null || row.windowStart === undefined ? keyBytes([key]) : keyBytes([key, row.windowStart, row.windowEnd]);
}

export function storedRow(row: Row): StoredRow & { partition: number; offset: number } {
  const out: { -readonly [K in keyof StoredRow]: StoredRow[K] } & { partition: number; offset: number } = {
    cols: row.cols,
    ts: row.ts,
    partition: row.partition,
    offset: row.offset,
  };
  if (row.sideTimes) out.sideTimes = row.sideTimes;
  if (row.sidePartitions) out.sidePartitions = row.sidePartitions;
  if (row.sideOffsets) out.sideOffsets = row.sideOffsets;
  if (row.windowStart !== null && row.windowStart !== undefined) out.windowStart = row.windowStart;
  if (row.windowEnd !== null && row.windowEnd !== undefined) out.windowEnd = row.windowEnd;
  return out;
}

export function rowOfStored(b: StoredRow): Row {
  const row: Row = { cols: b.cols, ts: b.ts, partition: b.partition ?? 0, offset: b.offset ?? -1, windowStart: b.windowStart ?? null, windowEnd: b.windowEnd ?? null, headers: null };
  if (b.sideTimes) row.sideTimes = b.sideTimes;
  if (b.sidePartitions) row.sidePartitions = b.sidePartitions;
  if (b.sideOffsets) row.sideOffsets = b.sideOffsets;
  return row;
}

export interface JoinContext {
  readonly step: JoinStep;
  readonly ctx: OperatorContext;
  readonly rightSide: number;
  readonly leftKey: (row: Row) => unknown;
  readonly rightKey: (row: Row) => unknown;
  /** The joined row: left columns then right columns, a missing side as nulls. */
  combine(left: Row | null, right: Row | null, ts: number, trigger: Row): Row;
  /** A bare row over stored columns, to evaluate key expressions on. */
  rowOf(cols: unknown[], ts: number, sideTimes?: (number | null)[]): Row;
}

/** Splits a batch: calls `handle` for the join's own rows (in order) and passes the others through. */
export function routeRows(rows: Row[], rightSide: number, handle: (row: Row, isRight: boolean, out: Row[]) => void): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    const side = row.side ?? 0;
    if (side === 0) handle(row, false, out);
    else if (side === rightSide) handle(row, true, out);
    else out.push(row);
  }
  return out;
}
