import type { ProjectStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compileExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';

/**
 * SELECT: computes the output columns. A row whose value is null (a stream record with a null
 * value) keeps a null value: only its key columns are computed, as in ksqlDB.
 */
export function projectOperator(step: ProjectStep, ctx: OperatorContext): Operator {
  const onError = expressionErrorSink(ctx, step.name);
  const exprs = step.exprs.map((e) => compileExpr(e, getFunction, onError));
  const n = exprs.length;
  const keyCount = step.schema.key.length;
  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const out: Row[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        const cols = new Array(n);
        const limit = row.valueNull ? keyCount : n;
        for (let j = 0; j < limit; j++) cols[j] = exprs[j](row);
        for (let j = limit; j < n; j++) cols[j] = null;
        out[i] = { ...row, cols };
      }
      return out;
    },
  };
}
