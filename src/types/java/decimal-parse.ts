/**
 * Decimal text as Java's `new BigDecimal(text)` reads it, and ksqlDB's DecimalUtil rules for
 * fitting a value into DECIMAL(precision, scale).
 */
import { Decimal } from '../decimal.ts';
import { JavaParseError } from './number-parse.ts';
import { pow10 } from './number-text.ts';

const POW10_NUM = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact doubles up to 1e22
// The grammar of `new BigDecimal(text)` lives with Decimal (Decimal.parse uses it too).
export { parseBigDecimalParts } from '../decimal.ts';
import { parseBigDecimalParts } from '../decimal.ts';

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

