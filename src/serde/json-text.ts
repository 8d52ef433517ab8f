/**
 * Lossless JSON text: numbers beyond 2^53 and decimals with their scale survive a round trip.
 *
 * Representation produced by the lossless parser (and accepted by stringifyJson):
 * - integer tokens (`-12`, `900719925474099312`): number when a safe integer, else bigint;
 * - tokens with a fraction or exponent (`12.30`, `1E-7`): a JsonNumber that keeps the exact
 *   text (valueOf() gives the double), in exact mode; in precise mode only when the token has
 *   more than 15 significant digits (beyond that a double may not reproduce its digits),
 *   otherwise a plain number;
 * - everything else as JSON.parse.
 * Plain JSON.parse stays the fast path: a 16-character run of digits and dots is the cheapest
 * sure sign that a token may not fit a double, and without one the lossless parse is skipped.
 */
import { Buffer } from 'node:buffer';
import { Decimal } from '../types/decimal.ts';
import { JsonNumber, isJsonNumber } from '../types/java/json-number.ts';

interface ReviverContext {
  readonly source?: string;
}
type Reviver = (this: unknown, key: string, value: unknown, context: ReviverContext) => unknown;
// Node 24 (V8 13) implements JSON.parse source text access and JSON.rawJSON; lib.es2023 lacks them.
const J = JSON as unknown as {
  parse(text: string, reviver?: Reviver): unknown;
  rawJSON(text: string): unknown;
};

export { JsonNumber, isJsonNumber };

// 16 characters of [0-9.]: every token with 16+ significant digits has such a run. Unrolled
// because V8 runs `[0-9.]{16}` ~15x slower than the explicit sequence (measured).
const LONG_RUN = new RegExp('[0-9.]'.repeat(16));

// An exponent of 3+ digits: JSON.parse may overflow it to Infinity or underflow it to 0.
const BIG_EXPONENT = /[eE][+-]?\d{3}/;

/** True when plain JSON.parse might round a number of this text (cheap, may say yes wrongly). */
export function mayLosePrecision(text: string): boolean {
  return LONG_RUN.test(text) || BIG_EXPONENT.test(text);
}

const INT_TEXT = /^-?\d+$/;

const exactReviver: Reviver = (_key, value, context) => {
  if (typeof value !== 'number') return value;
  const src = context.source!;
  if (INT_TEXT.test(src)) return Number.isSafeInteger(value) ? value : BigInt(src);
  return new JsonNumber(src);
};

const preciseReviver: Reviver = (_key, value, context) => {
  if (typeof value !== 'number') return value;
  const src = context.source!;
  if (INT_TEXT.test(src)) return Number.isSafeInteger(value) ? value : BigInt(src);
  // Also exact when the double is not the number: overflowed (1e400) or underflowed (1e-400).
  const lost = significantDigits(src) > 15 || value - value !== 0 || (value === 0 && /[1-9]/.test(src.split(/[eE]/)[0]));
  return lost ? new JsonNumber(src) : value;
};

/** Digits of the mantissa without leading zeros (`0.00120` -> 3, `1.5e10` -> 2). */
function significantDigits(src: string): number {
  let n = 0;
  let leading = true;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 101 || c === 69) break; // e E
    if (c < 48 || c > 57) continue;
    if (leading && c === 48) continue;
    leading = false;
    n++;
  }
  return n;
}

export interface LosslessOptions {
  /**
   * true (default): every number with a fraction or exponent becomes a JsonNumber, so `12.30`
   * keeps its scale and `3.0` stays distinguishable from `3`. false: only those with more than
   * 15 significant digits; the others are plain numbers (then plain JSON.parse is used
   * whenever the text has no long digit run).
   */
  readonly exactFractions?: boolean;
}

/** JSON.parse that loses no number: see the representation in the header. Throws SyntaxError. */
export function parseJsonLossless(text: string, options?: LosslessOptions): unknown {
  if (options?.exactFractions === false) {
    return mayLosePrecision(text) ? J.parse(text, preciseReviver) : JSON.parse(text);
  }
  return J.parse(text, exactReviver);
}

/** Exact-mode parse (the serdes' slow path): integers exact, every fraction a JsonNumber. */
export function parseJsonExact(text: string): unknown {
  return J.parse(text, exactReviver);
}

function losslessReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return J.rawJSON(raw.toString());
  if (raw instanceof Decimal) return J.rawJSON(raw.toString());
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  return value;
}

/**
 * JSON.stringify that writes bigint digits exactly, Decimal with its scale (`12.30`),
 * JsonNumber as its text and Uint8Array as a base64 string. `space` as in JSON.stringify.
 */
export function stringifyJson(value: unknown, space?: string | number): string {
  return JSON.stringify(value, losslessReplacer, space) ?? 'null';
}
