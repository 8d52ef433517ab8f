/**
 * The records of one fetched record batch (./fetch-response.ts) decoded straight into the log's
 * ConsumedRecord objects: one object per record, keys and values as views of the response buffer
 * (no copy), headers only when a record has some, varints read in place (no tuples, no BigInt),
 * and only when they are taken (BatchCursor).
 *
 * Invariants:
 * - Record for record what @platformatic/kafka's readRecordsBatch yields (offset = base offset +
 *   offset delta, timestamp = first timestamp + delta, or the batch's max timestamp under
 *   LogAppendTime; a null key/value stays null, an empty one is an empty Buffer), which
 *   test/log/kafka/record-batch-reader.test.ts checks against the library on the same bytes.
 * - A record that claims more bytes than its batch holds fails with CorruptRecordBatchError
 *   rather than reading into the next batch.
 * - Compressed batches are inflated with the library's codecs (gzip, snappy, lz4, zstd); the
 *   records then are views of the inflated buffer.
 *
 * Both kinds of batch the fetcher buffers (./fetcher.ts) are here: BatchCursor over Riffle's own
 * parse (Fetch v13+), DecodedBatch over one the library decoded (older brokers).
 */
import { compressionsAlgorithmsByBitmask, type RecordsBatch } from '@platformatic/kafka';
import type { ConsumedRecord, Header } from '../log.ts';
import { CorruptRecordBatchError, type FetchedBatch } from './fetch-response.ts';

const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;
const NO_HEADERS: readonly Header[] = Object.freeze([]);

/** Read position of the varint readers below (module state: decoding is synchronous, never re-entered). */
let at = 0;

/** A zigzag varint/varlong as a number (exact up to 2^53, which covers every offset and time delta). */
function readZigzag(buf: Buffer, end: number): number {
  if (at >= end) throw new CorruptRecordBatchError('record batch: truncated record');
  let b = buf[at++];
  if (b < 0x80) return (b >>> 1) ^ -(b & 1);
  let value = b & 0x7f;
  let scale = 128;
  for (;;) {
    if (at >= end) throw new CorruptRecordBatchError('record batch: truncated varint');
    b = buf[at++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
    if (scale > 2 ** 63) throw new CorruptRecordBatchError('record batch: varint longer than 10 bytes');
  }
  return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
}

/**
 * Length-prefixed bytes: null for length -1, else a view of `buf` (a plain Uint8Array, as the
 * embedded log returns: cheaper to create than a Buffer view).
 */
function readBytes(buf: Buffer, end: number): Uint8Array | null {
  const length = readZigzag(buf, end);
  if (length < 0) return null;
  const start = at;
  at += length;
  if (at > end) throw new CorruptRecordBatchError(`record batch: a field of ${length} bytes runs past its record`);
  return new Uint8Array(buf.buffer, buf.byteOffset + start, length);
}

/** Length-prefixed UTF-8 (a header key; null reads as ''). */
function readString(buf: Buffer, end: number): string {
  const length = readZigzag(buf, end);
  if (length <= 0) return '';
  const start = at;
  at += length;
  if (at > end) throw new CorruptRecordBatchError(`record batch: a header key of ${length} bytes runs past its record`);
  return buf.toString('utf8', start, at);
}

/** The records of a batch: the chunk views it arrived in, or (compressed) one inflated buffer. */
function recordSegments(batch: FetchedBatch): readonly Buffer[] {
  const compression = batch.attributes & COMPRESSION_MASK;
  if (compression === 0) return batch.segments;
  const algorithm = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync(data: Buffer): Buffer } | undefined>)[compression];
  if (!algorithm) throw new CorruptRecordBatchError(`record batch at offset ${batch.firstOffset}: unknown compression ${compression}`);
  const compressed = batch.segments.length === 1 ? batch.segments[0] : Buffer.concat(batch.segments, batch.size);
  return [algorithm.decompressSync(compressed)];
}

