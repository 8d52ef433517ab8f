/**
 * Windowed state (TUMBLING / HOPPING aggregations, stream-stream join buffers) over a key-value
 * store, in time segments keyed by window start (./segments.ts). Without duplicates, new stores
 * are start-major (./window-layout.ts: a commit writes the pages of the open windows only):
 *
 *   key = [segment(start)][start][record key]
 *
 * stores written before keep key-major; with duplicates (join buffers) always key-major:
 *
 *   key = [segment(start)][len][record key][start][seq?]
 *
 * `fetch(key, fromStart, toStart)` is one range scan per segment overlapping [fromStart, toStart]
 * (usually one or two; start-major: over every key of those starts, nothing calls it on an
 * aggregation's store); `fetchAll(fromStart, toStart)` scans those segments whole.
 *
 * Retention: a window [start, start + size) is expired once its end is older than
 * stream time − retention (end < streamTime − retentionMs); expired windows are never returned,
 * puts to them are dropped, and whole segments of expired windows are deleted with one range
 * delete, so the stored entries stay within about (size + retention + segmentInterval) of
 * stream time.
 *
 * With `retainDuplicates` (join buffers), every put adds an entry (a sequence number follows the
 * start in the key), and get/delete are not available.
 *
 * Open windows (no duplicates, a stack beneath that takes latin1 key images, ASCII record keys):
 * get/put keep the windows in memory (./open-windows.ts) and write them to the store beneath
 * only when they close (stream time reaches their end: advanceTime), when the cache budget
 * needs the memory (oldest start first), before a range read (fetch, fetchAll), and at flush —
 * the commit point, so what is committed is unchanged. A window that starts after every window
 * the store beneath can hold (it was empty when opened and nothing later was written down) is
 * not looked up there.
 */
import { prefixEnd } from './keys.ts';
import { SegmentedStore, compositeKey, defaultSegmentInterval, segmentPrefix } from './segments.ts';
import { layoutOf, orderedInt64Latin, parseWindowStoreKey, recordKeyOffset, startPrefix, windowKeyImage, windowStoreKey, type WindowLayout } from './window-layout.ts';
import { checkValue, isLatinKeyed, type KeyValueStore, type LatinKeyed } from './store.ts';
import { CacheBudget } from './cache-budget.ts';
import { OpenWindows } from './open-windows.ts';

const ASCII = /^[\x00-\x7f]*$/;

export interface WindowStoreOptions {
  /** Window length: a window starting at s ends at s + windowSizeMs (exclusive). */
  readonly windowSizeMs: number;
  /** How long after its end a window is kept (the grace period, plus what pull queries need). */
  readonly retentionMs: number;
  /** Default: max(60 s, (windowSizeMs + retentionMs) / 2). */
  readonly segmentIntervalMs?: number;
  readonly retainDuplicates?: boolean;
  /** The budget the open windows are charged to (the registry's cache budget); default unbounded. */
  readonly cacheBudget?: CacheBudget;
  /** Keep the open windows in memory (see the header); default true. false: every get/put goes to the store beneath. */
  readonly openWindows?: boolean;
  /**
   * How long after its end an open window stays in memory (stream time past its end) before it is
   * written down and dropped; default windowSizeMs. A HOPPING aggregation passes its advance:
   * records that far out of order still find their windows in memory, later ones read them back.
   */
  readonly keepOpenMs?: number;
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
  /** The open windows in memory; null when the text path is not available (duplicates, byte-keyed stack). */
  private readonly open: OpenWindows<V> | null;
  /**
   * Every window the store beneath holds starts at or before this: -Infinity when it held no
   * window when opened (raised by each write-down), +Infinity (unknown) otherwise.
   */
  private beneathMaxStart: number;
  /** The key layout of the windows (not of duplicates, always key-major). */
  readonly layout: WindowLayout;
  /** See WindowStoreOptions.keepOpenMs. */
  private readonly keepOpenMs: number;

