import type { FilterStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compilePredicate } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';

/** WHERE: keeps rows whose predicate is TRUE (NULL and FALSE drop the row); rows with a null value never pass, as in ksqlDB. */
export function filterOperator(step: FilterStep, ctx: OperatorContext): Operator {
  const predicate = compilePredicate(step.predicate, getFunction, expressionErrorSink(ctx, step.name));
  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (let i = 0; i < rows.length; i++) if (!rows[i].valueNull && predicate(rows[i])) out.push(rows[i]);
      return out;
    },
  };
}
