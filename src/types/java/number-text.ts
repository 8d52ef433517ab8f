/**
 * Numbers as the JVM prints them: ksqlDB's wire formats, CAST(x AS STRING) and function results
 * are whatever Java's `Double.toString` and `BigDecimal.toString()`/`toPlainString()` produce.
 * The one home of these rules (test/types/java/java-text.test.ts holds them to a table printed
 * by Java itself).
 */
import { Decimal } from '../decimal.ts';

const POW10: bigint[] = [1n];
/** 10^k as a bigint, cached (bigint exponentiation is slow on the hot path). */
export function pow10(k: number): bigint {
  while (POW10.length <= k) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[k];
}

/**
 * Java's `Double.toString` with the shortest round-tripping digits (the JDK 19+ algorithm,
 * JDK-4511638; JDK 17 prints a longer, non-shortest text for a few values such as 1.0E23):
 * `3.0`, `0.001`, `1.0E7`, `4.9E-324`, `NaN`, `-Infinity`, `-0.0`. Plain notation in
 * [1e-3, 1e7), otherwise `d.dddE±n`, always with at least one fraction digit.
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
  // Java always prints two significant digits at least; with one, it prints the two-digit
  // form nearest the exact value (4.9E-324 for Double.MIN_VALUE, which JS shortens to 5e-324).
  if (e.indexOf('.') < 0) e = v.toExponential(1);
  const cut = e.indexOf('e');
  const exp = e.charCodeAt(cut + 1) === 43 /* + */ ? e.slice(cut + 2) : e.slice(cut + 1);
  return e.slice(0, cut) + 'E' + exp;
}

/**
 * Java's `BigDecimal.toString()` of unscaled * 10^-scale: plain when scale >= 0 and the
 * adjusted exponent >= -6, else scientific (`0E-7`, `1.5E-7`, `1E+3`). Jackson writes DECIMAL
 * JSON numbers this way, so ksqlDB's JSON output for DECIMAL(8,7) zero is `0E-7`.
 */
export function bigDecimalString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  if (scale >= 0 && adjusted >= -6) {
    // Plain, as Decimal#toString, from the digits already at hand (a hot path of DECIMAL output).
    if (scale === 0) return neg ? '-' + digits : digits;
    const padded = digits.length <= scale ? '0'.repeat(scale - digits.length + 1) + digits : digits;
    const cut = padded.length - scale;
    return (neg ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
  }
  const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return (neg ? '-' : '') + mant + 'E' + (adjusted >= 0 ? '+' : '') + adjusted;
}

/** `BigDecimal.toPlainString()`: no exponent; a negative scale appends zeros (`1E+3` -> `1000`). */
export function bigDecimalPlainString(unscaled: bigint, scale: number): string {
  if (scale >= 0) return new Decimal(unscaled, scale).toString();
  return unscaled === 0n ? '0' : (unscaled * pow10(-scale)).toString();
}

/** `BigDecimal.toString()` of a decimal's value as held (keeps its scale). */
export function decimalJavaString(d: Decimal): string {
  return bigDecimalString(d.unscaled, d.scale);
}
