import type { FilterStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compilePredicate } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';

/** WHERE: keeps rows whose predicate is TRUE (NULL and FALSE drop the row); rows with a null value never pass, as in ksqlDB. */
export function filterOperator(step: FilterStep, ctx: OperatorContext): Operator {
  const predicate = compilePredicate(step.predicate, getFunction, expressionErrorSink(ctx, step.name));
  if (step.changes) return changeFilter(step, predicate);
  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (let i = 0; i < rows.length; i++) if (!rows[i].valueNull && predicate(rows[i])) out.push(rows[i]);
      return out;
    },
  };
}

/**
 * Filter over table changes (HAVING, WHERE on a table): a passing row is emitted; a failing row
 * becomes a tombstone for its key when its prior version passed (when there is no prior
 * information, a tombstone is emitted anyway, which is harmless for a table); a tombstone passes.
 */
function changeFilter(step: FilterStep, predicate: (row: Row) => boolean): Operator {
  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (const row of rows) {
        if (!row.valueNull && predicate(row)) {
          out.push(row);
          continue;
        }
        if (row.prior === null) continue; // nothing was there, nothing to delete
        if (row.prior !== undefined && !predicate({ ...row, cols: row.prior, valueNull: false })) continue;
        out.push({ ...row, valueNull: true });
      }
      return out;
    },
  };
}
