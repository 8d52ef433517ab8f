/**
 * Record comparison with the conformance runner's rules: doubles within 1e-6, integers of any
 * size compared exactly, decimals by value (an expected decimal may be a string with its scale),
 * JSON object field names exactly or case-insensitively.
 */
import { Decimal } from '../types/decimal.ts';
import { isJsonNumber } from '../serde/index.ts';

export function jsonEquals(expected: unknown, actual: unknown): boolean {
  if (expected === null || actual === null || expected === undefined || actual === undefined) {
    return (expected ?? null) === (actual ?? null);
  }
  if (isNumberLike(expected) && isNumberLike(actual)) return numbersEqual(expected, actual);
  // ksqlDB's runner reads expected values through the sink's schema: a DECIMAL may be written as
  // a string ("3.40"); it matches the decimal with that value and scale.
  if (typeof expected === 'string' && isNumberLike(actual) && /^-?\d+\.\d+$/.test(expected)) return numberText(actual) === expected;
  if (typeof expected === 'string' || typeof expected === 'boolean') return expected === actual;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => jsonEquals(e, actual[i]));
  }
  if (typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(actual) && !isNumberLike(actual)) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const ek = Object.keys(e);
    const ak = Object.keys(a);
    if (ek.length !== ak.length) return false;
    for (const k of ek) {
      let match: string | undefined = k in a ? k : undefined;
      if (match === undefined) match = ak.find((x) => x.toUpperCase() === k.toUpperCase());
      // ksqlDB's ExpectedRecordComparator reads an absent field as null: with the same number of
      // fields, an expected null matches a field the record does not have.
      if (!jsonEquals(e[k], match === undefined ? null : a[match])) return false;
    }
    return true;
  }
  return false;
}

/** Numbers in any of their lossless forms: number, bigint, Decimal, or JsonNumber (source text). */
function isNumberLike(v: unknown): v is number | bigint | Decimal | { toString(): string } {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal || isJsonNumber(v);
}

function numbersEqual(a: unknown, b: unknown): boolean {
  const ta = numberText(a);
  const tb = numberText(b);
  if (ta === tb) return true;
  const da = Decimal.parse(ta);
  const db = Decimal.parse(tb);
  if (da && db && da.equals(db)) return true;
  const na = Number(ta);
  const nb = Number(tb);
  if (!Number.isFinite(na) || !Number.isFinite(nb)) return ta === tb;
  // Integers beyond 2^53 must match exactly (done above); doubles within 1e-6.
  const bothIntegral = /^-?\d+$/.test(ta) && /^-?\d+$/.test(tb);
  if (bothIntegral) return false;
  return Math.abs(na - nb) <= 1e-6 * Math.max(1, Math.abs(na), Math.abs(nb)) || Math.abs(na - nb) <= 1e-6;
}

function numberText(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return String(v);
}
