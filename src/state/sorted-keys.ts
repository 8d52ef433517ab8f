/**
 * A sorted set of latin1 key strings (see ./keys.ts), for the ordered parts of the in-memory
 * structures: InMemoryStore, the un-flushed overlay of LmdbStore, the dirty keys of CachingStore.
 *
 * Layout: a list of sorted chunks of at most MAX_CHUNK strings, plus the last string of each
 * chunk for a binary search to the chunk (the "sorted list of lists" of Python's
 * sortedcontainers): O(log n) lookups and O(log n + MAX_CHUNK) inserts/deletes, with splices on
 * small arrays only, and ordered iteration by a (chunk, index) cursor.
 *
 * Invariants: every chunk is non-empty and sorted; chunks are in order and disjoint;
 * `lasts[i] === chunks[i][chunks[i].length - 1]`; `size` is the total count.
 *
 * Iterators tolerate writes between steps: each mutation bumps `version`, and an iterator that
 * sees a new version re-seeks to just after the key it yielded last, so it never fails, repeats
 * or goes backwards (keys added behind it are not seen; keys added ahead are).
 */

const MAX_CHUNK = 1024;
const HALF_CHUNK = MAX_CHUNK >>> 1;

/** First index in sorted `a` whose element is >= x (a.length when none). */
function lowerBound(a: readonly string[], x: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in sorted `a` whose element is > x. */
function upperBound(a: readonly string[], x: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedKeySet {
  private chunks: string[][] = [];
  private lasts: string[] = [];
  size = 0;
  /** Bumped by every mutation; iterators use it to detect that they must re-seek. */
  version = 0;

  has(key: string): boolean {
    const c = lowerBound(this.lasts, key);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c];
    const i = lowerBound(chunk, key);
    return chunk[i] === key;
  }

  /** Adds the key; returns false when it was present already. */
  add(key: string): boolean {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push([key]);
      this.lasts.push(key);
      this.size = 1;
      this.version++;
      return true;
    }
    let c = lowerBound(this.lasts, key);
    if (c === chunks.length) c--; // beyond every key: append to the last chunk
    const chunk = chunks[c];
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    if (i === chunk.length - 1) this.lasts[c] = key;
    this.size++;
    this.version++;
    if (chunk.length > MAX_CHUNK) {
      const tail = chunk.splice(HALF_CHUNK);
      chunks.splice(c + 1, 0, tail);
      this.lasts.splice(c, 1, chunk[chunk.length - 1], tail[tail.length - 1]);
    }
    return true;
  }

  /** Removes the key; returns false when it was absent. */
  delete(key: string): boolean {
    const c = lowerBound(this.lasts, key);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c];
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.size--;
    this.version++;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.lasts.splice(c, 1);
    } else if (i === chunk.length) {
      this.lasts[c] = chunk[chunk.length - 1];
    }
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.lasts = [];
    this.size = 0;
    this.version++;
  }

  /** Every key, ascending, in a new array. */
  toArray(): string[] {
    const out: string[] = new Array(this.size);
    let n = 0;
    for (const chunk of this.chunks) for (let i = 0; i < chunk.length; i++) out[n++] = chunk[i];
    return out;
  }

  /** Bulk load into an EMPTY set: `sorted` must be strictly ascending. */
  addSorted(sorted: readonly string[]): void {
    if (this.size !== 0) throw new Error('addSorted needs an empty set');
    for (let i = 0; i < sorted.length; i += HALF_CHUNK) {
      const chunk = sorted.slice(i, i + HALF_CHUNK);
      this.chunks.push(chunk);
      this.lasts.push(chunk[chunk.length - 1]);
    }
    this.size = sorted.length;
    this.version++;
  }

  /**
   * Keys in [from, to) (null: unbounded), ascending, or descending with `reverse`. See the
   * header for behaviour under concurrent mutation.
   */
  *range(from: string | null, to: string | null, reverse = false): Generator<string, void, undefined> {
    if (reverse) {
      yield* this.descending(from, to);
      return;
    }
    let version = this.version;
    let [c, i] = from === null ? [0, 0] : this.seekGE(from, false);
    for (;;) {
      if (c >= this.chunks.length) return;
      const chunk = this.chunks[c];
      if (i >= chunk.length) {
        c++;
        i = 0;
        continue;
      }
      const key = chunk[i];
      if (to !== null && key >= to) return;
      yield key;
      if (this.version !== version) {
        version = this.version;
        [c, i] = this.seekGE(key, true);
      } else {
        i++;
      }
    }
  }

  private *descending(from: string | null, to: string | null): Generator<string, void, undefined> {
    let version = this.version;
    // Position on the last key < to (or the very last key).
    let [c, i] = to === null ? this.lastPosition() : this.seekLT(to);
    for (;;) {
      if (c < 0) return;
      if (i < 0) {
        c--;
        i = c >= 0 ? this.chunks[c].length - 1 : -1;
        continue;
      }
      const key = this.chunks[c][i];
      if (from !== null && key < from) return;
      yield key;
      if (this.version !== version) {
        version = this.version;
        [c, i] = this.seekLT(key);
      } else {
        i--;
      }
    }
  }

  /** Position of the first key >= x (> x when `strict`); may be past the end. */
  private seekGE(x: string, strict: boolean): [number, number] {
    const c = strict ? upperBound(this.lasts, x) : lowerBound(this.lasts, x);
    if (c === this.chunks.length) return [c, 0];
    const chunk = this.chunks[c];
    return [c, strict ? upperBound(chunk, x) : lowerBound(chunk, x)];
  }

  /** Position of the last key < x; chunk -1 when none. */
  private seekLT(x: string): [number, number] {
    const c = lowerBound(this.lasts, x);
    if (c === this.chunks.length) return this.lastPosition();
    const i = lowerBound(this.chunks[c], x) - 1;
    if (i >= 0) return [c, i];
    return c > 0 ? [c - 1, this.chunks[c - 1].length - 1] : [-1, -1];
  }

  private lastPosition(): [number, number] {
    const c = this.chunks.length - 1;
    return [c, c >= 0 ? this.chunks[c].length - 1 : -1];
  }
}

