/**
 * A sorted in-memory store, for tests and small state. Values are kept by reference (never
 * serialised), so `flush` has nothing to do; durability comes from a ChangeLoggingStore above it
 * and restoration from the changelog after a restart.
 */
import { keyToString, latinRange, prefixEnd } from './keys.ts';
import { toKeyValues } from './merge.ts';
import { SortedMap } from './sorted-keys.ts';
import { StoreClosedError, checkKey, checkValue, type KeyValue, type KeyValueStore, type RangeOptions } from './store.ts';

export class InMemoryStore<V = unknown> implements KeyValueStore<V> {
  readonly name: string;
  private readonly data = new SortedMap<V>();
  private closed = false;

  constructor(name: string) {
    this.name = name;
  }

  get(key: Uint8Array): V | undefined {
    return this.data.get(keyToString(key));
  }

  put(key: Uint8Array, value: V): void {
    this.checkOpen();
    checkKey(this.name, key);
    checkValue(this.name, value);
    this.data.set(keyToString(key), value);
  }

  delete(key: Uint8Array): void {
    this.checkOpen();
    this.data.delete(keyToString(key));
  }

  range(from: Uint8Array | null, to: Uint8Array | null, options?: RangeOptions): Iterable<KeyValue<V>> {
    const [f, t] = latinRange(from, to);
    return toKeyValues(this.data.entries(f, t, options?.reverse === true), options);
  }

  prefix(prefix: Uint8Array, options?: RangeOptions): Iterable<KeyValue<V>> {
    return this.range(prefix, prefixEnd(prefix), options);
  }

  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.checkOpen();
    if (from === null && to === null) {
      this.data.clear();
      return;
    }
    const [f, t] = latinRange(from, to);
    const doomed = [...this.data.entries(f, t)].map(([k]) => k);
    for (const k of doomed) this.data.delete(k);
  }

  expireRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.deleteRange(from, to);
  }

  approximateCount(): number {
    return this.data.size;
  }

  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError(this.name);
  }
}
