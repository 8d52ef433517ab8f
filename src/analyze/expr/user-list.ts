/**
 * Coercion of user-supplied lists of expressions to one type (ksqlDB's CoercionUtil): the
 * values of an IN predicate (with its operand first), ARRAY elements, MAP keys and values,
 * CASE results. The common type starts with the first typed element and widens element by
 * element: numbers to the wider number, structs to the union of their fields, containers
 * element-wise. Literals coerce LAXly (`'10'` joins INTEGERs, `10` joins STRINGs), other
 * expressions STRICTly. Literals and constructors are then rewritten in the common type;
 * other expressions get an implicit Cast.
 */
import type { Span } from '../../sql/ast.ts';
import { SqlError } from '../../sql/errors.ts';
import type { SqlType, StructField } from '../../types/sql-type.ts';
import { formatType, isNumeric, typesEqual } from '../../types/sql-type.ts';
import { formatTypedExpr, type TypedExpr } from '../../types/typed-expr.ts';
import { coerceType } from './coercion.ts';
import { coerceLiteral, describeLiteral, numericTypeFromString } from './literals.ts';
import { javaTrim, parseBooleanExact } from '../../types/java/number-parse.ts';
import { type AnalyzeCtx, at, implicitCast, isUntyped, spanOf, typeError } from './context.ts';

/** The common type of `items` (untyped NULLs ignored), or null when all are untyped NULLs. */
export function commonType(ctx: AnalyzeCtx, items: readonly TypedExpr[], what: string, span: Span): SqlType | null {
  let common: SqlType | null = null;
  for (const e of items) {
    if (isUntyped(ctx, e)) continue;
    common = common === null ? e.type : widenWith(ctx, e, common, what, span);
  }
  return common;
}

function fold(ctx: AnalyzeCtx, start: SqlType, items: readonly TypedExpr[], what: string, span: Span): SqlType {
  let t = start;
  for (const e of items) if (!isUntyped(ctx, e)) t = widenWith(ctx, e, t, what, span);
  return t;
}

function incompatible(ctx: AnalyzeCtx, e: TypedExpr, target: SqlType, what: string, span: Span): Error {
  return typeError(
    // ksqlDB's wording (CoercionUtil), then where the values meet.
    `operator does not exist: ${formatType(target)} = ${formatType(e.type)} (${formatTypedExpr(e)})\nHint: You might need to add explicit type casts. Incompatible types in ${what}.`,
    spanOf(ctx, e, span),
  );
}

/**
 * The type holding both `target` and the values of `e` (CoercionUtil.resolveCommonType). An
 * element of a constructor that does not fit is reported as the whole constructor not fitting,
 * as ksqlDB does (`ARRAY<BIGINT> = ARRAY<BOOLEAN> (ARRAY[VAL1])`); a literal of the wrong
 * syntax is reported as itself.
 */
function widenWith(ctx: AnalyzeCtx, e: TypedExpr, target: SqlType, what: string, span: Span): SqlType {
  if (e.kind !== 'CreateArray' && e.kind !== 'CreateMap' && e.kind !== 'CreateStruct') return widenElement(ctx, e, target, what, span);
  try {
    return widenElement(ctx, e, target, what, span);
  } catch (err) {
    if (err instanceof SqlError && err.detail.startsWith('operator does not exist: ')) throw incompatible(ctx, e, target, what, span);
    throw err;
  }
}

