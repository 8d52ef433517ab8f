/** Serialised keys for state stores: a row's key columns (or GROUP BY values) as compact JSON bytes. */
import { stringifyJson } from '../serde/index.ts';

export function keyBytes(values: readonly unknown[]): Uint8Array {
  return Buffer.from(stringifyJson(values));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
