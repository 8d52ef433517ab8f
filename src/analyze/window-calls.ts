/**
 * Window functions (ROW_NUMBER, LAG, FIRST_VALUE, LAST_VALUE) need an OVER clause, and OVER
 * orders rows only as they arrive: `ORDER BY ROWTIME` (ascending) is the one order a stream can
 * be read in without waiting, so any other ORDER BY is refused rather than ignored.
 */
import type { Query } from '../sql/ast.ts';
import { selectItemExprs, walkExprs } from '../sql/expr-visit.ts';
import { SqlError } from '../sql/errors.ts';
import { WINDOW_ONLY } from '../functions/window.ts';

export function validateWindowFunctionCalls(query: Query): void {
  walkExprs([...query.select.flatMap(selectItemExprs), query.where, query.having], (n) => {
    if (n.kind !== 'FunctionCall') return;
    const name = n.name.toUpperCase();
    if (WINDOW_ONLY.has(name) && !n.over) {
      throw new SqlError('INVALID', `${name} is a window function: it needs an OVER clause, as in ${name}(...) OVER (PARTITION BY ... ORDER BY ROWTIME)`, n.span);
    }
    for (const o of n.over?.orderBy ?? []) {
      if (o.expr.kind !== 'ColumnRef' || o.expr.name !== 'ROWTIME' || o.descending) {
        throw new SqlError('UNSUPPORTED', 'OVER (... ORDER BY ...) supports only ORDER BY ROWTIME (ascending): the order records arrive in', n.span);
      }
    }
  });
}
