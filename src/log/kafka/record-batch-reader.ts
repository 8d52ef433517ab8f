/**
 * The records of one fetched record batch (./fetch-response.ts) decoded straight into the log's
 * ConsumedRecord objects: one object per record, keys and values as views of the response buffer
 * (no copy), headers only when a record has some, varints read in place (no tuples, no BigInt).
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

/** Length-prefixed bytes: null for length -1, else a view of `buf`. */
function readBytes(buf: Buffer, end: number): Buffer | null {
  const length = readZigzag(buf, end);
  if (length < 0) return null;
  const start = at;
  at += length;
  if (at > end) throw new CorruptRecordBatchError(`record batch: a field of ${length} bytes runs past its record`);
  return buf.subarray(start, at);
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
 * Appends the records of `batch` with offset ≥ `fromOffset` to `out` (a compressed batch may
 * start before the fetch offset); returns the bytes of keys and values appended.
 */
export function decodeBatchRecords(batch: FetchedBatch, topic: string, partition: number, fromOffset: number, out: ConsumedRecord[]): number {
  const { buf, start, end } = recordsBuffer(batch);
  const baseOffset = Number(batch.firstOffset);
  const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
  const firstTimestamp = batch.firstTimestamp;
  const maxTimestamp = batch.maxTimestamp;
  let bytes = 0;
  at = start;
  for (let i = 0; i < batch.recordCount; i++) {
    const length = readZigzag(buf, end);
    const recordEnd = at + length;
    if (length < 0 || recordEnd > end) throw new CorruptRecordBatchError(`record batch at offset ${batch.firstOffset}: record ${i} of ${length} bytes runs past the batch`);
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
        const k = readBytes(buf, recordEnd);
        list.push({ key: k ? k.toString('utf8') : '', value: readBytes(buf, recordEnd) });
      }
      headers = list;
    }
    at = recordEnd;
    if (offset < fromOffset) continue;
    out.push({ topic, partition, offset, key, value, timestamp: logAppendTime ? maxTimestamp : firstTimestamp + timestampDelta, headers });
    bytes += (key === null ? 0 : key.length) + (value === null ? 0 : value.length);
  }
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
