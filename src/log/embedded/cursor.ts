/**
 * A read position in one partition, for one consumer. Reads go through chunks: one readSync of
 * up to `chunkBytes` of complete frames, then many records are decoded from that chunk.
 *
 * Records handed out reference slices of the chunk (`key`, `value`, header values are views,
 * not copies). Every chunk is a buffer that is never written again, so records stay valid for as
 * long as they are kept; keeping one pins its chunk (up to `chunkBytes`) in memory, so long-lived
 * holders of a few records should copy the bytes they need. Cursors of the same segment share a
 * chunk that one of them still holds instead of reading their own copy (./chunks.ts).
 *
 * Invariants:
 * - `position` is the offset of the next record to return. Buffered frames may start before it
 *   (after a seek into the middle of a frame); records below `position` are skipped.
 * - A chunk only ever covers bytes below the segment's `size` at read time: complete frames.
 * - A lost frame (damage marked on open) yields no records; the position moves past its offsets.
 */
import type { ConsumedRecord, Header } from '../log.ts';
import { BODY_HEADER_BYTES, FRAME_HEADER_BYTES, FRAME_PREFIX_BYTES, F_BASE_OFFSET, F_BODY_LENGTH, F_COUNT, F_PRODUCER, frameCrcOk, isLostFrame } from './format.ts';
import { chunkOf, type Chunk } from './chunks.ts';
import { readFully } from './fsutil.ts';
import type { PartitionLog } from './partition.ts';
import type { Segment } from './segment.ts';

const NO_HEADERS: readonly Header[] = Object.freeze([]);
const EMPTY_BUFFER = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
/** Smallest read: below it, syscalls per record start to show. */
const MIN_CHUNK_BYTES = 64 * 1024;

export class CorruptRecordError extends Error {}

export class PartitionCursor {
  readonly part: PartitionLog;
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to return. */
  position: number;
  /** Where to go when the position is above the end of the log: start (true) or end. */
  private readonly resetToStart: boolean;
  private readonly chunkBytes: number;
  private readonly verify: boolean;
  private seg: Segment | null = null;
  private buf: Buffer = EMPTY_BUFFER;
  private ab: ArrayBufferLike = EMPTY_BUFFER.buffer;
  private dv: DataView = EMPTY_VIEW;
  /** File position (in `seg`) of buf[0]. */
  private bufFilePos = 0;
  /** Parse position in buf, and end of the complete frames in it. */
  private p = 0;
  private end = 0;
  /** Records left in the current frame, and the offset of the record at `p`. */
  private frameLeft = 0;
  private recOffset = 0;
  /** Bytes per record in the last frame opened: sizes the next read. */
  private recordBytes = 256;
  /** The shared chunk `buf` belongs to, its segment and start (./chunks.ts); null: none held. */
  private held: Chunk | null = null;
  private heldSeg: Segment | null = null;
  private heldAt = 0;

  constructor(part: PartitionLog, position: number, resetToStart: boolean, chunkBytes: number, verify: boolean) {
    this.part = part;
    this.topic = part.topic;
    this.partition = part.partition;
    this.position = position;
    this.resetToStart = resetToStart;
    this.chunkBytes = chunkBytes;
    this.verify = verify;
  }

  seek(offset: number): void {
    this.position = offset;
    this.drop();
    this.seg = null;
  }

  /** True when a take() could return records right now (or must first move the position). */
  hasData(): boolean {
    return !this.part.deleted && (this.frameLeft > 0 || this.p < this.end || this.position !== this.part.endOffset);
  }

  /** Appends up to `max` records to `out`, in offset order; returns how many. */
  take(out: ConsumedRecord[], max: number): number {
    let n = 0;
    while (n < max) {
      if (this.frameLeft === 0) {
        if (this.p >= this.end && !this.refill(max - n)) break;
        this.openFrame();
        continue;
      }
      n += this.decode(out, max - n);
    }
    // A chunk read to the end is let go (records handed out keep their own reference): an idle
    // cursor pins no memory.
    if (this.frameLeft === 0 && this.p >= this.end && this.end > 0) this.release();
    return n;
  }

