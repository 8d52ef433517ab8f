/**
 * What the analyzer hands to the planner besides typed expressions and schemas: aggregate calls,
 * windows, joins, model calls and OVER calls. The planner copies them into plan steps
 * (plan/steps.ts re-exports them for exec), so they are plain JSON-serialisable data; changing
 * one changes the stored plans that contain it.
 */
import type { SqlType } from '../types/sql-type.ts';
import type { TypedExpr } from '../types/typed-expr.ts';
import type { WindowInfo } from '../types/window.ts';

export interface AggregateCall {
  readonly name: string;
  readonly args: readonly TypedExpr[];
  /** Argument types as resolved (the executor resolves the function again with them). */
  readonly argTypes: readonly SqlType[];
  /** Literal argument values (JSON-safe) by position, for parameters like TOPK's k. */
  readonly literals: readonly (string | number | boolean | null | undefined)[];
  readonly returnType: SqlType;
  /** ksqlDB function properties (ksql.functions.*) in force when the query was created. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface WindowPlan {
  readonly info: WindowInfo;
  readonly graceMs: number;
  readonly retentionMs: number;
  readonly emitFinal: boolean;
}

/** How one join combines its inputs (see exec/operators/join*.ts for the semantics of each kind). */
export interface JoinSpec {
  readonly type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly kind: 'STREAM_STREAM' | 'STREAM_TABLE' | 'TABLE_TABLE';
  /** Join key of the left input, over its columns (all sources joined so far). */
  readonly leftKey: TypedExpr;
  /** Join key of the right source, over its own columns. */
  readonly rightKey: TypedExpr;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly leftKeyCount: number;
  readonly rightKeyCount: number;
  /** Table-table join on a non-key column of the left table (`ON left.fk = right.pk`). */
  readonly foreignKey: boolean;
  /** WITHIN (before, after): a right record joins a left one when right.ts ∈ [left.ts − before, left.ts + after]. */
  readonly beforeMs: number;
  readonly afterMs: number;
  /** GRACE PERIOD; null = not given: outer joins emit padded rows eagerly (ksqlDB's legacy rule). */
  readonly graceMs: number | null;
}

export interface ModelCallSpec {
  /** Model name, with an optional version (`m$2` → model 'M', version '2'). */
  readonly model: string;
  readonly version: string | null;
  readonly args: readonly TypedExpr[];
  /** STRUCT of the model's outputs (plus error columns under ON_ERROR = 'ERROR_COLUMNS'). */
  readonly outputType: SqlType;
  /** Per-call option overrides (ML_PREDICT's MAP argument), e.g. timeout. */
  readonly options: Readonly<Record<string, string>>;
}

export interface OverCall {
  readonly aggregate: AggregateCall;
  readonly partitionBy: readonly TypedExpr[];
  /** null: every earlier row of the partition; ROWS: the last n rows before this one; RANGE: rows within ms before. */
  readonly frame: { readonly kind: 'ROWS'; readonly preceding: number } | { readonly kind: 'RANGE'; readonly precedingMs: number } | null;
}
