/**
 * One partition of a topic: a directory of segments, the last of which (the active segment)
 * takes appends.
 *
 * Invariants:
 * - `segments` is non-empty and sorted; each segment's baseOffset equals the previous segment's
 *   nextOffset (no gaps), so startOffset = segments[0].baseOffset, endOffset = active.nextOffset.
 * - Only the active segment can have a torn tail after a crash: a segment is rolled only after
 *   its last write completed. Damage anywhere else (or followed by valid frames) loses only the
 *   damaged frames: they become a lost frame (./recover.ts), offsets stay contiguous, and the
 *   loss is reported as a Recovery. A missing segment (a gap between segments) is an error.
 * - Retention deletes a prefix of the segments, never the active one.
 */
import fs from 'node:fs';
import type { FdPool } from './fd-pool.ts';
import type { FrameEncoder } from './format.ts';
import { writeFully } from './fsutil.ts';
import { SEGMENT_FILE, Segment, scanSegment } from './segment.ts';

export interface PartitionSettings {
  readonly segmentBytes: number;
  readonly indexIntervalBytes: number;
  readonly fsync: boolean;
  readonly chunkBytes: number;
  /** Bounds the segment files open at once, across the log. */
  readonly fds: FdPool;
}

/**
 * What opening the log had to repair, one entry per repair (./recovery-report.ts reports them):
 * - `torn-tail`: the end of an active segment that is not a complete frame (a write cut by a
 *   crash, or damage with no valid frame after it) was truncated; `lostRecords` is known when the
 *   first cut frame's header was still readable.
 * - `lost-frames`: damaged bytes inside a segment were marked lost; offsets [fromOffset, toOffset)
 *   are gone, the frames around them are kept.
 * - `metadata`: a topic or consumer-group file could not be read and was recovered as `action` says.
 */
export type Recovery =
  | {
      readonly kind: 'torn-tail';
      readonly topic: string;
      readonly partition: number;
      readonly file: string;
      readonly fromOffset: number;
      readonly lostRecords: number | null;
      readonly bytes: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'lost-frames';
      readonly topic: string;
      readonly partition: number;
      readonly file: string;
      readonly fromOffset: number;
      readonly toOffset: number;
      readonly lostRecords: number;
      readonly bytes: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'metadata';
      readonly topic: string | null;
      readonly file: string;
      readonly reason: string;
      readonly action: string;
    };

