/**
 * Kafka record batches (magic v2) encoded into one buffer per batch, and the Produce request
 * (v11) built around them: a faster path than @platformatic/kafka's own encoder, which builds a
 * Writer (a list of small buffers) per record, writes every varint as a buffer of its own and
 * copies each record into the batch and the batch into the request (`createRecord`, varint
 * writes and `Buffer.concat` were a third of Riffle's busy CPU on Kafka).
 *
 * Here the sizes are computed first, then the batch is written into a single allocation: each
 * key and value is copied exactly once (into the batch); the request is a list of these batch
 * buffers (the connection joins them once, as it does for every request).
 *
 * Invariants:
 * - The bytes are exactly the library's (same fields, same order, same CRC32C over attributes
 *   to the end), so the broker, the idempotence sequence numbers and the library's response
 *   parsing see no difference: test/log/kafka/record-batch.test.ts compares the two encoders.
 * - Only uncompressed batches: with compression, the library's encoder is used (see
 *   produceApiWithFastBatches).
 */
import { kGetApi, produceV11, Writer } from '@platformatic/kafka';
import { checksum } from './crc32c.ts';
import { isRecordRun, RunSequences, type BatchRecord } from './record-runs.ts';
import { type EncodedRun, isEncodedRun } from './encoded-run.ts';
import { bytesSize, headerCount, headersSize, timestampOf, uvarintSize, writeBytes, writeHeaders, writeUvarint, zigzag } from './record-encoding.ts';

/** What the library passes per message (the subset the batch needs). */
export interface BatchMessage extends BatchRecord {
  readonly topic: string;
  readonly partition?: number;
}

export interface BatchOptions {
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly firstSequence?: number;
  readonly transactional?: boolean;
  readonly partitionLeaderEpoch?: number;
}

const IS_TRANSACTIONAL = 1 << 4;
/** baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1) crc(4) attributes(2) lastOffsetDelta(4) baseTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2) baseSequence(4) count(4). */
const BATCH_HEADER = 61;
/** Where the CRC'd part starts (attributes). */
const CRC_START = 21;

/**
 * The sizes of a record batch, computed before anything is written: each record's body (after
 * its length prefix), its timestamp, and the batch's total bytes.
 */
interface BatchLayout {
  readonly bodies: number[];
  readonly stamps: number[];
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly total: number;
}

function layoutRecordBatch(messages: readonly BatchRecord[], now: number): BatchLayout {
  const count = messages.length;
  const firstTimestamp = timestampOf(messages[0], now);
  let maxTimestamp = firstTimestamp;
  const bodies = new Array<number>(count);
  const stamps = new Array<number>(count);
  let total = BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    const m = messages[i];
    const ts = timestampOf(m, now);
    stamps[i] = ts;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const headers = m.headers;
    let body = 1 + uvarintSize(zigzag(ts - firstTimestamp)) + uvarintSize(zigzag(i)) + bytesSize(m.key) + bytesSize(m.value);
    // No headers (the usual case): one byte for their count, nothing after it.
    body += headerCount(headers) === 0 ? 1 : uvarintSize(zigzag(headerCount(headers))) + headersSize(headers);
    bodies[i] = body;
    total += uvarintSize(zigzag(body)) + body;
  }
  return { bodies, stamps, firstTimestamp, maxTimestamp, total };
}

/** Writes the batch laid out by `layout` at `start` of `buf`; returns where it ends. */
function writeRecordBatch(buf: Buffer, start: number, messages: readonly BatchRecord[], layout: BatchLayout, options: BatchOptions): number {
  const count = messages.length;
  const { bodies, stamps, firstTimestamp, total } = layout;
  writeBatchHeader(buf, start, total, count, firstTimestamp, layout.maxTimestamp, options);
  let pos = start + BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    const m = messages[i];
    pos = writeUvarint(buf, pos, zigzag(bodies[i]));
    buf[pos++] = 0; // record attributes
    pos = writeUvarint(buf, pos, zigzag(stamps[i] - firstTimestamp));
    pos = writeUvarint(buf, pos, zigzag(i));
    pos = writeBytes(buf, pos, m.key);
    pos = writeBytes(buf, pos, m.value);
    const headers = m.headers;
    const headerTotal = headerCount(headers);
    if (headerTotal === 0) buf[pos++] = 0;
    else {
      pos = writeUvarint(buf, pos, zigzag(headerTotal));
      pos = writeHeaders(buf, pos, headers);
    }
  }
  return finishBatch(buf, start, pos, total);
}

