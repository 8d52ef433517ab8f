/**
 * The AST of Riffle's SQL (ksqlDB dialect), as immutable kind-tagged unions. Every node carries
 * the source position of its first token so later stages report errors as `line:column`.
 * Identifiers are stored as the engine will look them up: unquoted ones upper-cased, quoted
 * (`"x"` or backticks) kept verbatim.
 *
 * This file holds the statements; expressions are in ./ast-expr.ts and queries in ./ast-query.ts,
 * both re-exported here, so `import type { ... } from './ast.ts'` finds every node type.
 */
import type { SqlType } from '../types/sql-type.ts';
import type { Duration, Expr, Literal, Span } from './ast-expr.ts';
import type { Query } from './ast-query.ts';

export type * from './ast-expr.ts';
export type * from './ast-query.ts';

// ---------------------------------------------------------------------------------------------
// Statements

/** WITH (...) properties; keys upper-cased, values literal expressions (strings, numbers, booleans). */
export type Properties = ReadonlyMap<string, Literal>;

export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  /** KEY (stream) or PRIMARY KEY (table). */
  readonly key: boolean;
  readonly primaryKey: boolean;
  /** `HEADERS` (all headers as ARRAY<STRUCT<KEY STRING, VALUE BYTES>>) or `HEADER('k')`. */
  readonly headers: { readonly key: string | null } | null;
  readonly span: Span;
}

export type SourceType = 'STREAM' | 'TABLE';

export interface CreateSource {
  readonly kind: 'CreateSource';
  readonly sourceType: SourceType;
  readonly name: string;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  /** CREATE SOURCE STREAM/TABLE: read-only, materialized for pull queries. */
  readonly readOnly: boolean;
  /** null when the columns are to be inferred (not supported without a schema registry). */
  readonly columns: readonly ColumnDef[] | null;
  readonly properties: Properties;
  readonly span: Span;
}

/** `ALTER STREAM|TABLE name ADD [COLUMN] col TYPE, ...`: value columns added to a source created over a topic. */
export interface AlterSource {
  readonly kind: 'AlterSource';
  readonly sourceType: SourceType;
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: SqlType; readonly span: Span }[];
  readonly span: Span;
}

/**
 * `ASSERT [NOT EXISTS] TOPIC name [WITH (PARTITIONS=n, REPLICAS=n)] [TIMEOUT n UNIT]`: holds once
 * the topic exists (or not), retried until the timeout (ksqlDB's migrations use it).
 */
export interface AssertTopic {
  readonly kind: 'AssertTopic';
  readonly exists: boolean;
  readonly topic: string;
  readonly properties: Properties;
  readonly timeout: Duration | null;
  readonly span: Span;
}

/** `ASSERT [NOT EXISTS] SCHEMA [SUBJECT name] [ID n] [TIMEOUT n UNIT]` (a schema registry's). */
export interface AssertSchema {
  readonly kind: 'AssertSchema';
  readonly exists: boolean;
  readonly subject: string | null;
  readonly id: number | null;
  readonly timeout: Duration | null;
  readonly span: Span;
}

export interface CreateAsSelect {
  readonly kind: 'CreateAsSelect';
  readonly sourceType: SourceType;
  readonly name: string;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly properties: Properties;
  readonly query: Query;
  readonly span: Span;
}

export interface InsertInto {
  readonly kind: 'InsertInto';
  readonly target: string;
  readonly properties: Properties;
  readonly query: Query;
  readonly span: Span;
}

export interface InsertValues {
  readonly kind: 'InsertValues';
  readonly target: string;
  /** null = all columns in schema order (key columns first, then value columns; ROWTIME not included). */
  readonly columns: readonly string[] | null;
  readonly values: readonly Expr[];
  readonly span: Span;
}

export interface QueryStatement {
  readonly kind: 'QueryStatement';
  readonly query: Query;
  readonly span: Span;
}