/** Longest varint of a record length (int32 zigzag). */
const MAX_LENGTH_VARINT = 5;

/**
 * The records of one fetched batch not taken yet, decoded on demand: a consumer buffers batches
 * (bytes outside the JS heap) and creates the record objects only when poll() hands them out, so
 * they die young instead of surviving garbage collections while they wait in the fetch buffer.
 * A record lying in one socket chunk is read in place (the usual case: chunks are 64 KiB); one
 * straddling two chunks is copied out first.
 */
export class BatchCursor {
  readonly topic: string;
  readonly partition: number;
  /** Bytes of the batch's records (as fetched, compressed or not): what it counts against a byte budget. */
  readonly size: number;
  readonly #batch: FetchedBatch;
  readonly #fromOffset: number;
  #segments: readonly Buffer[] | null = null;
  #seg = 0;
  #pos = 0;
  /** Records not yet read (some may lie before the fetch offset and be skipped). */
  #left: number;

  constructor(batch: FetchedBatch, topic: string, partition: number, fromOffset: number) {
    this.#batch = batch;
    this.topic = topic;
    this.partition = partition;
    this.#fromOffset = fromOffset;
    this.size = batch.size;
    this.#left = batch.recordCount;
  }

  /** Records still to come: exact unless the batch starts before the fetch offset. */
  get remaining(): number {
    return this.#left;
  }

