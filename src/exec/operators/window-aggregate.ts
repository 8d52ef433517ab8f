/**
 * Windowed GROUP BY: TUMBLING, HOPPING and SESSION windows with a grace period.
 *
 * Stream time is the highest record time this operator has seen. A record whose window ended at
 * or before stream time − grace is late: it is dropped and counted (processing log, WARN). Each
 * update emits the window's result (EMIT CHANGES) or, with EMIT FINAL, only once stream time
 * passes the window's end + grace (the pending windows are kept in a store, so a restart emits
 * them too). Sessions: a record joins every session within the gap of it; merged sessions are
 * replaced, and a tombstone is emitted for each session that disappears (as ksqlDB).
 */
import type { AggregateStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { KeyValueStore } from '../../state/store.ts';
import type { WindowStore } from '../../state/window-store.ts';
import type { SessionStore } from '../../state/session-store.ts';
import { compileAggregator, type Stored } from './aggregator.ts';
import { aggregateFormat, pendingWindowFormat, type PendingWindow } from '../../state/codecs/formats.ts';
import { expressionErrorSink } from './errors.ts';
import { eachGroupedRow, lateRecordReporter, PartitionedState, requireStores } from './stateful.ts';
import { keyBytes, keyText } from '../state-keys.ts';
import { finalEmitRange, type FinalEmitState, type TimeWindowShape } from './emit-final.ts';

type Pending = PendingWindow;

export function windowedAggregateOperator(step: AggregateStep, ctx: OperatorContext): Operator {
  const w = step.window!;
  const info = w.info;
  const agg = compileAggregator(step, expressionErrorSink(ctx, step.name));
  // Per input partition: its window (or session) store, its pending EMIT FINAL windows, its stream time.
  interface PartState {
    windows: WindowStore<Stored> | null;
    sessions: SessionStore<Stored> | null;
    pending: KeyValueStore<Pending> | null;
    streamTime: number;
    /** The earliest end + grace among pending windows (a lower bound): when a close check is due. */
    nextDue: number;
    /** TUMBLING/HOPPING EMIT FINAL: Kafka Streams' emit-on-window-close state (kept in the pending store). */
    final: FinalEmitState;
  }
  // TUMBLING and HOPPING EMIT FINAL follow Kafka Streams' emit-on-window-close (emit-final.ts);
  // SESSION and SLIDING close each window once stream time passes its end + grace.
  const shape: TimeWindowShape | null =
    w.emitFinal && (info.kind === 'TUMBLING' || info.kind === 'HOPPING')
      ? { sizeMs: info.sizeMs, advanceMs: info.kind === 'HOPPING' ? info.advanceMs : info.sizeMs, graceMs: w.graceMs, retentionMs: w.retentionMs }
      : null;
  const FINAL_META = keyBytes(['$final-emit']);
  const state = new PartitionedState<PartState>(async (_p, suffix) => {
    const stores = requireStores(ctx);
    const st: PartState = {
      windows: null,
      sessions: null,
      pending: null,
      streamTime: Number.NEGATIVE_INFINITY,
      nextDue: Number.NEGATIVE_INFINITY,
      final: { lastEmitClose: null, maxStart: Number.NEGATIVE_INFINITY },
    };
    if (info.kind === 'SESSION') {
      st.sessions = await stores.sessionStore(ctx.queryId, step.name + suffix, { retentionMs: w.retentionMs, format: aggregateFormat });
      st.streamTime = st.sessions.streamTime();
    } else {
      const size = info.kind === 'SLIDING' || info.kind === 'TUMBLING' || info.kind === 'HOPPING' ? info.sizeMs : 1;
      // HOPPING: a window stays in memory for one advance after its end (then one newer start has
      // opened); TUMBLING: for one window size (the store's default).
      const keepOpenMs = info.kind === 'HOPPING' ? info.advanceMs : undefined;
      st.windows = await stores.windowStore(ctx.queryId, step.name + suffix, { windowSizeMs: size, retentionMs: w.retentionMs, format: aggregateFormat, keepOpenMs });
      st.streamTime = st.windows.streamTime();
    }
    if (w.emitFinal) st.pending = await stores.keyValueStore(ctx.queryId, `${step.name}/suppress${suffix}`, pendingWindowFormat);
    const meta = shape ? st.pending!.get(FINAL_META) : undefined;
    if (meta) st.final = { lastEmitClose: meta.start, maxStart: meta.end };
    return st;
  });
  // The partition being processed (set per row; operators run synchronously within a batch).
  let cur!: PartState;
  let curPartition = 0;
  const closeAfter = (info.kind === 'SESSION' ? info.gapMs : 0) + w.graceMs;

  const cols = (group: unknown[], stored: Stored | null): unknown[] => {
    const g = group.length;
    const n = step.aggregates.length;
    const out = new Array(g + n);
    for (let i = 0; i < g; i++) out[i] = group[i];
    if (stored === null) for (let i = 0; i < n; i++) out[g + i] = null;
    else agg.resultsInto(stored.states, out, g);
    return out;
  };
  const row = (group: unknown[], stored: Stored | null, start: number, end: number, from: Row | null): Row => ({
    cols: cols(group, stored),
    ts: stored ? stored.maxTs : (from?.ts ?? end),
    partition: from?.partition ?? curPartition,
    offset: from?.offset ?? -1,
    windowStart: start,
    windowEnd: end,
    headers: null,
    valueNull: stored === null,
  });
  const next = (before: Stored | undefined, r: Row): Stored => ({
    states: agg.add(before ? before.states : agg.init(), r),
    maxTs: before && before.maxTs > r.ts ? before.maxTs : r.ts,
  });
  const reportLate = lateRecordReporter(ctx, step.name);
  const dropLate = (r: Row, end: number) =>
    reportLate(r, `later than the grace period (${w.graceMs} ms) of its window ending ${end}; stream time ${cur.streamTime}`);
  /**
   * EMIT FINAL: emits the pending windows that stream time has closed (end + grace), reading
   * their final value before the store may expire them, and forgets them.
   */
  const closeWindows = (st: PartState, partition: number, out: Row[]): void => {
    if (!st.pending || st.nextDue > st.streamTime) return;
    cur = st;
    curPartition = partition;
    const closed: Pending[] = [];
    let nextDue = Number.POSITIVE_INFINITY;
    for (const { key, value } of [...st.pending.range(null, null)]) {
      // A session can still be extended by a record up to `gap` after its end: final at end + gap + grace.
      if (value.end + closeAfter <= st.streamTime) {
        closed.push(value);
        st.pending.delete(key);
      } else nextDue = Math.min(nextDue, value.end + closeAfter);
    }
    st.nextDue = nextDue;
    closed.sort((a, b) => a.end - b.end || a.start - b.start);
    for (const p of closed) {
      const k = keyBytes(p.group);
      const stored = st.windows ? st.windows.get(k, p.start) : st.sessions!.fetchSession(k, p.start, p.end);
      if (stored) out.push(row(p.group, stored, p.start, p.end, null));
    }
  };
  /** Kafka Streams' emit-on-window-close after a record (TUMBLING/HOPPING EMIT FINAL). */
  const emitOnWindowClose = (st: PartState, out: Row[]): void => {
    const range = finalEmitRange(shape!, st.final, st.streamTime);
    if (!range) return;
    const emit: Pending[] = [];
    for (const { key, value } of [...st.pending!.range(null, null)]) {
      if (value.group.length === 0) continue; // the meta record (a windowed GROUP BY always has a group)
      if (value.start < range.from) st.pending!.delete(key); // expired from the window store: lost, as in ksqlDB
      else if (value.start <= range.to) {
        emit.push(value);
        st.pending!.delete(key);
      }
    }
    emit.sort((a, b) => a.start - b.start);
    for (const p of emit) {
      const stored = st.windows!.get(keyBytes(p.group), p.start);
      if (stored) out.push(row(p.group, stored, p.start, p.end, null));
    }
    st.final.lastEmitClose = range.close;
    st.pending!.put(FINAL_META, { group: [], start: range.close, end: st.final.maxStart });
  };
  // For a HAVING filter downstream (withPrior): the window's previous result (null: the window is
  // new), so that a failing first result is no tombstone (Kafka Streams' KTable filter forwards
  // nothing when neither the old nor the new value passes).
  const priorCols = (group: unknown[], before: Stored | undefined): unknown[] | null | undefined =>
    step.withPrior ? (before ? cols(group, before) : null) : undefined;
  const update = (out: Row[], group: unknown[], start: number, end: number, stored: Stored, from: Row, before: Stored | undefined) => {
    if (shape) {
      cur.pending!.put(keyBytes([...group, start, end]), { group, start, end });
      if (start > cur.final.maxStart) cur.final.maxStart = start;
      return;
    }
    if (w.emitFinal) {
      cur.pending!.put(keyBytes([...group, start, end]), { group, start, end });
      cur.nextDue = Math.min(cur.nextDue, end + closeAfter);
    }
    else {
      const changed = row(group, stored, start, end, from);
      const prior = priorCols(group, before);
      if (prior !== undefined) changed.prior = prior;
      out.push(changed);
    }
  };

  // The group's key as text (its UTF-8 bytes are keyBytes(group)): the window store builds store
  // keys from it without bytes on the per-record path.
  const timeWindows = (out: Row[], r: Row, group: unknown[], k: string): void => {
    const size = info.kind === 'TUMBLING' || info.kind === 'HOPPING' ? info.sizeMs : 0;
    const advance = info.kind === 'HOPPING' ? info.advanceMs : size;
    const first = Math.max(0, Math.floor((r.ts - size + advance) / advance) * advance);
    for (let start = first; start <= r.ts; start += advance) {
      const end = start + size;
      if (end <= cur.streamTime - w.graceMs) {
        dropLate(r, end);
        continue;
      }
      const before = cur.windows!.getByText(k, start);
      const stored = next(before, r);
      cur.windows!.putByText(k, start, stored);
      update(out, group, start, end, stored, r, before);
    }
  };

  const sessionWindows = (out: Row[], r: Row, group: unknown[], k: Uint8Array): void => {
    const gap = info.kind === 'SESSION' ? info.gapMs : 0;
    const found = cur.sessions!.findSessions(k, r.ts - gap, r.ts + gap);
    let start = r.ts;
    let end = r.ts;
    for (const s of found) {
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
    }
    // Kafka Streams' session aggregate closes a session at end + gap + grace (a record within the
    // gap could still have extended it), not at end + grace as a time window.
    if (end < cur.streamTime - w.graceMs - gap) {
      dropLate(r, end);
      return;
    }
    let merged: Stored | undefined;
    let sameWindow: Stored | undefined;
    for (const s of found) {
      if (s.start === start && s.end === end) sameWindow = s.value;
      merged = merged ? { states: agg.merge(merged.states, s.value.states), maxTs: Math.max(merged.maxTs, s.value.maxTs) } : s.value;
      cur.sessions!.remove(k, s.start, s.end);
      if (s.start !== start || s.end !== end) {
        if (w.emitFinal) cur.pending!.delete(keyBytes([...group, s.start, s.end]));
        else {
          // A merged-away session's tombstone keeps its time.
          const gone: Row = { ...row(group, null, s.start, s.end, r), ts: s.value.maxTs };
          const prior = priorCols(group, s.value);
          if (prior !== undefined) gone.prior = prior;
          out.push(gone);
        }
      }
    }
    const stored = next(merged, r);
    cur.sessions!.put(k, start, end, stored);
    update(out, group, start, end, stored, r, sameWindow);
  };

  return {
    name: step.name,
    ...state.hooks(),
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      const touched = eachGroupedRow(rows, agg, state, (r, group, st) => {
        cur = st;
        curPartition = r.partition;
        if (r.ts > cur.streamTime) {
          // Close windows before this record's time can expire them from the store.
          if (w.emitFinal && !shape && r.ts >= cur.nextDue) {
            const st = cur;
            st.streamTime = r.ts;
            closeWindows(st, r.partition, out);
            cur = st;
            curPartition = r.partition;
          }
          cur.streamTime = r.ts;
        }
        if (info.kind === 'SESSION') sessionWindows(out, r, group, keyBytes(group));
        else timeWindows(out, r, group, keyText(group));
        if (shape) emitOnWindowClose(cur, out);
      });
      for (const st of touched) if (Number.isFinite(st.streamTime)) (st.windows ?? st.sessions)!.advanceTime(st.streamTime);
      return out;
    },
    drain(): Row[] {
      // Kafka Streams emits final windows only when a record moves stream time.
      if (!w.emitFinal || shape) return [];
      const out: Row[] = [];
      for (const [partition, st] of state.entries()) closeWindows(st, partition, out);
      return out;
    },
  };
}
