/**
 * Literals: typing of source literals, and coercion of literal values at analysis time (the
 * LAX rules ksqlDB applies to user-entered literals: `'10'` may be an INTEGER in an IN list,
 * `10.30` may be the STRING '10.30').
 */
import type { Literal } from '../../sql/ast.ts';
import { preparingError, SqlError } from '../../sql/errors.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { BIGINT, BOOLEAN, BYTES, DOUBLE, INTEGER, STRING, formatType, isNumeric } from '../../types/sql-type.ts';
import { Decimal } from '../../types/decimal.ts';
import { decodeLiteral, encodeLiteral, type TypedExpr } from '../../types/typed-expr.ts';
import { widenDecimal } from './coercion.ts';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from '../../types/java/time-text.ts';
import { javaDouble } from '../../types/java/number-text.ts';
import { javaTrim, parseBooleanExact, tryParseJavaDouble, tryParseJavaInt, tryParseJavaLongBig } from '../../types/java/number-parse.ts';

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** ksqlDB's type of a decimal literal (DecimalUtil.fromValue): values in (-1, 1) get precision scale + 1. */
export function decimalLiteralType(d: Decimal): SqlType {
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  if (abs < 10n ** BigInt(d.scale)) return { kind: 'DECIMAL', precision: d.scale + 1, scale: d.scale };
  return { kind: 'DECIMAL', precision: d.precision(), scale: d.scale };
}

/** The typed node of a source literal; an untyped NULL is returned as null. */
export function typeLiteral(lit: Literal): TypedExpr | null {
  const node = (value: unknown, type: SqlType): TypedExpr => ({ kind: 'Literal', value: encodeLiteral(value, type), type });
  switch (lit.type) {
    case 'NULL':
      return null;
    case 'BOOLEAN':
      return node(lit.raw.toUpperCase() === 'TRUE', BOOLEAN);
    case 'INTEGER':
    case 'BIGINT': {
      const v = BigInt(lit.raw);
      if (v >= INT_MIN && v <= INT_MAX && lit.type === 'INTEGER') return node(Number(v), INTEGER);
      if (v > LONG_MAX) throw new SqlError('TYPE', `Number out of BIGINT range: ${lit.raw}`, lit.span);
      return node(v, BIGINT);
    }
    case 'DECIMAL': {
      const d = Decimal.parse(lit.raw);
      if (!d) throw new SqlError('TYPE', `Invalid DECIMAL literal: ${lit.raw}`, lit.span);
      return node(d, decimalLiteralType(d));
    }
    case 'DOUBLE': {
      const v = Number(lit.raw);
      if (Number.isNaN(v)) throw new SqlError('TYPE', `Invalid DOUBLE literal: ${lit.raw}`, lit.span);
      if (!Number.isFinite(v)) throw preparingError('TYPE', `Number overflows DOUBLE: ${lit.raw}`, lit.span);
      return node(v, DOUBLE);
    }
    case 'STRING':
      return node(lit.raw, STRING);
    case 'BYTES': {
      const m = /^X'([0-9A-Fa-f]*)'$/i.exec(lit.raw);
      const hex = m ? m[1] : lit.raw;
      if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hex)) throw new SqlError('TYPE', `Invalid BYTES literal: ${lit.raw}`, lit.span);
      return node(new Uint8Array(Buffer.from(hex, 'hex')), BYTES);
    }
  }
}

/** `-literal` folded into a literal (so that `-5` is coercible like `5`); null when not foldable. */
export function negateLiteral(e: TypedExpr): TypedExpr | null {
  if (e.kind !== 'Literal' || e.value === null) return null;
  const v = decodeLiteral(e.value, e.type);
  switch (e.type.kind) {
    case 'INTEGER':
      return (v as number) === -2147483648 ? null : { kind: 'Literal', value: -(v as number), type: e.type };
    case 'BIGINT': {
      const n = -BigInt(v as number | bigint);
      return n > LONG_MAX ? null : { kind: 'Literal', value: String(n), type: e.type };
    }
    case 'DOUBLE':
      return { kind: 'Literal', value: encodeLiteral(-(v as number), e.type), type: e.type };
    case 'DECIMAL':
      return { kind: 'Literal', value: (v as Decimal).negate().toString(), type: e.type };
    default:
      return null;
  }
}

