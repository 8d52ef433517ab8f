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
import { expressionErrorSink } from './errors.ts';
import { lateRecordReporter, requireStores } from './stateful.ts';
import { keyBytes } from '../state-keys.ts';

interface Pending {
  readonly g: unknown[];
  readonly s: number;
  readonly e: number;
}

export function windowedAggregateOperator(step: AggregateStep, ctx: OperatorContext): Operator {
  const w = step.window!;
  const info = w.info;
  const agg = compileAggregator(step, expressionErrorSink(ctx, step.name));
  let windows: WindowStore<Stored> | null = null;
  let sessions: SessionStore<Stored> | null = null;
  let pending: KeyValueStore<Pending> | null = null;
  let streamTime = Number.NEGATIVE_INFINITY;

  const row = (group: unknown[], stored: Stored | null, start: number, end: number, from: Row | null): Row => ({
    cols: stored ? [...group, ...agg.results(stored.a)] : [...group, ...new Array(step.aggregates.length).fill(null)],
    ts: stored ? stored.t : (from?.ts ?? end),
    partition: from?.partition ?? 0,
    offset: from?.offset ?? -1,
    windowStart: start,
    windowEnd: end,
    headers: null,
    valueNull: stored === null,
  });
  const next = (before: Stored | undefined, r: Row): Stored => ({
    a: agg.add(before ? before.a : agg.init(), r),
    t: before && before.t > r.ts ? before.t : r.ts,
  });
  const reportLate = lateRecordReporter(ctx, step.name);
  const dropLate = (r: Row, end: number) =>
    reportLate(r, `later than the grace period (${w.graceMs} ms) of its window ending ${end}; stream time ${streamTime}`);
  const update = (out: Row[], group: unknown[], start: number, end: number, stored: Stored, from: Row) => {
    if (w.emitFinal) pending!.put(keyBytes([...group, start, end]), { g: group, s: start, e: end });
    else out.push(row(group, stored, start, end, from));
  };

  const timeWindows = (out: Row[], r: Row, group: unknown[], k: Uint8Array): void => {
    const size = info.kind === 'TUMBLING' || info.kind === 'HOPPING' ? info.sizeMs : 0;
    const advance = info.kind === 'HOPPING' ? info.advanceMs : size;
    const first = Math.max(0, Math.floor((r.ts - size + advance) / advance) * advance);
    for (let start = first; start <= r.ts; start += advance) {
      const end = start + size;
      if (end <= streamTime - w.graceMs) {
        dropLate(r, end);
        continue;
      }
      const stored = next(windows!.get(k, start), r);
      windows!.put(k, start, stored);
      update(out, group, start, end, stored, r);
    }
  };

  const sessionWindows = (out: Row[], r: Row, group: unknown[], k: Uint8Array): void => {
    const gap = info.kind === 'SESSION' ? info.gapMs : 0;
    const found = sessions!.findSessions(k, r.ts - gap, r.ts + gap);
    let start = r.ts;
    let end = r.ts;
    for (const s of found) {
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
    }
    if (end < streamTime - w.graceMs) {
      dropLate(r, end);
      return;
    }
    let merged: Stored | undefined;
    for (const s of found) {
      merged = merged ? { a: agg.merge(merged.a, s.value.a), t: Math.max(merged.t, s.value.t) } : s.value;
      sessions!.remove(k, s.start, s.end);
      if (s.start !== start || s.end !== end) {
        if (w.emitFinal) pending!.delete(keyBytes([...group, s.start, s.end]));
        else out.push({ ...row(group, null, s.start, s.end, r), ts: s.value.t }); // a merged-away session's tombstone keeps its time
      }
    }
    const stored = next(merged, r);
    sessions!.put(k, start, end, stored);
    update(out, group, start, end, stored, r);
  };

  return {
    name: step.name,
    async open() {
      const stores = requireStores(ctx);
      if (info.kind === 'SESSION') {
        sessions = await stores.sessionStore<Stored>(ctx.queryId, step.name, { retentionMs: w.retentionMs });
        streamTime = sessions.streamTime();
      } else {
        const size = info.kind === 'SLIDING' ? info.sizeMs : info.sizeMs;
        windows = await stores.windowStore<Stored>(ctx.queryId, step.name, { windowSizeMs: size, retentionMs: w.retentionMs });
        streamTime = windows.streamTime();
      }
      if (w.emitFinal) pending = await stores.keyValueStore<Pending>(ctx.queryId, `${step.name}/suppress`);
    },
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (const r of rows) {
        if (r.valueNull) continue;
        const group = agg.group(r);
        if (!group) continue;
        if (r.ts > streamTime) streamTime = r.ts;
        const k = keyBytes(group);
        if (info.kind === 'SESSION') sessionWindows(out, r, group, k);
        else timeWindows(out, r, group, k);
      }
      if (Number.isFinite(streamTime)) (windows ?? sessions)!.advanceTime(streamTime);
      return out;
    },
    drain(): Row[] {
      if (!pending) return [];
      const closed: Pending[] = [];
      for (const { key, value } of [...pending.range(null, null)]) {
        if (value.e + w.graceMs <= streamTime) {
          closed.push(value);
          pending.delete(key);
        }
      }
      closed.sort((a, b) => a.e - b.e || a.s - b.s);
      const out: Row[] = [];
      for (const p of closed) {
        const k = keyBytes(p.g);
        const stored = windows ? windows.get(k, p.s) : sessions!.fetchSession(k, p.s, p.e);
        if (stored) out.push(row(p.g, stored, p.s, p.e, null));
      }
      return out;
    },
  };
}