/** The batch header (all but the CRC) of a batch of `total` bytes at `start`. */
function writeBatchHeader(buf: Buffer, start: number, total: number, count: number, firstTimestamp: number, maxTimestamp: number, options: BatchOptions): void {
  buf.writeBigInt64BE(0n, start); // baseOffset: the broker assigns it
  buf.writeInt32BE(total - 12, start + 8);
  buf.writeInt32BE(options.partitionLeaderEpoch ?? 0, start + 12);
  buf[start + 16] = 2; // magic
  buf.writeInt16BE(options.transactional ? IS_TRANSACTIONAL : 0, start + 21);
  buf.writeInt32BE(count - 1, start + 23);
  buf.writeBigInt64BE(BigInt(firstTimestamp), start + 27);
  buf.writeBigInt64BE(BigInt(maxTimestamp), start + 35);
  buf.writeBigInt64BE(options.producerId ?? -1n, start + 43);
  buf.writeInt16BE(options.producerEpoch ?? 0, start + 51);
  buf.writeInt32BE(options.firstSequence ?? 0, start + 53);
  buf.writeInt32BE(count, start + 57);
}

/** Checks that the batch at `start` ended at `pos` = start + total, then writes its CRC. */
function finishBatch(buf: Buffer, start: number, pos: number, total: number): number {
  const end = start + total;
  if (pos !== end) throw new Error(`record batch size mismatch: wrote ${pos - start} of ${total} bytes`);
  buf.writeUInt32BE(checksum([buf.subarray(start + CRC_START, end)]), start + 17);
  return end;
}

/**
 * The header of an encoded run's batch (./encoded-run.ts), CRC included (over the header's tail
 * and the run's segments); returns where it ends: the run's records follow as they are.
 */
function writeEncodedBatchHeader(buf: Buffer, start: number, run: EncodedRun, options: BatchOptions): number {
  writeBatchHeader(buf, start, BATCH_HEADER + run.bytes, run.count, run.firstTimestamp, run.maxTimestamp, options);
  buf.writeUInt32BE(checksum([buf.subarray(start + CRC_START, start + BATCH_HEADER), ...run.chunks()]), start + 17);
  return start + BATCH_HEADER;
}

/** One record batch of `messages` (all for one partition, in order) as a single buffer. */
export function encodeRecordBatch(messages: readonly BatchRecord[], options: BatchOptions = {}): Buffer {
  const layout = layoutRecordBatch(messages, Date.now());
  const buf = Buffer.allocUnsafe(layout.total);
  writeRecordBatch(buf, 0, messages, layout, options);
  return buf;
}

/** The library's per-request options (see its produce-v11 createRequest). */
interface ProduceOptions {
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly sequences?: { getWithDefault(key: string, fallback: number): number };
  readonly transactionalId?: string | null;
  readonly compression?: string;
  readonly partitionLeaderEpoch?: number;
}

/** Bytes of a compact (nullable) string: unsigned varint of length + 1 (0 for null), then UTF-8. */
function compactStringSize(value: string | null): number {
  if (value === null) return 1;
  const length = Buffer.byteLength(value, 'utf8');
  return uvarintSize(length + 1) + length;
}

function writeCompactString(buf: Buffer, pos: number, value: string | null): number {
  if (value === null) {
    buf[pos] = 0;
    return pos + 1;
  }
  pos = writeUvarint(buf, pos, Buffer.byteLength(value, 'utf8') + 1);
  return pos + buf.write(value, pos, 'utf8');
}

