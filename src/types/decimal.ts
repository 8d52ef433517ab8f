/**
 * Exact decimal: value = unscaled * 10^-scale. Immutable. Used for SQL DECIMAL(p, s), whose
 * values must keep their scale on the wire (`12.30`), which a double cannot.
 * Rounding is HALF_UP, as in ksqlDB (Java BigDecimal with RoundingMode.HALF_UP).
 */
// `new BigDecimal(text)`'s grammar (the one both Decimal.parse and the JVM-text parsers use).
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

/** Powers of ten by exponent, computed once: `10n ** BigInt(k)` costs more than the arithmetic it scales. */
const POW10: bigint[] = [];
for (let k = 0, p = 1n; k <= 80; k++, p *= 10n) POW10.push(p);

/** 10^k as a bigint (k >= 0). */
export function pow10(k: number): bigint {
  return k < POW10.length ? POW10[k] : 10n ** BigInt(k);
}

/** unscaled * 10^-scale; see the header. */
export class Decimal {
  readonly unscaled: bigint;
  readonly scale: number;

  constructor(unscaled: bigint, scale: number) {
    this.unscaled = unscaled;
    this.scale = scale;
  }

  /**
   * Parses `-12.30`, `1e3`, `.5` (surrounding whitespace ignored); returns null when the text
   * is not a number. A negative scale is folded into the unscaled value (`1e3` is 1000, scale 0).
   */
  static parse(text: string): Decimal | null {
    const p = parseBigDecimalParts(text.trim());
    if (!p) return null;
    return p.scale >= 0 ? new Decimal(p.unscaled, p.scale) : new Decimal(p.unscaled * pow10(-p.scale), 0);
  }

  /** The decimal nearest to a double, via its shortest round-trip text (0.1 -> 0.1, not 0.1000000000000000055...). */
  static fromNumber(n: number): Decimal {
    if (!Number.isFinite(n)) throw new RangeError(`cannot convert ${n} to DECIMAL`);
    return Decimal.parse(String(n))!;
  }

  static fromBigInt(n: bigint | number): Decimal {
    return new Decimal(BigInt(n), 0);
  }

  /** Rescales with HALF_UP rounding. */
  setScale(scale: number): Decimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.unscaled * pow10(scale - this.scale), scale);
    const div = pow10(this.scale - scale);
    return new Decimal(divHalfUp(this.unscaled, div), scale);
  }

  /** Number of significant digits of the unscaled value (0 has precision 1). */
  precision(): number {
    const u = this.unscaled < 0n ? -this.unscaled : this.unscaled;
    return u === 0n ? 1 : u.toString().length;
  }

  /** True when the value fits DECIMAL(precision, scale) after rescaling to `scale`. */
  fits(precision: number, scale: number): boolean {
    return this.setScale(scale).precision() <= precision;
  }

  add(o: Decimal): Decimal {
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.setScale(s).unscaled + o.setScale(s).unscaled, s);
  }

  subtract(o: Decimal): Decimal {
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.setScale(s).unscaled - o.setScale(s).unscaled, s);
  }

  multiply(o: Decimal): Decimal {
    return new Decimal(this.unscaled * o.unscaled, this.scale + o.scale);
  }

  /** Division to the given result scale, HALF_UP. Throws on division by zero. */
  divide(o: Decimal, scale: number): Decimal {
    if (o.unscaled === 0n) throw new RangeError('Division by zero');
    // this/o = (a*10^-s1)/(b*10^-s2); result unscaled at `scale` = a*10^(scale - s1 + s2) / b
    const shift = scale - this.scale + o.scale;
    let num = this.unscaled;
    let den = o.unscaled;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    return new Decimal(divHalfUp(num, den), scale);
  }

  remainder(o: Decimal): Decimal {
    if (o.unscaled === 0n) throw new RangeError('Division by zero');
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.setScale(s).unscaled % o.setScale(s).unscaled, s);
  }

  negate(): Decimal {
    return new Decimal(-this.unscaled, this.scale);
  }

  abs(): Decimal {
    return this.unscaled < 0n ? this.negate() : this;
  }

  signum(): number {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  compareTo(o: Decimal): number {
    const s = Math.max(this.scale, o.scale);
    const a = this.setScale(s).unscaled;
    const b = o.setScale(s).unscaled;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(o: Decimal): boolean {
    return this.compareTo(o) === 0;
  }

  toNumber(): number {
    return Number(this.toString());
  }

  /** Plain notation with exactly `scale` fraction digits: `12.30`, `-0.05`, `7`. */
  toString(): string {
    const neg = this.unscaled < 0n;
    let digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-this.scale);
    if (digits.length <= this.scale) digits = '0'.repeat(this.scale - digits.length + 1) + digits;
    const cut = digits.length - this.scale;
    return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Integer division rounding half away from zero (HALF_UP). */
function divHalfUp(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return neg ? -q : q;
}

