/**
 * Rewrites of a query's expressions before they are typed (table functions, OVER calls, ROWKEY
 * in joins), each a typed walk over sql/expr-visit.ts. Rewrites recurse once per nesting level,
 * which the parser bounds (MAX_EXPR_DEPTH).
 */
import type { Expr, FunctionCall, Query, SelectItem } from '../sql/ast.ts';
import { mapChildren } from '../sql/expr-visit.ts';
import { getFunction } from '../functions/registry.ts';

/** Rewrites table-function calls (found at any depth, e.g. `EXPLODE(a)->F`) with `replace`; lambdas keep their own scope. */
export function extractTableFunctions(expr: Expr, replace: (call: FunctionCall) => Expr): Expr {
  const visit = (n: Expr): Expr => {
    if (n.kind === 'FunctionCall' && getFunction(n.name)?.kind === 'table') return replace(n);
    return n.kind === 'Lambda' ? n : mapChildren(n, visit);
  };
  return visit(expr);
}

/**
 * In a join, the synthetic key column (`ROWKEY`, or `ROWKEY_n` when a source has a column of that
 * name: ./synthetic-key.ts) names the join key; FROM is left as it is.
 */
export function replaceRowKey(query: Query, key: Expr, name: string): Query {
  const visit = (n: Expr): Expr => (n.kind === 'ColumnRef' && n.name === name && n.source === null ? { ...key, span: n.span } : mapChildren(n, visit));
  const list = (xs: readonly Expr[] | null) => (xs ? xs.map(visit) : null);
  const select = query.select.map((item): SelectItem => {
    switch (item.kind) {
      case 'AllColumns':
        return item;
      case 'SelectExpr': {
        const bare = item.alias === null && item.expr.kind === 'ColumnRef' && item.expr.name === name && item.expr.source === null;
        return { ...item, alias: bare ? name : item.alias, expr: visit(item.expr) };
      }
      case 'StructAll':
        return { ...item, base: visit(item.base) };
    }
  });
  return {
    ...query,
    select,
    where: query.where ? visit(query.where) : null,
    groupBy: list(query.groupBy),
    partitionBy: list(query.partitionBy),
    having: query.having ? visit(query.having) : null,
    ...(query.orderBy ? { orderBy: query.orderBy.map((o) => ({ ...o, expr: visit(o.expr) })) } : {}),
  };
}

/** Rewrites the function calls matching `pick` (at any depth, lambdas included) with `replace`. */
export function replaceCalls(expr: Expr, pick: (c: FunctionCall) => boolean, replace: (call: FunctionCall) => Expr): Expr {
  const visit = (n: Expr): Expr => (n.kind === 'FunctionCall' && pick(n) ? replace(n) : mapChildren(n, visit));
  return visit(expr);
}
