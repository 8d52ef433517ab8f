/** Queries of the AST: SELECT items, FROM relations, windows (see ./ast.ts, which re-exports everything here). */
import type { Duration, Expr, Span } from './ast-expr.ts';

// ---------------------------------------------------------------------------------------------
// Queries

export type SelectItem =
  | { readonly kind: 'AllColumns'; readonly source: string | null; readonly span: Span }
  | { readonly kind: 'SelectExpr'; readonly expr: Expr; readonly alias: string | null; readonly span: Span }
  /** `base->*`: every field of the struct `base`, each as a column named after the field (ksqlDB). */
  | { readonly kind: 'StructAll'; readonly base: Expr; readonly span: Span };

export type Relation = SourceRef | JoinRelation | TableFunctionRelation;

export interface SourceRef {
  readonly kind: 'SourceRef';
  readonly name: string;
  readonly alias: string | null;
  readonly span: Span;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';

export interface JoinRelation {
  readonly kind: 'Join';
  readonly type: JoinType;
  readonly left: Relation;
  readonly right: Relation;
  readonly on: Expr;
  /** `WITHIN 10 SECONDS` (before = after) or `WITHIN (1 SECOND, 2 SECONDS)`; optional GRACE PERIOD. */
  readonly within: { readonly before: Duration; readonly after: Duration; readonly grace: Duration | null } | null;
  readonly span: Span;
}

/**
 * A table-valued function in FROM, e.g. Flink's
 * `ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(f1, f2) [, MAP['timeout', '5s']])`.
 */
export interface TableFunctionRelation {
  readonly kind: 'TableFunction';
  readonly name: string;
  readonly args: readonly TableFunctionArg[];
  readonly alias: string | null;
  readonly span: Span;
}

export type TableFunctionArg =
  | { readonly kind: 'TableArg'; readonly name: string; readonly span: Span }
  | { readonly kind: 'ModelArg'; readonly name: string; readonly span: Span }
  | { readonly kind: 'DescriptorArg'; readonly columns: readonly string[]; readonly span: Span }
  | { readonly kind: 'ExprArg'; readonly expr: Expr; readonly span: Span };

export type WindowSpec =
  | { readonly kind: 'TUMBLING'; readonly size: Duration; readonly retention: Duration | null; readonly grace: Duration | null }
  | {
      readonly kind: 'HOPPING';
      readonly size: Duration;
      readonly advance: Duration;
      readonly retention: Duration | null;
      readonly grace: Duration | null;
    }
  | { readonly kind: 'SESSION'; readonly gap: Duration; readonly retention: Duration | null; readonly grace: Duration | null }
  /** Riffle extension (Kafka Streams' sliding windows): `WINDOW SLIDING (SIZE 5 MINUTES, GRACE PERIOD 1 MINUTE)`. */
  | { readonly kind: 'SLIDING'; readonly size: Duration; readonly retention: Duration | null; readonly grace: Duration | null };

export interface Query {
  readonly kind: 'Query';
  readonly select: readonly SelectItem[];
  readonly from: Relation;
  readonly window: WindowSpec | null;
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[] | null;
  readonly partitionBy: readonly Expr[] | null;
  readonly having: Expr | null;
  /** EMIT CHANGES / EMIT FINAL; null when absent (a pull query, or inside CREATE ... AS). */
  readonly emit: 'CHANGES' | 'FINAL' | null;
  /** Pull queries only (a Riffle extension): `ORDER BY column [ASC|DESC], ...`; absent when not written. */
  readonly orderBy?: readonly { readonly expr: Expr; readonly descending: boolean }[];
  readonly limit: number | null;
  /** Pull queries only: `LIMIT n OFFSET m` skips m rows; absent when not written. */
  readonly offset?: number;
  readonly span: Span;
}
