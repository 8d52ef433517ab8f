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
 * Here the socket chunks are read in place (./chunk-cursor.ts): a batch's records are views of
 * the chunks they arrived in, never copied (joining the chunks cost a fifth of the consume path:
 * a fresh allocation and a copy of every response).
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
import { ChunkCursor } from './chunk-cursor.ts';
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
  /** The records (compressed if `attributes & 7`): views of the socket chunks they arrived in, in order. */
  readonly segments: readonly Buffer[];
  /** Their total bytes. */
  readonly size: number;
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

/** Compact strings, UUIDs, compact lengths and tagged fields: the flexible-version parts of Fetch. */
function uuid(c: ChunkCursor): string {
  const hex = c.bytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function compactNullableString(c: ChunkCursor): string | null {
  const n = c.uvarint();
  return n === 0 ? null : c.bytes(n - 1).toString('utf8');
}

/** Compact array length; -1 for null. */
function compactLength(c: ChunkCursor): number {
  return c.uvarint() - 1;
}

/** Tagged fields: `handle` reads the known tags (from a cursor over the field alone), others are skipped. */
function taggedFields(c: ChunkCursor, handle?: (tag: number, field: ChunkCursor) => void): void {
  const count = c.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = c.uvarint();
    const field = c.take(c.uvarint());
    handle?.(tag, new ChunkCursor(field));
  }
}

/**
 * The Fetch v13-v17 response parser, with the library's parser signature (`reader` is its
 * Reader over a DynamicBuffer). Throws ResponseError, like the library, when any error code is set.
 */
export function parseFetchResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: { buffer: { buffers: Buffer[] }; position: number }): FetchResponse {
  const c = new ChunkCursor(reader.buffer.buffers);
  c.skip(reader.position);
  const errors: [string, [number, null]][] = [];
  const throttleTimeMs = c.int32();
  const errorCode = c.int16();
  if (errorCode !== 0) errors.push([apiVersion >= 15 ? '' : '/', [errorCode, null]]);
  const response: FetchResponse = { throttleTimeMs, errorCode, sessionId: c.int32(), responses: [], nodeEndpoints: [] };
  const topics = compactLength(c);
  for (let i = 0; i < topics; i++) {
    const topicId = uuid(c);
    const partitions: FetchedPartition[] = [];
    const count = compactLength(c);
    for (let j = 0; j < count; j++) {
      const p = parsePartition(c);
      if (p.errorCode !== 0) errors.push([`/responses/${i}/partitions/${j}`, [p.errorCode, null]]);
      partitions.push(p);
    }
    taggedFields(c);
    response.responses.push({ topicId, partitions });
  }
  taggedFields(c, (tag, t) => {
    if (tag !== 0) return;
    const n = compactLength(t);
    for (let i = 0; i < n; i++) {
      response.nodeEndpoints.push({ nodeId: t.int32(), host: compactNullableString(t) ?? '', port: t.int32(), rack: compactNullableString(t) });
      taggedFields(t);
    }
  });
  if (errors.length > 0) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

function parsePartition(c: ChunkCursor): FetchedPartition {
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
  const aborted = compactLength(c);
  if (aborted >= 0) {
    p.abortedTransactions = [];
    for (let k = 0; k < aborted; k++) {
      p.abortedTransactions.push({ producerId: c.int64(), firstOffset: c.int64() });
      taggedFields(c);
    }
  }
  p.preferredReadReplica = c.int32();
  const size = c.uvarint(); // COMPACT_RECORDS: length + 1, 0 = null
  if (size === 0) p.records = null;
  else if (size > 1) p.records = readBatchHeaders(c.take(size - 1));
  taggedFields(c, (tag, t) => {
    if (tag === 0) p.divergingEpoch = { epoch: t.int32(), endOffset: t.int64() };
    else if (tag === 1) p.currentLeader = { leaderId: t.int32(), leaderEpoch: t.int32() };
    else if (tag === 2) p.snapshotId = { endOffset: t.int64(), epoch: t.int32() };
  });
  return p;
}

/** The complete record batches in `region` (socket chunk views; a partial last batch is left out), CRC-checked. */
export function readBatchHeaders(region: readonly Buffer[]): FetchedBatch[] {
  const batches: FetchedBatch[] = [];
  const c = new ChunkCursor(region);
  while (c.remaining >= BATCH_LOG_OVERHEAD) {
    const firstOffset = c.int64();
    const length = c.int32();
    if (length > c.remaining) break; // cut by the fetch size limits
    if (length < BATCH_HEADER - BATCH_LOG_OVERHEAD) throw new CorruptRecordBatchError(`record batch at offset ${firstOffset}: length ${length} is below the header size`);
    const body = c.take(length);
    const b = new ChunkCursor(body);
    b.int32(); // partition leader epoch
    const magic = b.u8();
    if (magic !== 2) throw new CorruptRecordBatchError(`record batch at offset ${firstOffset}: magic ${magic} is not supported (only v2)`);
    const crc = b.uint32();
    const actual = checksumOf(body, 9);
    if (crc !== actual) {
      throw new CorruptRecordBatchError(`record batch at offset ${firstOffset} is corrupt: CRC-32C ${actual.toString(16)} differs from the stored ${crc.toString(16)}`);
    }
    const attributes = b.int16();
    const lastOffsetDelta = b.int32();
    const firstTimestamp = Number(b.int64());
    const maxTimestamp = Number(b.int64());
    const producerId = b.int64();
    const producerEpoch = b.int16();
    b.int32(); // base sequence
    const recordCount = b.int32();
    const size = b.remaining;
    const segments = b.take(size);
    batches.push({
      firstOffset,
      lastOffsetDelta,
      attributes,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      recordCount,
      segments,
      size,
      records: attributes & IS_CONTROL ? controlRecordKeys(segments, recordCount) : NO_RECORDS,
    });
  }
  return batches;
}

/** CRC-32C of `parts` from byte `from` on (over the chunk views: no copy). */
function checksumOf(parts: readonly Buffer[], from: number): number {
  const covered: Buffer[] = [];
  for (const part of parts) {
    if (from >= part.length) from -= part.length;
    else {
      covered.push(from > 0 ? part.subarray(from) : part);
      from = 0;
    }
  }
  return checksum(covered);
}

const NO_RECORDS: readonly { key: Buffer | null }[] = Object.freeze([]);

/** The keys of a control batch's records (never compressed: the broker writes them). */
function controlRecordKeys(segments: readonly Buffer[], count: number): { key: Buffer | null }[] {
  const c = new ChunkCursor(segments);
  const out: { key: Buffer | null }[] = [];
  for (let i = 0; i < count && c.remaining > 0; i++) {
    const length = zigzag32(c.uvarint());
    const record = new ChunkCursor(c.take(length));
    record.u8(); // attributes
    record.uvarint(); // timestamp delta
    record.uvarint(); // offset delta
    const keyLength = zigzag32(record.uvarint());
    out.push({ key: keyLength < 0 ? null : record.bytes(keyLength) });
  }
  return out;
}

function zigzag32(n: number): number {
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}
