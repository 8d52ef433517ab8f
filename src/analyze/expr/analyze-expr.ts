/**
 * Expression analysis: an AST expression (src/sql/ast.ts) becomes a TypedExpr with resolved
 * columns, checked types and explicit implicit casts, following ksqlDB's typing rules (see
 * coercion.ts for the rules themselves and user-list.ts for list coercion).
 *
 * Semantics decided here (the compiler implements them):
 * - comparisons and BETWEEN/IN/LIKE evaluate to false (never NULL) when an operand is NULL, as
 *   in ksqlDB; their NOT forms are the negation (so `NULL NOT IN (1)` is true, as in ksqlDB);
 * - AND/OR/NOT are three-valued;
 * - a STRING literal compared with ROWTIME/WINDOWSTART/WINDOWEND is a timestamp
 *   ('2020-01-01T00:00:00', partial and with offsets) folded to its epoch milliseconds.
 */
import type { Between, Case, ComparisonOp, Expr, Span } from '../../sql/ast.ts';
import { formatExpression } from '../../sql/format-expr.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, formatType, isNumeric, typesEqual } from '../../types/sql-type.ts';
import { formatTypedExpr, type TypedExpr } from '../../types/typed-expr.ts';
import type { ExprScope } from './scope.ts';
import { arithmeticOperandType, arithmeticResultType, canCast, comparisonType, isEqualityOp, isOrderable } from './coercion.ts';
import { negateLiteral, typeLiteral } from './literals.ts';
import { parseTimestamp } from '../../types/java/time-text.ts';
import { analyzeArgs, analyzeCall, type AnalyzedArgs } from './analyze-call.ts';
import { coerceList, coerceTo } from './user-list.ts';
import { type AnalyzeCtx, type FunctionLookup, at, implicitCast, isUntyped, newUntypedNull, spanOf, typeError } from './context.ts';

export type { FunctionLookup } from './context.ts';
export { columnsScope, type ExprScope, type ScopeColumn } from './scope.ts';
export type { AnalyzedArgs } from './analyze-call.ts';

function newCtx(scope: ExprScope, functions: FunctionLookup): AnalyzeCtx {
  return { scope, functions, lambdas: new Map(), untyped: new WeakSet(), spans: new WeakMap(), analyze };
}

/** Analyzes `expr` in `scope`; throws SqlError (with the span of the offending part) when invalid. */
export function analyzeExpr(expr: Expr, scope: ExprScope, functions: FunctionLookup): TypedExpr {
  const ctx = newCtx(scope, functions);
  const e = analyze(expr, ctx);
  if (isUntyped(ctx, e)) {
    throw typeError("Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).", expr.span);
  }
  return e;
}

/**
 * Analyzes `expr` as a value of `type`, the way a value is assigned to a column (INSERT VALUES):
 * NULL takes the type, literals coerce leniently ('10' to INTEGER), other expressions widen
 * (INTEGER to BIGINT, STRING to TIMESTAMP, ...). Throws SqlError TYPE when they cannot.
 */
export function analyzeExprAs(expr: Expr, type: SqlType, scope: ExprScope, functions: FunctionLookup): TypedExpr {
  const ctx = newCtx(scope, functions);
  const e = analyze(expr, ctx);
  if (isUntyped(ctx, e) || typesEqual(e.type, type)) return implicitCast(ctx, e, type, expr.span);
  return coerceTo(ctx, e, type, expr.span);
}

/**
 * Types the arguments of a call the statement analyzer resolves itself (aggregate and table
 * functions): `argTypes` and `ctx` go to FunctionDef.resolve; after it succeeds, `finish()` gives
 * the typed arguments (lambdas typed as the resolution fixed them) and their recorded types.
 */
export function analyzeFunctionArgs(args: readonly Expr[], scope: ExprScope, functions: FunctionLookup, callName: string): AnalyzedArgs {
  return analyzeArgs(newCtx(scope, functions), args, callName.toUpperCase());
}

function analyze(e: Expr, ctx: AnalyzeCtx): TypedExpr {
  const node = analyzeNode(e, ctx);
  return at(ctx, node, e.span);
}

function expectBoolean(ctx: AnalyzeCtx, e: TypedExpr, what: string, span: Span): TypedExpr {
  if (isUntyped(ctx, e)) return implicitCast(ctx, e, BOOLEAN, span);
  if (e.type.kind !== 'BOOLEAN') {
    throw typeError(`${what} must be BOOLEAN, but ${formatTypedExpr(e)} is ${formatType(e.type)}`, spanOf(ctx, e, span));
  }
  return e;
}

