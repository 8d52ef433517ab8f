/**
 * Model calls in expressions: `PREDICT(m, f1, f2)` anywhere an expression is, and Flink's
 * `ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(f1, f2))` in FROM. The analyzer hands each list of
 * expressions here before typing it; every PREDICT call is replaced by a reference to a new
 * column that a ModelCallStep computes (one batched request per batch of rows).
 */
import type { Expr, Query } from '../sql/ast.ts';
import type { ExprScope } from './expr/analyze-expr.ts';
import type { Catalog } from './catalog.ts';
import type { Column } from './schema.ts';
import type { ModelCallSpec } from '../plan/steps.ts';

export interface ModelCallContext {
  readonly catalog: Catalog;
  /** Scope in which the call arguments are typed. */
  readonly scope: ExprScope;
  /** A fresh, unique column name for a call's result. */
  readonly newColumnName: () => string;
}

export interface ExtractedModelCalls {
  /** The expressions with each model call replaced by a ColumnRef to its result column. */
  readonly exprs: Expr[];
  readonly calls: ModelCallSpec[];
  /** One result column per call, in `calls` order (appended to the input columns). */
  readonly columns: Column[];
}

/** Placeholder: no model support yet, expressions pass through unchanged. */
export function extractModelCalls(exprs: readonly Expr[], _ctx: ModelCallContext): ExtractedModelCalls {
  return { exprs: [...exprs], calls: [], columns: [] };
}

/** Rewrites `SELECT ... FROM ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(...))` into a query over `s`; other queries unchanged. */
export function rewriteTableFunctionQuery(query: Query, _catalog: Catalog): Query {
  return query;
}
