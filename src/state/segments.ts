/**
 * Time-segmented key layout shared by WindowStore and SessionStore, over one KeyValueStore:
 *
 *   [segment: 8][key length: 4][record key][time: 8]...[seq: 4]?
 *
 * - segment = floor(time / segmentInterval) of the time that decides expiry (window start,
 *   session end), as an order-preserving int64 (./keys.ts), so a segment is a contiguous key
 *   range and expiring old segments is ONE range delete over [first segment, first live segment).
 * - the length prefix keeps one record key's entries contiguous (no other key can sort between
 *   "k" + times and "k" + times, as "k\x00..." could without it), so fetching a key within a
 *   segment is a range scan; entries of a key within a segment are ordered by the times.
 * - META_KEY (one 0x00 byte) sorts before every segment key (they are 8+ bytes, from
 *   MIN_SEGMENT_PREFIX up) and holds the store's stream time.
 *
 * Base class SegmentedStore: stream time, retention (dropping whole expired segments), and the
 * highest segment in use, which bounds the segments a fetch visits.
 */
import { Buffer } from 'node:buffer';
import { readOrderedInt64, readUint32, writeOrderedInt64, writeUint32 } from './keys.ts';
import type { KeyValueStore } from './store.ts';

export const META_KEY: Uint8Array = Uint8Array.of(0);
export const MIN_SEGMENT_PREFIX: Uint8Array = new Uint8Array(8);

/**
 * [segment][len][key] followed by `times` (8 bytes each) and, when not null, `seq` (4 bytes).
 * A Buffer (every byte is written), which LMDB reads take without a wrapping view.
 */
export function compositeKey(segment: number, key: Uint8Array, times: readonly number[], seq: number | null): Uint8Array {
  const out = Buffer.allocUnsafe(12 + key.length + 8 * times.length + (seq === null ? 0 : 4));
  writeOrderedInt64(out, 0, segment);
  writeUint32(out, 8, key.length);
  out.set(key, 12);
  let o = 12 + key.length;
  for (const t of times) {
    writeOrderedInt64(out, o, t);
    o += 8;
  }
  if (seq !== null) writeUint32(out, o, seq);
  return out;
}

export interface ParsedKey {
  readonly segment: number;
  readonly key: Uint8Array;
  /** The times, in layout order. */
  readonly times: number[];
}

export function parseCompositeKey(k: Uint8Array, timeCount: number): ParsedKey {
  const segment = readOrderedInt64(k, 0);
  const len = readUint32(k, 8);
  const key = k.slice(12, 12 + len);
  const times: number[] = [];
  for (let i = 0, o = 12 + len; i < timeCount; i++, o += 8) times.push(readOrderedInt64(k, o));
  return { segment, key, times };
}

/** First key of a segment. */
export function segmentPrefix(segment: number): Uint8Array {
  const out = new Uint8Array(8);
  writeOrderedInt64(out, 0, segment);
  return out;
}

interface Meta {
  streamTime: number;
  seq: number;
}

export interface SegmentedOptions {
  /** How long an entry is kept after its expiry time (window end, session end) falls behind stream time. */
  readonly retentionMs: number;
  /** Width of a segment. */
  readonly segmentIntervalMs: number;
}

export abstract class SegmentedStore {
  readonly name: string;
  protected readonly kv: KeyValueStore<unknown>;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  protected time: number;
  /** Segments below it were deleted. */
  private firstLiveSegment = Number.NEGATIVE_INFINITY;
  /** Highest segment that may hold entries (-Infinity: none). */
  protected maxSegment: number;
  /** Sequence for duplicate entries; persisted so a restart continues past used numbers. */
  protected seq: number;
  private metaDirty = false;
  /** The highest entry key when the store was opened (null: it held no entry): tells subclasses the layout in use. */
  protected readonly lastKeyAtOpen: Uint8Array | null;

