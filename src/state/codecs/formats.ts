/**
 * The formats of Riffle's persisted operator state (./format.ts explains names, versions and the
 * byte layout), and the table of them by name.
 *
 * Version 1 of each is what releases before versioned formats wrote: the plain MessagePack of the
 * operator's object, with one-letter fields (`{a, t}` for an aggregate; each decoder below names
 * them). Version 2 writes positional arrays: no field names in every value, and the layout is
 * defined here rather than by the objects an operator happens to build.
 */
import type { StateFormat } from './format.ts';

/** An aggregation's state of one group, window or session (exec/operators/aggregator.ts). */
export interface AggregateState {
  /** The aggregate functions' states, in the order of the query's aggregates. */
  readonly states: unknown[];
  /** Newest record time folded in (the output row's time). */
  readonly maxTs: number;
}

/** An EMIT FINAL window waiting for stream time to close it (exec/operators/window-aggregate.ts). */
export interface PendingWindow {
  /** GROUP BY values (empty: the operator's own bookkeeping record). */
  readonly group: unknown[];
  /** Window start (ms). */
  readonly start: number;
  /** Window end (ms). */
  readonly end: number;
}

/**
 * A row kept by a join or a sliding window (exec/operators/join.ts): columns, time, the record's
 * partition and offset and, for a joined row, each source's time, partition and offset.
 */
export interface StoredRow {
  readonly cols: unknown[];
  readonly ts: number;
  readonly partition?: number;
  readonly offset?: number;
  readonly sideTimes?: (number | null)[];
  readonly sidePartitions?: (number | null)[];
  readonly sideOffsets?: (number | null)[];
  /** The window of a row from windowed sources (a join of windowed streams keeps it). */
  readonly windowStart?: number;
  readonly windowEnd?: number;
}

/** An outer stream-stream join row not matched yet, padded with nulls at `due` unless it matches. */
export interface PendingJoinRow extends StoredRow {
  readonly partition: number;
  readonly offset: number;
  /** From the right input. */
  readonly right: boolean;
  /** Stream time at which it is emitted unmatched. */
  readonly due: number;
}

/** A running aggregate (OVER): its state (unbounded frame), or the argument values in its frame. */
export type OverFrame = { readonly state: unknown } | { readonly window: { readonly ts: number; readonly args: unknown[] }[] };

type Obj = Record<string, unknown>;

/** A legacy (version 1) value: an object with one-letter fields. */
function legacy(name: string, payload: unknown): Obj {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new TypeError(`State format ${name} v1: not an object`);
  return payload as Obj;
}

function payloadArray(name: string, payload: unknown, version: number): unknown[] {
  if (!Array.isArray(payload)) throw new TypeError(`State format ${name} v${version}: not an array`);
  return payload;
}

export const aggregateFormat: StateFormat<AggregateState> = {
  name: 'aggregate',
  version: 2,
  toPayload: (v) => [v.states, v.maxTs],
  fromPayload(p, version) {
    if (version === 1) {
      const o = legacy('aggregate', p); // {a: states, t: maxTs}
      return { states: o.a as unknown[], maxTs: o.t as number };
    }
    const [states, maxTs] = payloadArray('aggregate', p, version);
    return { states: states as unknown[], maxTs: maxTs as number };
  },
};

export const pendingWindowFormat: StateFormat<PendingWindow> = {
  name: 'pending-window',
  version: 2,
  toPayload: (v) => [v.group, v.start, v.end],
  fromPayload(p, version) {
    const [group, start, end] =
      version === 1
        ? (({ g, s, e }) => [g, s, e])(legacy('pending-window', p)) // {g: group, s: start, e: end}
        : payloadArray('pending-window', p, version);
    return { group: group as unknown[], start: start as number, end: end as number };
  },
};

/** The row's 7 base fields; a row of windowed sources adds its window after a format's own fields. */
const rowPayload = (v: StoredRow): unknown[] => [
  v.cols,
  v.ts,
  v.partition ?? null,
  v.offset ?? null,
  v.sideTimes ?? null,
  v.sidePartitions ?? null,
  v.sideOffsets ?? null,
];

