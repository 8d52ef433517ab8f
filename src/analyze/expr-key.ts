import type { Expr } from '../sql/ast.ts';
import { forEachChildExpr, isExprNode } from '../sql/expr-children.ts';

/** A structural identity for an expression, ignoring source positions and source qualifiers (single-source queries): equal keys = same expression. */
export function exprKey(expr: Expr): string {
  return JSON.stringify(expr, (k, v) => (k === 'span' || k === 'source' ? undefined : v));
}

/**
 * Structural identities as small integers (hash-consing), for matching many sub-expressions
 * against each other: equal ids = equal exprKey. Each node's signature holds its children's ids,
 * not their text, so identifying every node of a tree is linear in its size (exprKey of every
 * node would be quadratic for a deep tree). Iterative: no recursion over the tree.
 */
export class ExprIds {
  private readonly bySignature = new Map<string, number>();
  private readonly ids = new Map<Expr, number>();

  idOf(expr: Expr): number {
    const known = this.ids.get(expr);
    if (known !== undefined) return known;
    const pending: Expr[] = [expr];
    const expanded: boolean[] = [false];
    while (pending.length > 0) {
      const node = pending[pending.length - 1];
      if (this.ids.has(node)) {
        pending.pop();
        expanded.pop();
        continue;
      }
      if (!expanded[expanded.length - 1]) {
        expanded[expanded.length - 1] = true;
        forEachChildExpr(node, (child) => {
          if (!this.ids.has(child)) {
            pending.push(child);
            expanded.push(false);
          }
        });
        continue;
      }
      pending.pop();
      expanded.pop();
      const signature = JSON.stringify(node, (k, v) => {
        if (k === 'span' || k === 'source') return undefined;
        // A child is replaced by its id (an object, so it cannot collide with a string field).
        return v !== node && isExprNode(v) ? { '\u0000': this.ids.get(v) } : v;
      });
      let id = this.bySignature.get(signature);
      if (id === undefined) this.bySignature.set(signature, (id = this.bySignature.size));
      this.ids.set(node, id);
    }
    return this.ids.get(expr)!;
  }
}
