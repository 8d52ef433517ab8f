/**
 * Matching a JSON object's keys to a schema's fields: ksqlDB's case-insensitive fallback (an
 * upper-cased key that is the declared name) and own-property access (a column may be named
 * `constructor` or `__proto__`).
 */

/**
 * Fills, in `values`, the fields that the exact lookup missed: with the value of a JSON key
 * whose upper-case form is the declared name; when several keys qualify the last one wins
 * (ksqlDB builds a HashMap of upper-cased keys). `values[i] === undefined` marks a miss.
 * Per-serde cache of JSON key -> field index, since documents of a topic repeat their keys.
 */
export type FillMissing = (o: Record<string, unknown>, values: unknown[]) => void;

export function makeFillMissing(names: readonly string[]): FillMissing {
  const index = new Map<string, number>();
  names.forEach((n, i) => index.set(n, i));
  const cache = new Map<string, number>();
  const missing = new Uint8Array(names.length);
  // The keys of the last document, in order, and the field each matched (-1: none): documents
  // of a topic mostly repeat their keys in the same order, and JSON.parse gives their names as
  // the same (internalized) strings, so a key equal to the one at the same position last time
  // skips the map lookup.
  const lastKeys: string[] = [];
  const lastFields: number[] = [];
  const fieldOf = (k: string): number => {
    let i = cache.get(k);
    if (i === undefined) {
      i = index.get(k.toUpperCase()) ?? -1;
      if (cache.size >= 4096) cache.clear(); // documents with ever-new keys: bound the cache
      cache.set(k, i);
    }
    return i;
  };
  return (o, values) => {
    for (let i = 0; i < values.length; i++) missing[i] = values[i] === undefined ? 1 : 0;
    let j = 0;
    // for-in reads the same keys as the exact lookups (o[name]) do; no array per document.
    for (const k in o) {
      let i: number;
      if (j < lastKeys.length && lastKeys[j] === k) i = lastFields[j];
      else {
        i = fieldOf(k);
        if (j < 64) {
          lastKeys[j] = k;
          lastFields[j] = i;
        }
      }
      j++;
      if (i >= 0 && missing[i] === 1) values[i] = o[k];
    }
  };
}

/** o[k] without inherited members (`constructor`, `toString`, `__proto__` are column names too). */
export function getOwn(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** o[k] = v, also for k = `__proto__` (which plain assignment would treat as the prototype). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
