import type { ProjectStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compileExpr, compileProjection } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';
import { referencedColumns, walkTypedExpr, type TypedExpr } from '../../types/typed-expr.ts';

/**
 * SELECT: computes the output columns. A row whose value is null (a stream record with a null
 * value) keeps a null value; of its key columns, only those computed from the input's key
 * columns alone are evaluated, the others are null, as in ksqlDB.
 */
export function projectOperator(step: ProjectStep, ctx: OperatorContext): Operator {
  const onError = expressionErrorSink(ctx, step.name);
  const exprs = step.exprs.map((e) => compileExpr(e, getFunction, onError));
  // Rows with a value: all columns from one generated function (one call and one array literal
  // per row); it falls back to the expressions one by one only for a row where one fails.
  const project = compileProjection(step.exprs, getFunction, onError);
  const n = exprs.length;
  const rekeyed = step.rekeyed;
  const keyCount = step.schema.key.length;
  const inputKeyCount = step.input.schema.key.length;
  // A row without a value (tombstone) still has its key (and window): an expression over key columns
  // alone is evaluated; one that reads a value column or a row pseudo column (ROWTIME lives in ksqlDB's
  // value) is NULL. Window bounds come with the windowed key, so a value column may read them (a
  // transient query shows a windowed tombstone with its window), a new key column may not (ksqlDB).
  const fromKey = step.exprs.map((e, j) => !readsPseudo(e, j >= keyCount) && referencedColumns(e).every((i) => i < inputKeyCount));
  // SELECT * (every input column, in order, keys staying keys): a row with a value is its own
  // projection. No operator changes a row or its columns once made, so it is passed on as is.
  const identity = !rekeyed && keyCount === inputKeyCount && step.exprs.every((e, j) => e.kind === 'Column' && e.index === j);
  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const out: Row[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (identity && !row.valueNull && row.cols.length === n) {
          out[i] = row;
          continue;
        }
        let cols: unknown[];
        if (row.valueNull) {
          cols = new Array(n);
          for (let j = 0; j < n; j++) cols[j] = fromKey[j] || (j < keyCount && row.colsKept) ? exprs[j](row) : null;
        } else {
          cols = project(row);
        }
        out[i] = rekeyed ? { ...row, cols, keyNull: false } : { ...row, cols };
      }
      return out;
    },
  };
}

function readsPseudo(e: TypedExpr, windowBoundsAllowed: boolean): boolean {
  let found = false;
  walkTypedExpr(e, (node) => {
    if (node.kind === 'Pseudo' && !(windowBoundsAllowed && (node.column === 'WINDOWSTART' || node.column === 'WINDOWEND'))) found = true;
  });
  return found;
}
