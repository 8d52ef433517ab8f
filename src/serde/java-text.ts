/**
 * Text forms and parsers that mirror the JVM, because ksqlDB's wire formats are whatever
 * Java's `Double.toString`, `BigDecimal.toString`, `Integer.parseInt` & co. produce and accept.
 * Pure functions, no schema: the format files compose them.
 */
import { Decimal } from '../types/decimal.ts';

/** Thrown by the parsers below; callers turn it into a SerdeError with context. */
export class JavaParseError extends Error {}

const POW10: bigint[] = [1n];
const POW10_NUM = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact doubles up to 1e22
/** 10^k as a bigint, cached (bigint exponentiation is slow on the hot path). */
export function pow10(k: number): bigint {
  while (POW10.length <= k) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[k];
}

// ---------------------------------------------------------------------------------------------
// Double.toString

/**
 * Java's `Double.toString` (JDK 19+, shortest digits): `3.0`, `0.001`, `1.0E7`, `4.9E-324`,
 * `NaN`, `-Infinity`. Plain notation in [1e-3, 1e7), otherwise `d.dddE±n` with at least one
 * fraction digit. JS and the JDK both pick the shortest round-tripping digits.
 */
export function javaDouble(v: number): string {
  const a = v < 0 ? -v : v;
  if (a >= 1e-3 && a < 1e7) {
    const s = '' + v;
    return Number.isInteger(v) ? s + '.0' : s;
  }
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  if (v !== v) return 'NaN';
  if (a === Infinity) return v > 0 ? 'Infinity' : '-Infinity';
  let e = v.toExponential();
  // Java always prints a fraction digit; with one significant digit it prints the nearest
  // two-digit form (4.9E-324 for Double.MIN_VALUE, which JS shortens to 5e-324).
  if (e.indexOf('.') < 0) e = v.toExponential(1);
  const cut = e.indexOf('e');
  const exp = e.charCodeAt(cut + 1) === 43 /* + */ ? e.slice(cut + 2) : e.slice(cut + 1);
  return e.slice(0, cut) + 'E' + exp;
}

// ---------------------------------------------------------------------------------------------
// BigDecimal.toString

/**
 * Java's `BigDecimal.toString()` of unscaled * 10^-scale: plain when scale >= 0 and the
 * adjusted exponent >= -6, else scientific (`0E-7`, `1.5E-7`, `1E+3`). Jackson writes DECIMAL
 * JSON numbers this way, so ksqlDB's JSON output for DECIMAL(8,7) zero is `0E-7`.
 */
export function bigDecimalString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  if (scale >= 0 && adjusted >= -6) return new Decimal(unscaled, scale).toString();
  const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return (neg ? '-' : '') + mant + 'E' + (adjusted >= 0 ? '+' : '') + adjusted;
}

/** `BigDecimal.toString()` of a decimal's value as written (keeps its scale). */
export function decimalJavaString(d: Decimal): string {
  return bigDecimalString(d.unscaled, d.scale);
}

const JAVA_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * `new BigDecimal(text)`: keeps the scale of the text (`1.50` has scale 2, `1e3` scale -3).
 * Decimal normalises negative scales to 0, so this returns the parts rather than a Decimal.
 */
export function parseBigDecimalParts(text: string): { unscaled: bigint; scale: number } | null {
  const m = JAVA_DECIMAL.exec(text);
  if (!m) return null;
  const int = m[2];
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const unscaled = BigInt(int + frac || '0');
  const scale = frac.length - (m[4] ? Number(m[4]) : 0);
  return { unscaled: m[1] === '-' ? -unscaled : unscaled, scale };
}

/**
 * Exponents beyond this fit no SQL number type (DOUBLE ends near 10^308, DECIMAL precision is
 * far smaller); refusing them before scaling keeps `1e999999999` from building a billion-digit
 * bigint (a hang) where Java's BigDecimal would only fail later, at the range check.
 */
const MAX_EXPONENT = 10_000;

function checkExponent(text: string, scale: number): void {
  if (Math.abs(scale) > MAX_EXPONENT) throw new JavaParseError(`Numeric value out of range: '${text.length > 40 ? `${text.slice(0, 37)}...` : text}'`);
}

/** `new BigDecimal(text)` as a Decimal (negative scales folded into the unscaled value). */
export function parseJavaDecimal(text: string): Decimal {
  const p = parseBigDecimalParts(text);
  if (!p) throw new JavaParseError(`Invalid decimal: '${text}'`);
  if (p.unscaled === 0n) return new Decimal(0n, Math.min(Math.max(p.scale, 0), MAX_EXPONENT));
  checkExponent(text, p.scale);
  return p.scale >= 0 ? new Decimal(p.unscaled, p.scale) : new Decimal(p.unscaled * pow10(-p.scale), 0);
}

/** The integer part of a decimal text, truncated toward zero (BigDecimal.toBigInteger). */
export function truncateDecimalText(text: string): bigint {
  const p = parseBigDecimalParts(text);
  if (!p) throw new JavaParseError(`Invalid decimal: '${text}'`);
  checkExponent(text, p.scale);
  if (p.scale <= 0) return p.unscaled * pow10(-p.scale);
  return p.unscaled / pow10(p.scale); // bigint division truncates toward zero
}

/**
 * The integer part of a decimal text, truncated toward zero (BigDecimal.toBigInteger), or 'huge'
 * when it has more than 40 integer digits (beyond every integer type; not computed, so
 * `1e999999999` costs nothing).
 */
