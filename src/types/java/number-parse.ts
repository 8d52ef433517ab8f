/**
 * Number and boolean text as the JVM reads it: `Integer.parseInt`, `Long.parseLong`,
 * `Double.parseDouble`, `Boolean.parseBoolean`, `String.trim()`. The `try…` forms return null
 * for text Java rejects; the others throw JavaParseError with Java's message.
 */

/** Thrown by the parsers below; callers turn it into their own error with context. */
export class JavaParseError extends Error {}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const ASCII_INT = /^[+-]?\d+$/;
// Character.digit(ch, 10) accepts every Unicode decimal digit of the BMP (Nd), not only ASCII.
const UNICODE_INT = /^[+-]?\p{Nd}+$/u;
const ND = /\p{Nd}/u;

/** `String.trim()`: strips code units <= ' ' from both ends (not Unicode spaces such as U+00A0). */
export function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** The digit value of a Unicode Nd code unit: Nd digits come in runs of whole 0-9 sets. */
function unicodeDigit(c: number): number {
  let start = c;
  while (start > 0 && ND.test(String.fromCharCode(start - 1))) start--;
  return (c - start) % 10;
}

/** Integer text with optional sign in Java's grammar, as a bigint; null when not one. */
function integerText(text: string): bigint | null {
  if (ASCII_INT.test(text)) return BigInt(text);
  if (!UNICODE_INT.test(text)) return null;
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return null; // parseInt reads chars: no supplementary digits
    digits += c === 43 || c === 45 ? text[i] : String(unicodeDigit(c));
  }
  return BigInt(digits);
}

/** `Integer.parseInt`, or null when Java throws. */
export function tryParseJavaInt(text: string): number | null {
  if (text.length <= 10 && ASCII_INT.test(text)) {
    const n = Number(text);
    return n < INT_MIN || n > INT_MAX ? null : n === 0 ? 0 : n;
  }
  const b = integerText(text);
  return b === null || b < BigInt(INT_MIN) || b > BigInt(INT_MAX) ? null : Number(b);
}

/** `Long.parseLong` as a bigint, or null when Java throws. */
export function tryParseJavaLongBig(text: string): bigint | null {
  const b = integerText(text);
  return b === null || b < LONG_MIN || b > LONG_MAX ? null : b;
}

/** `Integer.parseInt`: optional sign and decimal digits, within 32 bits; anything else throws. */
export function parseJavaInt(text: string): number {
  const n = tryParseJavaInt(text);
  if (n === null) throw new JavaParseError(`For input string: "${text}"`);
  return n;
}

/** `Long.parseLong`: as parseJavaInt within 64 bits; a number when safe, else a bigint. */
export function parseJavaLong(text: string): number | bigint {
  if (text.length <= 15 && ASCII_INT.test(text)) {
    const n = Number(text);
    return n === 0 ? 0 : n;
  }
  const b = tryParseJavaLongBig(text);
  if (b === null) throw new JavaParseError(`For input string: "${text}"`);
  return normaliseLong(b);
}

/** A 64-bit integer in the runtime representation: number when |v| <= 2^53-1, else bigint. */
export function normaliseLong(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

// Java's FloatingDecimal grammar: sign, NaN/Infinity, decimal digits with optional fraction and
// exponent, or a hex float (0x1.8p3); an optional f/F/d/D type suffix, which parseDouble ignores.
const JAVA_DOUBLE = /^([+-]?)(NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?$/;
const JAVA_HEX_DOUBLE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)[fFdD]?$/;

/** `Double.parseDouble` (surrounding code units <= ' ' trimmed), or null when Java throws. */
export function tryParseJavaDouble(text: string): number | null {
  const t = javaTrim(text);
  const m = JAVA_DOUBLE.exec(t);
  if (m) {
    const v = m[2] === 'NaN' ? NaN : m[2] === 'Infinity' ? Infinity : Number(m[2]);
    return m[1] === '-' ? -v : v;
  }
  const h = JAVA_HEX_DOUBLE.exec(t);
  if (!h || h[2] + (h[3] ?? '') === '') return null;
  const v = hexDouble(BigInt('0x' + (h[2] + (h[3] ?? '') || '0')), Number(h[4]) - 4 * (h[3] ?? '').length);
  return h[1] === '-' ? -v : v;
}

/** mantissa * 2^exp rounded half-even to a double (subnormals and overflow included). */
function hexDouble(mantissa: bigint, exp: number): number {
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  const high = bits - 1 + exp; // binary exponent of the leading bit
  if (high > 1023) return Infinity;
  if (high < -1075) return 0;
  const lsb = Math.max(high - 52, -1074); // weight of the last bit a double keeps here
  const drop = lsb - exp;
  if (drop <= 0) return Number(mantissa) * 2 ** exp;
  const d = BigInt(drop);
  let q = mantissa >> d;
  const rest = mantissa - (q << d);
  const half = 1n << (d - 1n);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  return Number(q) * 2 ** lsb;
}

/** `Double.parseDouble`. */
export function parseJavaDouble(text: string): number {
  const v = tryParseJavaDouble(text);
  if (v === null) throw new JavaParseError(`For input string: "${text}"`);
  return v;
}

/** `Boolean.parseBoolean`: "true" in any case is true, everything else false. */
export function parseJavaBoolean(text: string): boolean {
  return text.length === 4 && text.toLowerCase() === 'true';
}

/** ksqlDB's boolean text: a (case-insensitive, non-empty) prefix of true/yes or false/no. */
export function parseBooleanExact(s: string): boolean | null {
  const l = s.toLowerCase();
  if (l === '') return null;
  if ('true'.startsWith(l) || 'yes'.startsWith(l)) return true;
  if ('false'.startsWith(l) || 'no'.startsWith(l)) return false;
  return null;
}
