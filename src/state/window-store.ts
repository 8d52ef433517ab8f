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
import { prefixEnd, writeOrderedInt64 } from './keys.ts';
import { SegmentedStore, compositeKey, defaultSegmentInterval, parseCompositeKey, segmentPrefix } from './segments.ts';
import { isLatinKeyed, type KeyValueStore, type LatinKeyed } from './store.ts';

const ASCII = /^[\x00-\x7f]*$/;
const scratch = new Uint8Array(8);

/** The latin1 image of writeOrderedInt64(n) (./keys.ts). */
function orderedInt64Latin(n: number): string {
  writeOrderedInt64(scratch, 0, n);
  return String.fromCharCode(scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5], scratch[6], scratch[7]);
}

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
  /** The store beneath when it takes latin1 key images (the text path), else null. */
  private readonly latinKv: LatinKeyed<unknown> | null;
  /** Images of the last segment and window start the text path encoded (they repeat from record to record). */
  private textSeg = Number.NaN;
  private textSegImage = '';
  private textStart = Number.NaN;
  private textStartImage = '';
  /** The last text key built, for the same record key and start (get then put share one string). */
  private lastText: { recordKey: string; windowStart: number; ks: string } | null = null;

  constructor(kv: KeyValueStore<unknown>, options: WindowStoreOptions) {
    const size = options.windowSizeMs;
    if (!(Number.isSafeInteger(size) && size > 0)) throw new RangeError(`windowSizeMs must be a positive integer, got ${size}`);
    super(kv, {
      retentionMs: options.retentionMs,
      segmentIntervalMs: options.segmentIntervalMs ?? defaultSegmentInterval(size + options.retentionMs),
    });
    this.windowSizeMs = size;
    this.retainDuplicates = options.retainDuplicates === true;
    this.latinKv = isLatinKeyed(kv) && !this.retainDuplicates ? kv : null;
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

  /**
   * get by the record key's text, whose bytes are its UTF-8 encoding (as the operators' keyBytes
   * makes them). When the store beneath takes latin1 key images and the text is ASCII (one byte
   * per character, so the text is its own image), the window's store key is built as a string:
   * no bytes on the per-record path. Same results as get(Buffer.from(recordKey), windowStart).
   */
  getByText(recordKey: string, windowStart: number): V | undefined {
    if (this.isExpired(windowStart)) return undefined;
    const ks = this.textKey(recordKey, windowStart);
    if (ks === null) return this.get(Buffer.from(recordKey), windowStart);
    return this.latinKv!.getLatin(ks, null) as V | undefined;
  }

  /** put by the record key's text (see getByText). */
  putByText(recordKey: string, windowStart: number, value: V): boolean {
    const ks = this.textKey(recordKey, windowStart);
    if (ks === null) return this.put(Buffer.from(recordKey), windowStart, value);
    checkTime(windowStart);
    if (this.isExpired(windowStart)) return false;
    this.observe(windowStart, this.textSeg);
    this.latinKv!.putLatin(ks, value);
    return true;
  }

  /** The latin1 image of compositeKey(segment, utf8(recordKey), [windowStart]), or null when not available. */
  private textKey(recordKey: string, windowStart: number): string | null {
    const lastText = this.lastText;
    if (lastText !== null && lastText.windowStart === windowStart && lastText.recordKey === recordKey) return lastText.ks;
    if (this.latinKv === null || !Number.isSafeInteger(windowStart) || !ASCII.test(recordKey)) return null;
    const seg = this.segmentOf(windowStart);
    if (seg !== this.textSeg) {
      this.textSeg = seg;
      this.textSegImage = orderedInt64Latin(seg);
    }
    if (windowStart !== this.textStart) {
      this.textStart = windowStart;
      this.textStartImage = orderedInt64Latin(windowStart);
    }
    const n = recordKey.length;
    const ks = this.textSegImage + String.fromCharCode(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff) + recordKey + this.textStartImage;
    this.lastText = { recordKey, windowStart, ks };
    return ks;
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
