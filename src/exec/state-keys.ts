/** Serialised keys for state stores: a row's key columns (or GROUP BY values) as compact JSON bytes. */
import { stringifyJson } from '../serde/index.ts';

export function keyBytes(values: readonly unknown[]): Uint8Array {
  return Buffer.from(keyText(values));
}

/**
 * The text whose UTF-8 bytes are keyBytes(values). Plain values (strings, numbers, booleans,
 * nulls: the usual GROUP BY and join keys) go through JSON.stringify without a replacer, which is
 * several times faster and writes them identically; the others (BIGINT as bigint, DECIMAL, BYTES,
 * structs) through the lossless stringifier.
 */
export function keyText(values: readonly unknown[]): string {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = typeof v;
    if (v !== null && t !== 'string' && t !== 'number' && t !== 'boolean') return stringifyJson(values);
  }
  return JSON.stringify(values);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
