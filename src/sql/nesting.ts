/**
 * The nesting limit of expressions, checked once per expression right after it is parsed.
 *
 * Every later stage walks expressions recursively (analyzer, model-call rewriter, aggregate
 * rewriter, expression compiler, plan builder, EXPLAIN), and so does the JavaScript the compiler
 * generates. Instead of making each of them iterative, the parser guarantees a bound on the
 * depth of every expression tree, so that their recursion fits the stack with a wide margin
 * (measured in test/sql/nesting.test.ts by running each stage on a tree of the maximum depth
 * with most of the stack already used). Deep trees come from chains the parser builds without
 * recursing (`a + b + c ...`, `x OR y OR ...`, `a[1][2]...`), so parenthesis nesting alone
 * (bounded separately in the parser) is not enough. Wide expressions are not limited: a CASE
 * with thousands of branches, IN lists and function arguments are lists, walked by loops.
 *
 * ksqlDB has no explicit limit (its ANTLR parser and visitors fail with a StackOverflowError on
 * deep input); Calcite-based engines fail the same way. A fixed limit with a position is the
 * deterministic version of that.
 */
import type { Expr, Span } from './ast.ts';
import { SqlError } from './errors.ts';
import { forEachChild } from './expr-visit.ts';

/** Maximum depth of an expression tree (a lone column is depth 1; `a + b` is 2). */
export const MAX_EXPR_DEPTH = 500;

/**
 * Throws a SqlError at the first sub-expression (in depth-first order) below MAX_EXPR_DEPTH
 * levels. Iterative: the check itself never recurses. Linear in the size of the expression.
 */
export function checkExprDepth(root: Expr, limit = MAX_EXPR_DEPTH): void {
  const nodes: Expr[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()! + 1;
    forEachChild(node, (child) => {
      if (depth > limit) throw tooDeep(child.span, limit);
      nodes.push(child);
      depths.push(depth);
    });
  }
}

function tooDeep(span: Span, limit: number): SqlError {
  return new SqlError(
    'PARSE',
    `Expression nested too deeply: more than ${limit} levels (long chains of operators such as a OR b OR ... nest one level per operator; use IN (...), CASE or split the expression)`,
    span,
  );
}
