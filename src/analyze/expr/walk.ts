/** Generic traversal of typed expressions (the tree is plain JSON, so a structural walk covers every node kind). */
import type { TypedExpr } from './typed-expr.ts';

/** Indices of the row columns an expression reads (lambda parameters and pseudo columns excluded). */
export function referencedColumns(e: TypedExpr): number[] {
  const out: number[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    if (rec.kind === 'Column' && typeof rec.index === 'number') out.push(rec.index);
    for (const [k, v] of Object.entries(rec)) if (k !== 'type') visit(v);
  };
  visit(e);
  return out;
}
