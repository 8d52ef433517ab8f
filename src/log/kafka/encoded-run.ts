/**
 * Encoded runs: the records of one partition for one produce request, encoded into Kafka's
 * record format (magic v2) when they are added, not when the request is built. Outputs that
 * linger between commit points (../../exec/delivery.ts) are then a few large buffers instead of
 * a ProducerRecord, a value Buffer and an array slot per record: held across several batches
 * and the produce round trips, those objects survived young-generation collections and were
 * copied and promoted (measured on q0: V8's GC threads did about three times the work they do on
 * the embedded log, where outputs are written at once).
 *
 * A run is handed to @platformatic/kafka as ONE message per partition (as record runs are,
 * ./record-runs.ts); Riffle's request builder (./record-batch.ts) writes a batch header for it
 * then (producer id, epoch and sequence are known only when the request is built) and passes its
 * segments on as parts of the request, uncopied: the connection joins the parts once.
 *
 * Invariants:
 * - The bytes of a record are those createProduceRequestV11 writes for the same record at the
 *   same index in a batch with the same first timestamp: the offset delta is the record's index
 *   in the run and the timestamp delta is relative to the run's first record, both known when it
 *   is added. So the batch is byte-identical to the one built from the records themselves
 *   (test/log/kafka/encoded-run.test.ts).
 * - A record is never split across segments; segments are written in order.
 */
import type { BatchRecord } from './record-runs.ts';
import { bytesSize, headerCount, headersSize, timestampOf, uvarintSize, writeBytes, writeHeaders, writeUvarint, zigzag } from './record-encoding.ts';

/**
 * Segment sizes: the first is small (a run may hold a few records), each next one as large as the
 * run so far (doubling), up to SEGMENT_MAX: a flush of 16K records of ~200 B is a handful of them.
 */
const SEGMENT_MIN = 4 * 1024;
const SEGMENT_MAX = 256 * 1024;

const ENCODED = Symbol('riffle.encodedRun');

/**
 * Full-size segments of answered runs, reused by new runs (at most POOL_MAX: 16 MiB). Why: a run
 * lives from its first record to its produce response (up to the linger time plus a round trip),
 * long enough for its segments to outlive young-generation collections; as garbage in the old
 * generation, their bytes (external to V8's heap) counted towards the 64 MiB of external memory
 * that starts a full collection, so a pass-through query on Kafka ran about one full collection
 * per 64 MiB of output. Invariant: a pooled segment is referenced by no run and no request.
 */
const pool: Buffer[] = [];
const POOL_MAX = 64;

export class EncodedRun {
  readonly [ENCODED] = true;
  /** Full segments, each trimmed to the bytes written. */
  readonly segments: Buffer[] = [];
  #current: Buffer | null = null;
  /** The full-size segments this run took (from the pool or new), given back by release(). */
  readonly #owned: Buffer[] = [];
  #pos = 0;
  /** Records in the run. */
  count = 0;
  /** Encoded bytes of the records (the batch's records section). */
  bytes = 0;
  firstTimestamp = 0;
  maxTimestamp = 0;

  /** Encodes `record` as the run's next record. */
  add(record: BatchRecord, now: number): void {
    const ts = timestampOf(record, now);
    if (this.count === 0) {
      this.firstTimestamp = ts;
      this.maxTimestamp = ts;
    } else if (ts > this.maxTimestamp) this.maxTimestamp = ts;
    const index = this.count;
    const headers = record.headers;
    const headerTotal = headerCount(headers);
    const timestampDelta = zigzag(ts - this.firstTimestamp);
    const offsetDelta = zigzag(index);
    let body = 1 + uvarintSize(timestampDelta) + uvarintSize(offsetDelta) + bytesSize(record.key) + bytesSize(record.value);
    body += headerTotal === 0 ? 1 : uvarintSize(zigzag(headerTotal)) + headersSize(headers);
    const size = uvarintSize(zigzag(body)) + body;
    let buf = this.#current;
    if (buf === null || this.#pos + size > buf.length) buf = this.#newSegment(size);
    let pos = writeUvarint(buf, this.#pos, zigzag(body));
    buf[pos++] = 0; // record attributes
    pos = writeUvarint(buf, pos, timestampDelta);
    pos = writeUvarint(buf, pos, offsetDelta);
    pos = writeBytes(buf, pos, record.key);
    pos = writeBytes(buf, pos, record.value);
    if (headerTotal === 0) buf[pos++] = 0;
    else {
      pos = writeUvarint(buf, pos, zigzag(headerTotal));
      pos = writeHeaders(buf, pos, headers);
    }
    if (pos - this.#pos !== size) throw new Error(`encoded run: record size mismatch (${pos - this.#pos} of ${size} bytes)`);
    this.#pos = pos;
    this.count++;
    this.bytes += size;
  }

  /** The records section: the segments, in order, each as far as written (views, not copies). */
  chunks(): Buffer[] {
    return this.#current === null ? this.segments : [...this.segments, this.#current.subarray(0, this.#pos)];
  }

  #newSegment(size: number): Buffer {
    if (this.#current !== null) this.segments.push(this.#current.subarray(0, this.#pos));
    // A pooled segment is taken whenever one fits (its memory exists already, so a small run taking
    // a large one costs nothing new); otherwise sizes double from SEGMENT_MIN as before.
    let segment: Buffer;
    if (size <= SEGMENT_MAX && pool.length > 0) segment = pool.pop()!;
    else {
      const length = Math.max(size, Math.min(SEGMENT_MAX, Math.max(SEGMENT_MIN, this.bytes)));
      segment = Buffer.allocUnsafeSlow(length);
    }
    if (segment.length === SEGMENT_MAX) this.#owned.push(segment);
    this.#current = segment;
    this.#pos = 0;
    return segment;
  }

  /**
   * Gives the run's full-size segments to the pool. Only once the run's produce request was
   * answered (nothing reads the run again: the request was built from it, and sent); the run must
   * not be used afterwards.
   */
  release(): void {
    for (const segment of this.#owned) if (pool.length < POOL_MAX) pool.push(segment);
    this.#owned.length = 0;
    this.#current = null;
    this.segments.length = 0;
  }
}

/** Segments waiting in the pool (for tests). */
export function pooledSegments(): number {
  return pool.length;
}

export function isEncodedRun(value: unknown): value is EncodedRun {
  return typeof value === 'object' && value !== null && (value as { [ENCODED]?: boolean })[ENCODED] === true;
}
