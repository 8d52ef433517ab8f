/**
 * Stream-stream join WITHIN (before, after): a right record joins a left one with the same key
 * when right.ts ∈ [left.ts − before, left.ts + after]. Both sides are buffered in window stores
 * kept for before + after + grace. Joined rows carry the later of the two times.
 *
 * Outer joins (LEFT / RIGHT / FULL) emit a record without a match padded with nulls:
 * - with GRACE PERIOD: once stream time passes its window (ts + after|before + grace) and only
 *   if it never matched (kept in a `pending` store, so a restart still emits them); a record
 *   whose window already ended in stream time when it arrives (out of order) is padded at once;
 * - without GRACE PERIOD: at once when it arrives without a match (ksqlDB's legacy rule; a later
 *   match is then emitted too).
 * As in Kafka Streams, each side's buffer expires by the newest time put into it (default grace
 * 24 h): an out-of-order record still joins what the other buffer holds, and is itself kept
 * unless its own buffer has moved past it (then it is reported as late).
 */
import type { Operator } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { KeyValueStore } from '../../state/store.ts';
import type { WindowStore } from '../../state/window-store.ts';
import type { JoinContext, StoredRow } from './join-context.ts';
import { joinStateKey, routeRows, rowOfStored, storedRow } from './join-context.ts';
import { lateRecordReporter, PartitionedState, requireStores } from './stateful.ts';
import { keyBytes } from '../state-keys.ts';
import { pendingJoinRowFormat, storedRowFormat, type PendingJoinRow } from '../../state/codecs/formats.ts';
import type { StateFormat } from '../../state/codecs/format.ts';

/** A buffered record: the `row` state format, with the record's own partition and offset. */
interface Buffered extends StoredRow {
  readonly partition: number;
  readonly offset: number;
}

type Pending = PendingJoinRow;

const DEFAULT_GRACE_MS = 24 * 3600_000;

export function streamStreamJoin(jc: JoinContext): Operator {
  const { step, ctx, rightSide } = jc;
  const spec = step.spec;
  const before = spec.beforeMs;
  const after = spec.afterMs;
  const eager = spec.graceMs === null;
  const grace = spec.graceMs ?? DEFAULT_GRACE_MS;
  const outerLeft = spec.type === 'LEFT' || spec.type === 'FULL';
  const outerRight = spec.type === 'RIGHT' || spec.type === 'FULL';
  interface PartState {
    readonly lefts: WindowStore<Buffered>;
    readonly rights: WindowStore<Buffered>;
    readonly pending: KeyValueStore<Pending> | null;
    streamTime: number;
  }
  const state = new PartitionedState<PartState>(async (_p, suffix) => {
    const stores = requireStores(ctx);
    const options = { windowSizeMs: 1, retentionMs: before + after + grace, retainDuplicates: true, format: storedRowFormat as StateFormat<Buffered> };
    const l = await stores.windowStore<Buffered>(ctx.queryId, `${step.name}/left${suffix}`, options);
    const r = await stores.windowStore<Buffered>(ctx.queryId, `${step.name}/right${suffix}`, options);
    const p = !eager && (outerLeft || outerRight) ? await stores.keyValueStore(ctx.queryId, `${step.name}/outer${suffix}`, pendingJoinRowFormat) : null;
    return { lefts: l, rights: r, pending: p, streamTime: Math.max(l.streamTime(), r.streamTime()) };
  });
  // The state of the partition being processed (operators run synchronously within a batch).
  let lefts: WindowStore<Buffered> | null = null;
  let rights: WindowStore<Buffered> | null = null;
  let pending: KeyValueStore<Pending> | null = null;
  let cur!: PartState;

  const reportLate = lateRecordReporter(ctx, step.name);
  const pendingKey = (right: boolean, b: Buffered) => keyBytes([right ? 1 : 0, b.ts, b.partition, b.offset]);
  const asRow = (b: Buffered): Row => rowOfStored(b);

  const onRecord = (row: Row, isRight: boolean, out: Row[]): void => {
    if (row.valueNull) return;
    const key = isRight ? jc.rightKey(row) : jc.leftKey(row);
    if (key === null || key === undefined) return;
    if (row.ts > cur.streamTime) cur.streamTime = row.ts;
    const kb = joinStateKey(key, row);
    const own: Buffered = storedRow(row);
    const others = isRight ? lefts! : rights!;
    const matches = isRight ? others.fetch(kb, row.ts - after, row.ts + before) : others.fetch(kb, row.ts - before, row.ts + after);
    for (const m of matches) {
      const other = asRow(m.value);
      const ts = Math.max(row.ts, m.value.ts);
      out.push(isRight ? jc.combine(other, row, ts, row) : jc.combine(row, other, ts, row));
      if (!eager && pending) pending.delete(pendingKey(!isRight, m.value));
    }
    // Each side's buffer expires by its own stream time (Kafka Streams' window stores): a record
    // too old for it is not kept, and is reported.
    if (!(isRight ? rights! : lefts!).put(kb, row.ts, own)) reportLate(row, `older than the ${isRight ? 'right' : 'left'} join buffer keeps (window plus grace, ${before + after + grace} ms)`);
    const outer = isRight ? outerRight : outerLeft;
    if (outer && matches.length === 0) {
      // Unmatched: padded at once when its window already ended in stream time (nothing newer
      // can match it any more) or without GRACE; otherwise once the window closes, if still unmatched.
      const windowEnd = row.ts + (isRight ? before : after);
      if (eager || windowEnd < cur.streamTime) out.push(isRight ? jc.combine(null, row, row.ts, row) : jc.combine(row, null, row.ts, row));
      else pending!.put(pendingKey(isRight, own), { ...own, right: isRight, due: windowEnd + grace });
    }
  };

  return {
    name: step.name,
    ...state.hooks(),
    process(rows) {
      return routeRows(rows, rightSide, (row, isRight, o) => {
        cur = state.get(row.partition);
        ({ lefts, rights, pending } = cur);
        onRecord(row, isRight, o);
      });
    },
    drain() {
      const out: Row[] = [];
      for (const [partition, st] of state.entries()) {
        if (!st.pending) continue;
        const due = [...st.pending.range(null, null)].filter((e) => e.value.due <= st.streamTime);
        due.sort((a, b) => a.value.ts - b.value.ts);
        for (const { key, value } of due) {
          st.pending.delete(key);
          const row = { ...asRow(value), partition };
          out.push(value.right ? jc.combine(null, row, value.ts, row) : jc.combine(row, null, value.ts, row));
        }
      }
      return out;
    },
  };
}