function analyzeNode(e: Expr, ctx: AnalyzeCtx): TypedExpr {
  switch (e.kind) {
    case 'Literal':
      return typeLiteral(e) ?? newUntypedNull(ctx, e.span);
    case 'ColumnRef': {
      if (e.source === null) {
        const lambdaType = ctx.lambdas.get(e.name);
        if (lambdaType) return { kind: 'LambdaParam', name: e.name, type: lambdaType };
      }
      const r = ctx.scope.resolveColumn(e.source, e.name, e.span);
      if (r.kind === 'pseudo') return r.side === undefined ? { kind: 'Pseudo', column: r.name, type: r.type } : { kind: 'Pseudo', column: r.name, type: r.type, side: r.side };
      return e.source
        ? { kind: 'Column', index: r.index, name: e.name, source: e.source, type: r.type }
        : { kind: 'Column', index: r.index, name: e.name, type: r.type };
    }
    case 'Dereference': {
      const base = ctx.analyze(e.base, ctx);
      if (base.type.kind !== 'STRUCT' || isUntyped(ctx, base)) {
        throw typeError(`Cannot dereference ${formatTypedExpr(base)}: '->' applies to STRUCT values, not ${formatType(base.type)}`, e.span);
      }
      const field = base.type.fields.find((f) => f.name === e.field);
      if (!field) {
        const other = base.type.fields.find((f) => f.name.toUpperCase() === e.field.toUpperCase());
        const fields = base.type.fields.map((f) => f.name).join(', ');
        throw typeError(
          `Could not find field '${e.field}' in ${formatTypedExpr(base)}.${other ? ` Did you mean '${other.name}'?` : ` Fields: ${fields}`}`,
          e.span,
        );
      }
      return { kind: 'Dereference', base, field: field.name, type: field.type };
    }
    case 'Subscript':
      return analyzeSubscript(ctx, e.base, e.index, e.span);
    case 'ArithmeticBinary': {
      let left = ctx.analyze(e.left, ctx);
      let right = ctx.analyze(e.right, ctx);
      if (isUntyped(ctx, left) && isUntyped(ctx, right)) throw typeError(`Cannot infer the type of NULL ${e.op} NULL`, e.span);
      if (isUntyped(ctx, left)) left = implicitCast(ctx, left, right.type, e.span);
      if (isUntyped(ctx, right)) right = implicitCast(ctx, right, left.type, e.span);
      const type = arithmeticResultType(e.op, left.type, right.type);
      if (!type) {
        // ksqlDB's ExpressionTypeManager: the expression, then Operator's reason with base types.
        throw typeError(`Error processing expression: ${formatExpression(e)}. Unsupported arithmetic types. ${left.type.kind} ${right.type.kind}`, e.span);
      }
      if (type.kind === 'STRING') return { kind: 'Arithmetic', op: e.op, left, right, type };
      return {
        kind: 'Arithmetic',
        op: e.op,
        left: implicitCast(ctx, left, arithmeticOperandType(type, left.type), e.span),
        right: implicitCast(ctx, right, arithmeticOperandType(type, right.type), e.span),
        type,
      };
    }
    case 'ArithmeticUnary': {
      const operand = ctx.analyze(e.operand, ctx);
      if (isUntyped(ctx, operand)) throw typeError(`Cannot infer the type of ${e.op}NULL`, e.span);
      if (!isNumeric(operand.type)) throw typeError(`Unary ${e.op} needs a number, but ${formatTypedExpr(operand)} is ${formatType(operand.type)}`, e.span);
      if (e.op === '+') return operand;
      return negateLiteral(operand) ?? { kind: 'Negate', operand, type: operand.type };
    }
    case 'Comparison':
      return buildCompare(ctx, e.op, ctx.analyze(e.left, ctx), ctx.analyze(e.right, ctx), e.span);
    case 'Logical': {
      const left = expectBoolean(ctx, ctx.analyze(e.left, ctx), `${e.op} operand`, e.span);
      const right = expectBoolean(ctx, ctx.analyze(e.right, ctx), `${e.op} operand`, e.span);
      return { kind: e.op === 'AND' ? 'And' : 'Or', left, right, type: BOOLEAN };
    }
    case 'Not':
      return { kind: 'Not', operand: expectBoolean(ctx, ctx.analyze(e.operand, ctx), 'NOT operand', e.span), type: BOOLEAN };
    case 'IsNull': {
      const operand = ctx.analyze(e.operand, ctx);
      return { kind: 'IsNull', operand: isUntyped(ctx, operand) ? implicitCast(ctx, operand, STRING, e.span) : operand, negated: e.negated, type: BOOLEAN };
    }
    case 'Between':
      return analyzeBetween(ctx, e);
    case 'InList': {
      const items = [e.operand, ...e.list].map((x) => ctx.analyze(x, ctx));
      const { type, items: coerced } = coerceList(ctx, items, 'IN list', e.span);
      const t = type ?? STRING;
      const [operand, ...list] = coerced.map((x) => implicitCast(ctx, x, t, e.span));
      return { kind: 'In', operand, list, negated: e.negated, type: BOOLEAN };
    }
    case 'Like': {
      const operand = expectString(ctx, ctx.analyze(e.operand, ctx), 'LIKE operand', e.span);
      const pattern = expectString(ctx, ctx.analyze(e.pattern, ctx), 'LIKE pattern', e.span);
      if (e.escape !== null && [...e.escape].length !== 1) throw typeError(`LIKE ESCAPE must be a single character, got '${e.escape}'`, e.span);
      return { kind: 'Like', operand, pattern, escape: e.escape, negated: e.negated, type: BOOLEAN };
    }
    case 'Case':
      return analyzeCase(ctx, e);
    case 'Cast': {
      const operand = ctx.analyze(e.operand, ctx);
      if (isUntyped(ctx, operand)) return { kind: 'Literal', value: null, type: e.type };
      if (typesEqual(operand.type, e.type)) return operand;
      if (!canCast(operand.type, e.type)) {
        throw typeError(`Cast of ${formatType(operand.type)} to ${formatType(e.type)} is not supported`, e.span);
      }
      return { kind: 'Cast', operand, implicit: false, type: e.type };
    }
    case 'FunctionCall':
      return analyzeCall(ctx, e);
    case 'Lambda':
      throw typeError('A lambda expression is only allowed as a function argument', e.span);
    case 'CreateArray': {
      if (e.elements.length === 0) throw typeError('Array constructor cannot be empty. Please supply at least one element (see https://github.com/confluentinc/ksql/issues/4239).', e.span);
      const { type, items } = coerceList(ctx, e.elements.map((x) => ctx.analyze(x, ctx)), 'ARRAY constructor', e.span);
      if (!type) throw typeError('Cannot construct an array with all NULL elements (see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL value to the desired type.', e.span);
      return { kind: 'CreateArray', elements: items, type: { kind: 'ARRAY', element: type } };
    }
    case 'CreateMap': {
      if (e.entries.length === 0) throw typeError('Map constructor cannot be empty. Please supply at least one key value pair (see https://github.com/confluentinc/ksql/issues/4239).', e.span);
      const keys = coerceList(ctx, e.entries.map((x) => ctx.analyze(x.key, ctx)), 'MAP keys', e.span);
      const values = coerceList(ctx, e.entries.map((x) => ctx.analyze(x.value, ctx)), 'MAP values', e.span);
      if (!keys.type) throw typeError('Cannot construct a map with all NULL keys (see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL key to the desired type.', e.span);
      if (!values.type) throw typeError('Cannot construct a map with all NULL values (see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL value to the desired type.', e.span);
      return {
        kind: 'CreateMap',
        entries: keys.items.map((key, i) => ({ key, value: values.items[i] })),
        type: { kind: 'MAP', key: keys.type, value: values.type },
      };
    }
    case 'CreateStruct': {
      const seen = new Set<string>();
      const fields = e.fields.map((f) => {
        if (seen.has(f.name)) throw typeError(`Duplicate field name '${f.name}' in STRUCT constructor`, e.span);
        seen.add(f.name);
        const value = ctx.analyze(f.value, ctx);
        if (isUntyped(ctx, value)) throw typeError(`Cannot infer the type of NULL for field '${f.name}'; use CAST(NULL AS <type>)`, f.value.span);
        return { name: f.name, value };
      });
      return { kind: 'CreateStruct', fields, type: { kind: 'STRUCT', fields: fields.map((f) => ({ name: f.name, type: f.value.type })) } };
    }
    case 'IntervalUnitRef':
      throw typeError(`The time unit ${e.unit} is only allowed as a function argument`, e.span);
    case 'Star':
      throw typeError("'*' is only allowed in COUNT(*) and SELECT *", e.span);
  }
}

