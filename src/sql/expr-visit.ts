/**
 * The one traversal of SQL expressions (the Expr union of ./ast.ts). `mapChildren` has a case
 * per node kind (an exhaustive switch), so a new node kind fails the type check here until it
 * says what its children are; every walk of expressions is built on it: the nesting check
 * (./nesting.ts), structural ids (analyze/expr-key.ts) and the analyzer's rewrites.
 *
 * Children are visited in field order (the order of the fields in ./ast.ts, which is the order
 * the parser writes them in); an OVER clause's PARTITION BY and ORDER BY expressions are children
 * of its call, CASE arms and map entries are flattened into their node's children.
 *
 * Depth: walkExpr and forEachChild never recurse. Rewrites written as
 * `visit = (e) => ... mapChildren(e, visit)` recurse once per level, which the parser bounds
 * (MAX_EXPR_DEPTH in ./nesting.ts: every parsed expression is checked before any stage sees it).
 */
import type { Expr, OverClause, SelectItem } from './ast.ts';

/**
 * `e` with each direct child replaced by `f(child)`; `e` itself when no child changed (nodes are
 * immutable, so unchanged subtrees are shared). `f` is called once per child, in field order.
 */
export function mapChildren(e: Expr, f: (child: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'Literal':
    case 'ColumnRef':
    case 'IntervalUnitRef':
    case 'Star':
      return e;
    case 'Dereference': {
      const base = f(e.base);
      return base === e.base ? e : { ...e, base };
    }
    case 'Subscript': {
      const base = f(e.base);
      const index = f(e.index);
      return base === e.base && index === e.index ? e : { ...e, base, index };
    }
    case 'ArithmeticBinary':
    case 'Comparison':
    case 'Logical': {
      const left = f(e.left);
      const right = f(e.right);
      return left === e.left && right === e.right ? e : ({ ...e, left, right } as Expr);
    }
    case 'ArithmeticUnary':
    case 'Not':
    case 'IsNull':
    case 'Cast': {
      const operand = f(e.operand);
      return operand === e.operand ? e : ({ ...e, operand } as Expr);
    }
    case 'Between': {
      const operand = f(e.operand);
      const low = f(e.low);
      const high = f(e.high);
      return operand === e.operand && low === e.low && high === e.high ? e : { ...e, operand, low, high };
    }
    case 'InList': {
      const operand = f(e.operand);
      const list = mapList(e.list, f);
      return operand === e.operand && list === e.list ? e : { ...e, operand, list };
    }
    case 'Like': {
      const operand = f(e.operand);
      const pattern = f(e.pattern);
      return operand === e.operand && pattern === e.pattern ? e : { ...e, operand, pattern };
    }
    case 'Case': {
      const operand = e.operand === null ? null : f(e.operand);
      const whens = mapList(e.whens, (w) => {
        const when = f(w.when);
        const then = f(w.then);
        return when === w.when && then === w.then ? w : { when, then };
      });
      const otherwise = e.else === null ? null : f(e.else);
      return operand === e.operand && whens === e.whens && otherwise === e.else ? e : { ...e, operand, whens, else: otherwise };
    }
    case 'FunctionCall': {
      const args = mapList(e.args, f);
      const over = e.over === null ? null : mapOver(e.over, f);
      return args === e.args && over === e.over ? e : { ...e, args, over };
    }
    case 'Lambda': {
      const body = f(e.body);
      return body === e.body ? e : { ...e, body };
    }
    case 'CreateArray': {
      const elements = mapList(e.elements, f);
      return elements === e.elements ? e : { ...e, elements };
    }
    case 'CreateMap': {
      const entries = mapList(e.entries, (x) => {
        const key = f(x.key);
        const value = f(x.value);
        return key === x.key && value === x.value ? x : { key, value };
      });
      return entries === e.entries ? e : { ...e, entries };
    }
    case 'CreateStruct': {
      const fields = mapList(e.fields, (x) => {
        const value = f(x.value);
        return value === x.value ? x : { ...x, value };
      });
      return fields === e.fields ? e : { ...e, fields };
    }
  }
}

function mapOver(over: OverClause, f: (child: Expr) => Expr): OverClause {
  const partitionBy = mapList(over.partitionBy, f);
  const orderBy = mapList(over.orderBy, (o) => {
    const expr = f(o.expr);
    return expr === o.expr ? o : { ...o, expr };
  });
  return partitionBy === over.partitionBy && orderBy === over.orderBy ? over : { ...over, partitionBy, orderBy };
}

/** `xs` mapped by `f`; `xs` itself when every element maps to itself. */
function mapList<T>(xs: readonly T[], f: (x: T) => T): readonly T[] {
  let out: T[] | null = null;
  for (let i = 0; i < xs.length; i++) {
    const y = f(xs[i]);
    if (out) out.push(y);
    else if (y !== xs[i]) {
      out = xs.slice(0, i);
      out.push(y);
    }
  }
  return out ?? xs;
}

/** Calls `f` with each direct child of `e`, in field order. */
export function forEachChild(e: Expr, f: (child: Expr) => void): void {
  mapChildren(e, (child) => {
    f(child);
    return child;
  });
}

/**
 * Visits `root` and its descendants, parents before children and children in field order (the
 * order of a recursive pre-order walk). `visit` returning false skips the node's children.
 * Iterative: any depth.
 */
export function walkExpr(root: Expr, visit: (e: Expr) => boolean | void): void {
  const stack: Expr[] = [root];
  const children: Expr[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    children.length = 0;
    forEachChild(node, (c) => void children.push(c));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/** Walks each expression of `exprs` in order (null entries skipped), as walkExpr does. */
export function walkExprs(exprs: readonly (Expr | null | undefined)[], visit: (e: Expr) => boolean | void): void {
  for (const e of exprs) if (e) walkExpr(e, visit);
}

/** Whether some node of `root` satisfies `pred`; `descend` false stops below a node. */
export function someExpr(root: Expr, pred: (e: Expr) => boolean, descend: (e: Expr) => boolean = () => true): boolean {
  let found = false;
  walkExpr(root, (e) => {
    if (found) return false;
    if (pred(e)) {
      found = true;
      return false;
    }
    return descend(e);
  });
  return found;
}

/** The expressions a select item holds (`*` holds none). */
export function selectItemExprs(item: SelectItem): Expr[] {
  switch (item.kind) {
    case 'AllColumns':
      return [];
    case 'SelectExpr':
      return [item.expr];
    case 'StructAll':
      return [item.base];
  }
}
