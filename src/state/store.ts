/**
 * The key-value store contract of the state layer. Stateful operators (aggregations, windows,
 * joins) keep their state in one, reached through a stack of decorators (Kafka Streams' layout):
 *
 *   MeteredStore → CachingStore → ChangeLoggingStore → LmdbStore | InMemoryStore
 *
 * Keys are byte strings (`Uint8Array`), not JS strings: operators already hold serialised keys
 * (record keys from the log, serialised GROUP BY keys), changelog records need bytes, LMDB keys
 * are bytes, and composite keys (window store: key bytes + big-endian window start) must order
 * bytewise, which a JS string of arbitrary UTF-16 would not. Order is unsigned bytewise (see
 * ./keys.ts); the in-memory layers use a latin1-string image of the bytes that has that order.
 *
 * Values are structured data (V), serialised only where bytes are needed (LMDB, changelog) by a
 * ValueCodec (./codec.ts), which round-trips number, bigint, Decimal, Uint8Array, strings, arrays
 * and plain objects.
 *
 * Contract:
 * - `get`/`put`/`delete`/`range` are synchronous (no promise per row) and see every earlier write,
 *   flushed or not.
 * - Keys are non-empty (LMDB: at most 1978 bytes).
 * - Values are never null or undefined (`put` throws; use `delete`). A value handed to `put`, or
 *   returned by `get`/`range`, is owned by the store and must not be mutated afterwards: caching
 *   layers keep the very object.
 * - `flush()` is the commit point: when it resolves, every earlier write is durable as far as the
 *   layer promises (LMDB committed; changelog records sent). Callers commit input offsets only
 *   after it resolves. Calls to `flush` are serialised.
 * - Ranges are half-open [from, to) with null meaning unbounded; an iterator reflects writes made
 *   while it is open only for keys it has not reached, with no guarantee (collect first, e.g.
 *   `[...store.range(a, b)]`, when you will write during the loop). Iterators never throw because
 *   of such writes.
 */
import { stringToKey } from './keys.ts';

export interface KeyValue<V> {
  readonly key: Uint8Array;
  readonly value: V;
}

export interface RangeOptions {
  /** Descending key order. */
  readonly reverse?: boolean;
  /** At most this many entries. */
  readonly limit?: number;
}

export interface KeyValueStore<V = unknown> {
  /** Stable name, e.g. `CTAS_X_1/Aggregate/state`. */
  readonly name: string;
  get(key: Uint8Array): V | undefined;
  put(key: Uint8Array, value: V): void;
  delete(key: Uint8Array): void;
  /** Entries with from <= key < to (null: unbounded), in key order. */
  range(from: Uint8Array | null, to: Uint8Array | null, options?: RangeOptions): Iterable<KeyValue<V>>;
  /** Entries whose key starts with `prefix`, in key order. */
  prefix(prefix: Uint8Array, options?: RangeOptions): Iterable<KeyValue<V>>;
  /**
   * Deletes every key in [from, to) — `deleteRange(null, null)` empties the store. Each deleted
   * key counts as a delete (a tombstone in the changelog).
   */
  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void;
  /**
   * Deletes every key in [from, to) like deleteRange, but as expiry: a changelog layer may log no
   * tombstones for it (and drops the range's unsent changes), because the changelog topic deletes
   * old records by time retention. The caller promises that it ignores, and expires again, any
   * entry of such a range that a restore brings back (Kafka Streams' dropped window segments).
   */
  expireRange(from: Uint8Array | null, to: Uint8Array | null): void;
  /** Number of entries; exact for the in-memory stores, as of the last flush for LMDB. */
  approximateCount(): number;
  /** The commit point (see the header). */
  flush(): Promise<void>;
  /** Flushes, then releases resources; the store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Optional fast path between layers that share a codec: ChangeLoggingStore, having encoded the
 * latest value of a key for the changelog at flush, hands the bytes to the store beneath, which
 * then need not encode that value again when it writes it (only if the value is still the very
 * one it holds). `key` is the latin1 image of the key bytes (./keys.ts).
 */
export interface EncodedValueSink<V> {
  /** `keyBytes`: the key's bytes the layer above made too (its changelog record's key), reused. */
  adoptEncoded(key: string, value: V, bytes: Uint8Array, codecId: string, keyBytes?: Buffer): void;
}

export function isEncodedValueSink<V>(store: KeyValueStore<V>): store is KeyValueStore<V> & EncodedValueSink<V> {
  return typeof (store as Partial<EncodedValueSink<V>>).adoptEncoded === 'function';
}

/**
 * Optional fast path between layers: get/put/delete given the key's latin1 image (./keys.ts), so
 * that image is computed once per operation by the top layer (CachingStore, or a window store that
 * builds it directly) rather than once per layer. `getLatin` also gets the bytes when the caller
 * has them (null: a store that reads beneath, LMDB, makes them from the image). Same contract and
 * validation as get/put/delete.
 */
export interface LatinKeyed<V> {
  getLatin(ks: string, key: Uint8Array | null): V | undefined;
  putLatin(ks: string, value: V): void;
  deleteLatin(ks: string): void;
}

export function isLatinKeyed<V>(store: KeyValueStore<V>): store is KeyValueStore<V> & LatinKeyed<V> {
  return typeof (store as Partial<LatinKeyed<V>>).putLatin === 'function';
}

/** Latin1-image access to `store`: its own fast path when it has one, else through the key bytes. */
export function latinAccess<V>(store: KeyValueStore<V>): LatinKeyed<V> {
  if (isLatinKeyed(store)) return store;
  return {
    getLatin: (ks, key) => store.get(key ?? stringToKey(ks)),
    putLatin: (ks, value) => store.put(stringToKey(ks), value),
    deleteLatin: (ks) => store.delete(stringToKey(ks)),
  };
}

/** Throws unless `key` is 1..max bytes (LMDB rejects empty keys; all stores do, for one contract). */
export function checkKey(name: string, key: Uint8Array, max = Infinity): void {
  if (key.length === 0 || key.length > max) {
    throw new RangeError(`Store '${name}': keys must be non-empty${max < Infinity ? ` and at most ${max} bytes` : ''}, got ${key.length} bytes`);
  }
}

/** Throws unless `value` is storable (not null/undefined). Shared by the implementations. */
export function checkValue(name: string, value: unknown): void {
  if (value === null || value === undefined) {
    throw new TypeError(`Store '${name}': values cannot be ${value}; use delete()`);
  }
}

export class StoreClosedError extends Error {
  constructor(name: string) {
    super(`Store '${name}' is closed`);
  }
}
