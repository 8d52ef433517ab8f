/**
 * Windowed state (TUMBLING / HOPPING aggregations, stream-stream join buffers) over a key-value
 * store, in time segments keyed by window start (layout: ./segments.ts):
 *
 *   key = [segment(start)][len][record key][start][seq?]
 *
 * `fetch(key, fromStart, toStart)` is one range scan per segment overlapping [fromStart, toStart]
 * (usually one or two); `fetchAll(fromStart, toStart)` scans those segments whole.
 *
 * Retention: a window [start, start + size) is expired once its end is older than
 * stream time − retention (end < streamTime − retentionMs); expired windows are never returned,
 * puts to them are dropped, and whole segments of expired windows are deleted with one range
 * delete, so the stored entries stay within about (size + retention + segmentInterval) of
 * stream time.
 *
 * With `retainDuplicates` (join buffers), every put adds an entry (a sequence number follows the
 * start in the key), and get/delete are not available.
 */
import { prefixEnd } from './keys.ts';
import { SegmentedStore, compositeKey, defaultSegmentInterval, parseCompositeKey, segmentPrefix } from './segments.ts';
import type { KeyValueStore } from './store.ts';

export interface WindowStoreOptions {
  /** Window length: a window starting at s ends at s + windowSizeMs (exclusive). */
  readonly windowSizeMs: number;
  /** How long after its end a window is kept (the grace period, plus what pull queries need). */
  readonly retentionMs: number;
  /** Default: max(60 s, (windowSizeMs + retentionMs) / 2). */
  readonly segmentIntervalMs?: number;
  readonly retainDuplicates?: boolean;
}

export interface WindowEntry<V> {
  readonly key: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly value: V;
}

export class WindowStore<V = unknown> extends SegmentedStore {
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** The last key built by windowKey and its window start (keys are never mutated once built). */
  private lastKey: Uint8Array | null = null;
  private lastStart = 0;

  constructor(kv: KeyValueStore<unknown>, options: WindowStoreOptions) {
    const size = options.windowSizeMs;
    if (!(Number.isSafeInteger(size) && size > 0)) throw new RangeError(`windowSizeMs must be a positive integer, got ${size}`);
    super(kv, {
      retentionMs: options.retentionMs,
      segmentIntervalMs: options.segmentIntervalMs ?? defaultSegmentInterval(size + options.retentionMs),
    });
    this.windowSizeMs = size;
    this.retainDuplicates = options.retainDuplicates === true;
  }

  protected earliestLiveTime(): number {
    // Live iff start + size >= streamTime - retention.
    return this.time - this.retentionMs - this.windowSizeMs;
  }

  isExpired(windowStart: number): boolean {
    return windowStart < this.earliestLiveTime();
  }

  /** Stores the window's value; returns false (and stores nothing) when the window has expired. */
  put(key: Uint8Array, windowStart: number, value: V): boolean {
    checkTime(windowStart);
    if (this.isExpired(windowStart)) return false;
    const seg = this.segmentOf(windowStart);
    this.observe(windowStart, seg);
    if (this.retainDuplicates) this.kv.put(compositeKey(seg, key, [windowStart], this.nextSeq()), value);
    else this.kv.put(this.windowKey(key, windowStart), value);
    return true;
  }

  get(key: Uint8Array, windowStart: number): V | undefined {
    this.noDuplicates('get');
    if (this.isExpired(windowStart)) return undefined;
    return this.kv.get(this.windowKey(key, windowStart)) as V | undefined;
  }

  delete(key: Uint8Array, windowStart: number): void {
    this.noDuplicates('delete');
    this.kv.delete(this.windowKey(key, windowStart));
  }

  /**
   * The store key of a window (no duplicates), reusing the last one built for the same key bytes
   * and start: an aggregation's get then put of a window builds it once.
   */
  private windowKey(key: Uint8Array, windowStart: number): Uint8Array {
    const last = this.lastKey;
    const n = key.length;
    if (last !== null && this.lastStart === windowStart && last.length === n + 20) {
      let i = 0;
      while (i < n && last[12 + i] === key[i]) i++;
      if (i === n) return last;
    }
    const k = compositeKey(this.segmentOf(windowStart), key, [windowStart], null);
    this.lastKey = k;
    this.lastStart = windowStart;
    return k;
  }

  /** The key's live windows with fromStart <= start <= toStart, by start (descending with `reverse`). */
  fetch(key: Uint8Array, fromStart: number, toStart: number, options: { reverse?: boolean } = {}): WindowEntry<V>[] {
    const out: WindowEntry<V>[] = [];
    const [first, last] = this.liveSegments(fromStart, toStart);
    const reverse = options.reverse === true;
    const lo = Math.max(fromStart, this.earliestLiveTime());
    const segs = [...this.segments(first, last)];
    if (reverse) segs.reverse();
    for (const seg of segs) {
      const from = compositeKey(seg, key, [Math.max(lo, seg * this.segmentIntervalMs)], null);
      // Exclusive bound just after toStart (clamped to the segment, so it stays a safe integer);
      // it sorts below every duplicate (seq) entry of the next start.
      const to = compositeKey(seg, key, [Math.min(toStart, (seg + 1) * this.segmentIntervalMs - 1) + 1], null);
      for (const { key: k, value } of this.kv.range(from, to, { reverse })) {
        const start = parseCompositeKey(k, 1).times[0];
        out.push({ key, start, end: start + this.windowSizeMs, value: value as V });
      }
    }
    return out;
  }

  /** All live windows with fromStart <= start <= toStart, grouped by segment, then by key and start. */
  *fetchAll(fromStart: number, toStart: number): Generator<WindowEntry<V>, void, undefined> {
    const [first, last] = this.liveSegments(fromStart, toStart);
    const lo = Math.max(fromStart, this.earliestLiveTime());
    for (const seg of this.segments(first, last)) {
      const p = segmentPrefix(seg);
      for (const { key: k, value } of this.kv.range(p, prefixEnd(p))) {
        const { key, times } = parseCompositeKey(k, 1);
        const start = times[0];
        if (start < lo || start > toStart) continue;
        yield { key, start, end: start + this.windowSizeMs, value: value as V };
      }
    }
  }

  private noDuplicates(op: string): void {
    if (this.retainDuplicates) throw new Error(`Window store '${this.name}' retains duplicates: ${op}() by window start is not available`);
  }
}

function checkTime(t: number): void {
  if (!Number.isSafeInteger(t)) throw new RangeError(`window start must be an integer (ms), got ${t}`);
}