export interface DropSource {
  readonly kind: 'DropSource';
  readonly sourceType: SourceType;
  readonly name: string;
  readonly ifExists: boolean;
  readonly deleteTopic: boolean;
  readonly span: Span;
}

export interface CreateTopic {
  readonly kind: 'CreateTopic';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly properties: Properties;
  readonly span: Span;
}

export interface DropTopic {
  readonly kind: 'DropTopic';
  readonly name: string;
  readonly ifExists: boolean;
  readonly span: Span;
}

export interface Print {
  readonly kind: 'Print';
  readonly topic: string;
  readonly fromBeginning: boolean;
  readonly interval: number | null;
  readonly limit: number | null;
  readonly span: Span;
}

export type ShowWhat = 'STREAMS' | 'TABLES' | 'QUERIES' | 'FUNCTIONS' | 'TOPICS' | 'PROPERTIES' | 'VARIABLES' | 'MODELS' | 'TYPES' | 'PIPELINES' | 'RUNS';

export interface Show {
  readonly kind: 'Show';
  readonly what: ShowWhat;
  readonly extended: boolean;
  readonly span: Span;
}

export interface Describe {
  readonly kind: 'Describe';
  readonly name: string;
  readonly extended: boolean;
  readonly span: Span;
}

export interface DescribeFunction {
  readonly kind: 'DescribeFunction';
  readonly name: string;
  readonly span: Span;
}

/** EXPLAIN <statement> or EXPLAIN <query id>. */
export interface Explain {
  readonly kind: 'Explain';
  readonly target: { readonly kind: 'Statement'; readonly statement: Statement } | { readonly kind: 'QueryId'; readonly id: string };
  readonly span: Span;
}

export interface Terminate {
  readonly kind: 'Terminate';
  /** null = TERMINATE ALL */
  readonly queryId: string | null;
  readonly span: Span;
}

export interface SetProperty {
  readonly kind: 'SetProperty';
  readonly name: string;
  readonly value: string;
  readonly span: Span;
}

export interface UnsetProperty {
  readonly kind: 'UnsetProperty';
  readonly name: string;
  readonly span: Span;
}

export interface DefineVariable {
  readonly kind: 'DefineVariable';
  readonly name: string;
  readonly value: string;
  readonly span: Span;
}

export interface UndefineVariable {
  readonly kind: 'UndefineVariable';
  readonly name: string;
  readonly span: Span;
}

/** `CREATE [OR REPLACE] MODEL m [INPUT (cols)] [OUTPUT (cols)] WITH (PROVIDER = 'kserve-v2', ...)`. */
export interface CreateModel {
  readonly kind: 'CreateModel';
  readonly name: string;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly inputs: readonly ColumnDef[] | null;
  readonly outputs: readonly ColumnDef[] | null;
  readonly properties: Properties;
  /** CREATE MODEL m WITH (TYPE = ..., LABEL = ...) AS SELECT ...: a model trained from the query. */
  readonly query?: Query | null;
  readonly span: Span;
}

/** EXPORT MODEL m [VERSION n] TO 'file.onnx' (trained models). */
export interface ExportModel {
  readonly kind: 'ExportModel';
  readonly name: string;
  readonly version: number | null;
  readonly path: string;
  readonly span: Span;
}

export interface AlterModel {
  readonly kind: 'AlterModel';
  readonly name: string;
  readonly properties: Properties;
  readonly span: Span;
}

export interface DropModel {
  readonly kind: 'DropModel';
  readonly name: string;
  readonly ifExists: boolean;
  readonly span: Span;
}

export interface DescribeModel {
  readonly kind: 'DescribeModel';
  readonly name: string;
  readonly span: Span;
}

/**
 * `CREATE TYPE [IF NOT EXISTS] name AS type`: a named alias for a type. The parser resolves
 * custom type names itself (as ksqlDB does), from the `types` the caller passes plus the
 * CREATE/DROP TYPEs earlier in the same script, so every SqlType in an AST is fully expanded.
 */
