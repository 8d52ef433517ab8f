/**
 * The Kafka producer's OutputBuffer (../log.ts): outputs that linger between commit points
 * (../../exec/delivery.ts) are partitioned and encoded when added (./encoded-run.ts), so the
 * caller's records die young, and flush() writes them as produce requests of encoded runs.
 *
 * Invariants:
 * - Partitioning is the producer's send's (record.partition, else Java's murmur2 of the key,
 *   else one partition per add() call for null keys, round-robin across calls).
 * - Per topic, records go into chunks; a chunk holds one run per partition, records in the order
 *   added, and becomes one produce request. A run stays within the producer's request size
 *   (estimated as send does; below the broker's default message.max.bytes, which bounds one
 *   batch), a chunk within REQUEST_BATCHES of them: a request per partition would cost the
 *   library's per-request machinery again for each (about a millisecond of CPU per request).
 *   flush() sends a topic's chunks one after the other (through the producer's
 *   per-topic chain, which keeps idempotence sequences in order); topics go out together.
 * - flush() and clear() take what is buffered at the call: a later add() goes into a new chunk.
 */
import type { OutputBuffer, ProducerRecord } from '../log.ts';
import { partitionForKey } from '../partitioner.ts';
import { EncodedRun } from './encoded-run.ts';

/** What the buffer needs of the producer (ProducerCore). */
export interface RunSender {
  readonly maxRequestBytes: number;
  partitionCount(topic: string): Promise<number> | number;
  nextRoundRobin(topic: string, partitions: number): number;
  /** One produce request of these runs (one per partition); resolves once acknowledged. */
  sendRuns(topic: string, runs: ReadonlyMap<number, EncodedRun>): Promise<void>;
}

/** Per record beyond key and value: varint lengths, attributes, deltas (an upper estimate, as send's). */
const RECORD_OVERHEAD = 24;
/** A request holds at most this many batches' worth of bytes (the broker takes up to socket.request.max.bytes, 100 MB). */
const REQUEST_BATCHES = 8;

interface TopicChunks {
  readonly chunks: Map<number, EncodedRun>[];
  /** Estimated bytes of the last chunk, in all and per partition. */
  bytes: number;
  readonly partitionBytes: Map<number, number>;
}

export class KafkaOutputBuffer implements OutputBuffer {
  readonly #sender: RunSender;
  #topics = new Map<string, TopicChunks>();
  records = 0;

  constructor(sender: RunSender) {
    this.#sender = sender;
  }

  add(topic: string, records: readonly ProducerRecord[]): Promise<void> | void {
    if (records.length === 0) return;
    const known = this.#sender.partitionCount(topic);
    if (typeof known === 'number') return this.#add(topic, records, known);
    return known.then((partitions) => this.#add(topic, records, partitions));
  }

  #add(topic: string, records: readonly ProducerRecord[], partitions: number): void {
    let entry = this.#topics.get(topic);
    if (!entry) this.#topics.set(topic, (entry = { chunks: [new Map()], bytes: 0, partitionBytes: new Map() }));
    const nullKeyPartition = this.#sender.nextRoundRobin(topic, partitions);
    const max = this.#sender.maxRequestBytes;
    const now = Date.now();
    // Checked first: a bad partition adds nothing of the call (as send() sends nothing).
    for (let i = 0; i < records.length; i++) {
      const p = records[i].partition;
      if (p !== undefined && (!Number.isInteger(p) || p < 0 || p >= partitions)) throw new RangeError(`partition ${p} out of range: topic '${topic}' has ${partitions}`);
    }
    let chunk = entry.chunks[entry.chunks.length - 1];
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const partition = r.partition ?? (r.key === null ? nullKeyPartition : partitionForKey(r.key, partitions));
      let size = RECORD_OVERHEAD + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
      const headers = r.headers;
      if (headers && headers.length > 0) {
        for (let h = 0; h < headers.length; h++) size += Buffer.byteLength(headers[h].key, 'utf8') + (headers[h].value?.byteLength ?? 0) + 4;
      }
      const runBytes = entry.partitionBytes.get(partition) ?? 0;
      if ((runBytes > 0 && runBytes + size > max) || (chunk.size > 0 && entry.bytes + size > max * REQUEST_BATCHES)) {
        entry.chunks.push((chunk = new Map()));
        entry.bytes = 0;
        entry.partitionBytes.clear();
      }
      let run = chunk.get(partition);
      if (run === undefined) chunk.set(partition, (run = new EncodedRun()));
      run.add(r, now);
      entry.bytes += size;
      entry.partitionBytes.set(partition, (entry.partitionBytes.get(partition) ?? 0) + size);
    }
    this.records += records.length;
  }

  async flush(): Promise<void> {
    if (this.records === 0) return;
    const topics = this.#topics;
    this.#topics = new Map();
    this.records = 0;
    await Promise.all(
      [...topics].map(async ([topic, { chunks }]) => {
        for (const chunk of chunks) {
          if (chunk.size === 0) continue;
          await this.#sender.sendRuns(topic, chunk);
          // Answered: the request was built from the runs and sent; their segments are reused.
          // (A failed send leaves them to the GC: the library may still hold a request of them.)
          for (const run of chunk.values()) run.release();
        }
      }),
    );
  }

  clear(): void {
    this.#topics = new Map();
    this.records = 0;
  }
}