interface PartitionEntry {
  readonly partition: number;
  /** The partition's records in order; `owned`: a list of this request's own (else a run's, not to be changed). */
  list: readonly BatchRecord[];
  owned: boolean;
  fromRuns: boolean;
  /** The partition's one encoded run (then `list` is empty). */
  encoded?: EncodedRun;
  layout?: BatchLayout;
  firstSequence?: number;
}

/**
 * Produce v11's request with batches laid out like encodeRecordBatch's: the same arguments and
 * the same bytes as the library's `produceV11.createRequest` for uncompressed batches, in ONE
 * buffer (sizes first, then every field and batch written once): no Writer of small buffers per
 * field, no buffer per batch. The connection still copies it once, behind its request header
 * (see docs/kafka.md, upstream).
 */
export function createProduceRequestV11(acks: number, timeout: number, messages: BatchMessage[], options: ProduceOptions = {}, runs?: RunSequences): Writer {
  // Group by topic, then partition, keeping first-seen order (the library's groupByProperty);
  // a record run (./record-runs.ts) stands for its records.
  const topics = new Map<string, Map<number, PartitionEntry>>();
  for (const m of messages) {
    let partitions = topics.get(m.topic);
    if (!partitions) topics.set(m.topic, (partitions = new Map()));
    const p = m.partition ?? 0;
    let entry = partitions.get(p);
    if (isEncodedRun(m.value) || entry?.encoded) {
      // Its bytes are final (offset deltas from 0): it cannot share its batch with other records.
      if (entry || !isEncodedRun(m.value)) throw new Error(`produce request: an encoded run and other records for ${m.topic}-${p}`);
      partitions.set(p, { partition: p, list: [], owned: false, fromRuns: true, encoded: m.value });
      continue;
    }
    const records = isRecordRun(m.value) ? m.value.messages : null;
    if (!entry) {
      // A partition's first run is taken as it is (its records are not copied into a new list).
      partitions.set(p, { partition: p, list: records ?? [m], owned: records === null, fromRuns: records !== null });
      continue;
    }
    if (!entry.owned) {
      entry.list = [...entry.list];
      entry.owned = true;
    }
    const list = entry.list as BatchRecord[];
    if (records === null) list.push(m);
    else {
      entry.fromRuns = true;
      for (const r of records) list.push(r);
    }
  }
  const transactionalId = options.transactionalId ?? null;
  const now = Date.now();
  // Pass 1: sequences and sizes.
  let total = compactStringSize(transactionalId) + 2 + 4 + uvarintSize(topics.size + 1) + 1;
  for (const [topic, partitions] of topics) {
    total += compactStringSize(topic) + uvarintSize(partitions.size + 1) + 1;
    for (const entry of partitions.values()) {
      const key = `${topic}:${entry.partition}`;
      let firstSequence = options.sequences ? options.sequences.getWithDefault(key, 0) : 0;
      if (entry.fromRuns && options.sequences) {
        if (!runs) throw new Error('record runs need the producer\'s RunSequences');
        firstSequence = runs.firstSequence(key, options.producerId ?? -1n, options.producerEpoch ?? 0, firstSequence, entry.encoded?.count ?? entry.list.length);
      }
      entry.firstSequence = firstSequence;
      const batchBytes = entry.encoded ? BATCH_HEADER + entry.encoded.bytes : (entry.layout = layoutRecordBatch(entry.list, now)).total;
      total += 4 + uvarintSize(batchBytes + 1) + batchBytes + 1;
    }
  }
  // Pass 2: everything into one buffer, but the records of encoded runs: their segments are
  // parts of the request as they are (the connection joins the parts once, behind its header).
  const parts: Buffer[] = [];
  let encodedBytes = 0;
  for (const partitions of topics.values()) for (const entry of partitions.values()) encodedBytes += entry.encoded?.bytes ?? 0;
  const buf = Buffer.allocUnsafe(total - encodedBytes);
  let partStart = 0;
  let pos = writeCompactString(buf, 0, transactionalId);
  pos = buf.writeInt16BE(acks, pos);
  pos = buf.writeInt32BE(timeout, pos);
  pos = writeUvarint(buf, pos, topics.size + 1);
  for (const [topic, partitions] of topics) {
    pos = writeCompactString(buf, pos, topic);
    pos = writeUvarint(buf, pos, partitions.size + 1);
    for (const entry of partitions.values()) {
      const batchOptions: BatchOptions = {
        producerId: options.producerId,
        producerEpoch: options.producerEpoch,
        firstSequence: entry.firstSequence,
        transactional: !!options.transactionalId,
        partitionLeaderEpoch: options.partitionLeaderEpoch,
      };
      pos = buf.writeInt32BE(entry.partition, pos);
      if (entry.encoded) {
        const run = entry.encoded;
        pos = writeUvarint(buf, pos, BATCH_HEADER + run.bytes + 1);
        pos = writeEncodedBatchHeader(buf, pos, run, batchOptions);
        parts.push(buf.subarray(partStart, pos));
        for (const segment of run.chunks()) parts.push(segment);
        partStart = pos;
      } else {
        pos = writeUvarint(buf, pos, entry.layout!.total + 1);
        pos = writeRecordBatch(buf, pos, entry.list, entry.layout!, batchOptions);
      }
      buf[pos++] = 0; // partition's tagged fields
    }
    buf[pos++] = 0; // topic's tagged fields
  }
  buf[pos++] = 0; // request's tagged fields
  if (pos + encodedBytes !== total) throw new Error(`produce request size mismatch: wrote ${pos + encodedBytes} of ${total} bytes`);
  const writer = Writer.create();
  for (const part of parts) writer.append(part);
  writer.append(buf.subarray(partStart, pos));
  if (acks === 0) writer.context.noResponse = true;
  return writer;
}

