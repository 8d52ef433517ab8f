/**
 * Write-back cache over a store: hot keys are read from memory (no LMDB read, no decode), and the
 * updates of a key between two flushes reach the store beneath once, at `flush`, with the latest
 * value — so the layers below (changelog, LMDB) see one write per key per flush.
 *
 * Bounded at `maxEntries`, and by a byte budget shared with the registry's other caches
 * (./cache-budget.ts: a store over the shared budget evicts from itself); when full, an entry is
 * evicted by the CLOCK rule (second chance for entries used since they were last passed over),
 * and a dirty evictee is written through to the store beneath first. Misses are cached too (an aggregation's first `get` of a new key is
 * followed by its `put`), which is sound because every write goes through this layer.
 *
 * Invariants: an entry is dirty iff it is in `dirty`; `budget` is charged exactly the sum of
 * `size` over `entries` by this store; a clean entry's value equals the value
 * beneath (undefined = absent); `dirtySorted`, when built (by the first range scan since the last
 * flush), holds exactly the keys of `dirty`; `lastKs` is the latin1 image of `lastKey`'s bytes
 * when it was converted (compared again before reuse: the caller may have changed them).
 */
import { inLatinRange, keyToString, latinRange, prefixEnd, stringToKey } from './keys.ts';
import { TOMBSTONE, mergeSorted, toKeyValues, type Slot } from './merge.ts';
import { SortedKeySet } from './sorted-keys.ts';
import { approximateEntrySize, CacheBudget } from './cache-budget.ts';
import { checkKey, checkValue, latinAccess, type KeyValue, type KeyValueStore, type LatinKeyed, type RangeOptions } from './store.ts';

export interface CachingStoreOptions {
  /** Entries kept in memory (clean and dirty). Default 10,000. */
  readonly maxEntries?: number;
  /** Approximate bytes shared with other caches (default: a budget of this store's own, unbounded). */
  readonly budget?: CacheBudget;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  /** Evictions that had to write a dirty entry through. */
  readonly dirtyEvictions: number;
  readonly entries: number;
  readonly dirty: number;
  readonly maxEntries: number;
  /** Approximate bytes this cache holds, and the budget it shares with the registry's other caches. */
  readonly bytes: number;
  readonly budgetUsedBytes: number;
  readonly budgetMaxBytes: number;
}

interface Entry<V> {
  readonly ks: string;
  value: V | undefined;
  dirty: boolean;
  /** Used since the clock hand last passed it. */
  ref: boolean;
  /** Approximate bytes charged to the budget for this entry (approximateEntrySize). */
  size: number;
  /** Writes since the size was last estimated (see RESIZE_EVERY). */
  writes: number;
}

/**
 * An entry's size is estimated when it is added and again every this many writes (or when it is
 * deleted): walking the value on every write would cost a good part of a cached write, and
 * values mostly keep their size from write to write.
 */
const RESIZE_EVERY = 16;

export class CachingStore<V = unknown> implements KeyValueStore<V>, LatinKeyed<V> {
  readonly name: string;
  readonly inner: KeyValueStore<V>;
  private readonly maxEntries: number;
  /** The store beneath, when it takes latin1 keys (no conversion back to bytes per write). */
  private readonly latinInner: LatinKeyed<V>;
  private readonly entries = new Map<string, Entry<V>>();
  private readonly dirty = new Set<Entry<V>>();
  private lastKey: Uint8Array | null = null;
  private lastKs = '';
  /** The entry of the last get/put (an operator's read-modify-write touches one key twice); null once dropped. */
  private lastEntry: Entry<V> | null = null;
  private dirtySorted: SortedKeySet | null = null;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private hand: MapIterator<[string, Entry<V>]> | null = null;
  private dirtyEvictions = 0;
  private readonly budget: CacheBudget;
  /** Bytes charged to `budget` by this store. */
  private bytes = 0;

