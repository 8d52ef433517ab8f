/**
 * Expressions of the AST (see ./ast.ts, which re-exports everything here), and the source span
 * every node carries. Walk them with ./expr-visit.ts: it has the one case per node kind.
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
