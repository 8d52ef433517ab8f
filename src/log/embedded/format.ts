/**
 * On-disk format of segment files: a sequence of frames, each a batch of records, little endian.
 *
 *   frame:  u32 bodyLength | u32 crc32(body) | body
 *   body:   u8 magic=1 | u8 attributes=0 | u16 producer | u32 recordCount
 *           | f64 baseOffset | f64 maxTimestamp | records...
 *   record: i32 keyLength (-1 = null) | i32 valueLength (-1 = null) | f64 timestamp
 *           | u16 headerCount | key | value | headers...
 *   header: u16 keyLength | key (UTF-8) | i32 valueLength (-1 = null) | value
 *
 * `producer` is the number of the idempotent producer that wrote the frame (0: an anonymous
 * producer; see EmbeddedLog.idempotentProducer): one append of one producer is its frames, so a
 * writer can count its own records after a crash. Readers ignore it.
 *
 * Offsets are implicit: record i of a frame has offset baseOffset + i; frames of a partition
 * are contiguous. Offsets and timestamps are f64 (exact integers up to 2^53, no BigInt on the
 * hot path). The CRC covers the whole body, so a frame torn by a crash (kill -9 in the middle of
 * a write) is detected on open and truncated away.
 *
 * attributes = ATTR_LOST marks a "lost" frame, written in place over damaged bytes when the log
 * is opened (./recover.ts): it holds no records, `recordCount` is the number of offsets that
 * were lost there (may be 0), and its body is the damaged bytes, kept as they were (the CRC is
 * recomputed over them), so offsets stay contiguous and readers step over the hole.
 */
import zlib from 'node:zlib';
import type { Header, ProducerRecord } from '../log.ts';

export const FRAME_HEADER_BYTES = 32;
/** Bytes of the frame header that precede the CRC-covered body. */
export const FRAME_PREFIX_BYTES = 8;
export const BODY_HEADER_BYTES = FRAME_HEADER_BYTES - FRAME_PREFIX_BYTES;
export const RECORD_FIXED_BYTES = 18;
export const MAGIC = 1;
/** attributes value of a frame that stands for offsets lost to damage (no records). */
export const ATTR_LOST = 1;

// Field positions inside a frame.
export const F_BODY_LENGTH = 0;
export const F_CRC = 4;
export const F_MAGIC = 8;
export const F_ATTRIBUTES = 9;
export const F_PRODUCER = 10;
export const F_COUNT = 12;
export const F_BASE_OFFSET = 16;
export const F_MAX_TIMESTAMP = 24;

const MAX_HEADER_KEY_BYTES = 0xffff;

/** Size of one encoded record. Throws on values the format cannot hold. */
export function recordSize(r: ProducerRecord): number {
  let size = RECORD_FIXED_BYTES;
  // `== null`: a JavaScript caller's undefined is written as null.
  if (r.key != null) size += r.key.length;
  if (r.value != null) size += r.value.length;
  const headers = r.headers;
  if (headers !== undefined && headers.length > 0) {
    if (headers.length > 0xffff) throw new RangeError(`A record may have at most 65535 headers`);
    for (let i = 0; i < headers.length; i++) size += headerSize(headers[i]);
  }
  return size;
}

function headerSize(h: Header): number {
  const keyBytes = Buffer.byteLength(h.key, 'utf8');
  if (keyBytes > MAX_HEADER_KEY_BYTES) throw new RangeError(`Header key too long (${keyBytes} bytes)`);
  return 6 + keyBytes + (h.value == null ? 0 : h.value.length);
}

/**
 * Encodes the records of one partition into frames, in a scratch buffer reused across calls
 * (callers write it out synchronously before the next encode). A frame's body is kept below
 * `maxFrameBytes` (unless a single record is larger), which bounds what a reader must hold at
 * once; all frames of one call are written with one write.
 */
export class FrameEncoder {
  private buf: Buffer;
  private dv: DataView;
  private readonly initialBytes: number;
  /** After encode(): start position and base offset of each frame, and the count of frames. */
  readonly frameStarts: number[] = [];
  readonly frameBases: number[] = [];
  frameCount = 0;
  /** After encode(): the largest record timestamp. */
  maxTimestamp = -Infinity;
  /** The producer number written into the frames of the current encode(). */
  private producer = 0;

