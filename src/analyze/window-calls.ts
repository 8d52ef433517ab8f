/**
 * Window functions (ROW_NUMBER, LAG, FIRST_VALUE, LAST_VALUE) need an OVER clause, and OVER
 * orders rows only as they arrive: `ORDER BY ROWTIME` (ascending) is the one order a stream can
 * be read in without waiting, so any other ORDER BY is refused rather than ignored.
 */
import type { Query } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { WINDOW_ONLY } from '../functions/window.ts';

export function validateWindowFunctionCalls(query: Query): void {
  const visit = (e: unknown): void => {
    if (Array.isArray(e)) return e.forEach(visit);
    if (!e || typeof e !== 'object') return;
    const n = e as { kind?: string; name?: string; over?: { orderBy: { expr: { kind: string; name?: string }; descending: boolean }[] } | null; span?: Query['span'] };
    if (n.kind === 'FunctionCall') {
      const name = String(n.name).toUpperCase();
      if (WINDOW_ONLY.has(name) && !n.over) {
        throw new SqlError('INVALID', `${name} is a window function: it needs an OVER clause, as in ${name}(...) OVER (PARTITION BY ... ORDER BY ROWTIME)`, n.span ?? null);
      }
      for (const o of n.over?.orderBy ?? []) {
        if (o.expr.kind !== 'ColumnRef' || o.expr.name !== 'ROWTIME' || o.descending) {
          throw new SqlError('UNSUPPORTED', 'OVER (... ORDER BY ...) supports only ORDER BY ROWTIME (ascending): the order records arrive in', n.span ?? null);
        }
      }
    }
    for (const [k, v] of Object.entries(e)) if (k !== 'span') visit(v);
  };
  visit([query.select, query.where, query.having]);
}
