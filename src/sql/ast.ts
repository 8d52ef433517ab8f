/**
 * The AST of Riffle's SQL (ksqlDB dialect), as immutable kind-tagged unions. Every node carries
 * the source position of its first token so later stages report errors as `line:column`.
 * Identifiers are stored as the engine will look them up: unquoted ones upper-cased, quoted
 * (`"x"` or backticks) kept verbatim.
 */
import type { SqlType } from '../types/sql-type.ts';
import type { ArithmeticOp, ComparisonOp, TimeUnit } from '../types/operators.ts';

export type { ArithmeticOp, ComparisonOp, TimeUnit } from '../types/operators.ts';

export interface Span {
  /** 1-based line and column of the node's first character, in the whole script given to the parser. */
  readonly line: number;
  readonly column: number;
  /**
   * 0-based character offsets of the node's text in the statement source [start, end): in
   * ParsedStatement.text (after variable substitution), or in the text given to parseExpression.
   */
  readonly start: number;
  readonly end: number;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | Literal
  | ColumnRef
  | Dereference
  | Subscript
  | ArithmeticBinary
  | ArithmeticUnary
  | Comparison
  | Logical
  | Not
  | IsNull
  | Between
  | InList
  | Like
  | Case
  | Cast
  | FunctionCall
  | Lambda
  | CreateArray
  | CreateMap
  | CreateStruct
  | IntervalUnitRef
  | Star;

export type LiteralType = 'NULL' | 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DECIMAL' | 'DOUBLE' | 'STRING' | 'BYTES';

/**
 * A literal. Numbers keep their source text (`raw`) so no precision is lost: `12` is INTEGER,
 * `3000000000` BIGINT, `1.50` DECIMAL(3,2), `1.5E3` DOUBLE, as in ksqlDB. STRING `value` has
 * quotes removed and `''` unescaped. BYTES is `X'0A1B'` (hex in raw).
 */
export interface Literal {
  readonly kind: 'Literal';
  readonly type: LiteralType;
  readonly raw: string;
  readonly span: Span;
}

/** `col`, `src.col` (source = stream/table name or alias). */
export interface ColumnRef {
  readonly kind: 'ColumnRef';
  readonly source: string | null;
  readonly name: string;
  readonly span: Span;
}

/** Struct field access `base->field`. */
export interface Dereference {
  readonly kind: 'Dereference';
  readonly base: Expr;
  readonly field: string;
  readonly span: Span;
}

/** `arr[i]` (1-based, negative from the end) or `map['k']`. */
export interface Subscript {
  readonly kind: 'Subscript';
  readonly base: Expr;
  readonly index: Expr;
  readonly span: Span;
}

export interface ArithmeticBinary {
  readonly kind: 'ArithmeticBinary';
  readonly op: ArithmeticOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

export interface ArithmeticUnary {
  readonly kind: 'ArithmeticUnary';
  readonly op: '-' | '+';
  readonly operand: Expr;
  readonly span: Span;
}

/** `IS DISTINCT FROM` is op 'DISTINCT', `IS NOT DISTINCT FROM` is 'NOT_DISTINCT'. */
export interface Comparison {
  readonly kind: 'Comparison';
  readonly op: ComparisonOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

export interface Logical {
  readonly kind: 'Logical';
  readonly op: 'AND' | 'OR';
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

export interface Not {
  readonly kind: 'Not';
  readonly operand: Expr;
  readonly span: Span;
}

export interface IsNull {
  readonly kind: 'IsNull';
  readonly operand: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

export interface Between {
  readonly kind: 'Between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

export interface InList {
  readonly kind: 'InList';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
  readonly span: Span;
}

export interface Like {
  readonly kind: 'Like';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape: string | null;
  readonly negated: boolean;
  readonly span: Span;
}

/** Searched CASE (`operand` null) or simple CASE (`CASE x WHEN 1 THEN ...`). */
export interface Case {
  readonly kind: 'Case';
  readonly operand: Expr | null;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else: Expr | null;
  readonly span: Span;
}

export interface Cast {
  readonly kind: 'Cast';
  readonly operand: Expr;
  readonly type: SqlType;
  readonly span: Span;
}

/** A call of a scalar, aggregate or table function; `COUNT(*)` has a single Star argument. */
export interface FunctionCall {
  readonly kind: 'FunctionCall';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `SUM(x) OVER (...)`: a running aggregate (issue: stateful SQL). */
  readonly over: OverClause | null;
  readonly span: Span;
}

/** `x => x + 1`, `(x, y) => x + y`: only as a function argument. Param names are upper-cased like identifiers. */
export interface Lambda {
  readonly kind: 'Lambda';
  readonly params: readonly string[];
  readonly body: Expr;
  readonly span: Span;
}

/** `ARRAY[1, 2]` */
export interface CreateArray {
  readonly kind: 'CreateArray';
  readonly elements: readonly Expr[];
  readonly span: Span;
}

/** `MAP('a' := 1, 'b' := 2)` */
export interface CreateMap {
  readonly kind: 'CreateMap';
  readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
  readonly span: Span;
}

/** `STRUCT(A := 1, B := 'x')`; field names as written (unquoted upper-cased). */
export interface CreateStruct {
  readonly kind: 'CreateStruct';
  readonly fields: readonly { readonly name: string; readonly value: Expr }[];
  readonly span: Span;
}

/** A time unit keyword as a function argument: `TIMESTAMPADD(SECONDS, 5, ts)`. */
export interface IntervalUnitRef {
  readonly kind: 'IntervalUnitRef';
  readonly unit: TimeUnit;
  readonly span: Span;
}

/** `*` as in `COUNT(*)`. */
export interface Star {
  readonly kind: 'Star';
  readonly span: Span;
}

/** `5 MINUTES`; singular forms (MINUTE) are normalised to the plural. */
export interface Duration {
  readonly value: number;
  readonly unit: TimeUnit;
}

export interface OverClause {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly { readonly expr: Expr; readonly descending: boolean }[];
  /** `ROWS BETWEEN n PRECEDING AND CURRENT ROW` / `RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW`; null = unbounded. */
  readonly frame:
    | { readonly kind: 'ROWS'; readonly preceding: number | 'UNBOUNDED' }
    | { readonly kind: 'RANGE'; readonly preceding: Duration | 'UNBOUNDED' }
    | null;
}

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
  readonly properties: Properties;
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
  | PromoteModel;

/** A parsed statement with its source text (after variable substitution), for the catalog and errors. */
export interface ParsedStatement {
  readonly statement: Statement;
  readonly text: string;
}