  /**
   * Counts the records at or after the position, up to the end of the log, in frames written by
   * producer number `producer`; frames are skipped whole, records are not decoded. Moves the
   * position to the end.
   */
  countProducer(producer: number): number {
    let n = 0;
    if (this.frameLeft > 0) {
      // Inside a frame (after take()): its producer is not kept; a fresh cursor never is.
      throw new Error('countProducer() on a cursor inside a frame');
    }
    while (this.p < this.end || this.refill(Number.MAX_SAFE_INTEGER)) {
      const p = this.p;
      const bodyLength = this.dv.getUint32(p + F_BODY_LENGTH, true);
      const count = this.dv.getUint32(p + F_COUNT, true);
      const base = this.dv.getFloat64(p + F_BASE_OFFSET, true);
      const next = base + count;
      if (next > this.position) {
        if (this.dv.getUint16(p + F_PRODUCER, true) === producer) n += next - Math.max(base, this.position);
        this.position = next;
      }
      this.p = p + FRAME_PREFIX_BYTES + bodyLength;
    }
    // Read to the end: let go of the last chunk (the position stays after it).
    if (this.end > 0) this.release();
    return n;
  }

  private openFrame(): void {
    const p = this.p;
    const bodyLength = this.dv.getUint32(p + F_BODY_LENGTH, true);
    if (this.verify && !frameCrcOk(this.buf, this.dv, p, bodyLength)) {
      throw new CorruptRecordError(
        `CRC mismatch in ${this.seg?.path ?? this.topic} at position ${this.bufFilePos + p}`,
      );
    }
    if (isLostFrame(this.dv, p)) {
      // Offsets lost to damage (reported when the log was opened): step over them.
      const after = this.dv.getFloat64(p + F_BASE_OFFSET, true) + this.dv.getUint32(p + F_COUNT, true);
      if (after > this.position) this.position = after;
      this.p = p + FRAME_PREFIX_BYTES + bodyLength;
      return;
    }
    this.frameLeft = this.dv.getUint32(p + F_COUNT, true);
    this.recOffset = this.dv.getFloat64(p + F_BASE_OFFSET, true);
    this.p = p + FRAME_HEADER_BYTES;
    this.recordBytes = Math.ceil((bodyLength - BODY_HEADER_BYTES) / Math.max(1, this.frameLeft));
  }

  /** Decodes up to `max` records of the current frame into `out`. Hot loop: state in locals. */
  private decode(out: ConsumedRecord[], max: number): number {
    const dv = this.dv;
    const ab = this.ab;
    const topic = this.topic;
    const partition = this.partition;
    const position = this.position;
    let p = this.p;
    let offset = this.recOffset;
    let left = this.frameLeft;
    let n = 0;
    while (left > 0 && n < max) {
      const keyLength = dv.getInt32(p, true);
      const valueLength = dv.getInt32(p + 4, true);
      const timestamp = dv.getFloat64(p + 8, true);
      const headerCount = dv.getUint16(p + 16, true);
      p += 18;
      let key: Uint8Array | null = null;
      let value: Uint8Array | null = null;
      let headers = NO_HEADERS;
      if (offset < position) {
        // Before the position (seek into the middle of a frame): skip without allocating.
        if (keyLength > 0) p += keyLength;
        if (valueLength > 0) p += valueLength;
        for (let h = 0; h < headerCount; h++) {
          p += 2 + dv.getUint16(p, true);
          const vl = dv.getInt32(p, true);
          p += 4 + (vl > 0 ? vl : 0);
        }
        offset++;
        left--;
        continue;
      }
      if (keyLength >= 0) {
        key = new Uint8Array(ab, p, keyLength);
        p += keyLength;
      }
      if (valueLength >= 0) {
        value = new Uint8Array(ab, p, valueLength);
        p += valueLength;
      }
      if (headerCount > 0) {
        const hs: Header[] = new Array(headerCount);
        for (let h = 0; h < headerCount; h++) {
          const kl = dv.getUint16(p, true);
          const hk = this.buf.toString('utf8', p + 2, p + 2 + kl);
          p += 2 + kl;
          const vl = dv.getInt32(p, true);
          p += 4;
          hs[h] = { key: hk, value: vl < 0 ? null : new Uint8Array(ab, p, vl) };
          if (vl > 0) p += vl;
        }
        headers = hs;
      }
      out.push({ topic, partition, offset, key, value, timestamp, headers });
      offset++;
      left--;
      n++;
    }
    this.p = p;
    this.recOffset = offset;
    this.frameLeft = left;
    if (offset > this.position) this.position = offset;
    return n;
  }