/**
 * A map from latin1 key strings to values with ordered range iteration: O(1) get/set, and a
 * sorted key set that is built on the first ordered access (one sort) and then maintained on
 * every insert/delete — so a map only used for lookups (an aggregation's state, un-flushed
 * writes) never pays for ordering, and one that is scanned often pays O(log n) per new key.
 */
export class SortedMap<V> {
  private readonly map = new Map<string, V>();
  private keys: SortedKeySet | null = null;

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    if (this.keys !== null && !this.map.has(key)) this.keys.add(key);
    this.map.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.map.delete(key)) return false;
    this.keys?.delete(key);
    return true;
  }

  clear(): void {
    this.map.clear();
    this.keys = null;
  }

  /** Keys in [from, to), in order; values are looked up as each key is reached. */
  *entries(from: string | null, to: string | null, reverse = false): Generator<[string, V], void, undefined> {
    for (const k of this.sortedKeys().range(from, to, reverse)) {
      const v = this.map.get(k);
      if (v !== undefined || this.map.has(k)) yield [k, v as V];
    }
  }

  /**
   * Every key, ascending, in a new array (the sorted index is used when built, not built for
   * this): one array for a whole ordered pass, rather than a pair per entry as `entries` yields.
   */
  sortedKeyArray(): string[] {
    if (this.keys === null) return [...this.map.keys()].sort();
    return this.keys.toArray();
  }

  /** Unordered iteration over the keys (cheap: the Map's own order; deleting while iterating is fine). */
  unorderedKeys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** Unordered iteration over all entries (cheap: the Map's own order). */
  unordered(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  private sortedKeys(): SortedKeySet {
    if (this.keys === null) {
      const set = new SortedKeySet();
      set.addSorted([...this.map.keys()].sort());
      this.keys = set;
    }
    return this.keys;
  }
}
