/**
 * The direct sub-expressions of an expression node, found generically (fields holding an Expr,
 * arrays of them, and kind-less wrappers such as CASE arms `{when, then}`), so walkers that only
 * need the tree shape do not each keep a switch over every node kind.
 */
import type { Expr } from './ast.ts';

/** An Expr is an object with a string `kind` and a `span` (wrappers and SQL types have no span). */
export function isExprNode(v: unknown): v is Expr {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const rec = v as Record<string, unknown>;
  return typeof rec.kind === 'string' && typeof rec.span === 'object' && rec.span !== null;
}

/** Calls `f` with each direct child expression of `node`, in field order. */
export function forEachChildExpr(node: Expr, f: (child: Expr) => void): void {
  const rec = node as unknown as Record<string, unknown>;
  for (const key in rec) {
    if (key === 'span' || key === 'type') continue;
    visitValue(rec[key], f);
  }
}

function visitValue(value: unknown, f: (child: Expr) => void): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) visitValue(v, f);
    return;
  }
  if (isExprNode(value)) {
    f(value);
    return;
  }
  // A wrapper (CASE arm, map entry, struct field, OVER clause): its expressions are children of
  // the node holding it. Wrappers hold expressions, not further wrappers of wrappers, so this
  // recursion is shallow.
  const rec = value as Record<string, unknown>;
  for (const key in rec) visitValue(rec[key], f);
}