  /**
   * Loads the next chunk of complete frames, sized for about `wanted` records (twice that, at the
   * record size seen last, at least MIN_CHUNK_BYTES, at most chunkBytes): a consumer taking a
   * few hundred records per poll does not hold a full chunk per partition. False when there is
   * nothing more to read now.
   */
  private refill(wanted: number): boolean {
    const part = this.part;
    if (part.deleted) return false;
    let seg = this.seg;
    let filePos = this.bufFilePos + this.end;
    if (seg === null || seg.deleted || this.position < part.startOffset || this.position > part.endOffset) {
      this.clampPosition();
      seg = part.segmentFor(this.position);
      filePos = seg.lookup(this.position);
    }
    this.drop();
    while (filePos >= seg.size) {
      const next = part.segmentAfter(seg);
      if (next === null) {
        this.seg = seg;
        this.bufFilePos = filePos;
        return false;
      }
      seg = next;
      filePos = 0;
    }
    this.seg = seg;
    // Another cursor may have read this very chunk (same segment, same start) and still hold it.
    let chunk = seg.chunks.acquire(filePos);
    if (chunk === undefined) {
      chunk = readChunk(seg, filePos, Math.min(this.chunkBytes, seg.size - filePos, Math.max(MIN_CHUNK_BYTES, 2 * wanted * this.recordBytes)));
      seg.chunks.add(filePos, chunk);
    }
    this.held = chunk;
    this.heldSeg = seg;
    this.heldAt = filePos;
    this.buf = chunk.buf;
    this.ab = chunk.buf.buffer;
    this.dv = chunk.dv;
    this.bufFilePos = filePos;
    this.p = 0;
    this.end = chunk.end;
    return true;
  }

  /** Below the log start (retention): go to the start. Above the end: reset per policy. */
  private clampPosition(): void {
    const start = this.part.startOffset;
    const end = this.part.endOffset;
    if (this.position < start) this.position = start;
    else if (this.position > end) this.position = this.resetToStart ? start : end;
  }

  /** Lets go of the chunk held (the consumer closes, or stops reading this partition). */
  close(): void {
    this.drop();
    this.seg = null;
  }

  /** Lets go of a fully read chunk, keeping the file position after it. */
  private release(): void {
    this.letGo();
    this.bufFilePos += this.end;
    this.buf = EMPTY_BUFFER;
    this.ab = EMPTY_BUFFER.buffer;
    this.dv = EMPTY_VIEW;
    this.p = 0;
    this.end = 0;
  }

  private drop(): void {
    this.letGo();
    this.buf = EMPTY_BUFFER;
    this.ab = EMPTY_BUFFER.buffer;
    this.bufFilePos = 0;
    this.p = 0;
    this.end = 0;
    this.frameLeft = 0;
  }

  private letGo(): void {
    if (this.held !== null) this.heldSeg!.chunks.release(this.heldAt, this.held);
    this.held = null;
    this.heldSeg = null;
  }
}

/**
 * Reads the complete frames at `filePos` within `len` bytes (`len` is at most what the segment
 * holds after `filePos`); a first frame larger than that is read whole.
 */
function readChunk(seg: Segment, filePos: number, len: number): Chunk {
  const fd = seg.ensureOpen();
  let buf = Buffer.allocUnsafeSlow(len);
  readFully(fd, buf, 0, len, filePos);
  let end = completeFramesEnd(buf, len);
  if (end === 0) {
    // The first frame is larger than a chunk: read exactly that frame.
    end = FRAME_PREFIX_BYTES + buf.readUInt32LE(F_BODY_LENGTH);
    buf = Buffer.allocUnsafeSlow(end);
    readFully(fd, buf, 0, end, filePos);
  }
  return chunkOf(buf, end);
}

/** Length of the prefix of `buf[0, len)` made of complete frames. */
function completeFramesEnd(buf: Buffer, len: number): number {
  let q = 0;
  while (q + FRAME_HEADER_BYTES <= len) {
    const total = FRAME_PREFIX_BYTES + buf.readUInt32LE(q + F_BODY_LENGTH);
    if (q + total > len) break;
    q += total;
  }
  return q;
}
