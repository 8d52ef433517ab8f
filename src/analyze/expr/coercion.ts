/**
 * ksqlDB's type rules for expressions: numeric widening, DECIMAL result types of arithmetic,
 * which comparisons are valid, which explicit casts exist, and which implicit coercions a list
 * of values (IN lists, ARRAY/MAP constructors, CASE results) may use.
 *
 * References (ksqlDB): SqlDecimal (add/subtract/multiply/divide/modulus), DecimalUtil.widen,
 * Operator.resultType, ComparisonUtil, CastEvaluator, DefaultSqlValueCoercer (STRICT and LAX).
 */
import type { ArithmeticOp, ComparisonOp } from '../../sql/ast.ts';
import type { SqlType, StructField } from '../../types/sql-type.ts';
import { DOUBLE, STRING, TIMESTAMP, isNumeric, numericRank, toDecimalType, typesEqual } from '../../types/sql-type.ts';

const dec = (precision: number, scale: number): SqlType => ({ kind: 'DECIMAL', precision, scale });

/** The DECIMAL an integral or decimal type converts to without loss (INTEGER -> DECIMAL(10,0)). */
export function asDecimal(t: SqlType): { precision: number; scale: number } {
  const d = toDecimalType(t);
  if (!d) throw new Error(`${t.kind} has no DECIMAL form`);
  return d;
}

/** A DECIMAL wide enough for values of both types (DecimalUtil.widen). */
export function widenDecimal(a: SqlType, b: SqlType): SqlType {
  const x = asDecimal(a);
  const y = asDecimal(b);
  const whole = Math.max(x.precision - x.scale, y.precision - y.scale);
  const scale = Math.max(x.scale, y.scale);
  return dec(whole + scale, scale);
}

/** Result type of DECIMAL arithmetic (SqlDecimal.add/subtract/multiply/divide/modulus). */
export function decimalResult(op: ArithmeticOp, a: { precision: number; scale: number }, b: { precision: number; scale: number }): SqlType {
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(a.scale, b.scale);
      return dec(scale + Math.max(a.precision - a.scale, b.precision - b.scale) + 1, scale);
    }
    case '*':
      return dec(a.precision + b.precision + 1, a.scale + b.scale);
    case '/': {
      const scale = Math.max(6, a.scale + b.precision + 1);
      return dec(a.precision - a.scale + b.scale + scale, scale);
    }
    case '%': {
      const scale = Math.max(a.scale, b.scale);
      return dec(Math.min(a.precision - a.scale, b.precision - b.scale) + scale, scale);
    }
  }
}

/**
 * The result type of `l op r`, or null when the operation does not exist: numbers widen to the
 * wider operand (INTEGER < BIGINT < DECIMAL < DOUBLE), DECIMAL results follow decimalResult, and
 * STRING + STRING concatenates (ksqlDB allows `+` on strings).
 */
export function arithmeticResultType(op: ArithmeticOp, l: SqlType, r: SqlType): SqlType | null {
  if (op === '+' && l.kind === 'STRING' && r.kind === 'STRING') return STRING;
  if (!isNumeric(l) || !isNumeric(r)) return null;
  if (l.kind === 'DOUBLE' || r.kind === 'DOUBLE') return DOUBLE;
  if (l.kind === 'DECIMAL' || r.kind === 'DECIMAL') return decimalResult(op, asDecimal(l), asDecimal(r));
  return numericRank(l) >= numericRank(r) ? l : r;
}

/** The type each operand is converted to before the operation (DECIMAL: the operand's own DECIMAL form). */
export function arithmeticOperandType(result: SqlType, operand: SqlType): SqlType {
  if (result.kind === 'DECIMAL') {
    const d = asDecimal(operand);
    return dec(d.precision, d.scale);
  }
  return result;
}

export const isEqualityOp = (op: ComparisonOp): boolean => op === '=' || op === '<>' || op === 'DISTINCT' || op === 'NOT_DISTINCT';

const isTemporal = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'DATE' || t.kind === 'TIME';

/**
 * The type both sides of a comparison are converted to, or null when ksqlDB does not allow
 * comparing them (ComparisonUtil). Strings compare with temporal types by parsing the string;
 * DATE compares with TIMESTAMP as the timestamp of its midnight. Ordering operators are invalid
 * for BOOLEAN, ARRAY, MAP and STRUCT (reported by the caller with isOrderable).
 */
