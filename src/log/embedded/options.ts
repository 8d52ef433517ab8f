/** The options of the embedded log (./embedded-log.ts) and how they are checked. */

export interface EmbeddedLogOptions {
  /** Roll to a new segment once the active one reaches this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** fdatasync after every send (and fsync directories on create/delete). Default false. */
  readonly fsync?: boolean;
  /** How often retention runs (an unref'd timer); 0 disables the timer. Default 5 minutes. */
  readonly retentionCheckIntervalMs?: number;
  /** retentionMs for topics whose config has none. Default -1: keep forever. */
  readonly defaultRetentionMs?: number;
  /** retentionBytes (per partition) for topics whose config has none. Default -1: unbounded. */
  readonly defaultRetentionBytes?: number;
  /** Size of one read (and of the buffer records reference). Default 1 MiB. */
  readonly readChunkBytes?: number;
  /** Frames (CRC units) are split above this body size. Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** Bytes between sparse index entries. Default 4 KiB. */
  readonly indexIntervalBytes?: number;
  /** Segment files kept open at once (least recently used ones are closed, reopened on use). Default 256. */
  readonly maxOpenSegments?: number;
  /** Check every frame's CRC when reading too (on open every frame is checked). Default false. */
  readonly verifyChecksumsOnRead?: boolean;
}

export const MiB = 1 << 20;

/** An option's value: `dflt` when absent, else an integer >= min (or a RangeError). */
export function positiveInt(name: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}
