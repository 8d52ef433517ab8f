/**
 * Counts the operations on a store and samples their latency, for DESCRIBE EXTENDED and
 * benchmarks. The outermost layer of a stack, so it measures what operators see.
 *
 * Latency of get/put/delete is sampled (one call in `sampleEvery`, default 64): timing every
 * call would cost about as much as a cached get itself. Flushes are always timed. Percentiles
 * come from the most recent RING samples.
 */
import { CachingStore, type CacheStats } from './caching-store.ts';
import { ChangeLoggingStore } from './change-logging-store.ts';
import { latinAccess, type KeyValue, type KeyValueStore, type LatinKeyed, type RangeOptions } from './store.ts';

export interface LatencyStats {
  /** Number of timed calls (sampled). */
  readonly samples: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export interface ChangelogStats {
  readonly topic: string;
  readonly partition: number;
  readonly sentRecords: number;
  readonly pendingChanges: number;
}

/** A plain, JSON-serialisable snapshot. */
export interface StoreStats {
  readonly name: string;
  readonly gets: number;
  readonly puts: number;
  readonly deletes: number;
  readonly ranges: number;
  readonly deleteRanges: number;
  readonly flushes: number;
  readonly approximateCount: number;
  readonly getLatency: LatencyStats;
  readonly putLatency: LatencyStats;
  readonly flushLatency: LatencyStats;
  /** Present when the stack has a CachingStore. */
  readonly cache?: CacheStats;
  /** Present when the stack has a ChangeLoggingStore. */
  readonly changelog?: ChangelogStats;
}

const RING = 1024;

class LatencySampler {
  private readonly ring = new Float64Array(RING);
  private n = 0;
  private sum = 0;
  private max = 0;

  add(us: number): void {
    this.ring[this.n % RING] = us;
    this.n++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  stats(): LatencyStats {
    const k = Math.min(this.n, RING);
    const recent = Array.from(this.ring.subarray(0, k)).sort((a, b) => a - b);
    const pct = (p: number): number => (k === 0 ? 0 : recent[Math.min(k - 1, Math.floor(p * k))]);
    return {
      samples: this.n,
      meanUs: this.n === 0 ? 0 : this.sum / this.n,
      p50Us: pct(0.5),
      p99Us: pct(0.99),
      maxUs: this.max,
    };
  }
}

export interface MeteredStoreOptions {
  /** Time one call in this many (a power of two is cheapest). Default 64. */
  readonly sampleEvery?: number;
}

export class MeteredStore<V = unknown> implements KeyValueStore<V>, LatinKeyed<V> {
  readonly name: string;
  readonly inner: KeyValueStore<V>;
  private readonly latinInner: LatinKeyed<V>;
  private readonly mask: number;
  private gets = 0;
  private puts = 0;
  private deletes = 0;
  private ranges = 0;
  private deleteRanges = 0;
  private flushes = 0;
  private readonly getLat = new LatencySampler();
  private readonly putLat = new LatencySampler();
  private readonly flushLat = new LatencySampler();

  constructor(inner: KeyValueStore<V>, options: MeteredStoreOptions = {}) {
    this.name = inner.name;
    this.inner = inner;
    this.latinInner = latinAccess(inner);
    const every = options.sampleEvery ?? 64;
    // Round up to a power of two so the sampling test is a mask.
    this.mask = 2 ** Math.ceil(Math.log2(Math.max(1, every))) - 1;
  }

  get(key: Uint8Array): V | undefined {
    if ((this.gets++ & this.mask) !== 0) return this.inner.get(key);
    const t = performance.now();
    const v = this.inner.get(key);
    this.getLat.add((performance.now() - t) * 1000);
    return v;
  }

  put(key: Uint8Array, value: V): void {
    if ((this.puts++ & this.mask) !== 0) return this.inner.put(key, value);
    const t = performance.now();
    this.inner.put(key, value);
    this.putLat.add((performance.now() - t) * 1000);
  }

  delete(key: Uint8Array): void {
    this.deletes++;
    this.inner.delete(key);
  }

  // The latin1-image fast path (./store.ts), counted like get/put/delete (not timed).
  getLatin(ks: string, key: Uint8Array | null): V | undefined {
    this.gets++;
    return this.latinInner.getLatin(ks, key);
  }

  putLatin(ks: string, value: V): void {
    this.puts++;
    this.latinInner.putLatin(ks, value);
  }

  deleteLatin(ks: string): void {
    this.deletes++;
    this.latinInner.deleteLatin(ks);
  }

  range(from: Uint8Array | null, to: Uint8Array | null, options?: RangeOptions): Iterable<KeyValue<V>> {
    this.ranges++;
    return this.inner.range(from, to, options);
  }

  prefix(prefix: Uint8Array, options?: RangeOptions): Iterable<KeyValue<V>> {
    this.ranges++;
    return this.inner.prefix(prefix, options);
  }

  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.deleteRanges++;
    this.inner.deleteRange(from, to);
  }

  expireRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.deleteRanges++;
    this.inner.expireRange(from, to);
  }

  approximateCount(): number {
    return this.inner.approximateCount();
  }

  async flush(): Promise<void> {
    const t = performance.now();
    await this.inner.flush();
    this.flushes++;
    this.flushLat.add((performance.now() - t) * 1000);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  stats(): StoreStats {
    let cache: CacheStats | undefined;
    let changelog: ChangelogStats | undefined;
    for (let s: KeyValueStore<V> | undefined = this.inner; s !== undefined; s = innerOf(s)) {
      if (s instanceof CachingStore) cache ??= s.stats();
      if (s instanceof ChangeLoggingStore) {
        changelog ??= {
          topic: s.topic,
          partition: s.partition,
          sentRecords: s.sentRecords,
          pendingChanges: s.pendingChanges(),
        };
      }
    }
    return {
      name: this.name,
      gets: this.gets,
      puts: this.puts,
      deletes: this.deletes,
      ranges: this.ranges,
      deleteRanges: this.deleteRanges,
      flushes: this.flushes,
      approximateCount: this.approximateCount(),
      getLatency: this.getLat.stats(),
      putLatency: this.putLat.stats(),
      flushLatency: this.flushLat.stats(),
      ...(cache ? { cache } : {}),
      ...(changelog ? { changelog } : {}),
    };
  }
}

/** The store a decorator wraps, if any. */
export function innerOf<V>(store: KeyValueStore<V>): KeyValueStore<V> | undefined {
  const inner = (store as { inner?: unknown }).inner;
  return inner !== undefined && inner !== null && typeof inner === 'object' ? (inner as KeyValueStore<V>) : undefined;
}
