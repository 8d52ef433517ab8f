/**
 * EMIT FINAL for TUMBLING and HOPPING windows as ksqlDB runs it: Kafka Streams' emit-on-window-
 * close (KStreamWindowAggregate with EmitStrategy.onWindowClose). After each record, with
 * close = stream time − grace:
 * - nothing happens unless close has moved past the last emit's close;
 * - windows whose start lies in (last emit's close − size, close − size] are emitted (the first
 *   time from 0), unless that range covers no new window;
 * - a window the store has already expired is not emitted: its start is below the highest window
 *   start stored minus the retention (size + grace unless RETENTION says more).
 * So a window kept open by its grace period can expire before any later record closes it; ksqlDB
 * loses such a result, and so does Riffle, to give the same output.
 */
export interface FinalEmitState {
  /** The close time of the last emit, null before the first. */
  lastEmitClose: number | null;
  /** The highest window start stored (Kafka Streams' window store time). */
  maxStart: number;
}

export interface TimeWindowShape {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
  readonly retentionMs: number;
}

/** Window starts containing t (Kafka Streams' TimeWindows.windowsFor). */
function windowsFor(w: TimeWindowShape, t: number): string {
  if (t < 0) return '';
  const starts: number[] = [];
  for (let s = Math.max(0, Math.floor((t - w.sizeMs + w.advanceMs) / w.advanceMs) * w.advanceMs); s <= t; s += w.advanceMs) starts.push(s);
  return starts.join(',');
}

/**
 * The window-start range to emit after a record moved stream time to streamTime, or null.
 * `from` is inclusive, and already raised to the store's expiry threshold.
 */
export function finalEmitRange(w: TimeWindowShape, st: FinalEmitState, streamTime: number): { from: number; to: number; close: number } | null {
  const close = streamTime - w.graceMs;
  if (st.lastEmitClose !== null && st.lastEmitClose >= close) return null;
  const to = close - w.sizeMs;
  if (to < 0) return null;
  const lower = st.lastEmitClose === null ? 0 : Math.max(0, st.lastEmitClose - w.sizeMs) + 1;
  if (st.lastEmitClose !== null && windowsFor(w, to) === windowsFor(w, lower - 1)) return null;
  return { from: Math.max(lower, st.maxStart - w.retentionMs), to, close };
}
