/**
 * SLIDING windows (Kafka Streams' sliding windows, which ksqlDB lacks): every record at time t
 * defines the window [t − size, t] over the records of its key, and the window's aggregate is
 * emitted with that record. A record that arrives out of order (within the grace period) also
 * re-emits the windows of the later records whose span now includes it. Records are buffered
 * per key for size + grace; the aggregate of a window is recomputed from the buffer (windows
 * are short, so this stays cheap). Records older than stream time − grace are dropped and counted.
 */
import type { AggregateStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { WindowStore } from '../../state/window-store.ts';
import { compileAggregator } from './aggregator.ts';
import { expressionErrorSink } from './errors.ts';
import { lateRecordReporter, PartitionedState, requireStores } from './stateful.ts';
import { keyBytes } from '../state-keys.ts';
import { storedRowFormat, type StoredRow } from '../../state/codecs/formats.ts';

/** A buffered record: columns and time (the `row` state format's first two fields). */
type Buffered = StoredRow;

export function slidingAggregateOperator(step: AggregateStep, ctx: OperatorContext): Operator {
  const w = step.window!;
  const size = w.info.kind === 'SLIDING' ? w.info.sizeMs : 0;
  const agg = compileAggregator(step, expressionErrorSink(ctx, step.name));
  interface PartState {
    readonly buffer: WindowStore<Buffered>;
    streamTime: number;
  }
  const state = new PartitionedState<PartState>(async (_p, suffix) => {
    const buffer = await requireStores(ctx).windowStore(ctx.queryId, step.name + suffix, {
      format: storedRowFormat,
      windowSizeMs: 1,
      retentionMs: size + w.graceMs,
      retainDuplicates: true,
    });
    return { buffer, streamTime: buffer.streamTime() };
  });
  const reportLate = lateRecordReporter(ctx, step.name);

  const windowRow = (buffer: WindowStore<Buffered>, group: unknown[], k: Uint8Array, end: number, from: Row): Row => {
    const entries = buffer.fetch(k, end - size, end);
    let states = agg.init();
    let newest = Number.NEGATIVE_INFINITY;
    for (const e of entries) {
      states = agg.add(states, { ...from, cols: e.value.cols, ts: e.value.ts, valueNull: false });
      if (e.value.ts > newest) newest = e.value.ts;
    }
    return {
      cols: [...group, ...agg.results(states)],
      ts: newest,
      partition: from.partition,
      offset: from.offset,
      windowStart: end - size,
      windowEnd: end,
      headers: null,
    };
  };

  return {
    name: step.name,
    ...state.hooks(),
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (const r of rows) {
        if (r.valueNull) continue;
        const group = agg.group(r);
        if (!group) continue;
        const st = state.get(r.partition);
        if (r.ts < st.streamTime - w.graceMs) {
          reportLate(r, `older than stream time ${st.streamTime} minus the grace period (${w.graceMs} ms)`);
          continue;
        }
        const k = keyBytes(group);
        st.buffer.put(k, r.ts, { cols: r.cols, ts: r.ts });
        out.push(windowRow(st.buffer, group, k, r.ts, r));
        if (r.ts < st.streamTime) {
          // Later windows that now include this record.
          const later = new Set<number>();
          for (const e of st.buffer.fetch(k, r.ts + 1, r.ts + size)) later.add(e.value.ts);
          for (const end of [...later].sort((a, b) => a - b)) out.push(windowRow(st.buffer, group, k, end, r));
        }
        if (r.ts > st.streamTime) {
          st.streamTime = r.ts;
          st.buffer.advanceTime(r.ts);
        }
      }
      return out;
    },
  };
}