/** Fields absent from the row are null in the payload. `windowAt`: where the window's start and end are (absent in older payloads). */
function rowFromPayload(a: readonly unknown[], windowAt: number): StoredRow & Obj {
  const row: Obj = { cols: a[0], ts: a[1] };
  if (a[2] !== null && a[2] !== undefined) row.partition = a[2];
  if (a[3] !== null && a[3] !== undefined) row.offset = a[3];
  if (a[4] !== null && a[4] !== undefined) row.sideTimes = a[4];
  if (a[5] !== null && a[5] !== undefined) row.sidePartitions = a[5];
  if (a[6] !== null && a[6] !== undefined) row.sideOffsets = a[6];
  if (a[windowAt] !== null && a[windowAt] !== undefined) row.windowStart = a[windowAt];
  if (a[windowAt + 1] !== null && a[windowAt + 1] !== undefined) row.windowEnd = a[windowAt + 1];
  return row as unknown as StoredRow & Obj;
}

/** A windowed row's window after the fields before it; nothing for other rows (the payload stays as it was). */
const windowPayload = (v: StoredRow): unknown[] => (v.windowStart === undefined ? [] : [v.windowStart, v.windowEnd ?? null]);

/** Version 1: {c: cols, t: ts, p: partition, o: offset, s: sideTimes, sp: sidePartitions, so: sideOffsets}. */
const legacyRow = (o: Obj): unknown[] => [o.c, o.t, o.p, o.o, o.s, o.sp, o.so];

export const storedRowFormat: StateFormat<StoredRow> = {
  name: 'row',
  version: 2,
  toPayload: (v) => [...rowPayload(v), ...windowPayload(v)],
  fromPayload(p, version) {
    return rowFromPayload(version === 1 ? legacyRow(legacy('row', p)) : payloadArray('row', p, version), 7);
  },
};

export const pendingJoinRowFormat: StateFormat<PendingJoinRow> = {
  name: 'pending-join-row',
  version: 2,
  toPayload: (v) => [...rowPayload(v), v.right, v.due, ...windowPayload(v)],
  fromPayload(p, version) {
    let a: unknown[];
    if (version === 1) {
      const o = legacy('pending-join-row', p); // the row's fields, right, due
      a = [...legacyRow(o), o.right, o.due];
    } else a = payloadArray('pending-join-row', p, version);
    const row = rowFromPayload(a, 9);
    row.right = a[7];
    row.due = a[8];
    return row as unknown as PendingJoinRow;
  },
};

const UNBOUNDED = 0;
const WINDOW = 1;

export const overFrameFormat: StateFormat<OverFrame> = {
  name: 'over-frame',
  version: 2,
  toPayload: (v) => ('state' in v ? [UNBOUNDED, v.state] : [WINDOW, v.window.map((e) => [e.ts, e.args])]),
  fromPayload(p, version) {
    if (version === 1) {
      const o = legacy('over-frame', p); // {s: state} | {w: [{t: ts, a: args}]}
      if ('s' in o) return { state: o.s };
      return { window: (o.w as { t: number; a: unknown[] }[]).map((e) => ({ ts: e.t, args: e.a })) };
    }
    const a = payloadArray('over-frame', p, version);
    if (a[0] === UNBOUNDED) return { state: a[1] };
    return { window: (a[1] as [number, unknown[]][]).map(([ts, args]) => ({ ts, args })) };
  },
};

/** A format whose payload is the value itself (any MessagePack-able value); version 1 is the same. */
function plain<V>(name: string): StateFormat<V> {
  return { name, version: 2, toPayload: (v) => v, fromPayload: (p) => p as V };
}

/** A materialised table row's columns (exec/operators/materialize.ts). */
export const rowColumnsFormat: StateFormat<unknown[]> = plain('row-columns');
/** The next input offset a query's state includes (exec/applied-offsets.ts). */
export const appliedOffsetFormat: StateFormat<number> = plain('applied-offset');
/** Online training state (exec/operators/train.ts: models, score chunks, versions): laid out by ml/learn. */
export const trainingStateFormat: StateFormat<unknown> = plain('training-state');
/** Values of a store opened without a format (tests and tools): MessagePack of the value. */
export const opaqueFormat: StateFormat<unknown> = plain('opaque');

/** Every format by name: what a tool needs to read a store named in a stores.json. */
export const stateFormats: ReadonlyMap<string, StateFormat<unknown>> = new Map(
  [aggregateFormat, pendingWindowFormat, storedRowFormat, pendingJoinRowFormat, overFrameFormat, rowColumnsFormat, appliedOffsetFormat, trainingStateFormat, opaqueFormat].map(
    (f) => [f.name, f as StateFormat<unknown>],
  ),
);
