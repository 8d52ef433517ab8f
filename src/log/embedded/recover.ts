/**
 * Recovery from damaged bytes inside a segment (a flipped byte, a cut, garbage): find where the
 * valid frames resume, and mark the damaged bytes as a "lost" frame in place (./format.ts), so
 * only the offsets of the damaged frames are lost and offsets stay contiguous.
 *
 * Resync rule (payload bytes must never be taken for a frame):
 * 1. When the damaged frame's header is intact (the usual flipped byte in a body: CRC mismatch),
 *    the next frame starts right after it; it is taken when it is a valid frame with exactly the
 *    next offset (base + count), or when the damaged frame ends the segment exactly at the next
 *    segment's base offset.
 * 2. Otherwise the bytes after the damage are scanned for a frame that is valid (magic, zero
 *    reserved bytes, count, length within the file, CRC over its body) with a base offset at or
 *    above the expected one (and below the next segment's base), AND whose successor is a frame
 *    header with exactly the following offset (or the candidate ends the segment where the next
 *    segment begins). A record payload would have to contain two consecutive, CRC-valid frames
 *    with chained offsets to fool this; a user value holding a copy of segment bytes could, which
 *    is why rule 1 (exact position from an intact header) is tried first.
 * With no resync point: in the active segment the rest is a torn tail (truncated by the caller);
 * in an older segment the rest is marked lost up to the next segment's base offset.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import {
  ATTR_LOST,
  BODY_HEADER_BYTES,
  F_ATTRIBUTES,
  F_BASE_OFFSET,
  F_BODY_LENGTH,
  F_COUNT,
  F_MAGIC,
  FRAME_HEADER_BYTES,
  FRAME_PREFIX_BYTES,
  MAGIC,
  frameCrcOk,
  lostFrameHeader,
} from './format.ts';
import { readFully, writeFully } from './fsutil.ts';

interface FrameAt {
  readonly base: number;
  readonly count: number;
  readonly total: number;
}

/** The frame header at `q` when it is well-formed and fits in `buf` (CRC not checked). */
function headerAt(buf: Buffer, dv: DataView, q: number): FrameAt | null {
  if (q + FRAME_HEADER_BYTES > buf.length) return null;
  // (The u16 after the attributes is the writing producer's number: any value is valid.)
  if (dv.getUint8(q + F_MAGIC) !== MAGIC) return null;
  const attributes = dv.getUint8(q + F_ATTRIBUTES);
  if (attributes !== 0 && attributes !== ATTR_LOST) return null;
  const bodyLength = dv.getUint32(q + F_BODY_LENGTH, true);
  const total = FRAME_PREFIX_BYTES + bodyLength;
  if (bodyLength < BODY_HEADER_BYTES || q + total > buf.length) return null;
  const count = dv.getUint32(q + F_COUNT, true);
  if (count === 0 && attributes !== ATTR_LOST) return null;
  const base = dv.getFloat64(q + F_BASE_OFFSET, true);
  if (!Number.isSafeInteger(base) || base < 0) return null;
  return { base, count, total };
}

export interface Resync {
  /** File position where valid frames resume. */
  readonly position: number;
  /** Base offset of the frame there: offsets [expected, base) were lost. */
  readonly base: number;
}

/**
 * Where valid frames resume after damage at `rest[0]` (file position `start`), given the offset
 * the damaged frame should have started with and the next segment's base (null for the active
 * segment). `rest` holds the file from `start` to its end.
 */
export function findResync(rest: Buffer, start: number, expected: number, limit: number | null): Resync | null {
  const dv = new DataView(rest.buffer, rest.byteOffset, rest.length);
  // A frame that ends the file: in an older segment it must end where the next segment begins.
  const endsSegment = (f: FrameAt, q: number) => q + f.total === rest.length && (limit === null || f.base + f.count === limit);
  const chained = (f: FrameAt, q: number): boolean => {
    if (endsSegment(f, q)) return true;
    const next = headerAt(rest, dv, q + f.total);
    return next !== null && next.base === f.base + f.count;
  };
  // Rule 1: an intact header says where the next frame starts.
  const h = headerAt(rest, dv, 0);
  if (h !== null && h.base === expected) {
    if (limit !== null && endsSegment(h, 0)) return { position: start + h.total, base: limit };
    const next = headerAt(rest, dv, h.total);
    if (next !== null && next.base === expected + h.count && frameCrcOk(rest, dv, h.total, next.total - FRAME_PREFIX_BYTES) && chained(next, h.total)) {
      return { position: start + h.total, base: next.base };
    }
  }
  // Rule 2: scan. A real frame boundary is at least one frame header past the damage start.
  for (let q = FRAME_HEADER_BYTES; q + FRAME_HEADER_BYTES <= rest.length; q++) {
    const f = headerAt(rest, dv, q);
    if (f === null || f.base < expected || (limit !== null && f.base + f.count > limit)) continue;
    if (!frameCrcOk(rest, dv, q, f.total - FRAME_PREFIX_BYTES)) continue;
    if (chained(f, q)) return { position: start + q, base: f.base };
  }
  return null;
}

/** Reads the file from `start` to `end`. */
export function readRest(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(end - start);
  readFully(fd, buf, 0, end - start, start);
  return buf;
}

/**
 * Overwrites the damaged bytes [start, end) with a lost frame for offsets
 * [base, base + lostCount), keeping the damaged bytes as its body. A region shorter than a frame
 * header (only at the end of a file) is extended. Returns the frame's end.
 */
export function writeLostFrame(fd: number, start: number, end: number, base: number, lostCount: number, fsync: boolean): number {
  const total = Math.max(end - start, FRAME_HEADER_BYTES);
  const header = lostFrameHeader(total - FRAME_PREFIX_BYTES, base, lostCount);
  const tail = total > FRAME_HEADER_BYTES ? readRest(fd, start + FRAME_HEADER_BYTES, start + total) : Buffer.alloc(0);
  const crc = zlib.crc32(tail, zlib.crc32(header.subarray(FRAME_PREFIX_BYTES)));
  header.writeUInt32LE(crc, 4);
  writeFully(fd, header, 0, header.length, start);
  if (fsync) fs.fsyncSync(fd);
  return start + total;
}
