/**
 * SQL values as JSON text for responses: BIGINTs beyond 2^53 and DECIMALs are written as exact
 * numbers (not rounded through a double), BYTES as base64, structs and maps as objects.
 * Built as a string in one pass (rows are encoded on the push-query hot path).
 */
import { Decimal } from '../types/decimal.ts';

export function jsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(String(v));
  }
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  if (Array.isArray(v)) return jsonArray(v);
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(`${JSON.stringify(String(k))}:${jsonValue(x)}`);
    return `{${parts.join(',')}}`;
  }
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) parts.push(`${JSON.stringify(k)}:${jsonValue(x)}`);
  return `{${parts.join(',')}}`;
}

export function jsonArray(values: readonly unknown[]): string {
  let s = '[';
  for (let i = 0; i < values.length; i++) s += (i ? ',' : '') + jsonValue(values[i]);
  return s + ']';
}