function widenElement(ctx: AnalyzeCtx, e: TypedExpr, target: SqlType, what: string, span: Span): SqlType {
  switch (e.kind) {
    case 'CreateArray':
      if (target.kind !== 'ARRAY') throw incompatible(ctx, e, target, what, span);
      return { kind: 'ARRAY', element: fold(ctx, target.element, e.elements, what, span) };
    case 'CreateMap':
      if (target.kind !== 'MAP') throw incompatible(ctx, e, target, what, span);
      return {
        kind: 'MAP',
        key: fold(ctx, target.key, e.entries.map((x) => x.key), what, span),
        value: fold(ctx, target.value, e.entries.map((x) => x.value), what, span),
      };
    case 'CreateStruct': {
      if (target.kind !== 'STRUCT') throw incompatible(ctx, e, target, what, span);
      // Existing fields keep their order, new ones follow (ksqlDB lists the new struct's fields first).
      const names = [...new Set([...target.fields.map((f) => f.name), ...e.fields.map((f) => f.name)])];
      const fields: StructField[] = names.map((name) => {
        const source = e.fields.find((f) => f.name === name);
        const t = target.fields.find((f) => f.name === name);
        if (!t) return { name, type: source!.value.type };
        if (!source || isUntyped(ctx, source.value)) return { name, type: t.type };
        return { name, type: widenWith(ctx, source.value, t.type, what, span) };
      });
      return { kind: 'STRUCT', fields };
    }
    case 'Literal':
      if (e.type.kind === 'STRING' && e.value !== null) {
        const text = String(e.value);
        if (isNumeric(target)) {
          const t = numericTypeFromString(text, target);
          if (!t) throw typeError(`invalid input syntax for type ${target.kind}: "${text}".`, spanOf(ctx, e, span));
          return t;
        }
        if (target.kind === 'BOOLEAN') {
          if (parseBooleanExact(javaTrim(text)) === null) {
            throw typeError(`invalid input syntax for type BOOLEAN: "${text}".`, spanOf(ctx, e, span));
          }
          return target;
        }
      }
      break;
    default:
      break;
  }
  const lax = e.kind === 'Literal';
  const t = coerceType(e.type, target, lax) ?? coerceType(target, e.type, lax);
  if (!t) throw incompatible(ctx, e, target, what, span);
  return t;
}

/**
 * `e` as a value of `type` (the common type of its list): literals are converted now (LAX),
 * constructors are rebuilt with converted elements, other expressions get an implicit Cast.
 */
export function coerceTo(ctx: AnalyzeCtx, e: TypedExpr, type: SqlType, span: Span): TypedExpr {
  const where = spanOf(ctx, e, span);
  if (isUntyped(ctx, e) || typesEqual(e.type, type)) return implicitCast(ctx, e, type, span);
  switch (e.kind) {
    case 'Literal': {
      const c = coerceLiteral(e, type, true);
      if (!c) throw typeError(`Cannot coerce ${describeLiteral(e)} to ${formatType(type)}`, where);
      return at(ctx, c, where);
    }
    case 'CreateArray':
      if (type.kind !== 'ARRAY') break;
      return at(ctx, { kind: 'CreateArray', elements: e.elements.map((x) => coerceTo(ctx, x, type.element, where)), type }, where);
    case 'CreateMap':
      if (type.kind !== 'MAP') break;
      return at(
        ctx,
        {
          kind: 'CreateMap',
          entries: e.entries.map((x) => ({ key: coerceTo(ctx, x.key, type.key, where), value: coerceTo(ctx, x.value, type.value, where) })),
          type,
        },
        where,
      );
    case 'CreateStruct':
      if (type.kind !== 'STRUCT') break;
      return at(
        ctx,
        {
          kind: 'CreateStruct',
          fields: type.fields.map((f) => {
            const v = e.fields.find((x) => x.name === f.name);
            return { name: f.name, value: v ? coerceTo(ctx, v.value, f.type, where) : at(ctx, { kind: 'Literal', value: null, type: f.type }, where) };
          }),
          type,
        },
        where,
      );
    default:
      break;
  }
  return implicitCast(ctx, e, type, span);
}

/** Coerces every item of a list to its common type; `type` null means all items are untyped NULLs. */
export function coerceList(
  ctx: AnalyzeCtx,
  items: readonly TypedExpr[],
  what: string,
  span: Span,
): { type: SqlType | null; items: TypedExpr[] } {
  const type = commonType(ctx, items, what, span);
  if (type === null) return { type, items: [...items] };
  return { type, items: items.map((e) => coerceTo(ctx, e, type, span)) };
}
