/**
 * Record runs: all the records one produce request holds for one partition, handed to
 * @platformatic/kafka as ONE message whose value is the run. The library's send loop works per
 * message (two Maps, a key string, serializer calls and sequence bookkeeping each: about as much
 * CPU as encoding the record); with runs it does that once per partition, and Riffle's request
 * builder (./record-batch.ts) expands the run into the batch.
 *
 * Sequence numbers: the library advances a partition's idempotence sequence by the number of
 * messages, i.e. by 1 per run, while the broker expects it to advance by the number of records.
 * RunSequences translates: for each (producer id, epoch, partition) it maps the library's
 * sequence of a request to the real first sequence, the previous request's real first sequence
 * plus its record count.
 *
 * Invariants:
 * - A request is built again with the same library sequence when the library retries it: it gets
 *   the same real sequence (the broker then recognises a duplicate, as idempotence intends).
 * - The request with library sequence L is first built after the one with L - 1. The producer
 *   ensures it: it has at most one send per topic in flight (../kafka/producer.ts). A gap (an
 *   unknown L - 1) or a new producer session that does not start at 0 throws rather than guess a
 *   sequence: a wrong but plausible sequence could make the broker drop records as duplicates.
 */
import type { Header } from '../log.ts';

/**
 * What a record batch needs of a record: the library's message shape (Buffers, a Map of
 * headers) or the log's ProducerRecord (Uint8Arrays, an array of headers with string keys), which
 * record runs carry as they are; ./record-batch.ts encodes both.
 */
export interface BatchRecord {
  readonly key?: Uint8Array | null;
  readonly value?: Uint8Array | null;
  readonly timestamp?: bigint | number;
  readonly headers?: Map<Buffer, Buffer> | readonly Header[] | null;
}


const RUN = Symbol('riffle.recordRun');

/** The records of one partition in one request, in order. */
export interface RecordRun {
  readonly [RUN]: true;
  readonly messages: readonly BatchRecord[];
}

export function recordRun(messages: readonly BatchRecord[]): RecordRun {
  return { [RUN]: true, messages };
}

export function isRecordRun(value: unknown): value is RecordRun {
  return typeof value === 'object' && value !== null && (value as { [RUN]?: boolean })[RUN] === true;
}

const SEQUENCE_MODULUS = 2 ** 31; // Kafka sequences wrap at Int32 max
const KEPT = 16; // library sequences remembered per partition (retries reuse recent ones)

interface PartitionSequences {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** Library sequence → real first sequence of that request. */
  readonly first: Map<number, number>;
  /** Library sequence → records in that request. */
  readonly count: Map<number, number>;
}

export class RunSequences {
  readonly #partitions = new Map<string, PartitionSequences>();

  /** The real first sequence of a request the library numbered `librarySequence`, holding `records` records. */
  firstSequence(key: string, producerId: bigint, producerEpoch: number, librarySequence: number, records: number): number {
    let state = this.#partitions.get(key);
    if (!state || state.producerId !== producerId || state.producerEpoch !== producerEpoch) {
      if (librarySequence !== 0) {
        throw new Error(`record runs: producer ${producerId}/${producerEpoch} on ${key} starts at library sequence ${librarySequence}, not 0: its real sequence is unknown`);
      }
      state = { producerId, producerEpoch, first: new Map([[0, 0]]), count: new Map() };
      this.#partitions.set(key, state);
    }
    let first = state.first.get(librarySequence);
    if (first === undefined) {
      const previous = state.first.get(librarySequence - 1);
      const previousCount = state.count.get(librarySequence - 1);
      if (previous === undefined || previousCount === undefined) {
        throw new Error(`record runs: request ${librarySequence} on ${key} built before request ${librarySequence - 1}: its real sequence is unknown`);
      }
      first = (previous + previousCount) % SEQUENCE_MODULUS;
      state.first.set(librarySequence, first);
    }
    const known = state.count.get(librarySequence);
    if (known !== undefined && known !== records) throw new Error(`record runs: request ${librarySequence} on ${key} rebuilt with ${records} records instead of ${known}`);
    state.count.set(librarySequence, records);
    state.first.delete(librarySequence - KEPT);
    state.count.delete(librarySequence - KEPT);
    return first;
  }
}