  constructor(kv: KeyValueStore<unknown>, options: WindowStoreOptions) {
    const size = options.windowSizeMs;
    if (!(Number.isSafeInteger(size) && size > 0)) throw new RangeError(`windowSizeMs must be a positive integer, got ${size}`);
    super(kv, {
      retentionMs: options.retentionMs,
      segmentIntervalMs: options.segmentIntervalMs ?? defaultSegmentInterval(size + options.retentionMs),
    });
    this.windowSizeMs = size;
    this.retainDuplicates = options.retainDuplicates === true;
    this.layout = this.retainDuplicates ? 'key-major' : layoutOf(this.lastKeyAtOpen);
    this.latinKv = isLatinKeyed(kv) && !this.retainDuplicates ? kv : null;
    this.open = this.latinKv !== null && options.openWindows !== false ? new OpenWindows<V>(options.cacheBudget ?? new CacheBudget(Number.MAX_SAFE_INTEGER)) : null;
    this.beneathMaxStart = this.maxSegment === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    const keepOpen = options.keepOpenMs ?? size;
    if (!(Number.isSafeInteger(keepOpen) && keepOpen >= 0)) throw new RangeError(`keepOpenMs must be a non-negative integer, got ${keepOpen}`);
    this.keepOpenMs = keepOpen;
  }