  constructor(inner: KeyValueStore<V>, options: CachingStoreOptions = {}) {
    this.name = inner.name;
    this.inner = inner;
    this.latinInner = latinAccess(inner);
    const max = options.maxEntries ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxEntries must be a positive integer, got ${max}`);
    this.maxEntries = max;
    this.budget = options.budget ?? new CacheBudget(Number.MAX_SAFE_INTEGER);
  }

  get(key: Uint8Array): V | undefined {
    return this.getLatin(this.latin(key), key);
  }

  put(key: Uint8Array, value: V): void {
    checkKey(this.name, key);
    checkValue(this.name, value);
    this.write(this.latin(key), value);
  }

  getLatin(ks: string, key: Uint8Array | null): V | undefined {
    const last = this.lastEntry;
    const e = last !== null && last.ks === ks ? last : this.entries.get(ks);
    if (e !== undefined) {
      this.hits++;
      e.ref = true;
      this.lastEntry = e;
      return e.value;
    }
    this.misses++;
    const value = this.latinInner.getLatin(ks, key);
    const entry: Entry<V> = { ks, value, dirty: false, ref: false, size: 0, writes: 0 };
    this.entries.set(ks, entry);
    this.lastEntry = entry;
    this.resize(entry);
    if (this.entries.size > this.maxEntries || this.budget.exceeded) this.evict();
    return value;
  }

  putLatin(ks: string, value: V): void {
    if (ks.length === 0) checkKey(this.name, stringToKey(ks));
    checkValue(this.name, value);
    this.write(ks, value);
  }

  deleteLatin(ks: string): void {
    if (ks.length === 0) return;
    this.write(ks, undefined);
  }

  delete(key: Uint8Array): void {
    if (key.length === 0) return;
    this.write(this.latin(key), undefined);
  }

  /**
   * The key's latin1 image, reusing the last one when the bytes are the same: an operator's
   * read-modify-write (get then put of one key) converts once.
   */
  private latin(key: Uint8Array): string {
    const last = this.lastKs;
    const n = key.length;
    if (n === last.length && (key === this.lastKey || n <= 64)) {
      let i = 0;
      while (i < n && key[i] === last.charCodeAt(i)) i++;
      if (i === n) {
        this.lastKey = key;
        return last;
      }
    }
    const ks = keyToString(key);
    this.lastKey = key;
    this.lastKs = ks;
    return ks;
  }

  range(from: Uint8Array | null, to: Uint8Array | null, options?: RangeOptions): Iterable<KeyValue<V>> {
    const reverse = options?.reverse === true;
    const sources: Iterator<[string, Slot<V>]>[] = [];
    if (this.dirty.size > 0) {
      const [f, t] = latinRange(from, to);
      sources.push(this.dirtyEntries(this.sortedDirty().range(f, t, reverse)));
    }
    sources.push(innerEntries(this.inner.range(from, to, { reverse })));
    return toKeyValues(mergeSorted(sources, reverse), options);
  }

  prefix(prefix: Uint8Array, options?: RangeOptions): Iterable<KeyValue<V>> {
    return this.range(prefix, prefixEnd(prefix), options);
  }

  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.dropRange(from, to);
    this.inner.deleteRange(from, to);
  }

  expireRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.dropRange(from, to);
    this.inner.expireRange(from, to);
  }

  /** Forgets the cached entries in [from, to), dirty or not (the caller deletes them beneath). */
  private dropRange(from: Uint8Array | null, to: Uint8Array | null): void {
    if (from === null && to === null) {
      this.releaseAll();
      this.entries.clear();
      this.lastEntry = null;
      this.dirty.clear();
      this.dirtySorted = null;
    } else {
      const r = latinRange(from, to);
      for (const e of [...this.entries.values()]) if (inLatinRange(e.ks, r)) this.drop(e);
    }
  }

  approximateCount(): number {
    return this.inner.approximateCount();
  }

  async flush(): Promise<void> {
    if (this.dirty.size > 0) {
      // Unordered: the layers beneath order what they write themselves.
      for (const e of this.dirty) {
        this.writeDown(e.ks, e.value);
        e.dirty = false;
      }
      this.dirty.clear();
      this.dirtySorted = null;
    }
    await this.inner.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.releaseAll();
    this.entries.clear();
    this.lastEntry = null;
    await this.inner.close();
  }

  stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      dirtyEvictions: this.dirtyEvictions,
      entries: this.entries.size,
      dirty: this.dirty.size,
      maxEntries: this.maxEntries,
      bytes: this.bytes,
      budgetUsedBytes: this.budget.usedBytes,
      budgetMaxBytes: this.budget.maxBytes,
    };
  }

  private write(ks: string, value: V | undefined): void {
    const last = this.lastEntry;
    const e = last !== null && last.ks === ks ? last : this.entries.get(ks);
    if (e !== undefined) {
      this.lastEntry = e;
      // An entry cached as a miss was charged for no value: its first value is charged at once
      // (an aggregation's new key is a miss then a put, and most window keys see few writes).
      const hadValue = e.value !== undefined;
      e.value = value;
      e.ref = true;
      if (!e.dirty) this.markDirty(ks, e);
      if (++e.writes >= RESIZE_EVERY || value === undefined || !hadValue) {
        this.resize(e);
        if (this.budget.exceeded) this.evict();
      }
      return;
    }
    const entry: Entry<V> = { ks, value, dirty: false, ref: false, size: 0, writes: 0 };
    this.entries.set(ks, entry);
    this.lastEntry = entry;
    this.markDirty(ks, entry);
    this.resize(entry);
    if (this.entries.size > this.maxEntries || this.budget.exceeded) this.evict();
  }

  /** Gives this store's bytes back to the shared budget (the entries are being forgotten). */
  private releaseAll(): void {
    this.budget.charge(-this.bytes);
    this.bytes = 0;
    for (const e of this.entries.values()) e.size = 0;
  }

  private markDirty(ks: string, e: Entry<V>): void {
    e.dirty = true;
    this.dirty.add(e);
    this.dirtySorted?.add(ks);
  }

  /** Charges the budget for the entry's current value. */
  private resize(e: Entry<V>): void {
    const size = approximateEntrySize(e.ks, e.value);
    e.writes = 0;
    const delta = size - e.size;
    e.size = size;
    this.bytes += delta;
    this.budget.charge(delta);
  }

  /**
   * CLOCK: walk from the oldest entry, giving used ones a second chance (moved to the back),
   * until within maxEntries and (as far as this store's entries allow) within the shared budget.
   */
  private evict(): void {
    while (this.entries.size > this.maxEntries || (this.budget.exceeded && this.entries.size > 0)) {
      // A persistent hand: a fresh Map iterator per eviction would re-skip every deleted slot at
      // the front of the Map (quadratic under steady eviction).
      if (!this.hand) this.hand = this.entries.entries();
      const step = this.hand.next();
      if (step.done) {
        this.hand = null;
        continue;
      }
      const [ks, e] = step.value as [string, Entry<V>];
      if (e.ref) {
        e.ref = false;
        this.entries.delete(ks);
        this.entries.set(ks, e);
        continue;
      }
      this.evictions++;
      if (e.dirty) {
        this.dirtyEvictions++;
        this.writeDown(ks, e.value);
      }
      this.drop(e);
    }
  }

  private drop(e: Entry<V>): void {
    if (e === this.lastEntry) this.lastEntry = null;
    if (this.entries.delete(e.ks)) this.release(e);
    if (this.dirty.delete(e)) this.dirtySorted?.delete(e.ks);
  }

  private release(e: Entry<V>): void {
    this.bytes -= e.size;
    this.budget.charge(-e.size);
    e.size = 0;
  }

  private writeDown(ks: string, value: V | undefined): void {
    if (value === undefined) this.latinInner.deleteLatin(ks);
    else this.latinInner.putLatin(ks, value);
  }

  private sortedDirty(): SortedKeySet {
    if (this.dirtySorted === null) {
      const s = new SortedKeySet();
      s.addSorted([...this.dirty].map((e) => e.ks).sort());
      this.dirtySorted = s;
    }
    return this.dirtySorted;
  }

  private *dirtyEntries(keys: Iterable<string>): Generator<[string, Slot<V>], void, undefined> {
    for (const ks of keys) {
      const e = this.entries.get(ks);
      if (e === undefined || !e.dirty) continue; // evicted or flushed meanwhile: beneath has it
      yield [ks, e.value === undefined ? TOMBSTONE : e.value];
    }
  }
}

function* innerEntries<V>(it: Iterable<KeyValue<V>>): Generator<[string, Slot<V>], void, undefined> {
  for (const { key, value } of it) yield [keyToString(key), value];
}