export function integerPartOfText(text: string): bigint | 'huge' {
  const p = parseBigDecimalParts(text);
  if (!p) throw new JavaParseError(`Invalid decimal: '${text}'`);
  if (p.unscaled === 0n) return 0n;
  const digits = (p.unscaled < 0n ? -p.unscaled : p.unscaled).toString().length;
  if (p.scale <= 0) return digits - p.scale > 40 ? 'huge' : p.unscaled * pow10(-p.scale);
  if (p.scale >= digits) return 0n; // |value| < 1
  return p.unscaled / pow10(p.scale); // bigint division truncates toward zero
}

/**
 * ksqlDB's DecimalUtil.ensureFit: the value must be below 10^(precision - scale) in magnitude
 * and must reach the column's scale without rounding (only zeros may be dropped).
 */
export function ensureDecimalFit(d: Decimal, precision: number, scale: number): Decimal {
  const digits = precision - scale;
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  // |d| >= 10^digits  <=>  abs >= 10^(digits + d.scale)
  const limitExp = digits + d.scale;
  if (limitExp <= 0 ? abs > 0n : abs >= pow10(limitExp)) {
    throw new JavaParseError(
      `Numeric field overflow: A field with precision ${precision} and scale ${scale} ` +
        `must round to an absolute value less than 10^${digits}. Got ${d.toString()}`,
    );
  }
  if (d.scale > scale) {
    const div = pow10(d.scale - scale);
    if (d.unscaled % div !== 0n) {
      throw new JavaParseError(
        `Cannot fit decimal '${d.toString()}' into DECIMAL(${precision}, ${scale}) without rounding. ` +
          `(Requires ${Math.max(d.precision(), scale)},${d.scale})`,
      );
    }
    return new Decimal(d.unscaled / div, scale);
  }
  return d.scale === scale ? d : new Decimal(d.unscaled * pow10(scale - d.scale), scale);
}

/**
 * ensureDecimalFit(Decimal.fromNumber(v), ...) without the regex and bigint powers: the
 * shortest text of the double, read as a decimal (what Jackson's BigDecimal of the same JSON
 * token holds when it has at most 15 significant digits).
 */
export function decimalFromDouble(v: number, precision: number, scale: number): Decimal {
  // Fast path: v * 10^scale rounds to an integer u below 2^53 that maps back to v exactly; a
  // token of <= 15 significant digits is the only such decimal, so u is its unscaled value.
  if (scale <= 22) {
    const m = POW10_NUM[scale];
    const u = Math.round(v * m);
    if (u / m === v && u < 1e15 && u > -1e15 && (precision >= 15 || (u < POW10_NUM[precision] && u > -POW10_NUM[precision]))) {
      return new Decimal(BigInt(u), scale);
    }
  }
  const s = '' + v;
  if (s.indexOf('e') < 0) {
    const dot = s.indexOf('.');
    const frac = dot < 0 ? 0 : s.length - dot - 1;
    if (frac <= scale) {
      const unscaled = BigInt(dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1)) * pow10(scale - frac);
      if ((unscaled < 0n ? -unscaled : unscaled) < pow10(precision)) return new Decimal(unscaled, scale);
    }
  }
  return ensureDecimalFit(Decimal.fromNumber(v), precision, scale);
}

// ---------------------------------------------------------------------------------------------
// Integer.parseInt, Long.parseLong, Double.parseDouble, Boolean.parseBoolean

const JAVA_INT = /^[+-]?\d+$/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** `Integer.parseInt`: optional sign and ASCII digits, within 32 bits; anything else throws. */
export function parseJavaInt(text: string): number {
  if (!JAVA_INT.test(text)) throw new JavaParseError(`For input string: "${text}"`);
  const n = text.length > 15 ? Number(BigInt(text)) : Number(text);
  if (n < INT_MIN || n > INT_MAX) throw new JavaParseError(`For input string: "${text}"`);
  return n === 0 ? 0 : n;
}

/** `Long.parseLong`: as parseJavaInt within 64 bits; a number when safe, else a bigint. */
export function parseJavaLong(text: string): number | bigint {
  if (!JAVA_INT.test(text)) throw new JavaParseError(`For input string: "${text}"`);
  if (text.length <= 15) {
    const n = Number(text);
    return n === 0 ? 0 : n;
  }
  const b = BigInt(text);
  if (b < LONG_MIN || b > LONG_MAX) throw new JavaParseError(`For input string: "${text}"`);
  return normaliseLong(b);
}

/** A 64-bit integer in the runtime representation: number when |v| <= 2^53-1, else bigint. */
export function normaliseLong(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

// Java's FloatingDecimal grammar without hex floats: sign, NaN/Infinity or digits with optional
// fraction/exponent, an optional f/d type suffix; surrounding whitespace (<= ' ') is trimmed.
const JAVA_DOUBLE = /^([+-]?)(NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?$/;

/** `Double.parseDouble`. */
export function parseJavaDouble(text: string): number {
  const m = JAVA_DOUBLE.exec(javaTrim(text));
  if (!m) throw new JavaParseError(`For input string: "${text}"`);
  const v = m[2] === 'NaN' ? NaN : m[2] === 'Infinity' ? Infinity : Number(m[2]);
  return m[1] === '-' ? -v : v;
}

/** `Boolean.parseBoolean`: "true" in any case is true, everything else false. */
export function parseJavaBoolean(text: string): boolean {
  return text.length === 4 && text.toLowerCase() === 'true';
}

/** `String.trim()`: strips code units <= ' ' from both ends. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