function expectString(ctx: AnalyzeCtx, e: TypedExpr, what: string, span: Span): TypedExpr {
  if (isUntyped(ctx, e)) return implicitCast(ctx, e, STRING, span);
  if (e.type.kind !== 'STRING') throw typeError(`${what} must be STRING, but ${formatTypedExpr(e)} is ${formatType(e.type)}`, spanOf(ctx, e, span));
  return e;
}

function analyzeSubscript(ctx: AnalyzeCtx, baseExpr: Expr, indexExpr: Expr, span: Span): TypedExpr {
  const base = ctx.analyze(baseExpr, ctx);
  const index = ctx.analyze(indexExpr, ctx);
  const bt = base.type;
  if (bt.kind === 'ARRAY' && !isUntyped(ctx, base)) {
    if (!isUntyped(ctx, index) && index.type.kind !== 'INTEGER' && index.type.kind !== 'BIGINT') {
      throw typeError(`Array index must be INTEGER, but ${formatTypedExpr(index)} is ${formatType(index.type)}`, indexExpr.span);
    }
    return { kind: 'Subscript', base, index: implicitCast(ctx, index, INTEGER, indexExpr.span), type: bt.element };
  }
  if (bt.kind === 'MAP' && !isUntyped(ctx, base)) {
    return { kind: 'Subscript', base, index: coerceTo(ctx, index, bt.key, indexExpr.span), type: bt.value };
  }
  const hint = bt.kind === 'STRUCT' ? ` Use the dereference operator for STRUCTs: ${formatTypedExpr(base)}->${formatTypedExpr(index)}` : '';
  throw typeError(`Subscript [] applies to ARRAY and MAP values, not ${formatType(bt)}.${hint}`, span);
}

