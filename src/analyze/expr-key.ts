/**
 * Structural identity of SQL expressions: two expressions are the same when they have the same
 * node kinds, operators, literals, names and children, whatever their source positions. Used to
 * match GROUP BY / PARTITION BY expressions in the select list, join keys, duplicate model calls.
 *
 * Ids are small integers (hash-consing): each node's signature is its kind, its own fields (see
 * `ownFields`, one case per node kind) and its children's ids, so identifying every node of a
 * tree is linear in its size, and iterative (no recursion over the tree).
 */
import type { ColumnRef, Expr } from '../sql/ast.ts';
import { forEachChild } from '../sql/expr-visit.ts';

/**
 * How a column reference takes part in the identity. The default, `ref.name`, ignores source
 * qualifiers (single-source queries: `s.x` is `x`); joins resolve the qualifier to its source.
 */
export type ColumnIdentity = (ref: ColumnRef) => string;

const byName: ColumnIdentity = (ref) => ref.name;

/** Structural ids: equal ids = structurally equal expressions (for one ExprIds). */
export class ExprIds {
  private readonly bySignature = new Map<string, number>();
  private readonly ids = new Map<Expr, number>();
  private readonly column: ColumnIdentity;

  constructor(column: ColumnIdentity = byName) {
    this.column = column;
  }

  /** Whether two expressions are structurally equal. */
  same(a: Expr, b: Expr): boolean {
    // A node's kind is the first part of its signature: nodes of two kinds never share an id,
    // and a large expression is not walked to learn that it is not a column.
    return a.kind === b.kind && this.idOf(a) === this.idOf(b);
  }

  idOf(expr: Expr): number {
    const known = this.ids.get(expr);
    if (known !== undefined) return known;
    const pending: Expr[] = [expr];
    const expanded: boolean[] = [false];
    const children: Expr[] = [];
    while (pending.length > 0) {
      const node = pending[pending.length - 1];
      if (this.ids.has(node)) {
        pending.pop();
        expanded.pop();
        continue;
      }
      children.length = 0;
      forEachChild(node, (c) => void children.push(c));
      if (!expanded[expanded.length - 1]) {
        expanded[expanded.length - 1] = true;
        for (const child of children) {
          if (!this.ids.has(child)) {
            pending.push(child);
            expanded.push(false);
          }
        }
        continue;
      }
      pending.pop();
      expanded.pop();
      const parts: (string | number | boolean | null)[] = [node.kind, ...ownFields(node, this.column)];
      for (const child of children) parts.push(this.ids.get(child)!);
      const signature = JSON.stringify(parts);
      let id = this.bySignature.get(signature);
      if (id === undefined) this.bySignature.set(signature, (id = this.bySignature.size));
      this.ids.set(node, id);
    }
    return this.ids.get(expr)!;
  }
}

/**
 * A node's own fields (not its children, not its position), with the shape of its children
 * (list lengths, optional parts present) so that the children's ids line up unambiguously.
 */
function ownFields(e: Expr, column: ColumnIdentity): (string | number | boolean | null)[] {
  switch (e.kind) {
    case 'Literal':
      return [e.type, e.raw];
    case 'ColumnRef':
      return [column(e)];
    case 'Dereference':
      return [e.field];
    case 'Subscript':
    case 'Not':
    case 'Star':
      return [];
    case 'ArithmeticBinary':
    case 'ArithmeticUnary':
    case 'Comparison':
    case 'Logical':
      return [e.op];
    case 'IsNull':
    case 'Between':
      return [e.negated];
    case 'InList':
      return [e.negated, e.list.length];
    case 'Like':
      return [e.escape, e.negated];
    case 'Case':
      return [e.operand !== null, e.whens.length, e.else !== null];
    case 'Cast':
      // SqlType is a small plain value; its JSON is canonical (fields in a fixed order).
      return [JSON.stringify(e.type)];
    case 'FunctionCall':
      return [
        e.name,
        e.distinct,
        e.args.length,
        e.over === null ? null : JSON.stringify([e.over.partitionBy.length, e.over.orderBy.map((o) => o.descending), e.over.frame]),
      ];
    case 'Lambda':
      return [e.params.length, ...e.params];
    case 'CreateArray':
      return [e.elements.length];
    case 'CreateMap':
      return [e.entries.length];
    case 'CreateStruct':
      return [e.fields.length, ...e.fields.map((f) => f.name)];
    case 'IntervalUnitRef':
      return [e.unit];
  }
}