export class CorruptLogError extends Error {}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly segments: Segment[] = [];
  /** Set when the topic is deleted: cursors holding this partition stop reading it. */
  deleted = false;
  private readonly settings: PartitionSettings;

  private constructor(dir: string, topic: string, partition: number, settings: PartitionSettings) {
    this.dir = dir;
    this.topic = topic;
    this.partition = partition;
    this.settings = settings;
  }

  static create(dir: string, topic: string, partition: number, settings: PartitionSettings): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const p = new PartitionLog(dir, topic, partition, settings);
    p.segments.push(Segment.create(dir, 0, settings.indexIntervalBytes, settings.fsync, settings.fds));
    return p;
  }

  /** Opens an existing partition directory, rebuilding indexes and truncating a torn tail. */
  static open(
    dir: string,
    topic: string,
    partition: number,
    settings: PartitionSettings,
    recoveries: Recovery[],
  ): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const bases: number[] = [];
    for (const name of fs.readdirSync(dir)) {
      const m = SEGMENT_FILE.exec(name);
      if (m !== null) bases.push(Number(m[1]));
    }
    bases.sort((a, b) => a - b);
    const p = new PartitionLog(dir, topic, partition, settings);
    if (bases.length === 0) {
      p.segments.push(Segment.create(dir, 0, settings.indexIntervalBytes, settings.fsync, settings.fds));
      return p;
    }
    try {
      for (let i = 0; i < bases.length; i++) {
        const last = i === bases.length - 1;
        const seg = new Segment(dir, bases[i], settings.indexIntervalBytes, settings.fds);
        p.segments.push(seg);
        const prev = i > 0 ? p.segments[i - 1] : null;
        if (prev !== null && prev.nextOffset !== seg.baseOffset) {
          throw new CorruptLogError(
            `Corrupt log ${dir}: segment ${seg.path} starts at offset ${seg.baseOffset}, ` +
              `but the previous segment ends at ${prev.nextOffset}`,
          );
        }
        // Every frame's CRC is checked on open: damage anywhere loses only the damaged frames.
        const scan = scanSegment(seg, settings.chunkBytes, true, last ? null : bases[i + 1], settings.fsync);
        for (const d of scan.damage) {
          recoveries.push({
            kind: 'lost-frames',
            topic,
            partition,
            file: seg.path,
            fromOffset: d.fromOffset,
            toOffset: d.toOffset,
            lostRecords: d.toOffset - d.fromOffset,
            bytes: d.bytes,
            reason: d.reason,
          });
        }
        if (scan.problem !== null) {
          const fd = seg.ensureOpen();
          fs.ftruncateSync(fd, scan.validSize);
          if (settings.fsync) fs.fsyncSync(fd);
          recoveries.push({
            kind: 'torn-tail',
            topic,
            partition,
            file: seg.path,
            fromOffset: seg.nextOffset,
            lostRecords: scan.tornRecords,
            bytes: scan.fileSize - scan.validSize,
            reason: scan.problem,
          });
        }
        if (!last) seg.close();
      }
    } catch (e) {
      p.close();
      throw e;
    }
    return p;
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  get startOffset(): number {
    return this.segments[0].baseOffset;
  }

  get endOffset(): number {
    return this.segments[this.segments.length - 1].nextOffset;
  }

  sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /**
   * Appends what `enc` encoded (for base offset === endOffset) with one write. On a failed write
   * the file is cut back so that memory and disk agree.
   */
  append(enc: FrameEncoder, length: number, count: number): void {
    let seg = this.active;
    if (seg.size >= this.settings.segmentBytes && seg.nextOffset > seg.baseOffset) seg = this.roll();
    const start = seg.size;
    const fd = seg.ensureOpen();
    try {
      writeFully(fd, enc.bytes(), 0, length, start);
    } catch (e) {
      try {
        fs.ftruncateSync(fd, start);
      } catch {
        // The original error matters more; a leftover partial frame is cut on the next open.
      }
      throw e;
    }
    for (let f = 0; f < enc.frameCount; f++) seg.noteFrame(enc.frameBases[f], start + enc.frameStarts[f]);
    seg.size = start + length;
    seg.nextOffset += count;
    if (enc.maxTimestamp > seg.maxTimestamp) seg.maxTimestamp = enc.maxTimestamp;
    if (this.settings.fsync) fs.fdatasyncSync(fd);
  }

  private roll(): Segment {
    const seg = Segment.create(this.dir, this.endOffset, this.settings.indexIntervalBytes, this.settings.fsync, this.settings.fds);
    this.segments.push(seg);
    return seg;
  }

  /** The segment holding `offset`; the first segment for offsets below it, the active one above. */
  segmentFor(offset: number): Segment {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo];
  }

  /** The segment after `seg`, or null when `seg` is the active segment (or was deleted). */
  segmentAfter(seg: Segment): Segment | null {
    const next = this.segmentFor(seg.nextOffset);
    return next !== seg && next.baseOffset === seg.nextOffset ? next : null;
  }

  /**
   * Deletes the oldest segments, never the active one: first while their newest record is older
   * than `now - retentionMs`, then while the partition would still be at least `retentionBytes`
   * without them (Kafka's rule). -1 disables either. Returns the number of deleted segments.
   */
  applyRetention(now: number, retentionMs: number, retentionBytes: number): number {
    let deleted = 0;
    if (retentionMs >= 0) {
      const cutoff = now - retentionMs;
      while (this.segments.length > 1 && this.segments[0].maxTimestamp < cutoff) {
        this.segments.shift()!.delete();
        deleted++;
      }
    }
    if (retentionBytes >= 0) {
      let excess = this.sizeBytes() - retentionBytes;
      while (this.segments.length > 1 && excess - this.segments[0].size >= 0) {
        const seg = this.segments.shift()!;
        excess -= seg.size;
        seg.delete();
        deleted++;
      }
    }
    return deleted;
  }

  /** Deletes the segments holding only records below `offset` (never the active one). */
  deleteBefore(offset: number): number {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[1].baseOffset <= offset) {
      this.segments.shift()!.delete();
      deleted++;
    }
    return deleted;
  }

  close(): void {
    for (const s of this.segments) s.close();
  }

  /** Marks the partition and its segments gone (the directory is removed by the caller). */
  markDeleted(): void {
    this.deleted = true;
    for (const s of this.segments) {
      s.deleted = true;
      s.close();
    }
  }
}