export function comparisonType(l: SqlType, r: SqlType): SqlType | null {
  if (isNumeric(l) && isNumeric(r)) {
    if (l.kind === 'DOUBLE' || r.kind === 'DOUBLE') return DOUBLE;
    if (l.kind === 'DECIMAL' || r.kind === 'DECIMAL') return widenDecimal(l, r);
    return numericRank(l) >= numericRank(r) ? l : r;
  }
  if (l.kind === 'STRING' && r.kind === 'STRING') return STRING;
  if (l.kind === 'STRING' && isTemporal(r)) return r;
  if (r.kind === 'STRING' && isTemporal(l)) return l;
  if ((l.kind === 'DATE' || l.kind === 'TIMESTAMP') && (r.kind === 'DATE' || r.kind === 'TIMESTAMP')) {
    return l.kind === r.kind ? l : TIMESTAMP;
  }
  if (l.kind !== r.kind) return null;
  switch (l.kind) {
    case 'TIME':
    case 'BOOLEAN':
    case 'BYTES':
      return l;
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return coerceType(l, r, false) ?? coerceType(r, l, false);
    default:
      return null;
  }
}

/** Whether values of the (comparison) type support <, <=, >, >=. */
export const isOrderable = (t: SqlType): boolean => !(t.kind === 'BOOLEAN' || t.kind === 'ARRAY' || t.kind === 'MAP' || t.kind === 'STRUCT');

/** Whether CAST(x AS to) exists for x of type `from` (CastEvaluator's table, element-wise for containers). */
export function canCast(from: SqlType, to: SqlType): boolean {
  if (typesEqual(from, to)) return true;
  if (to.kind === 'STRING') return true;
  switch (from.kind) {
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DOUBLE':
      return isNumeric(to);
    case 'STRING':
      return to.kind !== 'ARRAY' && to.kind !== 'MAP' && to.kind !== 'STRUCT';
    case 'TIMESTAMP':
      return to.kind === 'DATE' || to.kind === 'TIME';
    case 'DATE':
      return to.kind === 'TIMESTAMP';
    case 'ARRAY':
      return to.kind === 'ARRAY' && canCast(from.element, to.element);
    case 'MAP':
      return to.kind === 'MAP' && canCast(from.key, to.key) && canCast(from.value, to.value);
    case 'STRUCT':
      return (
        to.kind === 'STRUCT' &&
        from.fields.every((f) => {
          const target = to.fields.find((t) => t.name === f.name);
          return !target || canCast(f.type, target.type);
        })
      );
    default:
      return false;
  }
}

/**
 * The type a value of `from` is coerced to when `to` is wanted, or null when it cannot be
 * (DefaultSqlValueCoercer.canCoerce). STRICT: numeric widening, STRING to temporal types and
 * BYTES, containers element-wise (structs: the union of the fields). LAX (for literals)
 * additionally converts between STRING and BOOLEAN, numbers and temporal types.
 */
export function coerceType(from: SqlType, to: SqlType, lax: boolean): SqlType | null {
  switch (from.kind) {
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DOUBLE':
      if (isNumeric(to)) {
        if (numericRank(from) > numericRank(to)) return null;
        if (to.kind === 'DECIMAL') return widenDecimal(from, to);
        return to;
      }
      return lax && to.kind === 'STRING' ? to : null;
    case 'BOOLEAN':
      return to.kind === 'BOOLEAN' || (lax && to.kind === 'STRING') ? to : null;
    case 'STRING':
      if (to.kind === 'STRING' || isTemporal(to) || to.kind === 'BYTES') return to;
      return lax && (to.kind === 'BOOLEAN' || isNumeric(to)) ? to : null;
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return to.kind === from.kind || (lax && to.kind === 'STRING') ? to : null;
    case 'BYTES':
      return to.kind === 'BYTES' ? to : null;
    case 'ARRAY': {
      if (to.kind !== 'ARRAY') return null;
      const e = coerceType(from.element, to.element, lax);
      return e && { kind: 'ARRAY', element: e };
    }
    case 'MAP': {
      if (to.kind !== 'MAP') return null;
      const k = coerceType(from.key, to.key, lax);
      const v = coerceType(from.value, to.value, lax);
      return k && v && { kind: 'MAP', key: k, value: v };
    }
    case 'STRUCT': {
      if (to.kind !== 'STRUCT') return null;
      const names = [...new Set([...to.fields, ...from.fields].map((f) => f.name))];
      const fields: StructField[] = [];
      for (const name of names) {
        const f = from.fields.find((x) => x.name === name);
        const t = to.fields.find((x) => x.name === name);
        const type = f && t ? coerceType(f.type, t.type, lax) : (f ?? t)!.type;
        if (!type) return null;
        fields.push({ name, type });
      }
      return { kind: 'STRUCT', fields };
    }
  }
}