  constructor(initialBytes = 1 << 20) {
    this.initialBytes = initialBytes;
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** The encoded bytes of the last encode() are `bytes().subarray(0, length)`. */
  bytes(): Buffer {
    return this.buf;
  }

  /**
   * Encodes `records[order[from]] .. records[order[to - 1]]` with offsets from `baseOffset`.
   * Returns the encoded length.
   */
  encode(
    records: readonly ProducerRecord[],
    order: Int32Array,
    from: number,
    to: number,
    baseOffset: number,
    maxFrameBytes: number,
    producer = 0,
  ): number {
    this.producer = producer;
    this.frameCount = 0;
    this.maxTimestamp = -Infinity;
    let frameStart = 0;
    let frameRecords = 0;
    let frameBase = baseOffset;
    let frameMaxTs = -Infinity;
    let pos = FRAME_HEADER_BYTES;
    this.ensure(pos);
    for (let i = from; i < to; i++) {
      const r = records[order[i]];
      const size = recordSize(r);
      if (frameRecords > 0 && pos - frameStart - FRAME_PREFIX_BYTES + size > maxFrameBytes) {
        this.closeFrame(frameStart, pos, frameRecords, frameBase, frameMaxTs);
        frameBase += frameRecords;
        frameStart = pos;
        frameRecords = 0;
        frameMaxTs = -Infinity;
        pos += FRAME_HEADER_BYTES;
      }
      this.ensure(pos + size + FRAME_HEADER_BYTES);
      pos = this.writeRecord(r, pos);
      frameRecords++;
      if (r.timestamp > frameMaxTs) frameMaxTs = r.timestamp;
    }
    this.closeFrame(frameStart, pos, frameRecords, frameBase, frameMaxTs);
    return pos;
  }

  /** Drops a scratch buffer that one huge call grew, so it is not kept forever. */
  shrink(): void {
    if (this.buf.length > 8 * this.initialBytes) {
      this.buf = Buffer.allocUnsafeSlow(this.initialBytes);
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    }
  }

  private writeRecord(r: ProducerRecord, start: number): number {
    const buf = this.buf;
    const dv = this.dv;
    const key = r.key;
    const value = r.value;
    const headers = r.headers;
    const headerCount = headers === undefined ? 0 : headers.length;
    dv.setInt32(start, key == null ? -1 : key.length, true);
    dv.setInt32(start + 4, value == null ? -1 : value.length, true);
    dv.setFloat64(start + 8, r.timestamp, true);
    dv.setUint16(start + 16, headerCount, true);
    let pos = start + RECORD_FIXED_BYTES;
    if (key != null) pos = copyInto(buf, key, pos);
    if (value != null) pos = copyInto(buf, value, pos);
    for (let i = 0; i < headerCount; i++) {
      const h = headers![i];
      const keyBytes = buf.write(h.key, pos + 2, 'utf8');
      dv.setUint16(pos, keyBytes, true);
      pos += 2 + keyBytes;
      dv.setInt32(pos, h.value == null ? -1 : h.value.length, true);
      pos += 4;
      if (h.value != null) pos = copyInto(buf, h.value, pos);
    }
    return pos;
  }

  private closeFrame(start: number, end: number, count: number, base: number, maxTs: number): void {
    const dv = this.dv;
    dv.setUint32(start + F_BODY_LENGTH, end - start - FRAME_PREFIX_BYTES, true);
    dv.setUint8(start + F_MAGIC, MAGIC);
    dv.setUint8(start + F_MAGIC + 1, 0);
    dv.setUint16(start + F_PRODUCER, this.producer, true);
    dv.setUint32(start + F_COUNT, count, true);
    dv.setFloat64(start + F_BASE_OFFSET, base, true);
    dv.setFloat64(start + F_MAX_TIMESTAMP, maxTs, true);
    dv.setUint32(start + F_CRC, zlib.crc32(this.buf.subarray(start + FRAME_PREFIX_BYTES, end)), true);
    this.frameStarts[this.frameCount] = start;
    this.frameBases[this.frameCount] = base;
    this.frameCount++;
    if (maxTs > this.maxTimestamp) this.maxTimestamp = maxTs;
  }

  private ensure(needed: number): void {
    if (needed <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.buf.length);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.length);
  }
}

function copyInto(buf: Buffer, src: Uint8Array, pos: number): number {
  buf.set(src, pos);
  return pos + src.length;
}

/** Checks a frame's CRC; `buf` holds the whole frame from `start`. */
export function frameCrcOk(buf: Buffer, dv: DataView, start: number, bodyLength: number): boolean {
  const body = buf.subarray(start + FRAME_PREFIX_BYTES, start + FRAME_PREFIX_BYTES + bodyLength);
  return zlib.crc32(body) === dv.getUint32(start + F_CRC, true);
}

/** True when the frame at `start` is a lost-offsets marker (see the header comment). */
export function isLostFrame(dv: DataView, start: number): boolean {
  return dv.getUint8(start + F_ATTRIBUTES) === ATTR_LOST;
}

/** The 32-byte header of a lost frame whose body will be `bodyLength` bytes (CRC left to the caller). */
export function lostFrameHeader(bodyLength: number, baseOffset: number, lostCount: number): Buffer {
  const h = Buffer.alloc(FRAME_HEADER_BYTES);
  h.writeUInt32LE(bodyLength, F_BODY_LENGTH);
  h.writeUInt8(MAGIC, F_MAGIC);
  h.writeUInt8(ATTR_LOST, F_ATTRIBUTES);
  h.writeUInt32LE(lostCount, F_COUNT);
  h.writeDoubleLE(baseOffset, F_BASE_OFFSET);
  h.writeDoubleLE(-Infinity, F_MAX_TIMESTAMP);
  return h;
}
