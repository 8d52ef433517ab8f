/**
 * Records every change to a store in a changelog topic, so the state survives the loss of the
 * local store (restoration: ./restore.ts).
 *
 * Changes are collected per key (the latest value, or a delete) and sent at `flush`, in ONE
 * `send` call: records keyed by the store key, value encoded by the codec, a delete as a
 * tombstone (null value), to one partition. The send completes before the store
 * beneath is flushed and before `flush` resolves — callers commit their input offsets only after
 * that, so a crash can repeat input but never lose state changes (at-least-once; restoration is
 * idempotent: the last value per key wins).
 *
 * Invariant: `changed` maps each key changed since the last successful send to its latest value
 * (TOMBSTONE for a delete). A failed send puts its changes back under newer ones.
 */
import type { Producer, ProducerRecord } from '../log/log.ts';
import { defaultCodec, type ValueCodec } from './codec.ts';
import { inLatinRange, keyToString, latinRange, stringToKey } from './keys.ts';
import { TOMBSTONE, type Slot } from './merge.ts';
import {
  isEncodedValueSink,
  latinAccess,
  type KeyValue,
  type KeyValueStore,
  type LatinKeyed,
  type RangeOptions,
} from './store.ts';

export interface ChangeLoggingOptions<V> {
  readonly producer: Producer;
  readonly topic: string;
  /** Partition of the changelog topic this store writes to. Default 0. */
  readonly partition?: number;
  readonly codec?: ValueCodec<V>;
  /**
   * Called after each flush that sent records, once the store beneath is flushed too, with the
   * changelog offset the local store now reflects (the last sent offset + 1): the place to write
   * a checkpoint.
   */
  readonly onFlushed?: (nextOffset: number) => void | Promise<void>;
  /**
   * The changelog topic deletes records by time retention (cleanup policy compact,delete), so
   * `expireRange` logs nothing. Default false: expiry is logged like deleteRange.
   */
  readonly unloggedExpiry?: boolean;
}

export class ChangeLoggingStore<V = unknown> implements KeyValueStore<V>, LatinKeyed<V> {
  readonly name: string;
  readonly inner: KeyValueStore<V>;
  private readonly latinInner: LatinKeyed<V>;
  readonly topic: string;
  readonly partition: number;
  private readonly producer: Producer;
  private readonly codec: ValueCodec<V>;
  private readonly onFlushed: ((nextOffset: number) => void | Promise<void>) | undefined;
  private readonly unloggedExpiry: boolean;
  private changed = new Map<string, Slot<V>>();
  private flushChain: Promise<void> = Promise.resolve();
  /** Records sent so far, and the offset after the last one (-1 before any send). */
  sentRecords = 0;
  nextOffset = -1;

  constructor(inner: KeyValueStore<V>, options: ChangeLoggingOptions<V>) {
    this.name = inner.name;
    this.inner = inner;
    this.latinInner = latinAccess(inner);
    this.producer = options.producer;
    this.topic = options.topic;
    this.partition = options.partition ?? 0;
    this.codec = options.codec ?? defaultCodec<V>();
    this.onFlushed = options.onFlushed;
    this.unloggedExpiry = options.unloggedExpiry === true;
  }

  get(key: Uint8Array): V | undefined {
    return this.inner.get(key);
  }

  put(key: Uint8Array, value: V): void {
    this.inner.put(key, value); // validates first: nothing is logged for a rejected write
    this.changed.set(keyToString(key), value);
  }

  delete(key: Uint8Array): void {
    if (key.length === 0) return;
    this.inner.delete(key);
    this.changed.set(keyToString(key), TOMBSTONE);
  }

  getLatin(ks: string, key: Uint8Array | null): V | undefined {
    return this.latinInner.getLatin(ks, key);
  }

  putLatin(ks: string, value: V): void {
    this.latinInner.putLatin(ks, value);
    this.changed.set(ks, value);
  }

