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

/** The records of a compressed batch, inflated; or the response buffer itself. */
function recordsBuffer(batch: FetchedBatch): { buf: Buffer; start: number; end: number } {
  const compression = batch.attributes & COMPRESSION_MASK;
  if (compression === 0) return { buf: batch.buffer, start: batch.recordsStart, end: batch.end };
  const algorithm = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync(data: Buffer): Buffer } | undefined>)[compression];
  if (!algorithm) throw new CorruptRecordBatchError(`record batch at offset ${batch.firstOffset}: unknown compression ${compression}`);
  const inflated = algorithm.decompressSync(batch.buffer.subarray(batch.recordsStart, batch.end));
  return { buf: inflated, start: 0, end: inflated.length };
}

/**
 * The records of one fetched batch not taken yet, decoded on demand: a consumer buffers batches
 * (bytes outside the JS heap) and creates the record objects only when poll() hands them out, so
 * they die young instead of surviving garbage collections while they wait in the fetch buffer.
 */
export class BatchCursor {
  readonly topic: string;
  readonly partition: number;
  /** Bytes of the batch (as fetched, compressed or not): what it counts against a byte budget. */
  readonly size: number;
  readonly #batch: FetchedBatch;
  readonly #fromOffset: number;
  #buf: Buffer | null = null;
  #pos = 0;
  #end = 0;
  /** Records not yet read (some may lie before the fetch offset and be skipped). */
  #left: number;

  constructor(batch: FetchedBatch, topic: string, partition: number, fromOffset: number) {
    this.#batch = batch;
    this.topic = topic;
    this.partition = partition;
    this.#fromOffset = fromOffset;
    this.size = batch.end - batch.recordsStart;
    this.#left = batch.recordCount;
  }

  /** Records still to come: exact unless the batch starts before the fetch offset. */
  get remaining(): number {
    return this.#left;
  }

  /** Appends up to `max` records (offset ≥ the fetch offset) to `out`; returns how many. */
  read(max: number, out: ConsumedRecord[]): number {
    if (this.#buf === null) {
      const { buf, start, end } = recordsBuffer(this.#batch);
      this.#buf = buf;
      this.#pos = start;
      this.#end = end;
    }
    at = this.#pos;
    const n = readRecords(this.#batch, this.#buf, this.#end, this.topic, this.partition, this.#fromOffset, Math.min(max, this.#left), out);
    this.#left -= n.read;
    this.#pos = at;
    if (this.#left === 0) this.#buf = null;
    return n.appended;
  }
}

/**
 * Appends the records of `batch` with offset ≥ `fromOffset` to `out` (a compressed batch may
 * start before the fetch offset); returns the bytes of keys and values appended.
 */
export function decodeBatchRecords(batch: FetchedBatch, topic: string, partition: number, fromOffset: number, out: ConsumedRecord[]): number {
  const cursor = new BatchCursor(batch, topic, partition, fromOffset);
  const first = out.length;
  cursor.read(batch.recordCount, out);
  let bytes = 0;
  for (let i = first; i < out.length; i++) bytes += (out[i].key?.length ?? 0) + (out[i].value?.length ?? 0);
  return bytes;
}

const progress = { read: 0, appended: 0 };

/** Reads `count` records from `at` on; `progress` says how many were read and appended. */
function readRecords(batch: FetchedBatch, buf: Buffer, end: number, topic: string, partition: number, fromOffset: number, count: number, out: ConsumedRecord[]): typeof progress {
  const baseOffset = Number(batch.firstOffset);
  const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
  const firstTimestamp = batch.firstTimestamp;
  const maxTimestamp = batch.maxTimestamp;
  let appended = 0;
  for (let i = 0; i < count; i++) {
    const length = readZigzag(buf, end);
    const recordEnd = at + length;
    if (length < 0 || recordEnd > end) throw new CorruptRecordBatchError(`record batch at offset ${batch.firstOffset}: a record of ${length} bytes runs past the batch`);
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
    at = recordEnd;
    if (offset < fromOffset) continue;
    out.push({ topic, partition, offset, key, value, timestamp: logAppendTime ? maxTimestamp : firstTimestamp + timestampDelta, headers });
    appended++;
  }
  progress.read = count;
  progress.appended = appended;
  return progress;
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
