/**
 * Values as text the way ksqlDB (Java) prints them:
 * - `castToString(type)`: CAST(x AS STRING): DOUBLE as Double.toString (`1.0E10`, `100.0`),
 *   DECIMAL as BigDecimal.toPlainString, TIMESTAMP/DATE/TIME as SqlTimeTypes formats them,
 *   BYTES as base64;
 * - `javaText(type)`: String.valueOf of the Java object ksqlDB holds (inside containers, and in
 *   functions that call toString such as ARRAY_JOIN): lists `[1, 3]`, maps `{k=v, k2=v2}`
 *   (java.util.HashMap iteration order), structs `Struct{A=1,B=x}` (Kafka Connect's
 *   Struct.toString, which skips null fields), BigDecimal.toString (`1E-7`), java.sql.Timestamp
 *   (`2020-01-01 10:00:00.0`), java.sql.Date and java.sql.Time.
 */
import type { SqlType } from '../sql-type.ts';
import { Decimal } from '../decimal.ts';
import { decimalJavaString, javaDouble } from './number-text.ts';
import { formatDate, formatTime, formatTimestamp, sqlDateText, sqlTimeText, sqlTimestampText } from './time-text.ts';

/** Java's String.hashCode. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function javaKeyHash(key: string, keyType: SqlType): number | null {
  switch (keyType.kind) {
    case 'STRING':
      return javaStringHash(key);
    case 'INTEGER':
      return Number(key) | 0;
    case 'BIGINT': {
      const v = BigInt.asUintN(64, BigInt(key));
      return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
    }
    case 'BOOLEAN':
      return key === 'true' ? 1231 : 1237;
    default:
      return null;
  }
}

/**
 * Map keys in the iteration order of a java.util.HashMap filled in insertion order: by bucket
 * (spread hash & (capacity - 1); capacity 16, doubling past a 0.75 load factor), then insertion.
 */
export function javaHashMapOrder(keys: readonly string[], keyType: SqlType): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const buckets = keys.map((k) => {
    const h = javaKeyHash(k, keyType);
    return h === null ? 0 : (h ^ (h >>> 16)) & (capacity - 1);
  });
  return keys.map((k, i) => ({ k, b: buckets[i], i })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.k);
}

const bytesText = (v: Uint8Array): string => `java.nio.HeapByteBuffer[pos=0 lim=${v.length} cap=${v.length}]`;

const nullable = (f: (v: unknown) => string) => (v: unknown): string => (v === null || v === undefined ? 'null' : f(v));

/** String.valueOf of a non-null value of `type` as ksqlDB holds it. */
export function javaText(type: SqlType): (v: unknown) => string {
  switch (type.kind) {
    case 'DOUBLE':
      return (v) => javaDouble(v as number);
    case 'DECIMAL':
      return (v) => decimalJavaString(v as Decimal);
    case 'TIMESTAMP':
      return (v) => sqlTimestampText(v as number);
    case 'DATE':
      return (v) => sqlDateText(v as number);
    case 'TIME':
      return (v) => sqlTimeText(v as number);
    case 'BYTES':
      return (v) => bytesText(v as Uint8Array);
    case 'ARRAY': {
      const el = nullable(javaText(type.element));
      return (v) => `[${(v as unknown[]).map(el).join(', ')}]`;
    }
    case 'MAP': {
      const val = nullable(javaText(type.value));
      const key = type.key;
      return (v) => {
        const m = v as Record<string, unknown>;
        return `{${javaHashMapOrder(Object.keys(m), key).map((k) => `${k}=${val(m[k])}`).join(', ')}}`;
      };
    }
    case 'STRUCT': {
      const fields = type.fields.map((f) => ({ name: f.name, text: javaText(f.type) }));
      return (v) => {
        const s = v as Record<string, unknown>;
        const parts: string[] = [];
        for (const f of fields) {
          const x = s[f.name];
          if (x !== null && x !== undefined) parts.push(`${f.name}=${f.text(x)}`);
        }
        return `Struct{${parts.join(',')}}`;
      };
    }
    default:
      return (v) => String(v);
  }
}

/**
 * String.valueOf of a runtime value whose SQL type may be unknown (null): with a type as
 * javaText; without one, from the runtime form (a number is a DOUBLE unless integral, maps in
 * their own key order).
 */
export function javaValueText(v: unknown, t: SqlType | null): string {
  if (v === null || v === undefined) return 'null';
  if (t) return javaText(t)(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : javaDouble(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Decimal) return decimalJavaString(v);
  if (v instanceof Uint8Array) return bytesText(v);
  if (Array.isArray(v)) return '[' + v.map((e) => javaValueText(e, null)).join(', ') + ']';
  return '{' + Object.entries(v as Record<string, unknown>).map(([k, e]) => `${k}=${javaValueText(e, null)}`).join(', ') + '}';
}

/** CAST(v AS STRING) for a non-null value of `type`. */
export function castToString(type: SqlType): (v: unknown) => string {
  switch (type.kind) {
    case 'DECIMAL':
      return (v) => (v as Decimal).toString(); // toPlainString
    case 'TIMESTAMP':
      return (v) => formatTimestamp(v as number);
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTime(v as number);
    case 'BYTES':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    default:
      return javaText(type);
  }
}
