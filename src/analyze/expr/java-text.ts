/**
 * Values as text the way ksqlDB (Java) prints them, for CAST(x AS STRING):
 * DOUBLE like Double.toString (`1.0E10`, `1.5`, `100.0`), DECIMAL like BigDecimal.toPlainString,
 * TIMESTAMP/DATE/TIME as ksqlDB formats them, and containers like String.valueOf of the Java
 * objects ksqlDB holds: lists `[1, 3]`, maps `{k=v, k2=v2}` (HashMap iteration order), structs
 * `Struct{A=1,B=x}` (Kafka Connect's Struct.toString, which skips null fields). Inside
 * containers elements print with their Java toString (BigDecimal may use exponent notation,
 * timestamps as java.sql.Timestamp).
 */
import type { SqlType } from '../../types/sql-type.ts';
import type { Decimal } from '../../types/decimal.ts';
import { formatDate, formatTime, formatTimestamp } from './time-text.ts';

/** Java's Double.toString (shortest round-trip digits, as JDK 19+). */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  let [mantissa, exp] = d.toExponential().split('e');
  // Java prints at least two digits, the pair nearest the exact value (Double.MIN_VALUE is 4.9E-324).
  if (!mantissa.includes('.')) [mantissa, exp] = d.toExponential(1).split('e');
  return `${mantissa}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** Java's BigDecimal.toString: plain unless the scale is negative or the exponent is below -6. */
export function javaBigDecimalToString(v: Decimal): string {
  const neg = v.unscaled < 0n;
  const digits = (neg ? -v.unscaled : v.unscaled).toString();
  const adjusted = digits.length - 1 - v.scale;
  if (v.scale >= 0 && adjusted >= -6) return v.toString();
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${neg ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** java.sql.Timestamp.toString in UTC: `2020-01-01 10:00:00.0`. */
function javaSqlTimestamp(ms: number): string {
  const s = formatTimestamp(ms).replace('T', ' ');
  const millis = s.slice(-3).replace(/0+$/, '');
  return `${s.slice(0, -4)}.${millis === '' ? '0' : millis}`;
}

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

/** A formatter of values of `type` as Java prints them inside containers (String.valueOf). */
function elementText(type: SqlType): (v: unknown) => string {
  switch (type.kind) {
    case 'DOUBLE':
      return (v) => javaDoubleToString(v as number);
    case 'DECIMAL':
      return (v) => javaBigDecimalToString(v as Decimal);
    case 'TIMESTAMP':
      return (v) => javaSqlTimestamp(v as number);
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTimestamp(v as number).slice(11, 19);
    case 'BYTES':
      return (v) => `java.nio.HeapByteBuffer[pos=0 lim=${(v as Uint8Array).length} cap=${(v as Uint8Array).length}]`;
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return containerText(type);
    default:
      return (v) => String(v);
  }
}

const nullable = (f: (v: unknown) => string) => (v: unknown): string => (v === null || v === undefined ? 'null' : f(v));

function containerText(type: SqlType): (v: unknown) => string {
  switch (type.kind) {
    case 'ARRAY': {
      const el = nullable(elementText(type.element));
      return (v) => `[${(v as unknown[]).map(el).join(', ')}]`;
    }
    case 'MAP': {
      const val = nullable(elementText(type.value));
      const key = type.key;
      return (v) => {
        const m = v as Record<string, unknown>;
        return `{${javaHashMapOrder(Object.keys(m), key).map((k) => `${k}=${val(m[k])}`).join(', ')}}`;
      };
    }
    case 'STRUCT': {
      const fields = type.fields.map((f) => ({ name: f.name, text: elementText(f.type) }));
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
      return elementText(type);
  }
}

/** CAST(v AS STRING) for a non-null value of `type`. */
export function toStringCaster(type: SqlType): (v: unknown) => string {
  switch (type.kind) {
    case 'DECIMAL':
      return (v) => (v as Decimal).toString();
    case 'TIMESTAMP':
      return (v) => formatTimestamp(v as number);
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTime(v as number);
    case 'BYTES':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    default:
      return elementText(type);
  }
}

