/**
 * Session-window state (SESSION (gap) aggregations) over a key-value store, in time segments
 * keyed by session end (layout: ./segments.ts):
 *
 *   key = [segment(end)][len][record key][end][start]
 *
 * A session is [start, end] (both inclusive, the first and last record times). To add a record at
 * time t with inactivity gap g, an operator calls `findSessions(key, t - g, t + g)` — every
 * session with end >= t - g and start <= t + g overlaps or touches the record — merges them and
 * the record into one, `remove`s the old ones and `put`s the merged session.
 *
 * Retention: a session is expired once end < streamTime − retentionMs; expired sessions are never
 * returned, and whole segments of them are deleted by one range delete.
 */
import { prefixEnd } from './keys.ts';
import { SegmentedStore, compositeKey, defaultSegmentInterval, parseCompositeKey, segmentPrefix } from './segments.ts';
import type { KeyValueStore } from './store.ts';

export interface SessionStoreOptions {
  /** How long after its end a session is kept (grace period plus gap, at least). */
  readonly retentionMs: number;
  /** Default: max(60 s, retentionMs / 2). */
  readonly segmentIntervalMs?: number;
}

export interface Session<V> {
  readonly key: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly value: V;
}

export class SessionStore<V = unknown> extends SegmentedStore {
  constructor(kv: KeyValueStore<unknown>, options: SessionStoreOptions) {
    super(kv, {
      retentionMs: options.retentionMs,
      segmentIntervalMs: options.segmentIntervalMs ?? defaultSegmentInterval(options.retentionMs),
    });
  }

  protected earliestLiveTime(): number {
    return this.time - this.retentionMs;
  }

  isExpired(end: number): boolean {
    return end < this.earliestLiveTime();
  }

  /** Stores the session; returns false (and stores nothing) when it has expired. */
  put(key: Uint8Array, start: number, end: number, value: V): boolean {
    checkSession(start, end);
    if (this.isExpired(end)) return false;
    const seg = this.segmentOf(end);
    this.observe(end, seg);
    this.kv.put(compositeKey(seg, key, [end, start], null), value);
    return true;
  }

  remove(key: Uint8Array, start: number, end: number): void {
    this.kv.delete(compositeKey(this.segmentOf(end), key, [end, start], null));
  }

  fetchSession(key: Uint8Array, start: number, end: number): V | undefined {
    if (this.isExpired(end)) return undefined;
    return this.kv.get(compositeKey(this.segmentOf(end), key, [end, start], null)) as V | undefined;
  }

  /**
   * The key's live sessions with end >= earliestEnd and start <= latestStart, ordered by end
   * (then start). Returned as an array, so the caller may remove/put while going through it.
   */
  findSessions(key: Uint8Array, earliestEnd: number, latestStart: number): Session<V>[] {
    const out: Session<V>[] = [];
    const [first, last] = this.liveSegments(earliestEnd, Number.MAX_SAFE_INTEGER);
    const lo = Math.max(earliestEnd, this.earliestLiveTime());
    for (const seg of this.segments(first, last)) {
      const from = compositeKey(seg, key, [Math.max(lo, seg * this.segmentIntervalMs)], null);
      const to = prefixEnd(compositeKey(seg, key, [], null));
      for (const { key: k, value } of this.kv.range(from, to)) {
        const [end, start] = parseCompositeKey(k, 2).times;
        if (start <= latestStart) out.push({ key, start, end, value: value as V });
      }
    }
    return out;
  }

  /** All live sessions of the key, ordered by end. */
  fetch(key: Uint8Array): Session<V>[] {
    return this.findSessions(key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** All live sessions with earliestEnd <= end <= latestEnd, grouped by segment, then key and end. */
  *fetchAll(earliestEnd: number, latestEnd: number): Generator<Session<V>, void, undefined> {
    const [first, last] = this.liveSegments(earliestEnd, latestEnd);
    const lo = Math.max(earliestEnd, this.earliestLiveTime());
    for (const seg of this.segments(first, last)) {
      const p = segmentPrefix(seg);
      for (const { key: k, value } of this.kv.range(p, prefixEnd(p))) {
        const { key, times } = parseCompositeKey(k, 2);
        const [end, start] = times;
        if (end < lo || end > latestEnd) continue;
        yield { key, start, end, value: value as V };
      }
    }
  }
}

function checkSession(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end) {
    throw new RangeError(`invalid session [${start}, ${end}]: integer times (ms) with start <= end expected`);
  }
}
