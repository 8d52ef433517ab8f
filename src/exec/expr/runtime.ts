/**
 * Runtime helpers called by compiled expressions: Java-long (BIGINT) arithmetic over the
 * number-or-bigint representation, DECIMAL arithmetic with ksqlDB's result types, equality and
 * ordering of non-primitive values, array and map access.
 *
 * BIGINT representation invariant (../../types/sql-type.ts): a number when |v| <= 2^53-1, else
 * a bigint. Every helper returns normalised values, so equal values are identical (===).
 */
import { Decimal, pow10 } from '../../types/decimal.ts';

/** An expression failed for one row (division by zero, numeric overflow): caught per expression. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const MAX = Number.MAX_SAFE_INTEGER;
const MAXN = BigInt(MAX);

export type Long = number | bigint;

export const normLong = (b: bigint): Long => (b >= -MAXN && b <= MAXN ? Number(b) : b);
/** Java long overflow: wrap to 64 bits. */
const wrapLong = (b: bigint): Long => normLong(BigInt.asIntN(64, b));

const divisionByZero = (): never => {
  throw new ExpressionError('Division by zero');
};

export function addL(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX && r >= -MAX) return r;
  }
  return wrapLong(BigInt(a) + BigInt(b));
}

export function subL(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r <= MAX && r >= -MAX) return r;
  }
  return wrapLong(BigInt(a) - BigInt(b));
}

export function mulL(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (r <= MAX && r >= -MAX) return r === 0 ? 0 : r;
  }
  return wrapLong(BigInt(a) * BigInt(b));
}

export function divL(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) divisionByZero();
    let r = Math.trunc(a / b);
    // a / b in doubles may round up to the next integer; the remainder's sign tells.
    const m = a - r * b;
    if (m !== 0 && m < 0 !== a < 0) r += r > 0 ? -1 : 1;
    return r === 0 ? 0 : r;
  }
  const d = BigInt(b);
  if (d === 0n) divisionByZero();
  return wrapLong(BigInt(a) / d);
}

export function modL(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) divisionByZero();
    const r = a % b;
    return r === 0 ? 0 : r;
  }
  const d = BigInt(b);
  if (d === 0n) divisionByZero();
  return normLong(BigInt(a) % d);
}

export function negL(a: Long): Long {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return wrapLong(-a);
}

/** Java int division and remainder (truncating; ArithmeticException on zero). */
export function divI(a: number, b: number): number {
  if (b === 0) divisionByZero();
  return (a / b) | 0;
}
export function modI(a: number, b: number): number {
  if (b === 0) divisionByZero();
  return (a % b) | 0;
}

/** |d| < 10^digits. */
export function absBelowPow10(d: Decimal, digits: number): boolean {
  const u = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  const e = digits + d.scale;
  return e < 0 ? u === 0n : u < pow10(e);
}

/**
 * DECIMAL arithmetic producing DECIMAL(precision, scale): the exact result (quotients rounded
 * HALF_UP to the scale) must fit the precision, else the expression fails (ksqlDB computes with
 * a MathContext of the result precision and RoundingMode.UNNECESSARY).
 */
export function decimalOp(op: '+' | '-' | '*' | '/' | '%', precision: number, scale: number): (a: Decimal, b: Decimal) => Decimal {
  const limit = pow10(precision);
  const fit = (r: Decimal): Decimal => {
    const x = r.scale === scale ? r : r.setScale(scale);
    const u = x.unscaled;
    if (u >= limit || u <= -limit) {
      throw new ExpressionError(`Numeric field overflow: the result ${x.toString()} does not fit DECIMAL(${precision}, ${scale})`);
    }
    return x;
  };
  switch (op) {
    case '+':
      return (a, b) => fit(a.add(b));
    case '-':
      return (a, b) => fit(a.subtract(b));
    case '*':
      return (a, b) => fit(a.multiply(b));
    case '/':
      return (a, b) => (b.unscaled === 0n ? divisionByZero() : fit(a.divide(b, scale)));
    case '%':
      return (a, b) => (b.unscaled === 0n ? divisionByZero() : fit(a.remainder(b)));
  }
}

/** Java's ByteBuffer.compareTo: lexicographic over signed bytes, then by length. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = (a[i] << 24) >> 24;
    const y = (b[i] << 24) >> 24;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Value equality of SQL values (Java's equals on ksqlDB's values): containers element-wise
 * (maps and structs by key), decimals by value, bytes by content; NULL equals NULL inside
 * containers. Callers handle top-level NULLs.
 */
export function deepEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const ta = typeof a;
  if (ta !== 'object') {
    if (ta === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    return (ta === 'bigint' || ta === 'number') && (typeof b === 'bigint' || typeof b === 'number') ? a == b : false;
  }
  if (typeof b !== 'object') return false;
  if (a instanceof Decimal) return b instanceof Decimal && a.compareTo(b) === 0;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && a.length === b.length && compareBytes(a, b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof Decimal || b instanceof Uint8Array) return false;
  const ka = Object.keys(a as object);
  if (ka.length !== Object.keys(b as object).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b as object, k)) return false;
    if (!deepEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Array element by 1-based index, negative from the end; NULL when out of bounds. */
export function arrayAt(a: readonly unknown[], i: number): unknown {
  const j = i > 0 ? i - 1 : a.length + i;
  if (j < 0 || j >= a.length) return null;
  const v = a[j];
  return v === undefined ? null : v;
}

/** The text a map key is stored under (maps are plain objects with string keys). */
export const mapKey = (k: unknown): string => (typeof k === 'string' ? k : String(k));

export function mapGet(m: Record<string, unknown>, k: unknown): unknown {
  const key = mapKey(k);
  if (!Object.hasOwn(m, key)) return null;
  const v = m[key];
  return v === undefined ? null : v;
}

/** Adds an entry to a map under construction; a NULL key has no representation and is skipped. */
export function mapPut(m: Record<string, unknown>, k: unknown, v: unknown): void {
  // ksqlDB keeps a NULL key (a Java map's null key), which JSON writes as "null"; maps are keyed by text here.
  const key = k === null ? 'null' : mapKey(k);
  if (key === '__proto__') Object.defineProperty(m, key, { value: v, enumerable: true, writable: true, configurable: true });
  else m[key] = v;
}