  protected constructor(kv: KeyValueStore<unknown>, options: SegmentedOptions) {
    if (!(Number.isSafeInteger(options.retentionMs) && options.retentionMs >= 0)) {
      throw new RangeError(`retentionMs must be a non-negative integer, got ${options.retentionMs}`);
    }
    if (!(Number.isSafeInteger(options.segmentIntervalMs) && options.segmentIntervalMs > 0)) {
      throw new RangeError(`segmentIntervalMs must be a positive integer, got ${options.segmentIntervalMs}`);
    }
    this.name = kv.name;
    this.kv = kv;
    this.retentionMs = options.retentionMs;
    this.segmentIntervalMs = options.segmentIntervalMs;
    const meta = kv.get(META_KEY) as Meta | undefined;
    // The last key in the store belongs to the highest segment (META_KEY sorts first).
    let maxSegment = Number.NEGATIVE_INFINITY;
    let lastKey: Uint8Array | null = null;
    for (const { key } of kv.range(MIN_SEGMENT_PREFIX, null, { reverse: true, limit: 1 })) {
      maxSegment = readOrderedInt64(key, 0);
      lastKey = key;
    }
    this.lastKeyAtOpen = lastKey;
    this.maxSegment = maxSegment;
    // Writes after the last flush may be newer than the persisted stream time; the highest
    // segment's start is a lower bound that covers them.
    this.time = Math.max(meta?.streamTime ?? Number.NEGATIVE_INFINITY, maxSegment * this.segmentIntervalMs);
    this.seq = ((meta?.seq ?? 0) + 1_000_000) >>> 0; // skip numbers a crash may have used unpersisted
  }

  /** The highest time seen (advanceTime or entries put); -Infinity before any. */
  streamTime(): number {
    return this.time;
  }

  segmentOf(t: number): number {
    return Math.floor(t / this.segmentIntervalMs);
  }

  /**
   * Moves stream time forward (never back) and, when a segment has fully expired, deletes all
   * segments below the first live one in one range expiry (true then). Entries put also move
   * stream time (to their window start / session end), so retention works without calls here,
   * but operators should call it with the partition's stream time.
   *
   * Expiry logs no tombstones (KeyValueStore.expireRange; the changelog has time retention, as
   * Kafka Streams' windowed changelogs): a restore may bring back entries of expired segments,
   * which reads never return (they check expiry against stream time, restored with META_KEY)
   * and the first expiry after opening deletes (it starts at the lowest segment).
   */
  advanceTime(streamTime: number): boolean {
    if (!(streamTime > this.time)) return false;
    this.time = streamTime;
    this.metaDirty = true;
    const live = this.segmentOf(this.earliestLiveTime());
    if (!(live > this.firstLiveSegment)) return false;
    // Below firstLiveSegment nothing is left (puts to expired windows are refused).
    const from = this.firstLiveSegment === Number.NEGATIVE_INFINITY ? MIN_SEGMENT_PREFIX : segmentPrefix(this.firstLiveSegment);
    this.kv.expireRange(from, segmentPrefix(live));
    this.firstLiveSegment = live;
    return true;
  }

  /** Entries whose expiry time is below this are expired. */
  protected abstract earliestLiveTime(): number;

  /** Segments [first, last] that may hold live entries with segment times in [from, to]. */
  protected liveSegments(from: number, to: number): [number, number] {
    const first = this.segmentOf(Math.max(from, this.earliestLiveTime()));
    const last = Math.min(this.segmentOf(to), this.maxSegment);
    return [first, last];
  }

  /**
   * The segments of [first, last] to visit: each one when there are few, else only those that
   * hold entries (found by seeking to the next key), so a wide time range stays cheap.
   */
  protected *segments(first: number, last: number): Generator<number, void, undefined> {
    if (last - first <= 8) {
      for (let s = first; s <= last; s++) yield s;
      return;
    }
    let s = first;
    while (s <= last) {
      let next = Number.POSITIVE_INFINITY;
      for (const { key } of this.kv.range(segmentPrefix(s), null, { limit: 1 })) next = readOrderedInt64(key, 0);
      if (next > last) return;
      yield next;
      s = next + 1;
    }
  }

  protected observe(t: number, segment: number): void {
    if (segment > this.maxSegment) this.maxSegment = segment;
    if (t > this.time) this.advanceTime(t);
  }

  protected nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    this.metaDirty = true;
    return this.seq;
  }

  approximateCount(): number {
    return this.kv.approximateCount();
  }

  /** Persists stream time, then flushes the store beneath (the commit point). */
  async flush(): Promise<void> {
    if (this.metaDirty) {
      this.kv.put(META_KEY, { streamTime: this.time, seq: this.seq } satisfies Meta);
      this.metaDirty = false;
    }
    await this.kv.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.kv.close();
  }

  /** The key-value store beneath (for stats). */
  store(): KeyValueStore<unknown> {
    return this.kv;
  }
}

/** Kafka Streams' default: half the retention span, at least a minute. */
export function defaultSegmentInterval(spanMs: number): number {
  return Math.max(60_000, Math.floor(spanMs / 2));
}