const MAGIC_TIMESTAMPS = new Set(['ROWTIME', 'WINDOWSTART', 'WINDOWEND']);

/** ROWTIME/WINDOWSTART/WINDOWEND compared with a string literal: the string is a timestamp. */
function magicTimestamp(ctx: AnalyzeCtx, other: TypedExpr, literal: TypedExpr, span: Span): TypedExpr {
  if (other.kind !== 'Pseudo' || !MAGIC_TIMESTAMPS.has(other.column) || other.type.kind !== 'BIGINT') return literal;
  if (literal.kind !== 'Literal' || literal.type.kind !== 'STRING' || literal.value === null) return literal;
  const ms = parseTimestamp(String(literal.value));
  if (ms === null) {
    throw typeError(
      `Failed to parse timestamp '${literal.value}' compared with ${other.column}: expected yyyy-MM-ddTHH:mm:ss.SSS (partial values and offsets like +0100 are allowed)`,
      spanOf(ctx, literal, span),
    );
  }
  return at(ctx, { kind: 'Literal', value: String(ms), type: BIGINT }, spanOf(ctx, literal, span));
}

const COMPARISON_NAMES: Record<ComparisonOp | 'BETWEEN', string> = {
  '=': 'EQUAL',
  '<>': 'NOT_EQUAL',
  '<': 'LESS_THAN',
  '<=': 'LESS_THAN_OR_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_THAN_OR_EQUAL',
  DISTINCT: 'IS_DISTINCT_FROM',
  NOT_DISTINCT: 'IS_NOT_DISTINCT_FROM',
  BETWEEN: 'BETWEEN',
};

/** The type both sides of a comparison take, or a type error. */
function compareTarget(ctx: AnalyzeCtx, op: ComparisonOp | 'BETWEEN', l: TypedExpr, r: TypedExpr, span: Span): SqlType {
  const t = comparisonType(l.type, r.type);
  // ksqlDB's wording: `Cannot compare ID (INTEGER) to 'x' (STRING) with GREATER_THAN.`
  const sides = `${formatTypedExpr(l)} (${formatType(l.type)}) to ${formatTypedExpr(r)} (${formatType(r.type)}) with ${COMPARISON_NAMES[op]}`;
  if (!t) throw typeError(`Cannot compare ${sides}.`, span);
  if (!isOrderable(t) && (op === 'BETWEEN' || !isEqualityOp(op))) {
    throw typeError(`Cannot compare ${sides}. Values of type ${formatType(t)} only support =, <>, IS [NOT] DISTINCT FROM.`, span);
  }
  return t;
}

const DOUBLE_EXACT_LIMIT = 2 ** 40;

/**
 * An integral expression compared with DECIMAL literals (`price > 10.5`, price an INTEGER) is
 * compared as DOUBLE instead of DECIMAL: the result is the same (an integer cannot fall between
 * a decimal literal below 2^40 and its nearest double) and no decimal is built per row.
 */
