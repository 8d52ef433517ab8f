/**
 * LMDB-backed stores: one named database per store in a query's LMDB environment (./lmdb-env.ts).
 *
 * Writes go to an in-memory overlay (latest value or tombstone per key, in key order) and are
 * written to LMDB in one transaction at `flush`, so the per-row path never waits for I/O and a
 * key updated many times between flushes is written once. Reads consult the overlay first
 * (also the one being committed by an in-flight flush), then LMDB with a synchronous read.
 * Values are encoded at flush time, with the store's codec.
 *
 * Invariant: `pending` holds the writes since the last flush started; `flushing` holds the writes
 * of the flush in progress (null otherwise); LMDB holds everything before. An overlay marked
 * `cleared` hides everything older than itself (deleteRange(null, null)); an overlay's `ranges`
 * (range deletes) hide the keys in them that are older than the overlay — its own `data` has no
 * key in a range except those written after the range delete, so a commit deletes the ranges
 * first, then writes `data`. A range delete thus costs nothing until the commit, which deletes
 * the committed keys in the range inside its transaction.
 */
import type { Database } from 'lmdb';
import type { ValueCodec } from './codec.ts';
import { MAX_KEY_BYTES, type LongKeyTable } from './lmdb-long-keys.ts';
import { asBuffer, inLatinRange, keyToString, latinRange, prefixEnd, stringToKey, type LatinRange } from './keys.ts';
import { TOMBSTONE, mergeSorted, toKeyValues, type Slot } from './merge.ts';
import { Encoded, Overlay, hides, outside } from './lmdb-overlay.ts';
import {
  StoreClosedError,
  checkKey,
  checkValue,
  type EncodedValueSink,
  type KeyValue,
  type KeyValueStore,
  type LatinKeyed,
  type RangeOptions,
} from './store.ts';

/** LMDB's key limit: longer keys are kept in the store's long-key table (./lmdb-long-keys.ts). */
export { MAX_KEY_BYTES };


/** One store's part of an environment commit: `apply` runs inside the transaction, `settle` after it. */
export interface PreparedCommit {
  apply(): void;
  settle(committed: boolean): void;
}

export class LmdbStore<V = unknown> implements KeyValueStore<V>, EncodedValueSink<V>, LatinKeyed<V> {
  readonly name: string;
  private readonly db: Database<Buffer, Buffer>;
  private readonly codec: ValueCodec<V>;
  private readonly onClose: () => void;
  private readonly long: LongKeyTable | null;
  private pending = new Overlay<V>();
  private flushing: Overlay<V> | null = null;
  private flushChain: Promise<void> = Promise.resolve();
  private count = -1; // committed entry count, -1 = unknown
  private closed = false;
  /**
   * Writes are committed only by the environment's `commit` (together with the other deferred
   * stores and the meta entries), never by this store's own flush; `close` then drops what was
   * not committed. Off: `flush` commits this store alone (restoration, standalone use).
   */
  deferred = false;

  constructor(name: string, db: Database<Buffer, Buffer>, codec: ValueCodec<V>, onClose: () => void, long: LongKeyTable | null = null) {
    this.name = name;
    this.db = db;
    this.codec = codec;
    this.onClose = onClose;
    this.long = long;
  }

  /** Whether keys above LMDB's limit are accepted (kept in the long-key table). */
  private get maxKey(): number {
    return this.long ? Infinity : MAX_KEY_BYTES;
  }

  get(key: Uint8Array): V | undefined {
    return this.getLatin(null, key);
  }

  /** `ks`: the key's latin1 image, null when not computed yet (only needed with overlays). */
  getLatin(ks: string | null, key: Uint8Array | null): V | undefined {
    const pending = this.pending;
    const flushing = this.flushing;
    if (pending.data.size > 0 || pending.cleared || pending.ranges.length > 0 || flushing !== null) {
      ks ??= keyToString(key!);
      let v = pending.data.get(ks);
      if (v !== undefined) return v === TOMBSTONE ? undefined : v;
      if (pending.cleared || hides(pending, ks)) return undefined;
      if (flushing !== null) {
        v = flushing.data.get(ks);
        if (v !== undefined) return v === TOMBSTONE ? undefined : v;
        if (flushing.cleared || hides(flushing, ks)) return undefined;
      }
    }
    key ??= stringToKey(ks!);
    if (key.length === 0) return undefined;
    if (key.length > MAX_KEY_BYTES) {
      const raw = this.long?.get(key);
      return raw === undefined ? undefined : this.codec.decode(raw);
    }
    const raw = this.db.getBinaryFast(asBuffer(key));
    return raw === undefined ? undefined : this.codec.decode(raw);
  }

  put(key: Uint8Array, value: V): void {
    this.checkOpen();
    checkKey(this.name, key, this.maxKey);
    checkValue(this.name, value);
    this.pending.data.set(keyToString(key), value);
  }

