/**
 * Merging sorted sources of the same key space, where a newer layer shadows an older one: the
 * un-flushed writes of LmdbStore over its committed data, the dirty entries of CachingStore over
 * the store beneath. Keys are latin1 strings (./keys.ts), so string order is byte order.
 */
import { stringToKey } from './keys.ts';
import type { KeyValue, RangeOptions } from './store.ts';

/** Marks a deleted key in an overlay. */
export const TOMBSTONE: unique symbol = Symbol('tombstone');
export type Slot<V> = V | typeof TOMBSTONE;

/**
 * Yields the entries of `sources` (each sorted in the direction given by `reverse`) in that order,
 * each key once, taking its value from the first source (lowest index) that has it; keys whose
 * winning value is a tombstone are skipped.
 */
export function* mergeSorted<V>(
  sources: readonly Iterator<[string, Slot<V>]>[],
  reverse: boolean,
): Generator<[string, V], void, undefined> {
  const n = sources.length;
  const heads: ([string, Slot<V>] | undefined)[] = new Array(n);
  for (let s = 0; s < n; s++) heads[s] = nextOf(sources[s]);
  try {
    for (;;) {
      let best = -1;
      let bestKey = '';
      for (let s = 0; s < n; s++) {
        const h = heads[s];
        if (h === undefined) continue;
        if (best < 0 || (reverse ? h[0] > bestKey : h[0] < bestKey)) {
          best = s;
          bestKey = h[0];
        }
      }
      if (best < 0) return;
      const value = heads[best]![1];
      for (let s = 0; s < n; s++) {
        const h = heads[s];
        if (h !== undefined && h[0] === bestKey) heads[s] = nextOf(sources[s]);
      }
      if (value !== TOMBSTONE) yield [bestKey, value];
    }
  } finally {
    for (const src of sources) src.return?.();
  }
}

function nextOf<T>(it: Iterator<T>): T | undefined {
  const r = it.next();
  return r.done ? undefined : r.value;
}

/** Converts latin1-keyed entries to KeyValues, applying `limit`. */
export function* toKeyValues<V>(
  entries: Iterable<[string, V]>,
  options: RangeOptions | undefined,
): Generator<KeyValue<V>, void, undefined> {
  let left = options?.limit ?? Infinity;
  if (left <= 0) return;
  for (const [k, value] of entries) {
    yield { key: stringToKey(k), value };
    if (--left <= 0) return;
  }
}
