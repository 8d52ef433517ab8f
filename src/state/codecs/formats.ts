/**
 * The formats of Riffle's persisted operator state (./format.ts explains names, versions and the
 * byte layout), and the table of them by name.
 *
 * Version 1 of each is what releases before versioned formats wrote: the plain MessagePack of the
 * operator's object with one-letter fields (kept in memory as they are, documented here).
 * Version 2 writes positional arrays: no field names in every value, and the layout is defined
 * here rather than by the objects an operator happens to build.
 */
import type { StateFormat } from './format.ts';

/** An aggregation's state of one group, window or session (exec/operators/aggregator.ts). */
export interface AggregateState {
  /** The aggregate functions' states, in the order of the query's aggregates. */
  readonly a: unknown[];
  /** Newest record time folded in (the output row's time). */
  readonly t: number;
}

/** An EMIT FINAL window waiting for stream time to close it (exec/operators/window-aggregate.ts). */
export interface PendingWindow {
  /** GROUP BY values (empty: the operator's own bookkeeping record). */
  readonly g: unknown[];
  /** Window start (ms). */
  readonly s: number;
  /** Window end (ms). */
  readonly e: number;
}

/**
 * A row kept by a join or a sliding window (exec/operators/join.ts): columns, time, the record's
 * partition and offset and, for a joined row, each source's time, partition and offset.
 */
export interface StoredRow {
  readonly c: unknown[];
  readonly t: number;
  readonly p?: number;
  readonly o?: number;
  readonly s?: (number | null)[];
  readonly sp?: (number | null)[];
  readonly so?: (number | null)[];
}

/** An outer stream-stream join row not matched yet, padded with nulls at `due` unless it matches. */
export interface PendingJoinRow extends StoredRow {
  readonly p: number;
  readonly o: number;
  /** From the right input. */
  readonly right: boolean;
  /** Stream time at which it is emitted unmatched. */
  readonly due: number;
}

/** A running aggregate (OVER): its state (unbounded frame), or the argument values in its frame. */
export type OverFrame = { readonly s: unknown } | { readonly w: { readonly t: number; readonly a: unknown[] }[] };

type Obj = Record<string, unknown>;

/** A legacy (version 1) value: the object itself. */
function legacy<V>(name: string, payload: unknown): V {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new TypeError(`State format ${name} v1: not an object`);
  return payload as V;
}

function payloadArray(name: string, payload: unknown, version: number): unknown[] {
  if (!Array.isArray(payload)) throw new TypeError(`State format ${name} v${version}: not an array`);
  return payload;
}

export const aggregateFormat: StateFormat<AggregateState> = {
  name: 'aggregate',
  version: 2,
  toPayload: (v) => [v.a, v.t],
  fromPayload(p, version) {
    if (version === 1) return legacy('aggregate', p);
    const [a, t] = payloadArray('aggregate', p, version);
    return { a: a as unknown[], t: t as number };
  },
};

export const pendingWindowFormat: StateFormat<PendingWindow> = {
  name: 'pending-window',
  version: 2,
  toPayload: (v) => [v.g, v.s, v.e],
  fromPayload(p, version) {
    if (version === 1) return legacy('pending-window', p);
    const [g, s, e] = payloadArray('pending-window', p, version);
    return { g: g as unknown[], s: s as number, e: e as number };
  },
};

const rowPayload = (v: StoredRow): unknown[] => [v.c, v.t, v.p ?? null, v.o ?? null, v.s ?? null, v.sp ?? null, v.so ?? null];

function rowFromPayload(a: unknown[]): StoredRow & Obj {
  const row: Obj = { c: a[0], t: a[1] };
  if (a[2] !== null) row.p = a[2];
  if (a[3] !== null) row.o = a[3];
  if (a[4] !== null) row.s = a[4];
  if (a[5] !== null) row.sp = a[5];
  if (a[6] !== null) row.so = a[6];
  return row as unknown as StoredRow & Obj;
}

export const storedRowFormat: StateFormat<StoredRow> = {
  name: 'row',
  version: 2,
  toPayload: rowPayload,
  fromPayload(p, version) {
    if (version === 1) return legacy('row', p);
    return rowFromPayload(payloadArray('row', p, version));
  },
};

export const pendingJoinRowFormat: StateFormat<PendingJoinRow> = {
  name: 'pending-join-row',
  version: 2,
  toPayload: (v) => [...rowPayload(v), v.right, v.due],
  fromPayload(p, version) {
    if (version === 1) return legacy('pending-join-row', p);
    const a = payloadArray('pending-join-row', p, version);
    const row = rowFromPayload(a);
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
  toPayload: (v) => ('s' in v ? [UNBOUNDED, v.s] : [WINDOW, v.w.map((e) => [e.t, e.a])]),
  fromPayload(p, version) {
    if (version === 1) return legacy('over-frame', p);
    const a = payloadArray('over-frame', p, version);
    if (a[0] === UNBOUNDED) return { s: a[1] };
    return { w: (a[1] as [number, unknown[]][]).map(([t, args]) => ({ t, a: args })) };
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