type LibApi = ((connection: unknown, ...args: unknown[]) => void) & { async: unknown; key: number; version: number };

/**
 * The library's Produce v11 API function with createProduceRequestV11 as its request builder
 * (compressed sends keep the library's encoder). Same call signature, same response parser.
 */
export function produceApiWithFastBatches(original: LibApi): LibApi {
  const parse = produceV11.parseResponse;
  const runs = new RunSequences();
  const api = function api(connection: unknown, ...args: unknown[]): void {
    const [acks, timeout, messages, options] = args as [number, number, BatchMessage[], ProduceOptions | undefined];
    if ((options?.compression ?? 'none') !== 'none' || typeof args[args.length - 1] !== 'function') {
      original(connection, ...args);
      return;
    }
    const callback = args[args.length - 1];
    (connection as { send: (...a: unknown[]) => void }).send(0, 11, () => createProduceRequestV11(acks, timeout, messages, options, runs), parse, true, true, callback);
  } as LibApi;
  api.async = (connection: unknown, ...args: unknown[]) =>
    new Promise((resolve, reject) => api(connection, ...args, (error: unknown, response: unknown) => (error ? reject(error) : resolve(response))));
  api.key = 0;
  api.version = 11;
  return api;
}

type ApiCallback = (error: Error | null, api?: LibApi) => void;

/**
 * Makes `client` produce with createProduceRequestV11's batches: wraps the client's API lookup
 * (the library's `kGetApi`, which every send goes through) so that Produce v11 gets the fast
 * request builder; other versions and APIs are untouched. Idempotence, retries, routing and
 * response handling stay the library's.
 */
export function useFastRecordBatches(client: object): void {
  const c = client as { [kGetApi]: (name: string, callback: ApiCallback) => void };
  const lookup = c[kGetApi].bind(c);
  let fast: LibApi | undefined;
  c[kGetApi] = (name, callback) =>
    lookup(name, (error, api) => {
      if (error || name !== 'Produce' || !api || api.version !== 11) return callback(error, api);
      fast ??= produceApiWithFastBatches(api);
      callback(null, fast);
    });
}