/** The numeric type of a string literal used as a number (CoercionUtil.getStringNumericType). */
export function stringNumericType(s: string): SqlType | null {
  const text = javaTrim(s);
  const d = Decimal.parse(text);
  if (!d || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return null;
  if (!/[.eE]/.test(text)) {
    const v = BigInt(text);
    if (v > INT_MIN && v < INT_MAX) return INTEGER;
    if (v > LONG_MIN && v < LONG_MAX) return BIGINT;
  }
  return decimalLiteralType(d);
}

/**
 * The type a string literal and a numeric target type have in common (CoercionUtil), or null
 * when the string is not a number.
 */
export function numericTypeFromString(s: string, target: SqlType): SqlType | null {
  const source = stringNumericType(s);
  if (!source) return null;
  if (source.kind === 'DOUBLE' || target.kind === 'DOUBLE') return DOUBLE;
  if (source.kind === 'DECIMAL' || target.kind === 'DECIMAL') return widenDecimal(source, target);
  return source.kind === 'INTEGER' || source.kind === target.kind ? target : source;
}

/** The decimal exactly, when it fits DECIMAL(p, s) without rounding (DecimalUtil.ensureFit), else null. */
export function fitDecimal(d: Decimal, precision: number, scale: number): Decimal | null {
  if (d.scale > scale && d.setScale(scale).setScale(d.scale).unscaled !== d.unscaled) return null;
  const r = d.setScale(scale);
  return r.precision() <= precision || r.unscaled === 0n ? r : null;
}

/**
 * Coerces a literal's runtime value to `to` at analysis time; null when it cannot (then the
 * caller reports the error). Numbers widen exactly; with `lax`, strings parse as numbers and
 * booleans, and scalars print as strings; strings always parse as temporal types and BYTES.
 */
export function coerceLiteralValue(v: unknown, from: SqlType, to: SqlType, lax: boolean): unknown | null {
  if (v === null) return null;
  switch (from.kind) {
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DOUBLE': {
      if (to.kind === 'STRING' && lax) {
        if (from.kind === 'DOUBLE') return javaDouble(v as number);
        return String(v);
      }
      if (!isNumeric(to)) return null;
      if (to.kind === 'DOUBLE') return from.kind === 'DECIMAL' ? (v as Decimal).toNumber() : Number(v);
      if (from.kind === 'DOUBLE') return null;
      const d = from.kind === 'DECIMAL' ? (v as Decimal) : Decimal.fromBigInt(v as number | bigint);
      if (to.kind === 'DECIMAL') return fitDecimal(d, to.precision, to.scale);
      if (d.scale > 0 && d.setScale(0).setScale(d.scale).unscaled !== d.unscaled) return null;
      const i = d.setScale(0).unscaled;
      if (to.kind === 'INTEGER') return i >= INT_MIN && i <= INT_MAX ? Number(i) : null;
      return i >= LONG_MIN && i <= LONG_MAX ? decodeLiteral(String(i), BIGINT) : null;
    }
    case 'BOOLEAN':
      return to.kind === 'STRING' && lax ? String(v) : null;
    case 'STRING': {
      const s = javaTrim(v as string);
      switch (to.kind) {
        case 'TIMESTAMP':
          return parseTimestamp(s);
        case 'DATE':
          return parseDate(s);
        case 'TIME':
          return parseTime(s);
        case 'BYTES':
          return /^[A-Za-z0-9+/]*={0,2}$/.test(s) ? new Uint8Array(Buffer.from(s, 'base64')) : null;
        default:
          break;
      }
      if (!lax) return null;
      switch (to.kind) {
        case 'BOOLEAN':
          return parseBooleanExact(s);
        case 'INTEGER':
          return tryParseJavaInt(s);
        case 'BIGINT': {
          const b = tryParseJavaLongBig(s);
          return b === null ? null : decodeLiteral(String(b), BIGINT);
        }
        case 'DOUBLE':
          return tryParseJavaDouble(s);
        case 'DECIMAL': {
          const d = stringNumericType(s) ? Decimal.parse(s) : null;
          return d && fitDecimal(d, to.precision, to.scale);
        }
        default:
          return null;
      }
    }
    case 'TIMESTAMP':
      return lax && to.kind === 'STRING' ? formatTimestamp(v as number) : null;
    case 'DATE':
      return lax && to.kind === 'STRING' ? formatDate(v as number) : null;
    case 'TIME':
      return lax && to.kind === 'STRING' ? formatTime(v as number) : null;
    default:
      return null;
  }
}

/** Coerces a Literal node to `to`, or returns null when the value does not convert. */
export function coerceLiteral(e: TypedExpr & { kind: 'Literal' }, to: SqlType, lax: boolean): TypedExpr | null {
  if (e.value === null) return { kind: 'Literal', value: null, type: to };
  const v = coerceLiteralValue(decodeLiteral(e.value, e.type), e.type, to, lax);
  return v === null ? null : { kind: 'Literal', value: encodeLiteral(v, to), type: to };
}

export const describeLiteral = (e: TypedExpr & { kind: 'Literal' }): string =>
  `${e.value === null ? 'NULL' : JSON.stringify(e.value)} (${formatType(e.type)})`;