  putLatin(ks: string, value: V): void {
    this.checkOpen();
    // Same checks as put: the image has one character per byte.
    if (ks.length === 0 || ks.length > this.maxKey) checkKey(this.name, stringToKey(ks), this.maxKey);
    checkValue(this.name, value);
    this.pending.data.set(ks, value);
  }

  delete(key: Uint8Array): void {
    this.checkOpen();
    if (key.length === 0) return;
    this.pending.data.set(keyToString(key), TOMBSTONE);
  }

  deleteLatin(ks: string): void {
    this.checkOpen();
    if (ks.length === 0) return;
    this.pending.data.set(ks, TOMBSTONE);
  }

  range(from: Uint8Array | null, to: Uint8Array | null, options?: RangeOptions): Iterable<KeyValue<V>> {
    const reverse = options?.reverse === true;
    return toKeyValues(this.merged(from, to, reverse, true), options);
  }

  prefix(prefix: Uint8Array, options?: RangeOptions): Iterable<KeyValue<V>> {
    return this.range(prefix, prefixEnd(prefix), options);
  }

  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.checkOpen();
    if (from === null && to === null) {
      this.pending = new Overlay<V>();
      this.pending.cleared = true;
      return;
    }
    // A range tombstone, not a tombstone per key: no enumeration now (the commit deletes the
    // committed keys), and the overlay's lookup-only map never needs its sorted index for it.
    const r = latinRange(from, to);
    const ov = this.pending;
    for (const ks of ov.data.unorderedKeys()) {
      if (inLatinRange(ks, r)) {
        ov.data.delete(ks);
        ov.encoded.delete(ks);
      }
    }
    ov.ranges.push(r);
  }

  /** Nothing beneath to skip logging for: the same as deleteRange. */
  expireRange(from: Uint8Array | null, to: Uint8Array | null): void {
    this.deleteRange(from, to);
  }

  adoptEncoded(key: string, value: V, bytes: Uint8Array, codecId: string, keyBytes?: Buffer): void {
    if (codecId === this.codec.id && this.pending.data.get(key) === value) this.pending.encoded.set(key, new Encoded(value, bytes, keyBytes));
  }

  /** Committed entries (changes since the last flush are not counted). */
  approximateCount(): number {
    if (this.count < 0) this.count = (this.db.getStats() as { entryCount: number }).entryCount + (this.long?.count() ?? 0);
    return this.count;
  }

  flush(): Promise<void> {
    this.checkOpen();
    if (this.deferred) return this.flushChain;
    const p = this.flushChain.then(() => this.commit());
    this.flushChain = p.catch(() => {});
    return p;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    // Deferred: what the environment did not commit is not part of any commit point; dropped.
    if (this.deferred) this.pending = new Overlay<V>();
    this.onClose();
  }

  /** Closes without flushing: un-flushed writes are dropped. */
  async discard(): Promise<void> {
    await this.flushChain;
    this.closed = true;
    this.pending = new Overlay<V>();
    this.onClose();
  }

  private async commit(): Promise<void> {
    const p = this.prepare();
    if (p === null) return;
    try {
      await this.db.transaction(() => p.apply());
    } catch (e) {
      p.settle(false);
      throw e;
    }
    p.settle(true);
  }

  /**
   * Moves the pending writes to `flushing` and encodes them (an unencodable value fails here,
   * with nothing written); null when there is nothing to write. The caller runs `apply` inside
   * an LMDB write transaction and then `settle` with whether it committed.
   */
  prepare(): PreparedCommit | null {
    const ov = this.pending;
    if (ov.data.size === 0 && !ov.cleared && ov.ranges.length === 0) return null;
    // Two parallel arrays in key order (no pair per entry: a commit writes many at once); keys and
    // values made by the changelog layer above are reused.
    const sorted = ov.data.sortedKeyArray();
    const keys: Buffer[] = new Array(sorted.length);
    const values: (Uint8Array | null)[] = new Array(sorted.length);
    const encoded = ov.encoded;
    for (let i = 0; i < sorted.length; i++) {
      const k = sorted[i];
      const v = ov.data.get(k)!;
      const e = encoded.get(k);
      keys[i] = e?.key ?? stringToKey(k);
      values[i] = v === TOMBSTONE ? null : e !== undefined && e.value === v ? e.bytes : this.codec.encode(v);
    }
    this.pending = new Overlay<V>();
    this.flushing = ov;
    const db = this.db;
    const long = this.long;
    return {
      apply: () => {
        if (ov.cleared) {
          db.clearSync();
          long?.clearSync();
        }
        for (const [from, to] of ov.ranges) {
          // Collected first (keys are copies): removing under an open cursor is not something to rely on.
          const lo = from === null ? null : stringToKey(from);
          const hi = to === null ? null : stringToKey(to);
          const doomed = Array.from(db.getKeys({ start: lo === null ? undefined : lmdbBound(lo), end: hi === null ? undefined : hi.length > MAX_KEY_BYTES ? endAfter(hi) : hi }));
          for (const k of doomed) if ((from === null || keyToString(k) >= from) && (to === null || keyToString(k) < to)) db.removeSync(k);
          long?.removeRangeSync(from === null ? null : stringToKey(from), to === null ? null : stringToKey(to));
        }
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const v = values[i];
          if (k.length > MAX_KEY_BYTES) {
            if (v === null) long?.removeSync(k);
            else long?.putSync(k, v);
          } else if (v === null) db.removeSync(k);
          else db.putSync(k, v as Buffer);
        }
      },
      settle: (committed) => {
        this.flushing = null;
        if (committed) {
          this.count = -1;
          return;
        }
        // Nothing was committed: put the writes back under the newer pending ones.
        const newer = this.pending;
        this.pending = ov;
        if (newer.cleared) {
          ov.data.clear();
          ov.ranges.length = 0;
          ov.cleared = true;
        }
        for (const r of newer.ranges) {
          for (const ks of ov.data.unorderedKeys()) if (inLatinRange(ks, r)) ov.data.delete(ks);
          ov.ranges.push(r);
        }
        for (const [k, v] of newer.data.unordered()) ov.data.set(k, v);
      },
    };
  }

  /** Overlays (newest first) merged over LMDB's committed data, in [from, to). */
  private merged(
    from: Uint8Array | null,
    to: Uint8Array | null,
    reverse: boolean,
    withValues: boolean,
  ): Generator<[string, V], void, undefined> {
    const [f, t] = latinRange(from, to);
    const sources: Iterator<[string, Slot<V>]>[] = [];
    let hidden = false;
    // Range deletes of the overlays newer than the source being added.
    const newerRanges: LatinRange[] = [];
    const add = (src: Iterator<[string, Slot<V>]>): void => {
      sources.push(newerRanges.length === 0 ? src : outside(src, [...newerRanges]));
    };
    for (const ov of this.flushing === null ? [this.pending] : [this.pending, this.flushing]) {
      if (ov.data.size > 0) add(ov.data.entries(f, t, reverse));
      if (ov.cleared) {
        hidden = true;
        break;
      }
      for (const r of ov.ranges) {
        if ((r[1] === null || f === null || r[1] > f) && (r[0] === null || t === null || r[0] < t)) newerRanges.push(r);
      }
    }
    if (!hidden) add(this.committed(from, to, f, reverse, withValues));
    return mergeSorted(sources, reverse);
  }

  private *committed(
    from: Uint8Array | null,
    to: Uint8Array | null,
    f: string | null,
    reverse: boolean,
    withValues: boolean,
  ): Generator<[string, Slot<V>], void, undefined> {
    const start = reverse ? to : from;
    // lmdb-js: `start` is inclusive and `end` exclusive in either direction, so the reverse scan
    // starts at `to` (skipped below) and stops by hand at `from`, which must be included.
    // Bounds above LMDB's key limit are cut to it (the main database holds no longer keys; the
    // cut bound is then at most one key too wide, dropped by the checks below).
    const options = {
      start: start === null ? undefined : lmdbBound(start),
      end: reverse || to === null ? undefined : to.length > MAX_KEY_BYTES ? endAfter(to) : asBuffer(to),
      reverse,
    };
    const t = to !== null && (reverse || to.length > MAX_KEY_BYTES) ? keyToString(to) : null;
    const fCheck = !reverse && from !== null && from.length > MAX_KEY_BYTES ? f : null;
    // Long keys in the range, sorted: merged in below (usually none).
    const long = this.long?.range(from, to, reverse) ?? [];
    let li = 0;
    const decode = (raw: Uint8Array): Slot<V> => (withValues ? this.codec.decode(raw) : (null as Slot<V>));
    // Without values (deleteRange) the value slot carries a placeholder that is not a tombstone.
    const entries = withValues ? this.db.getRange(options) : this.db.getKeys(options).map((key) => ({ key, value: null }));
    for (const e of entries) {
      const ks = keyToString(e.key);
      if (reverse) {
        if (t !== null && ks >= t) continue;
        if (f !== null && ks < f) break;
      } else {
        if (fCheck !== null && ks < fCheck) continue;
        if (t !== null && ks >= t) break;
      }
      while (li < long.length && (reverse ? long[li][0] > ks : long[li][0] < ks)) {
        yield [long[li][0], decode(long[li][1])];
        li++;
      }
      yield [ks, withValues ? this.codec.decode(e.value as Buffer) : (null as Slot<V>)];
    }
    for (; li < long.length; li++) yield [long[li][0], decode(long[li][1])];
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError(this.name);
  }
}

/** A range bound LMDB accepts: cut to its key limit (a long bound then admits one key too many, checked by the caller). */
function lmdbBound(key: Uint8Array): Buffer {
  return asBuffer(key.length > MAX_KEY_BYTES ? key.subarray(0, MAX_KEY_BYTES) : key);
}

/** An exclusive end for the main database covering every key below the long key `to`. */
function endAfter(to: Uint8Array): Buffer | undefined {
  const e = prefixEnd(to.subarray(0, MAX_KEY_BYTES));
  return e === null ? undefined : asBuffer(e);
}

