/**
 * Running aggregates (`SUM(x) OVER (PARTITION BY k ...)`). Per call and partition the store keeps
 * either the aggregate state (unbounded frame: O(1) per row) or the recent argument values
 * (ROWS n / RANGE interval frames: the aggregate is recomputed over the frame, which is small).
 * Each row is emitted with the results appended, in input order.
 */
import type { OverAggregateStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { ResolvedAggregate } from '../../functions/types.ts';
import { compileExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';
import { PartitionedState, requireStores } from './stateful.ts';
import { keyBytes } from '../state-keys.ts';
import { overFrameFormat } from '../../state/codecs/formats.ts';

export function overAggregateOperator(step: OverAggregateStep, ctx: OperatorContext): Operator {
  const onError = expressionErrorSink(ctx, step.name);
  const calls = step.calls.map((c, i) => {
    const def = getFunction(c.aggregate.name);
    if (!def || def.kind !== 'aggregate') throw new Error(`Aggregate function ${c.aggregate.name} is not registered`);
    const fn = def.resolve(c.aggregate.argTypes, { literalArg: (j) => c.aggregate.literals[j] ?? undefined, config: (name) => c.aggregate.config?.[name] });
    if (typeof fn === 'string') throw new Error(fn);
    return {
      index: i,
      fn: fn as ResolvedAggregate,
      args: c.aggregate.args.map((a) => compileExpr(a, getFunction, onError)),
      partition: c.partitionBy.map((p) => compileExpr(p, getFunction, onError)),
      frame: c.frame,
    };
  });
  const state = new PartitionedState((_p, suffix) => requireStores(ctx).keyValueStore(ctx.queryId, step.name + suffix, overFrameFormat));
  const fold = (fn: ResolvedAggregate, values: { args: unknown[] }[]): unknown => {
    let s = fn.init();
    for (const v of values) s = fn.add(s, ...v.args);
    return fn.result(s);
  };
  return {
    name: step.name,
    ...state.hooks(),
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (const row of rows) {
        if (row.valueNull) continue;
        const store = state.get(row.partition);
        const cols = row.cols.slice();
        for (const c of calls) {
          const k = keyBytes([c.index, ...c.partition.map((p) => p(row))]);
          const args = c.args.map((a) => a(row));
          let result: unknown = null;
          try {
            if (c.frame === null) {
              const prev = store.get(k) as { state: unknown } | undefined;
              const state = c.fn.add(prev ? prev.state : c.fn.init(), ...args);
              store.put(k, { state });
              result = c.fn.result(state);
            } else {
              const prev = (store.get(k) as { window: { ts: number; args: unknown[] }[] } | undefined)?.window ?? [];
              let w = [...prev, { ts: row.ts, args }];
              if (c.frame.kind === 'ROWS') w = w.slice(-(c.frame.preceding + 1));
              else {
                const from = row.ts - c.frame.precedingMs;
                w = w.filter((e) => e.ts >= from);
              }
              store.put(k, { window: w });
              result = fold(c.fn, w);
            }
          } catch (e) {
            onError(`${step.calls[c.index].aggregate.name} OVER failed: ${(e as Error).message}`);
          }
          cols.push(result ?? null);
        }
        out.push({ ...row, cols });
      }
      return out;
    },
  };
}
