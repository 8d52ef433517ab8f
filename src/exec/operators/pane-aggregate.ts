/**
 * HOPPING aggregation kept by panes (src/plan/panes.ts): the state is one aggregate per (group,
 * pane), a pane being a time slice of `paneMs` (the gcd of size and advance) aligned to the
 * epoch like the windows. A record updates its pane; then each of its windows that is still open
 * is emitted (EMIT CHANGES) with the merge of that window's panes. Same rows, in the same order,
 * as window by window (window-aggregate.ts): same windows per record (ascending start), same
 * late-record rule and reports (end <= stream time − grace), same result time (the newest record
 * time in the window, the max over its panes).
 *
 * Why: a record falls in size / advance windows but one pane, so the state written per record
 * (and at each commit to the changelog and the store) is that many times smaller.
 *
 * Retention: pane p is needed by the windows starting up to p, the last of which ends at p + size;
 * the pane store keeps panes for the windows' retention plus size − paneMs past their own end,
 * so a pane expires with the last window that reads it. Panes stay in memory `size` past their
 * end (window-store.ts: keepOpenMs), as long as a record a little out of order may read them.
 */
import type { AggregateStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { WindowStore } from '../../state/window-store.ts';
import { compileAggregator, type Stored } from './aggregator.ts';
import { aggregateFormat } from '../../state/codecs/formats.ts';
import { expressionErrorSink } from './errors.ts';
import { eachGroupedRow, lateRecordReporter, PartitionedState, requireStores } from './stateful.ts';
import { keyText } from '../state-keys.ts';

interface PartState {
  panes: WindowStore<Stored>;
  streamTime: number;
}

export function paneAggregateOperator(step: AggregateStep, ctx: OperatorContext): Operator {
  const w = step.window!;
  const info = w.info;
  if (info.kind !== 'HOPPING' || !step.panes || w.emitFinal || step.withPrior) throw new Error(`${step.name}: not an aggregation kept by panes`);
  const { sizeMs: size, advanceMs: advance } = info;
  const pane = step.panes.paneMs;
  if (!(pane > 0 && size % pane === 0 && advance % pane === 0)) throw new Error(`${step.name}: panes of ${pane} ms do not tile windows of ${size} ms advancing by ${advance} ms`);
  const grace = w.graceMs;
  const agg = compileAggregator(step, expressionErrorSink(ctx, step.name));
  const state = new PartitionedState<PartState>(async (_p, suffix) => {
    const panes = await requireStores(ctx).windowStore(ctx.queryId, `${step.name}/Panes${suffix}`, {
      windowSizeMs: pane,
      retentionMs: w.retentionMs + size - pane,
      format: aggregateFormat,
      keepOpenMs: size,
    });
    return { panes, streamTime: panes.streamTime() };
  });
  const reportLate = lateRecordReporter(ctx, step.name);
  // A record's panes, oldest first: those of its open windows (at most 2 × size / pane).
  const found: (Stored | undefined)[] = [];

  const merged = (from: number, count: number): Stored => {
    let acc: Stored | undefined;
    for (let i = from; i < from + count; i++) {
      const v = found[i];
      if (v === undefined) continue;
      acc = acc === undefined ? v : { states: agg.merge(acc.states, v.states), maxTs: acc.maxTs > v.maxTs ? acc.maxTs : v.maxTs };
    }
    return acc!; // the record's own pane is among them
  };

  const emit = (out: Row[], group: unknown[], stored: Stored, start: number, from: Row): void => {
    const g = group.length;
    const cols = new Array(g + step.aggregates.length);
    for (let i = 0; i < g; i++) cols[i] = group[i];
    agg.resultsInto(stored.states, cols, g);
    out.push({ cols, ts: stored.maxTs, partition: from.partition, offset: from.offset, windowStart: start, windowEnd: start + size, headers: null, valueNull: false });
  };

  const update = (out: Row[], st: PartState, r: Row, group: unknown[]): void => {
    const first = Math.max(0, Math.floor((r.ts - size + advance) / advance) * advance);
    // Late windows are the oldest ones (they end first): the open ones start at firstOpen.
    let firstOpen = -1;
    for (let start = first; start <= r.ts; start += advance) {
      const end = start + size;
      if (end > st.streamTime - grace) {
        firstOpen = start;
        break;
      }
      reportLate(r, `later than the grace period (${grace} ms) of its window ending ${end}; stream time ${st.streamTime}`);
    }
    if (firstOpen < 0) return;
    const k = keyText(group);
    const own = Math.floor(r.ts / pane) * pane;
    const before = st.panes.getByText(k, own);
    const stored: Stored = { states: agg.add(before ? before.states : agg.init(), r), maxTs: before && before.maxTs > r.ts ? before.maxTs : r.ts };
    st.panes.putByText(k, own, stored);
    const lastStart = Math.floor(r.ts / advance) * advance;
    const count = (lastStart - firstOpen + size) / pane;
    found.length = count;
    for (let i = 0; i < count; i++) {
      const p = firstOpen + i * pane;
      found[i] = p === own ? stored : st.panes.peekByText(k, p);
    }
    const perWindow = size / pane;
    for (let start = firstOpen; start <= lastStart; start += advance) emit(out, group, merged((start - firstOpen) / pane, perWindow), start, r);
    found.length = 0;
  };

  return {
    name: step.name,
    ...state.hooks(),
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      const touched = eachGroupedRow(rows, agg, state, (r, group, st) => {
        if (r.ts > st.streamTime) st.streamTime = r.ts;
        update(out, st, r, group);
      });
      for (const st of touched) if (Number.isFinite(st.streamTime)) st.panes.advanceTime(st.streamTime);
      return out;
    },
  };
}