  /** Appends up to `max` records (offset ≥ the fetch offset) to `out`; returns how many. */
  read(max: number, out: ConsumedRecord[]): number {
    const segments = (this.#segments ??= recordSegments(this.#batch));
    const batch = this.#batch;
    const baseOffset = Number(batch.firstOffset);
    const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    const { firstTimestamp, maxTimestamp } = batch;
    const { topic, partition } = this;
    const fromOffset = this.#fromOffset;
    const count = Math.min(max, this.#left);
    const last = segments.length - 1;
    let appended = 0;
    for (let i = 0; i < count; i++) {
      let buf = segments[this.#seg];
      while (this.#pos >= buf.length && this.#seg < last) {
        buf = segments[++this.#seg];
        this.#pos = 0;
      }
      // The record in place when it lies in this segment; else a copy of it.
      let recordEnd = -1;
      if (buf.length - this.#pos >= MAX_LENGTH_VARINT || this.#seg === last) {
        at = this.#pos;
        const length = readZigzag(buf, buf.length);
        if (length < 0) throw new CorruptRecordBatchError(`record batch at offset ${batch.firstOffset}: negative record length ${length}`);
        if (at + length <= buf.length) {
          recordEnd = at + length;
          this.#pos = recordEnd;
        } else if (this.#seg === last) {
          throw new CorruptRecordBatchError(`record batch at offset ${batch.firstOffset}: a record of ${length} bytes runs past the batch`);
        }
      }
      if (recordEnd < 0) {
        buf = this.#straddling(segments);
        at = 0;
        recordEnd = buf.length;
      }
      at++; // attributes: unused in magic v2
      const timestampDelta = readZigzag(buf, recordEnd);
      const offset = baseOffset + readZigzag(buf, recordEnd);
      const key = readBytes(buf, recordEnd);
      const value = readBytes(buf, recordEnd);
      const headerCount = readZigzag(buf, recordEnd);
      let headers = NO_HEADERS;
      if (headerCount > 0) {
        const list: Header[] = [];
        for (let h = 0; h < headerCount; h++) {
          const key = readString(buf, recordEnd);
          list.push({ key, value: readBytes(buf, recordEnd) });
        }
        headers = list;
      }
      if (offset < fromOffset) continue;
      out.push({ topic, partition, offset, key, value, timestamp: logAppendTime ? maxTimestamp : firstTimestamp + timestampDelta, headers });
      appended++;
    }
    this.#left -= count;
    if (this.#left === 0) this.#segments = null;
    return appended;
  }

  /** The record at the position, spread over several segments, copied into a buffer of its own. */
  #straddling(segments: readonly Buffer[]): Buffer {
    let raw = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new CorruptRecordBatchError('record batch: record length varint too long');
      const b = this.#byte(segments);
      raw += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const length = raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2;
    if (length < 0) throw new CorruptRecordBatchError(`record batch at offset ${this.#batch.firstOffset}: negative record length ${length}`);
    const copy = Buffer.allocUnsafe(length);
    for (let k = 0; k < length; ) {
      const seg = this.#current(segments);
      const n = Math.min(length - k, seg.length - this.#pos);
      seg.copy(copy, k, this.#pos, this.#pos + n);
      this.#pos += n;
      k += n;
    }
    return copy;
  }

  #current(segments: readonly Buffer[]): Buffer {
    while (this.#pos >= segments[this.#seg].length) {
      if (++this.#seg >= segments.length) throw new CorruptRecordBatchError(`record batch at offset ${this.#batch.firstOffset}: a record runs past the batch`);
      this.#pos = 0;
    }
    return segments[this.#seg];
  }

  #byte(segments: readonly Buffer[]): number {
    return this.#current(segments)[this.#pos++];
  }
}

/**
 * Appends the records of `batch` with offset ≥ `fromOffset` to `out` (a compressed batch may
 * start before the fetch offset); returns the bytes of keys and values appended.
 */
export function decodeBatchRecords(batch: FetchedBatch, topic: string, partition: number, fromOffset: number, out: ConsumedRecord[]): number {
  const first = out.length;
  new BatchCursor(batch, topic, partition, fromOffset).read(batch.recordCount, out);
  let bytes = 0;
  for (let i = first; i < out.length; i++) bytes += (out[i].key?.length ?? 0) + (out[i].value?.length ?? 0);
  return bytes;
}

/**
 * The same for a batch the library decoded (Fetch below v13, i.e. brokers before Kafka 3.1,
 * where the library's parser is kept).
 */
export function decodeLibraryBatch(batch: RecordsBatch, topic: string, partition: number, fromOffset: number, out: ConsumedRecord[]): number {
  const baseOffset = Number(batch.firstOffset);
  const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
  const firstTimestamp = Number(batch.firstTimestamp);
  const maxTimestamp = Number(batch.maxTimestamp);
  let bytes = 0;
  for (const r of batch.records) {
    const offset = baseOffset + r.offsetDelta;
    if (offset < fromOffset) continue;
    const headers = r.headers.length === 0 ? NO_HEADERS : r.headers.map(([k, v]) => ({ key: k ? k.toString('utf8') : '', value: v }));
    out.push({ topic, partition, offset, key: r.key, value: r.value, timestamp: logAppendTime ? maxTimestamp : firstTimestamp + Number(r.timestampDelta), headers });
    bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
  }
  return bytes;
}

/** A fetched batch waiting in the buffer: its records are decoded when taken. */
export interface BufferedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Bytes it holds (counted against maxBufferedBytes). */
  readonly size: number;
  readonly remaining: number;
  read(max: number, out: ConsumedRecord[]): number;
}

/** A batch the library already decoded (Fetch below v13): its records, handed out in order. */
export class DecodedBatch implements BufferedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly size: number;
  readonly #records: ConsumedRecord[] = [];
  #next = 0;

  constructor(batch: RecordsBatch, topic: string, partition: number, fromOffset: number) {
    this.topic = topic;
    this.partition = partition;
    this.size = decodeLibraryBatch(batch, topic, partition, fromOffset, this.#records) + 64 * this.#records.length;
  }

  get remaining(): number {
    return this.#records.length - this.#next;
  }

  read(max: number, out: ConsumedRecord[]): number {
    const n = Math.min(max, this.remaining);
    for (let i = 0; i < n; i++) out.push(this.#records[this.#next++]);
    return n;
  }
}
