import type { Expr } from '../sql/ast.ts';

/** A structural identity for an expression, ignoring source positions and source qualifiers (single-source queries): equal keys = same expression. */
export function exprKey(expr: Expr): string {
  return JSON.stringify(expr, (k, v) => (k === 'span' || k === 'source' ? undefined : v));
}
