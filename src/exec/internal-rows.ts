/**
 * Riffle's encoding of rows on internal topics (repartition topics): the row travels whole —
 * columns, the prior row of a table change, window bounds and flags — as one MessagePack value
 * (the state stores' codec, which keeps every SQL runtime value exactly: BIGINT, DECIMAL, BYTES,
 * structs). Record timestamp and headers carry the row's time and headers. Only Riffle reads
 * these topics, so the encoding favours speed and exactness over interoperability.
 */
import type { ConsumedRecord } from '../log/log.ts';
import { msgpackCodec } from '../state/codec.ts';
import type { Row } from './expr/row.ts';

/** Bit flags of an encoded row. */
const VALUE_NULL = 1;
const KEY_NULL = 2;
const COLS_KEPT = 4;

interface EncodedRow {
  /** Columns. */
  c: unknown[];
  /** Flags (VALUE_NULL | KEY_NULL | COLS_KEPT). */
  f: number;
  /** Prior row of a table change (absent: not a table change; null: there was none). */
  p?: unknown[] | null;
  /** Joined rows: each source's record time. */
  st?: (number | null)[];
  /** Joined rows: each source's record partition and offset. */
  sp?: (number | null)[];
  so?: (number | null)[];
  /** Window start / end of a windowed row. */
  ws?: number;
  we?: number;
}

export function encodeInternalRow(row: Row): Uint8Array {
  const e: EncodedRow = { c: row.cols, f: (row.valueNull ? VALUE_NULL : 0) | (row.keyNull ? KEY_NULL : 0) | (row.colsKept ? COLS_KEPT : 0) };
  if (row.prior !== undefined) e.p = row.prior;
  if (row.sideTimes) e.st = row.sideTimes;
  if (row.sidePartitions) e.sp = row.sidePartitions;
  if (row.sideOffsets) e.so = row.sideOffsets;
  if (row.windowStart !== null) {
    e.ws = row.windowStart;
    e.we = row.windowEnd ?? row.windowStart;
  }
  return msgpackCodec.encode(e);
}

/** The row of an internal record; it belongs to the record's partition and offset from now on. */
export function decodeInternalRow(rec: ConsumedRecord): Row {
  const e = msgpackCodec.decode(rec.value!) as EncodedRow;
  const row: Row = {
    cols: e.c,
    ts: rec.timestamp,
    partition: rec.partition,
    offset: rec.offset,
    windowStart: e.ws ?? null,
    windowEnd: e.we ?? null,
    headers: rec.headers,
    valueNull: (e.f & VALUE_NULL) !== 0,
    keyNull: (e.f & KEY_NULL) !== 0,
  };
  if (e.f & COLS_KEPT) row.colsKept = true;
  if (e.p !== undefined) row.prior = e.p;
  if (e.st) row.sideTimes = e.st;
  if (e.sp) row.sidePartitions = e.sp;
  if (e.so) row.sideOffsets = e.so;
  return row;
}
