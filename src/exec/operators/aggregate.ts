/**
 * GROUP BY without a window. Per input row: find the group's states in the store, update them,
 * emit the group's new results ([group values..., results...]) with the input row's time.
 *
 * Over a table (rows carry `prior`): the prior row is retracted from its group (undo) and the new
 * row added to its group; when both are the same group only one update is emitted, otherwise the
 * old group's (retracted) result first, as ksqlDB does.
 */
import type { AggregateStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compileAggregator, type States, type Stored } from './aggregator.ts';
import { expressionErrorSink } from './errors.ts';
import { PartitionedState, requireStores } from './stateful.ts';
import { keyBytes, sameBytes } from '../state-keys.ts';
import { windowedAggregateOperator } from './window-aggregate.ts';
import { slidingAggregateOperator } from './sliding-aggregate.ts';
import { paneAggregateOperator } from './pane-aggregate.ts';
import { aggregateFormat } from '../../state/codecs/formats.ts';

export function aggregateOperator(step: AggregateStep, ctx: OperatorContext): Operator {
  if (step.window?.info.kind === 'SLIDING') return slidingAggregateOperator(step, ctx);
  if (step.window && step.panes) return paneAggregateOperator(step, ctx);
  if (step.window) return windowedAggregateOperator(step, ctx);
  const onError = expressionErrorSink(ctx, step.name);
  const agg = compileAggregator(step, onError);
  const state = new PartitionedState((_p, suffix) => requireStores(ctx).keyValueStore(ctx.queryId, step.name + suffix, aggregateFormat));
  const withPrior = step.withPrior;

  // Prior results are computed before an update: aggregate functions may update states in place.
  const priorOf = (group: unknown[], stored: Stored | undefined | null): unknown[] | null =>
    withPrior && stored ? [...group, ...agg.results(stored.states)] : null;
  // The result's time is the newest time of the records it includes (Kafka Streams' rule).
  const next = (before: Stored | undefined, states: States, row: Row): Stored => ({ states, maxTs: before && before.maxTs > row.ts ? before.maxTs : row.ts });
  const emit = (out: Row[], from: Row, group: unknown[], stored: Stored, prior: unknown[] | null): void => {
    const cols = [...group, ...agg.results(stored.states)];
    out.push({
      cols,
      ts: stored.maxTs,
      partition: from.partition,
      offset: from.offset,
      windowStart: null,
      windowEnd: null,
      headers: null,
      prior: withPrior ? prior : undefined,
    });
  };

  const reportNullKey = (row: Row) =>
    ctx.errors.report({
      type: 'EXPRESSION_ERROR',
      queryId: ctx.queryId,
      step: step.name,
      reason: `Group-by column(s) evaluated to null for the record at ${row.partition}@${row.offset}: the record is skipped`,
      partition: row.partition,
      offset: row.offset,
    });

  const processStream = (rows: Row[]): Row[] => {
    const out: Row[] = [];
    for (const row of rows) {
      const s = state.get(row.partition);
      if (row.valueNull) continue;
      const group = agg.group(row);
      if (!group) {
        reportNullKey(row);
        continue;
      }
      const k = keyBytes(group);
      const before = s.get(k);
      const prior = priorOf(group, before);
      const stored = next(before, agg.add(before ? before.states : agg.init(), row), row);
      s.put(k, stored);
      emit(out, row, group, stored, prior);
    }
    return out;
  };

  const processTable = (rows: Row[]): Row[] => {
    const out: Row[] = [];
    for (const row of rows) {
      const s = state.get(row.partition);
      const priorRow: Row | null = row.prior ? { ...row, cols: row.prior, valueNull: false } : null;
      const oldGroup = priorRow ? agg.group(priorRow) : null;
      const newGroup = row.valueNull ? null : agg.group(row);
      const oldKey = oldGroup ? keyBytes(oldGroup) : null;
      const newKey = newGroup ? keyBytes(newGroup) : null;
      if (oldKey && newKey && sameBytes(oldKey, newKey)) {
        const before = s.get(oldKey);
        const prior = priorOf(newGroup!, before);
        const stored = next(before, agg.add(agg.undo(before ? before.states : agg.init(), priorRow!), row), row);
        s.put(oldKey, stored);
        emit(out, row, newGroup!, stored, prior);
        continue;
      }
      if (oldKey && oldGroup) {
        const before = s.get(oldKey);
        if (before) {
          const prior = priorOf(oldGroup, before);
          const stored = next(before, agg.undo(before.states, priorRow!), row);
          s.put(oldKey, stored);
          emit(out, row, oldGroup, stored, prior);
        }
      }
      if (newKey && newGroup) {
        const before = s.get(newKey);
        const prior = priorOf(newGroup, before);
        const stored = next(before, agg.add(before ? before.states : agg.init(), row), row);
        s.put(newKey, stored);
        emit(out, row, newGroup, stored, prior);
      } else if (!row.valueNull && !newGroup) {
        reportNullKey(row);
      }
    }
    return out;
  };

  return {
    name: step.name,
    ...state.hooks(),
    process: step.inputIsTable ? processTable : processStream,
  };
}
