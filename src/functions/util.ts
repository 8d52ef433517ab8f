/**
 * Value helpers shared by the function families: BIGINT normalisation, ordering, equality keys
 * and a typed JSON codec for aggregate state. Java's text of values (String.valueOf, as
 * ksqlDB's functions use it) is in ../types/java/value-text.ts.
 */
import type { SqlType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** The BIGINT runtime form of an integer: number when safe, bigint beyond 2^53. */
export function normBig(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

/** Java long arithmetic (wraps at 64 bits), on BIGINT runtime values. */
export function longAdd(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normBig(BigInt.asIntN(64, BigInt(a) + BigInt(b)));
}

export function longSub(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normBig(BigInt.asIntN(64, BigInt(a) - BigInt(b)));
}

/** Java int arithmetic (wraps at 32 bits). */
export const intAdd = (a: number, b: number): number => (a + b) | 0;

/** Compares two non-null values of the same SQL type (numbers across number/bigint/Decimal too). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Decimal && b instanceof Decimal) return a.compareTo(b);
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      // Java's ByteBuffer.compareTo compares signed bytes.
      const d = ((a[i] << 24) >> 24) - ((b[i] << 24) >> 24);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return a.length - b.length;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = compareNullable(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return valueKey(a) < valueKey(b) ? -1 : valueKey(a) > valueKey(b) ? 1 : 0;
}

/** Nulls first. */
export function compareNullable(a: unknown, b: unknown): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareValues(a, b);
}

/**
 * A string that is equal for equal SQL values (Java `equals` semantics: map and struct entry
 * order does not matter, BIGINT as number or bigint alike). Used for sets and DISTINCT.
 */
export function valueKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return 'n' + (Object.is(v, -0) ? '-0' : String(v));
    case 'bigint':
      return 'n' + String(v);
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      if (v === null || v === undefined) return 'N';
      if (v instanceof Decimal) return 'd' + v.toString();
      if (v instanceof Uint8Array) return 'b' + Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
      if (Array.isArray(v)) return '[' + v.map(valueKey).join(',') + ']';
      return (
        '{' +
        Object.keys(v as object)
          .sort()
          .map((k) => JSON.stringify(k) + ':' + valueKey((v as Record<string, unknown>)[k]))
          .join(',') +
        '}'
      );
  }
}

export const valuesEqual = (a: unknown, b: unknown): boolean =>
  a === b || (a !== null && b !== null && valueKey(a) === valueKey(b));

/**
 * Encodes a runtime value as plain JSON for aggregate state (bigint and Decimal as strings,
 * bytes as base64); `fromJsonValue` reverses it given the same type.
 */
export function toJsonValue(v: unknown, t: SqlType | null): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || v instanceof Decimal) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
  if (Array.isArray(v)) return v.map((e) => toJsonValue(e, t && t.kind === 'ARRAY' ? t.element : null));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = toJsonValue(e, fieldType(t, k));
    return out;
  }
  return v;
}

function fieldType(t: SqlType | null, k: string): SqlType | null {
  if (!t) return null;
  if (t.kind === 'MAP') return t.value;
  if (t.kind === 'STRUCT') return t.fields.find((f) => f.name === k)?.type ?? null;
  return null;
}

export function fromJsonValue(j: unknown, t: SqlType | null): unknown {
  if (j === null || j === undefined) return null;
  if (!t) return j;
  switch (t.kind) {
    case 'BIGINT':
      return typeof j === 'string' ? normBig(BigInt(j)) : j;
    case 'DECIMAL':
      return Decimal.parse(String(j));
    case 'BYTES':
      return new Uint8Array(Buffer.from(String(j), 'base64'));
    case 'ARRAY':
      return (j as unknown[]).map((e) => fromJsonValue(e, t.element));
    case 'MAP':
    case 'STRUCT': {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(j as object)) out[k] = fromJsonValue(e, fieldType(t, k));
      return out;
    }
    default:
      return j;
  }
}

/** A small bounded cache for compiled regexes and formatters keyed by their pattern text. */
export class Cache<V> {
  private readonly map = new Map<string, V>();
  private readonly limit: number;
  constructor(limit = 256) {
    this.limit = limit;
  }
  get(key: string, build: (key: string) => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.limit) this.map.clear();
      v = build(key);
      this.map.set(key, v);
    }
    return v;
  }
}