  deleteLatin(ks: string): void {
    if (ks.length === 0) return;
    this.latinInner.deleteLatin(ks);
    this.changed.set(ks, TOMBSTONE);
  }

  range(from: Uint8Array | null, to: Uint8Array | null, options?: RangeOptions): Iterable<KeyValue<V>> {
    return this.inner.range(from, to, options);
  }

  prefix(prefix: Uint8Array, options?: RangeOptions): Iterable<KeyValue<V>> {
    return this.inner.prefix(prefix, options);
  }

  /** Logs a tombstone per existing key in the range (the changelog has no range delete). */
  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void {
    const doomed: string[] = [];
    for (const { key } of this.inner.range(from, to)) doomed.push(keyToString(key));
    this.inner.deleteRange(from, to);
    for (const ks of doomed) this.changed.set(ks, TOMBSTONE);
  }

  /**
   * With `unloggedExpiry`: deletes locally and forgets the range's unsent changes (the keys are
   * expired: whatever the changelog still holds for them, readers ignore after a restore).
   */
  expireRange(from: Uint8Array | null, to: Uint8Array | null): void {
    if (!this.unloggedExpiry) return this.deleteRange(from, to);
    this.inner.expireRange(from, to);
    const r = latinRange(from, to);
    for (const ks of this.changed.keys()) if (inLatinRange(ks, r)) this.changed.delete(ks);
  }

  approximateCount(): number {
    return this.inner.approximateCount();
  }

  /** Changes waiting to be sent. */
  pendingChanges(): number {
    return this.changed.size;
  }

  /** Serialised: a flush starts after the previous one finished, so checkpoints move forward. */
  flush(): Promise<void> {
    const p = this.flushChain.then(() => this.flushNow());
    this.flushChain = p.catch(() => {});
    return p;
  }

  private async flushNow(): Promise<void> {
    let next = -1;
    if (this.changed.size > 0) {
      const batch = this.changed;
      this.changed = new Map();
      try {
        next = await this.send(batch);
      } catch (e) {
        for (const [k, v] of this.changed) batch.set(k, v); // newer changes win
        this.changed = batch;
        throw e;
      }
    }
    await this.inner.flush();
    if (next >= 0) await this.onFlushed?.(next);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inner.close();
  }

  /**
   * Sends the changes in chunks of SEND_CHUNK records, one after the other: the records of a chunk
   * (and the producer's per-record results) die once it is sent, instead of a whole commit's
   * worth of them outliving young-generation collections while the commit is written (they were a
   * quarter of what Nexmark q5's old generation received). Resolves to the next offset.
   */
  private async send(batch: Map<string, Slot<V>>): Promise<number> {
    const timestamp = Date.now();
    // In the map's order, not sorted: one partition and the last record per key wins, so the
    // order of distinct keys does not matter to restoration or compaction.
    const sink = isEncodedValueSink(this.inner) ? this.inner : null;
    const partition = this.partition;
    const codec = this.codec;
    let max = -1;
    let records: ProducerRecord[] = [];
    const sendChunk = async (): Promise<void> => {
      const chunk = records;
      records = [];
      const results = await this.producer.send(this.topic, chunk);
      this.sentRecords += chunk.length;
      for (const r of results) if (r.offset > max) max = r.offset;
    };
    for (const [ks, v] of batch) {
      const key = stringToKey(ks);
      let value: Uint8Array | null = null;
      if (v !== TOMBSTONE) {
        value = codec.encode(v);
        sink?.adoptEncoded(ks, v, value, codec.id, key);
      }
      records.push({ key, value, timestamp, partition });
      if (records.length >= SEND_CHUNK) await sendChunk();
    }
    if (records.length > 0) await sendChunk();
    this.nextOffset = max + 1;
    return this.nextOffset;
  }
}

/** Changelog records per produce call of a flush (see send). */
const SEND_CHUNK = 4096;