  /** Open windows held in memory and their approximate bytes (for stats and tests). */
  openWindowStats(): { windows: number; bytes: number } {
    return { windows: this.open?.slots ?? 0, bytes: this.open?.bytes ?? 0 };
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
    if (this.open !== null && isAscii(key)) return this.putByText(Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1'), windowStart, value);
    checkTime(windowStart);
    if (this.isExpired(windowStart)) return false;
    const seg = this.segmentOf(windowStart);
    this.observe(windowStart, seg);
    if (this.retainDuplicates) this.kv.put(compositeKey(seg, key, [windowStart], this.nextSeq()), value);
    else {
      this.kv.put(this.windowKey(key, windowStart), value);
      if (windowStart > this.beneathMaxStart) this.beneathMaxStart = windowStart;
    }
    return true;
  }

  get(key: Uint8Array, windowStart: number): V | undefined {
    this.noDuplicates('get');
    if (this.open !== null && isAscii(key)) return this.getByText(Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1'), windowStart);
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
    const open = this.open;
    if (open !== null) {
      const slot = open.get(windowStart, recordKey);
      if (slot !== undefined) return slot.value;
    }
    const ks = this.textKey(recordKey, windowStart);
    if (ks === null) return this.getBytes(Buffer.from(recordKey), windowStart);
    if (open === null) return this.latinKv!.getLatin(ks, null) as V | undefined;
    const none = windowStart > this.beneathMaxStart;
    const value = none || open.isComplete(windowStart) ? undefined : (this.latinKv!.getLatin(ks, null) as V | undefined);
    open.insert(windowStart, recordKey, value, false, none);
    if (open.exceeded) this.evictOpen();
    return value;
  }

  /**
   * getByText without remembering a miss in memory when the window can hold nothing (a start the
   * store beneath cannot hold, or one whose windows are all in memory): for reads of windows that
   * usually do not exist (a pane aggregation reads a record's neighbouring panes), which would
   * otherwise each leave an empty slot behind. Other misses go through getByText.
   */
  peekByText(recordKey: string, windowStart: number): V | undefined {
    const open = this.open;
    if (open !== null && !this.isExpired(windowStart)) {
      const slot = open.get(windowStart, recordKey);
      if (slot !== undefined) return slot.value;
      if (windowStart > this.beneathMaxStart || open.isComplete(windowStart)) return undefined;
    }
    return this.getByText(recordKey, windowStart);
  }

  /** get through the store beneath (keys the text path does not take). */
  private getBytes(key: Uint8Array, windowStart: number): V | undefined {
    return this.kv.get(this.windowKey(key, windowStart)) as V | undefined;
  }

  /** put by the record key's text (see getByText). */
  putByText(recordKey: string, windowStart: number, value: V): boolean {
    const open = this.open;
    if (open !== null) {
      checkTime(windowStart);
      if (this.isExpired(windowStart)) return false;
      checkValue(this.name, value);
      const slot = open.get(windowStart, recordKey);
      if (slot !== undefined) {
        open.update(recordKey, slot, value);
        this.observe(windowStart, this.segmentOf(windowStart));
        if (open.exceeded) this.evictOpen();
        return true;
      }
      if (this.textKey(recordKey, windowStart) !== null) {
        open.insert(windowStart, recordKey, value, true, windowStart > this.beneathMaxStart);
        this.observe(windowStart, this.segmentOf(windowStart));
        if (open.exceeded) this.evictOpen();
        return true;
      }
    }
    const ks = this.textKey(recordKey, windowStart);
    if (ks === null) return this.putBytes(Buffer.from(recordKey), windowStart, value);
    checkTime(windowStart);
    if (this.isExpired(windowStart)) return false;
    this.observe(windowStart, this.textSeg);
    this.latinKv!.putLatin(ks, value);
    return true;
  }

  /** put through the store beneath (keys the text path does not take). */
  private putBytes(key: Uint8Array, windowStart: number, value: V): boolean {
    checkTime(windowStart);
    if (this.isExpired(windowStart)) return false;
    this.observe(windowStart, this.segmentOf(windowStart));
    this.kv.put(this.windowKey(key, windowStart), value);
    if (windowStart > this.beneathMaxStart) this.beneathMaxStart = windowStart;
    return true;
  }

  /**
   * Moves stream time (SegmentedStore.advanceTime), then closes the open windows that ended
   * keepOpenMs (default: one window size) or more before it (records a little out of order still
   * find the windows they update in memory): written down and dropped from memory (a later record
   * reads them from beneath). Expired windows are dropped without a write (nothing reads them any more).
   */
  override advanceTime(streamTime: number): boolean {
    const moved = streamTime > this.time;
    const expired = super.advanceTime(streamTime);
    const open = this.open;
    if (moved && open !== null) {
      const closedBefore = this.time - this.keepOpenMs - this.windowSizeMs; // start + size <= time - keepOpen
      for (const start of [...open.starts()]) if (start <= closedBefore) this.writeDownStart(start, true);
    }
    return expired;
  }

  /** Writes the dirty open windows to the store beneath (kept in memory, clean). */
  private writeDownOpen(): void {
    const open = this.open;
    if (open === null || open.slots === 0) return;
    for (const start of [...open.starts()]) this.writeDownStart(start, false);
  }

  /** Writes one start's dirty windows beneath (skipped when expired), then drops them if `drop`. */
  private writeDownStart(start: number, drop: boolean): void {
    const open = this.open!;
    const expired = this.isExpired(start);
    if (!expired) {
      const kv = this.latinKv!;
      let wrote = false;
      // The images of the start's segment and start, built once for all its windows (textKey's
      // cache of the last key would make an object per window).
      const segImage = orderedInt64Latin(this.segmentOf(start));
      const startImage = orderedInt64Latin(start);
      const layout = this.layout;
      open.forEach(start, (slot, recordKey) => {
        if (!slot.dirty) return;
        slot.dirty = false;
        wrote = true;
        // Open windows hold ASCII record keys only (textKey accepted each when it was added).
        const ks = windowKeyImage(layout, segImage, startImage, recordKey);
        if (slot.value === undefined) kv.deleteLatin(ks);
        else kv.putLatin(ks, slot.value);
      });
      if (wrote && start > this.beneathMaxStart) this.beneathMaxStart = start;
    }
    if (drop || expired) open.dropStart(start);
  }

  /** Over the cache budget: the oldest starts are written down and dropped until within it (or none is left). */
  private evictOpen(): void {
    const open = this.open!;
    while (open.exceeded && open.slots > 0) {
      const oldest = open.oldestStart();
      if (oldest === undefined) return;
      this.writeDownStart(oldest, true);
    }
  }

  /** Writes the open windows down, then persists stream time and flushes beneath (the commit point). */
  override async flush(): Promise<void> {
    this.writeDownOpen();
    await super.flush();
  }

  override async close(): Promise<void> {
    await super.close();
    this.open?.clear();
  }

  /** The latin1 image of windowStoreKey(layout, segment, utf8(recordKey), windowStart), or null when not available. */
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
    const ks = windowKeyImage(this.layout, this.textSegImage, this.textStartImage, recordKey);
    this.lastText = { recordKey, windowStart, ks };
    return ks;
  }

  delete(key: Uint8Array, windowStart: number): void {
    this.noDuplicates('delete');
    if (this.open !== null && isAscii(key)) this.open.remove(windowStart, Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1'));
    this.kv.delete(this.windowKey(key, windowStart));
  }

  /**
   * The store key of a window (no duplicates), reusing the last one built for the same key bytes
   * and start: an aggregation's get then put of a window builds it once.
   */
  private windowKey(key: Uint8Array, windowStart: number): Uint8Array {
    const last = this.lastKey;
    const n = key.length;
    const at = recordKeyOffset(this.layout);
    if (last !== null && this.lastStart === windowStart && last.length === n + at + (this.layout === 'key-major' ? 8 : 0)) {
      let i = 0;
      while (i < n && last[at + i] === key[i]) i++;
      if (i === n) return last;
    }
    const k = windowStoreKey(this.layout, this.segmentOf(windowStart), key, windowStart);
    this.lastKey = k;
    this.lastStart = windowStart;
    return k;
  }

  /** The key's live windows with fromStart <= start <= toStart, by start (descending with `reverse`). */
  fetch(key: Uint8Array, fromStart: number, toStart: number, options: { reverse?: boolean } = {}): WindowEntry<V>[] {
    this.writeDownOpen();
    const out: WindowEntry<V>[] = [];
    const [first, last] = this.liveSegments(fromStart, toStart);
    const reverse = options.reverse === true;
    const lo = Math.max(fromStart, this.earliestLiveTime());
    const segs = [...this.segments(first, last)];
    if (reverse) segs.reverse();
    const startMajor = this.layout === 'start-major'; // never with duplicates (always key-major)
    for (const seg of segs) {
      const fromT = Math.max(lo, seg * this.segmentIntervalMs);
      // Exclusive bound just after toStart (clamped to the segment, so it stays a safe integer);
      // it sorts below every duplicate (seq) entry of the next start.
      const toT = Math.min(toStart, (seg + 1) * this.segmentIntervalMs - 1) + 1;
      if (startMajor) {
        // Every key of the starts in range, this key's picked out (aggregations do not call fetch).
        for (const { key: k, value } of this.kv.range(startPrefix(seg, fromT), startPrefix(seg, toT), { reverse })) {
          const parsed = parseWindowStoreKey('start-major', k);
          if (Buffer.compare(parsed.key, key) !== 0) continue;
          out.push({ key, start: parsed.start, end: parsed.start + this.windowSizeMs, value: value as V });
        }
        continue;
      }
      for (const { key: k, value } of this.kv.range(compositeKey(seg, key, [fromT], null), compositeKey(seg, key, [toT], null), { reverse })) {
        const { start } = parseWindowStoreKey('key-major', k);
        out.push({ key, start, end: start + this.windowSizeMs, value: value as V });
      }
    }
    return out;
  }

  /**
   * All live windows with fromStart <= start <= toStart, grouped by segment, then by key and
   * start (key-major) or by start and key (start-major).
   */
  *fetchAll(fromStart: number, toStart: number): Generator<WindowEntry<V>, void, undefined> {
    this.writeDownOpen();
    const [first, last] = this.liveSegments(fromStart, toStart);
    const lo = Math.max(fromStart, this.earliestLiveTime());
    const startMajor = this.layout === 'start-major'; // never with duplicates (always key-major)
    for (const seg of this.segments(first, last)) {
      const p = segmentPrefix(seg);
      for (const { key: k, value } of this.kv.range(p, prefixEnd(p))) {
        // A start-major store restored from a changelog that still holds expired key-major
        // records of an earlier incarnation may hold some in a live segment: never windows.
        if (startMajor && layoutOf(k) !== 'start-major') continue;
        const { key, start } = parseWindowStoreKey(startMajor ? 'start-major' : 'key-major', k);
        if (start < lo || start > toStart) continue;
        yield { key, start, end: start + this.windowSizeMs, value: value as V };
      }
    }
  }

  private noDuplicates(op: string): void {
    if (this.retainDuplicates) throw new Error(`Window store '${this.name}' retains duplicates: ${op}() by window start is not available`);
  }
}

function isAscii(key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (key[i] > 0x7f) return false;
  return true;
}

function checkTime(t: number): void {
  if (!Number.isSafeInteger(t)) throw new RangeError(`window start must be an integer (ms), got ${t}`);
}
