/**
 * State shared by the parts of expression analysis (analyze-expr.ts, analyze-call.ts,
 * user-list.ts), and small node helpers.
 *
 * Untyped NULL literals: a bare `NULL` has no type until its context gives it one (the other
 * operand, the list it is in, the CAST). During analysis it is a Literal node registered in
 * `untyped`; contexts replace it with a NULL literal of the right type. One that reaches a
 * function argument stays a NULL Literal typed STRING, with `null` in the call's argTypes.
 */
import type { Expr, Span } from '../../sql/ast.ts';
import { SqlError } from '../../sql/errors.ts';
import type { FunctionLookup } from '../../functions/types.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { STRING, formatType, typesEqual } from '../../types/sql-type.ts';
import type { ExprScope } from './scope.ts';
import { formatTypedExpr, type TypedExpr } from '../../types/typed-expr.ts';
import { canCast } from './coercion.ts';
import { coerceLiteral } from './literals.ts';

/** Looks a function up by name (the registry's getFunction; injectable for tests). */
export type { FunctionLookup } from '../../functions/types.ts';

export interface AnalyzeCtx {
  readonly scope: ExprScope;
  readonly functions: FunctionLookup;
  /** Lambda parameters in scope (innermost binding wins), by upper-case name. */
  readonly lambdas: ReadonlyMap<string, SqlType>;
  readonly untyped: WeakSet<TypedExpr>;
  readonly spans: WeakMap<TypedExpr, Span>;
  readonly analyze: (e: Expr, ctx: AnalyzeCtx) => TypedExpr;
}

export function newUntypedNull(ctx: AnalyzeCtx, span: Span): TypedExpr {
  const node: TypedExpr = { kind: 'Literal', value: null, type: STRING };
  ctx.untyped.add(node);
  ctx.spans.set(node, span);
  return node;
}

export const isUntyped = (ctx: AnalyzeCtx, e: TypedExpr): boolean => ctx.untyped.has(e);

export function spanOf(ctx: AnalyzeCtx, e: TypedExpr, fallback: Span): Span {
  return ctx.spans.get(e) ?? fallback;
}

/** Records `span` for a node built by the analyzer (errors about it point there). */
export function at<T extends TypedExpr>(ctx: AnalyzeCtx, node: T, span: Span): T {
  if (!ctx.spans.has(node)) ctx.spans.set(node, span);
  return node;
}

/**
 * `e` converted to `type` by an implicit cast: a NULL literal of the type for untyped NULL,
 * `e` itself when the type is already right, a literal converted now when it converts exactly
 * (1 as BIGINT, '2020-01-01' as DATE), else a Cast node (which must be a valid cast).
 */
export function implicitCast(ctx: AnalyzeCtx, e: TypedExpr, type: SqlType, span: Span): TypedExpr {
  if (isUntyped(ctx, e)) return at(ctx, { kind: 'Literal', value: null, type }, spanOf(ctx, e, span));
  if (typesEqual(e.type, type)) return e;
  if (e.kind === 'Literal') {
    const folded = coerceLiteral(e, type, false);
    if (folded) return at(ctx, folded, spanOf(ctx, e, span));
  }
  if (!canCast(e.type, type)) {
    throw new SqlError('TYPE', `Cannot convert ${formatTypedExpr(e)} from ${formatType(e.type)} to ${formatType(type)}`, spanOf(ctx, e, span));
  }
  return at(ctx, { kind: 'Cast', operand: e, implicit: true, type }, spanOf(ctx, e, span));
}

export const typeError = (message: string, span: Span): SqlError => new SqlError('TYPE', message, span);
