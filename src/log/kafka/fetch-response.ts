/**
 * Fetch responses (v13-v17, the versions that name topics by id; their responses share one wire
 * format) parsed by Riffle instead of @platformatic/kafka: record batches are NOT decoded here,
 * only their 61-byte headers (./record-batch-reader.ts decodes the records straight into the
 * log's ConsumedRecord objects when the fetcher buffers them).
 *
 * Why: the library parses through a DynamicBuffer (the list of socket chunks) where every field
 * read walks the chunk list from the start, returns a [value, bytesRead] tuple, reads varlongs
 * with BigInt arithmetic, and builds an object per record, a Buffer per key, value and header,
 * and an array per record's headers, which the fetcher then turned into other objects again.
 * Here the response is joined into one Buffer once (a single copy of the response) and read with
 * plain index arithmetic.
 *
 * Invariants:
 * - The response object has the library's shape (so its consumer keeps handling fetch sessions,
 *   preferred replicas, errors and its read_committed filter unchanged); only `records` differs:
 *   a list of FetchedBatch headers (with `records` holding the decoded control records of a
 *   control batch, which is all the library's filter reads).
 * - Batches are CRC-checked (CRC-32C over attributes..end, as Java's consumer does with its
 *   default check.crcs=true): a corrupt batch fails the response with CorruptRecordBatchError.
 * - A batch cut by the fetch's byte limits (the broker may return a partial last batch) is left
 *   out, as the library and Java do; the next fetch starts at it again.
 */
import { ResponseError } from '@platformatic/kafka';
import { checksum } from './crc32c.ts';

/** Header of one record batch (magic v2) and where its records lie. */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly recordCount: number;
  /** The response buffer; the records (compressed if `attributes & 7`) lie in [recordsStart, end). */
  readonly buffer: Buffer;
  readonly recordsStart: number;
  readonly end: number;
  /** Decoded only for control batches (transaction markers): their key holds the marker type. */
  readonly records: readonly { readonly key: Buffer | null }[];
}

export interface FetchedPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  divergingEpoch: { epoch: number; endOffset: bigint };
  currentLeader: { leaderId: number; leaderEpoch: number };
  snapshotId: { endOffset: bigint; epoch: number };
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null;
  preferredReadReplica: number;
  records: FetchedBatch[] | null;
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: { topicId: string; partitions: FetchedPartition[] }[];
  nodeEndpoints: { nodeId: number; host: string; port: number; rack: string | null }[];
}

export class CorruptRecordBatchError extends Error {
  override readonly name = 'CorruptRecordBatchError';
}

const IS_CONTROL = 1 << 5;
/** Batch header bytes: baseOffset(8) length(4) leaderEpoch(4) magic(1) crc(4) attributes(2) lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2) baseSequence(4) count(4). */
const BATCH_HEADER = 61;
/** baseOffset + length: what precedes the `length` bytes of a batch. */
const BATCH_LOG_OVERHEAD = 12;

/** A cursor over one contiguous buffer (unsigned varints and the fixed-width fields Fetch uses). */
class Cursor {
  pos = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }

  int8(): number {
    return this.buf.readInt8(this.pos++);
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('fetch response: truncated varint');
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      shift += 7;
      if (shift > 35) throw new RangeError('fetch response: varint too long');
    }
  }
  uuid(): string {
    const hex = this.buf.toString('hex', this.pos, this.pos + 16);
    this.pos += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + n - 1);
    this.pos += n - 1;
    return s;
  }
  /** Compact array length; -1 for null. */
  compactLength(): number {
    return this.uvarint() - 1;
  }
  /** Tagged fields: `handle` gets the known tags (positioned at their payload), others are skipped. */
  taggedFields(handle?: (tag: number, c: Cursor) => void): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      const end = this.pos + size;
      if (end > this.buf.length) throw new RangeError(`fetch response: tagged field ${tag} declares ${size} bytes past the end`);
      handle?.(tag, this);
      this.pos = end;
    }
  }
}

/**
 * The Fetch v13-v17 response parser, with the library's parser signature (`reader` is its
 * Reader over a DynamicBuffer). Throws ResponseError, like the library, when any error code is set.
 */
