/**
 * One segment file of a partition: `<20-digit base offset>.log`, a sequence of frames
 * (./format.ts), with a sparse in-memory index from offset to file position rebuilt on open.
 *
 * Invariants:
 * - `size` counts complete frames only; bytes beyond it (a torn tail) were truncated on open, and
 *   readers never read past `size`, so a reader never sees a frame that is still being written.
 * - Index entries point at frame starts, in increasing offset and position order; the first frame
 *   is always indexed.
 * - Once `deleted` is set, `fd` is -1 and the file is gone: holders of the object must relocate.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  F_BASE_OFFSET,
  F_BODY_LENGTH,
  F_COUNT,
  F_MAGIC,
  F_MAX_TIMESTAMP,
  FRAME_HEADER_BYTES,
  FRAME_PREFIX_BYTES,
  BODY_HEADER_BYTES,
  MAGIC,
  frameCrcOk,
  isLostFrame,
} from './format.ts';
import { SharedChunks } from './chunks.ts';
import type { FdPool, PooledFile } from './fd-pool.ts';
import { fsyncDir, readFully } from './fsutil.ts';
import { findResync, readRest, writeLostFrame } from './recover.ts';

export const SEGMENT_FILE = /^(\d{20})\.log$/;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export class Segment implements PooledFile {
  readonly baseOffset: number;
  readonly path: string;
  /** The open descriptor, -1 when closed; use ensureOpen() (the pool may close it between uses). */
  fd = -1;
  /** Bytes of complete frames. */
  size = 0;
  /** Offset after the last record (== baseOffset when empty). */
  nextOffset: number;
  /** Largest record timestamp; -Infinity when empty. */
  maxTimestamp = -Infinity;
  deleted = false;
  /** Chunks read from this segment, shared by its readers while any of them holds one (./chunks.ts). */
  readonly chunks = new SharedChunks();
  private readonly indexInterval: number;
  private readonly idxOffsets: number[] = [];
  private readonly idxPositions: number[] = [];
  private lastIndexed = -Infinity;
  private readonly pool: FdPool;

  constructor(dir: string, baseOffset: number, indexInterval: number, pool: FdPool) {
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.path = path.join(dir, segmentFileName(baseOffset));
    this.indexInterval = indexInterval;
    this.pool = pool;
  }

  /** Creates an empty segment file (fails if it exists: that would be a logic error). */
  static create(dir: string, baseOffset: number, indexInterval: number, fsync: boolean, pool: FdPool): Segment {
    const seg = new Segment(dir, baseOffset, indexInterval, pool);
    fs.closeSync(fs.openSync(seg.path, 'wx'));
    if (fsync) fsyncDir(dir);
    return seg;
  }

  /** Notes a frame starting at `position` with first offset `offset` (sparse: every indexInterval bytes). */
  noteFrame(offset: number, position: number): void {
    if (position - this.lastIndexed >= this.indexInterval) {
      this.idxOffsets.push(offset);
      this.idxPositions.push(position);
      this.lastIndexed = position;
    }
  }

  /** File position of a frame start at or before the frame holding `offset`. */
  lookup(offset: number): number {
    const offs = this.idxOffsets;
    let lo = 0;
    let hi = offs.length - 1;
    if (hi < 0 || offs[0] > offset) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offs[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.idxPositions[lo];
  }

  /**
   * Opens the file (read-write) if needed and returns its descriptor, valid until the caller's
   * next await (./fd-pool.ts).
   */
  ensureOpen(): number {
    if (this.fd < 0) {
      if (this.deleted) throw new Error(`Segment ${this.path} was deleted`);
      this.fd = fs.openSync(this.path, 'r+');
    }
    this.pool.touch(this);
    return this.fd;
  }

  closeFd(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  close(): void {
    this.pool.forget(this);
    this.closeFd();
    this.chunks.clear();
  }

  /** Closes and removes the file; readers holding this segment see `deleted` and relocate. */
  delete(): void {
    this.deleted = true;
    this.close();
    try {
      fs.unlinkSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/** Damaged bytes inside a segment, now a lost frame: offsets [fromOffset, toOffset) are gone. */
export interface Damage {
  readonly position: number;
  readonly bytes: number;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly reason: string;
}

export interface ScanResult {
  /** Bytes of valid, complete frames from the start of the file. */
  readonly validSize: number;
  /** File size found: more than validSize means a torn or corrupt tail (active segment only). */
  readonly fileSize: number;
  /** Why the scan stopped before the end of the file, when it did (a torn tail). */
  readonly problem: string | null;
  /** Records in the torn tail, when its first frame header could still be read. */
  readonly tornRecords: number | null;
  /** Damage found inside the segment and marked lost (./recover.ts). */
  readonly damage: readonly Damage[];
}

/**
 * Walks the frames of an opened segment, filling its index, size, nextOffset and maxTimestamp.
 * With `verify`, every frame's CRC is checked (whole bodies are read); without it only frame
 * headers are read, hopping from one to the next, which is cheap for large frames.
 *
 * Damage is resynchronised (./recover.ts) when `limit` (the next segment's base offset) is given
 * or when valid frames follow it; the damaged bytes become a lost frame (the file must be open
 * for writing then). What cannot be resynchronised in the active segment (limit null) is a torn
 * tail: the scan stops there and the caller truncates.
 */
export function scanSegment(seg: Segment, chunkBytes: number, verify: boolean, limit: number | null = null, fsync = false): ScanResult {
  const fd = seg.ensureOpen();
  let fileSize = fs.fstatSync(fd).size;
  let buf = Buffer.allocUnsafeSlow(Math.max(chunkBytes, FRAME_HEADER_BYTES));
  let dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  let bufStart = 0; // file position of buf[0]
  let bufLen = 0; // valid bytes in buf
  // Reads at least `need` bytes at `position`: a whole chunk when frames are small (many
  // headers per read), just the header when they are large and only headers are wanted.
  let lastTotal = 0;
  const load = (position: number, need: number): void => {
    if (need > buf.length) {
      buf = Buffer.allocUnsafeSlow(need);
      dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    const want = !verify && lastTotal > buf.length >>> 4 ? need : buf.length;
    const len = Math.min(want, fileSize - position);
    readFully(fd, buf, 0, len, position);
    bufStart = position;
    bufLen = len;
  };
  let pos = 0;
  let expected = seg.baseOffset;
  let problem: string | null = null;
  let tornRecords: number | null = null;
  const damage: Damage[] = [];
  while (pos < fileSize) {
    let bad: string | null = null;
    let headerCount: number | null = null;
    if (fileSize - pos < FRAME_HEADER_BYTES) {
      bad = `partial frame header at ${pos}`;
    } else {
      if (pos < bufStart || pos + FRAME_HEADER_BYTES > bufStart + bufLen) load(pos, FRAME_HEADER_BYTES);
      const at = pos - bufStart;
      const bodyLength = dv.getUint32(at + F_BODY_LENGTH, true);
      const total = FRAME_PREFIX_BYTES + bodyLength;
      const count = dv.getUint32(at + F_COUNT, true);
      const base = dv.getFloat64(at + F_BASE_OFFSET, true);
      const maxTs = dv.getFloat64(at + F_MAX_TIMESTAMP, true);
      const lost = isLostFrame(dv, at);
      const headerOk = dv.getUint8(at + F_MAGIC) === MAGIC && (count > 0 || lost) && base === expected;
      if (headerOk && !lost && count > 0) headerCount = count;
      if (bodyLength < BODY_HEADER_BYTES || pos + total > fileSize) bad = `partial frame at ${pos}`;
      else if (!headerOk) bad = `invalid frame header at ${pos}`;
      else if (verify) {
        if (pos + total > bufStart + bufLen) load(pos, total);
        if (!frameCrcOk(buf, dv, pos - bufStart, bodyLength)) bad = `CRC mismatch in frame at ${pos}`;
      }
      if (bad === null) {
        seg.noteFrame(base, pos);
        if (maxTs > seg.maxTimestamp) seg.maxTimestamp = maxTs;
        expected += count;
        pos += total;
        lastTotal = total;
        continue;
      }
    }
    const resync = findResync(readRest(fd, pos, fileSize), pos, expected, limit);
    if (resync === null && limit === null) {
      problem = bad;
      tornRecords = headerCount;
      break;
    }
    const end = resync === null ? fileSize : resync.position;
    const to = resync === null ? limit! : resync.base;
    const frameEnd = writeLostFrame(fd, pos, end, expected, to - expected, fsync);
    if (frameEnd > fileSize) fileSize = frameEnd;
    damage.push({ position: pos, bytes: end - pos, fromOffset: expected, toOffset: to, reason: bad });
    seg.noteFrame(expected, pos);
    expected = to;
    pos = frameEnd;
    bufLen = 0; // the lost frame's header was rewritten: never parse the stale copy
  }
  seg.size = pos;
  seg.nextOffset = expected;
  return { validSize: pos, fileSize, problem, tornRecords, damage };
}
