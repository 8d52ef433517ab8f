import type { FlatMapStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compileExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';

/**
 * Table functions: each input row becomes max(len(result_i)) rows; the i-th output row carries
 * element i of every function's result (null where a result is shorter), as ksqlDB zips them.
 */
export function flatMapOperator(step: FlatMapStep, ctx: OperatorContext): Operator {
  const onError = expressionErrorSink(ctx, step.name);
  const fns = step.functions.map((f) => {
    const args = f.args.map((a) => compileExpr(a, getFunction, onError));
    const def = getFunction(f.name);
    if (!def || def.kind !== 'table') throw new Error(`Table function ${f.name} is not registered`);
    const resolved = def.resolve(f.args.map((a) => a.type), { literalArg: () => undefined });
    if (typeof resolved === 'string') throw new Error(resolved);
    return { args, impl: resolved.impl };
  });
  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (const row of rows) {
        if (row.valueNull) continue;
        const results: (readonly unknown[])[] = [];
        let longest = 0;
        for (const f of fns) {
          let r: readonly unknown[] = [];
          try {
            r = f.impl(...f.args.map((a) => a(row))) ?? [];
          } catch (e) {
            onError(`Table function failed: ${(e as Error).message}`);
          }
          results.push(r);
          if (r.length > longest) longest = r.length;
        }
        for (let i = 0; i < longest; i++) {
          const cols = row.cols.slice();
          for (const r of results) cols.push(i < r.length ? r[i] : null);
          out.push({ ...row, cols });
        }
      }
      return out;
    },
  };
}