export interface CreateType {
  readonly kind: 'CreateType';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly type: SqlType;
  readonly span: Span;
}

export interface DropType {
  readonly kind: 'DropType';
  readonly name: string;
  readonly ifExists: boolean;
  readonly span: Span;
}

/**
 * `CREATE PIPELINE p FROM stream WITH (PROVIDER = 'kubeflow', ENDPOINT = ..., PIPELINE_ID = ...,
 * TRIGGER = 'EVERY 1000 ROWS' | 'EVERY 10 MINUTES' | 'ON DRIFT OF m', ...)`: the stream's rows
 * become training-data files, and retraining runs are started on the trigger.
 */
export interface CreatePipeline {
  readonly kind: 'CreatePipeline';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly source: string;
  /** WITH (...) without PARAMETERS when that was written as a map literal (then in `parameters`). */
  readonly properties: Properties;
  /** `PARAMETERS = MAP['k', v, ...]` or `MAP('k' := v, ...)`; null when absent or a JSON string. */
  readonly parameters: LiteralMap | null;
  /** A trailing `PROMOTE WHEN ...` clause. */
  readonly promoteWhen: PromoteWhen | null;
  readonly span: Span;
}

/** A map of literals: Flink's `MAP['k', v, ...]` or ksqlDB's `MAP('k' := v, ...)` (string keys, in order). */
export interface LiteralMap {
  readonly entries: readonly { readonly key: string; readonly value: Literal }[];
  readonly span: Span;
}

/**
 * `PROMOTE WHEN <metric> BETTER [BY x[%]] AFTER n ROWS`: x absolute (in the metric's unit), or
 * with % relative to the champion's value. `metric` upper-cased, checked by the engine.
 */
export interface PromoteWhen {
  readonly metric: string;
  readonly metricSpan: Span;
  readonly by: number;
  readonly relative: boolean;
  readonly afterRows: number;
  readonly span: Span;
}

/**
 * `ALTER MODEL m PROMOTE WHEN ... [FROM stream]` (a model trained in Riffle: its new versions are
 * shadowed on the stream's labelled rows and promoted by the rule) or `ALTER MODEL m PROMOTE
 * MANUALLY` (rule null: versions switch only by hand).
 */
export interface SetPromotionRule {
  readonly kind: 'SetPromotionRule';
  readonly name: string;
  readonly rule: PromoteWhen | null;
  readonly from: string | null;
  readonly span: Span;
}

export interface DropPipeline {
  readonly kind: 'DropPipeline';
  readonly name: string;
  readonly ifExists: boolean;
  readonly span: Span;
}

/**
 * `ALTER MODEL m PROMOTE VERSION n` (the version becomes the one PREDICT calls) or
 * `ALTER MODEL m ROLLBACK` (back to the version before the last promotion): `version` null.
 */
export interface PromoteModel {
  readonly kind: 'PromoteModel';
  readonly name: string;
  readonly version: string | null;
  readonly span: Span;
}

export interface DescribePipeline {
  readonly kind: 'DescribePipeline';
  readonly name: string;
  readonly span: Span;
}

export type Statement =
  | CreateSource
  | CreateAsSelect
  | AlterSource
  | AssertTopic
  | AssertSchema
  | InsertInto
  | InsertValues
  | QueryStatement
  | DropSource
  | CreateTopic
  | DropTopic
  | Print
  | Show
  | Describe
  | DescribeFunction
  | Explain
  | Terminate
  | SetProperty
  | UnsetProperty
  | DefineVariable
  | UndefineVariable
  | CreateModel
  | AlterModel
  | DropModel
  | DescribeModel
  | ExportModel
  | CreateType
  | DropType
  | CreatePipeline
  | DropPipeline
  | DescribePipeline
  | PromoteModel
  | SetPromotionRule;

/** A parsed statement with its source text (after variable substitution), for the catalog and errors. */
export interface ParsedStatement {
  readonly statement: Statement;
  readonly text: string;
}