function comparisonTypeFor(sides: readonly TypedExpr[], t: SqlType): SqlType {
  if (t.kind !== 'DECIMAL') return t;
  let integral = false;
  for (const e of sides) {
    if (e.kind === 'Literal') {
      if (e.value === null || Math.abs(Number(e.value)) >= DOUBLE_EXACT_LIMIT) return t;
    } else if (e.type.kind === 'INTEGER' || e.type.kind === 'BIGINT') {
      integral = true;
    } else {
      return t;
    }
  }
  return integral ? DOUBLE : t;
}

/** Comparisons keep DECIMAL operands as they are (compared by value); other types convert to the common type. */
const toCompared = (ctx: AnalyzeCtx, e: TypedExpr, t: SqlType, span: Span): TypedExpr =>
  t.kind === 'DECIMAL' && e.type.kind === 'DECIMAL' ? e : implicitCast(ctx, e, t, span);

export function buildCompare(ctx: AnalyzeCtx, op: ComparisonOp, left: TypedExpr, right: TypedExpr, span: Span): TypedExpr {
  const l = magicTimestamp(ctx, right, left, span);
  const r = magicTimestamp(ctx, left, right, span);
  const lNull = isUntyped(ctx, l);
  const rNull = isUntyped(ctx, r);
  if (lNull || rNull) {
    if (op !== 'DISTINCT' && op !== 'NOT_DISTINCT') {
      const text = `${lNull ? 'NULL' : formatType(l.type)} ${op} ${rNull ? 'NULL' : formatType(r.type)}`;
      throw typeError(`Comparison with NULL not supported: ${text}. Use IS NULL or IS NOT NULL instead`, span);
    }
    const t = lNull && rNull ? BOOLEAN : lNull ? r.type : l.type;
    return { kind: 'Compare', op, left: implicitCast(ctx, l, t, span), right: implicitCast(ctx, r, t, span), type: BOOLEAN };
  }
  const t = comparisonTypeFor([l, r], compareTarget(ctx, op, l, r, span));
  return { kind: 'Compare', op, left: toCompared(ctx, l, t, span), right: toCompared(ctx, r, t, span), type: BOOLEAN };
}

function analyzeBetween(ctx: AnalyzeCtx, e: Between): TypedExpr {
  const operand = ctx.analyze(e.operand, ctx);
  const low = magicTimestamp(ctx, operand, ctx.analyze(e.low, ctx), e.span);
  const high = magicTimestamp(ctx, operand, ctx.analyze(e.high, ctx), e.span);
  for (const x of [operand, low, high]) {
    if (isUntyped(ctx, x)) throw typeError('BETWEEN with NULL is not supported; use IS NULL instead', spanOf(ctx, x, e.span));
  }
  const t1 = compareTarget(ctx, 'BETWEEN', operand, low, e.span);
  const t2 = compareTarget(ctx, 'BETWEEN', operand, high, e.span);
  const common = comparisonType(t1, t2);
  if (!common) throw typeError(`Cannot compare ${formatType(low.type)} to ${formatType(high.type)}`, e.span);
  const t = comparisonTypeFor([operand, low, high], common);
  return {
    kind: 'Between',
    operand: toCompared(ctx, operand, t, e.span),
    low: toCompared(ctx, low, t, e.span),
    high: toCompared(ctx, high, t, e.span),
    negated: e.negated,
    type: BOOLEAN,
  };
}

function analyzeCase(ctx: AnalyzeCtx, e: Case): TypedExpr {
  const operand = e.operand ? ctx.analyze(e.operand, ctx) : null;
  const whens = e.whens.map((w) => {
    const value = ctx.analyze(w.when, ctx);
    const when = operand ? buildCompare(ctx, '=', operand, value, w.when.span) : expectBoolean(ctx, value, 'WHEN condition', w.when.span);
    return { when, then: ctx.analyze(w.then, ctx) };
  });
  const results = [...whens.map((w) => w.then), ...(e.else ? [ctx.analyze(e.else, ctx)] : [])];
  const { type, items } = coerceList(ctx, results, 'CASE results', e.span);
  if (!type) throw typeError('Invalid Case expression. All case branches have NULL type', e.span);
  return {
    kind: 'Case',
    whens: whens.map((w, i) => ({ when: w.when, then: items[i] })),
    else: e.else ? items[items.length - 1] : null,
    type,
  };
}