export function parseFetchResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: { buffer: { buffer: Buffer }; position: number }): FetchResponse {
  // One copy: the socket chunks of this response joined (a single chunk is returned as is).
  const c = new Cursor(reader.buffer.buffer);
  c.pos = reader.position;
  const errors: [string, [number, null]][] = [];
  const throttleTimeMs = c.int32();
  const errorCode = c.int16();
  if (errorCode !== 0) errors.push([apiVersion >= 15 ? '' : '/', [errorCode, null]]);
  const response: FetchResponse = { throttleTimeMs, errorCode, sessionId: c.int32(), responses: [], nodeEndpoints: [] };
  const topics = c.compactLength();
  for (let i = 0; i < topics; i++) {
    const topicId = c.uuid();
    const partitions: FetchedPartition[] = [];
    const count = c.compactLength();
    for (let j = 0; j < count; j++) {
      const p = parsePartition(c);
      if (p.errorCode !== 0) errors.push([`/responses/${i}/partitions/${j}`, [p.errorCode, null]]);
      partitions.push(p);
    }
    c.taggedFields();
    response.responses.push({ topicId, partitions });
  }
  c.taggedFields((tag, t) => {
    if (tag !== 0) return;
    const n = t.compactLength();
    for (let i = 0; i < n; i++) {
      response.nodeEndpoints.push({ nodeId: t.int32(), host: t.compactNullableString() ?? '', port: t.int32(), rack: t.compactNullableString() });
      t.taggedFields();
    }
  });
  if (errors.length > 0) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

function parsePartition(c: Cursor): FetchedPartition {
  const p: FetchedPartition = {
    partitionIndex: c.int32(),
    errorCode: c.int16(),
    highWatermark: c.int64(),
    lastStableOffset: c.int64(),
    logStartOffset: c.int64(),
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: [],
  };
  const aborted = c.compactLength();
  if (aborted >= 0) {
    p.abortedTransactions = [];
    for (let k = 0; k < aborted; k++) {
      p.abortedTransactions.push({ producerId: c.int64(), firstOffset: c.int64() });
      c.taggedFields();
    }
  }
  p.preferredReadReplica = c.int32();
  const size = c.uvarint(); // COMPACT_RECORDS: length + 1, 0 = null
  if (size === 0) p.records = null;
  else if (size > 1) {
    const end = c.pos + size - 1;
    if (end > c.buf.length) throw new RangeError('fetch response: records past the end of the response');
    p.records = readBatchHeaders(c.buf, c.pos, end);
    c.pos = end;
  }
  c.taggedFields((tag, t) => {
    if (tag === 0) p.divergingEpoch = { epoch: t.int32(), endOffset: t.int64() };
    else if (tag === 1) p.currentLeader = { leaderId: t.int32(), leaderEpoch: t.int32() };
    else if (tag === 2) p.snapshotId = { endOffset: t.int64(), epoch: t.int32() };
  });
  return p;
}

/** The complete record batches in buf[start, end) (a partial last one is left out), CRC-checked. */
export function readBatchHeaders(buf: Buffer, start: number, end: number): FetchedBatch[] {
  const batches: FetchedBatch[] = [];
  let pos = start;
  while (end - pos >= BATCH_LOG_OVERHEAD) {
    const length = buf.readInt32BE(pos + 8);
    const batchEnd = pos + BATCH_LOG_OVERHEAD + length;
    if (batchEnd > end) break; // cut by the fetch size limits
    const firstOffset = buf.readBigInt64BE(pos);
    if (length < BATCH_HEADER - BATCH_LOG_OVERHEAD) throw new CorruptRecordBatchError(`record batch at offset ${firstOffset}: length ${length} is below the header size`);
    const magic = buf[pos + 16];
    if (magic !== 2) throw new CorruptRecordBatchError(`record batch at offset ${firstOffset}: magic ${magic} is not supported (only v2)`);
    const crc = buf.readUInt32BE(pos + 17);
    const actual = checksum(buf.subarray(pos + 21, batchEnd));
    if (crc !== actual) {
      throw new CorruptRecordBatchError(`record batch at offset ${firstOffset} is corrupt: CRC-32C ${actual.toString(16)} differs from the stored ${crc.toString(16)}`);
    }
    const attributes = buf.readInt16BE(pos + 21);
    const recordCount = buf.readInt32BE(pos + 57);
    const batch: FetchedBatch = {
      firstOffset,
      lastOffsetDelta: buf.readInt32BE(pos + 23),
      attributes,
      firstTimestamp: Number(buf.readBigInt64BE(pos + 27)),
      maxTimestamp: Number(buf.readBigInt64BE(pos + 35)),
      producerId: buf.readBigInt64BE(pos + 43),
      producerEpoch: buf.readInt16BE(pos + 51),
      recordCount,
      buffer: buf,
      recordsStart: pos + BATCH_HEADER,
      end: batchEnd,
      records: attributes & IS_CONTROL ? controlRecordKeys(buf, pos + BATCH_HEADER, batchEnd, recordCount) : NO_RECORDS,
    };
    batches.push(batch);
    pos = batchEnd;
  }
  return batches;
}

const NO_RECORDS: readonly { key: Buffer | null }[] = Object.freeze([]);

/** The keys of a control batch's records (never compressed: the broker writes them). */
function controlRecordKeys(buf: Buffer, start: number, end: number, count: number): { key: Buffer | null }[] {
  const c = new Cursor(buf);
  c.pos = start;
  const out: { key: Buffer | null }[] = [];
  for (let i = 0; i < count && c.pos < end; i++) {
    const length = zigzag32(c.uvarint());
    const recordEnd = c.pos + length;
    c.pos++; // attributes
    c.uvarint(); // timestamp delta
    c.uvarint(); // offset delta
    const keyLength = zigzag32(c.uvarint());
    out.push({ key: keyLength < 0 ? null : buf.subarray(c.pos, c.pos + keyLength) });
    c.pos = recordEnd;
  }
  return out;
}

function zigzag32(n: number): number {
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}
