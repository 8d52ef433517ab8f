/**
 * Producers on @platformatic/kafka: idempotent (`acks=all`, producer id + sequence numbers, so
 * retries never duplicate or reorder) and transactional (exactly-once read-process-write).
 *
 * Invariants:
 * - Partitioning happens here, not in the client: `record.partition` if given, else Java's
 *   murmur2 partitioner for a key (../partitioner.ts; @platformatic/kafka's default uses
 *   `murmur2 >>> 0` and disagrees with Java for about half the keys), else one partition per
 *   `send` call for all null-key records (round-robin across calls, like Java's sticky
 *   partitioner does across batches).
 * - One `send` is split into produce requests of at most `maxRequestBytes`, sent one after the
 *   other; each request holds one record batch per partition, records in input order, so the
 *   offset of a record is the batch's base offset + its index among that partition's records.
 * - Sends resolve once every request is acknowledged by all in-sync replicas.
 */
import { FindCoordinatorKeyTypes, Producer as LibProducer, type ProducerOptions } from '@platformatic/kafka';
import { type GroupMemberMetadata, type OutputBuffer, type PartitionOffset, type Producer, type ProducerRecord, type SendResult, type TransactionalProducer, UnknownTopicError } from '../log.ts';
import { coordinatorConnection, getApi, sleep } from './client.ts';
import { baseClientOptions, type KafkaConfig } from './config.ts';
import { COORDINATOR_ERRORS, hasKafkaError, isUnknownTopic, wrapKafkaError } from './errors.ts';
import { partitionForKey } from '../partitioner.ts'; // shared with the embedded log, bit-identical to Java's
import { useFastRecordBatches } from './record-batch.ts';
import { Chunk } from './produce-chunk.ts';
import type { EncodedRun } from './encoded-run.ts';
import { KafkaOutputBuffer } from './output-buffer.ts';

type Transaction = NonNullable<LibProducer['transaction']>; // the library's transaction handle (class not exported)

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface KafkaProducerOptions {
  readonly compression?: Compression;
  /**
   * Bytes (estimated) per produce request; a larger `send` becomes several requests. Default
   * 900 KB: below the broker's default `message.max.bytes` (1 MB), which bounds one batch.
   */
  readonly maxRequestBytes?: number;
  /**
   * Who encodes uncompressed record batches: 'riffle' (default, one buffer per batch:
   * ./record-batch.ts) or 'library' (@platformatic/kafka's own encoder; kept for comparison).
   */
  readonly batchEncoder?: 'riffle' | 'library';
}

/** Declared in ../log.ts (the log's transaction capability); re-exported for the Kafka side. */
export type { GroupMemberMetadata, TransactionalProducer };

/**
 * How long a topic's partition count is reused without asking again: @platformatic/kafka's own
 * metadata cache age (its `metadataMaxAge` default, which Riffle keeps), so a send sees a new
 * partition count no later than before the cache.
 */
const PARTITION_COUNT_MAX_AGE_MS = 5000;

const RECORD_OVERHEAD = 24;
const noop = (): void => undefined; // varint lengths, attributes, deltas: an upper estimate per record

const toBuffer = (bytes: Uint8Array | null): Buffer | null => (bytes === null || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** The parts the plain and the transactional producer share. */
class ProducerCore {
  readonly client: LibProducer;
  readonly maxRequestBytes: number;
  readonly #compression: Compression;
  readonly #roundRobin = new Map<string, number>();
  /** One message per partition and request (a record run) instead of one per record. */
  readonly useRuns: boolean;
  /** The last send per topic (see send()). */
  readonly #topicSends = new Map<string, Promise<void>>();
  /** Partition counts per topic and when they were looked up (see partitionCount()). */
  readonly #partitionCounts = new Map<string, { readonly count: number; readonly at: number }>();
  closed = false;

  constructor(config: KafkaConfig, role: string, options: KafkaProducerOptions, transactionalId?: string) {
    const clientOptions: ProducerOptions<Buffer, Buffer, Buffer, Buffer> = {
      ...baseClientOptions(config, role),
      idempotent: true,
      acks: -1,
      // -1/-1: "a new producer session" for InitProducerId. The library's default (0/0) asks
      // the coordinator to bump an existing session with that id/epoch (KIP-360), which it
      // refuses with PRODUCER_FENCED once another producer used the transactional id before:
      // a restarted instance could never take over its predecessor's id.
      ...(transactionalId ? { transactionalId, producerId: -1n, producerEpoch: -1 } : {}),
    };
    this.client = new LibProducer(clientOptions);
    const riffleEncoder = (options.batchEncoder ?? config.batchEncoder ?? 'riffle') === 'riffle';
    if (riffleEncoder) useFastRecordBatches(this.client);
    this.maxRequestBytes = options.maxRequestBytes ?? 900 * 1024;
    this.#compression = options.compression ?? 'none';
    // Runs need Riffle's request builder, which handles uncompressed batches; the library's
    // encoder (compressed batches) takes one message per record, with bigint timestamps.
    this.useRuns = riffleEncoder && this.#compression === 'none';
  }

  /**
   * The topic's partition count, looked up at most every PARTITION_COUNT_MAX_AGE_MS per topic: a
   * metadata call per send (option validation, diagnostics, callbacks) cost a query about a tenth
   * of a small send's CPU. A failed send forgets the topic's count.
   */
  partitionCount(topic: string): Promise<number> | number {
    const cached = this.#partitionCounts.get(topic);
    if (cached !== undefined && performance.now() - cached.at < PARTITION_COUNT_MAX_AGE_MS) return cached.count;
    return this.#lookUpPartitionCount(topic);
  }

  async #lookUpPartitionCount(topic: string): Promise<number> {
    try {
      const at = performance.now();
      const metadata = await this.client.metadata({ topics: [topic], retries: 2 });
      const t = metadata.topics.get(topic);
      if (!t) throw new UnknownTopicError(topic);
      this.#partitionCounts.set(topic, { count: t.partitionsCount, at });
      return t.partitionsCount;
    } catch (error) {
      this.#partitionCounts.delete(topic);
      if (isUnknownTopic(error)) throw new UnknownTopicError(topic);
      throw error;
    }
  }

  /**
   * Sends one after the other per topic: with record runs, a partition's requests must be built
   * in the order the library numbered them (./record-runs.ts). Callers await their sends anyway
   * (the query task's batches, the transactional producer's chain); different topics still go
   * out together.
   */
  send(topic: string, records: readonly ProducerRecord[], txn?: Transaction): Promise<SendResult[]> {
    if (!this.useRuns) return this.#send(topic, records, txn);
    return this.#inTopicOrder(topic, () => this.#send(topic, records, txn));
  }

  /** One produce request of encoded runs (./output-buffer.ts), in the topic's send order. */
  sendRuns(topic: string, runs: ReadonlyMap<number, EncodedRun>): Promise<void> {
    const messages = [...runs].map(([partition, run]) => ({ topic, partition, value: run as unknown as Buffer }));
    return this.#inTopicOrder(topic, async () => {
      if (this.closed) throw new Error('producer is closed');
      await this.#request(topic, messages);
    });
  }

  #inTopicOrder<T>(topic: string, start: () => Promise<T>): Promise<T> {
    const previous = this.#topicSends.get(topic);
    const result = previous ? previous.then(start) : start();
    const settled = result.then(noop, noop);
    this.#topicSends.set(topic, settled);
    void settled.then(() => {
      if (this.#topicSends.get(topic) === settled) this.#topicSends.delete(topic);
    });
    return result;
  }

  async #send(topic: string, records: readonly ProducerRecord[], txn?: Transaction): Promise<SendResult[]> {
    if (this.closed) throw new Error('producer is closed');
    if (records.length === 0) return [];
    const known = this.partitionCount(topic);
    const partitions = typeof known === 'number' ? known : await known;
    const nullKeyPartition = this.nextRoundRobin(topic, partitions);
    const results: SendResult[] = new Array(records.length);
    const chunk = new Chunk(topic, this.useRuns);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      let partition: number;
      if (r.partition !== undefined) {
        if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= partitions) {
          throw new RangeError(`partition ${r.partition} out of range: topic '${topic}' has ${partitions}`);
        }
        partition = r.partition;
      } else {
        partition = r.key === null ? nullKeyPartition : partitionForKey(r.key, partitions);
      }
      let size = RECORD_OVERHEAD + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
      const recordHeaders = r.headers;
      // Indexed, and skipped when empty (the usual case): no iterator per record.
      if (recordHeaders && recordHeaders.length > 0) {
        for (let h = 0; h < recordHeaders.length; h++) size += Buffer.byteLength(recordHeaders[h].key, 'utf8') + (recordHeaders[h].value?.byteLength ?? 0) + 4;
      }
      if (chunk.count > 0 && chunk.bytes + size > this.maxRequestBytes) {
        await this.#sendChunk(topic, chunk, results, txn);
        chunk.reset(i);
      }
      if (this.useRuns) {
        // Riffle's encoder reads the record as it is (./record-batch.ts BatchRecord).
        chunk.addRecord(r, partition, size);
        continue;
      }
      let headers: Map<Buffer, Buffer> | undefined;
      if (r.headers && r.headers.length > 0) {
        // Keys are distinct Buffer objects, so repeated header names survive the Map.
        headers = new Map();
        for (const h of r.headers) headers.set(Buffer.from(h.key, 'utf8'), toBuffer(h.value) as Buffer);
      }
      chunk.addMessage(
        {
          topic,
          partition,
          key: toBuffer(r.key) ?? undefined,
          value: toBuffer(r.value) as Buffer,
          timestamp: BigInt(Math.trunc(r.timestamp)),
          headers,
        },
        size,
      );
    }
    await this.#sendChunk(topic, chunk, results, txn);
    return results;
  }

  async #request(topic: string, messages: ReturnType<Chunk['messages']>, txn?: Transaction) {
    const request = { messages, compression: this.#compression };
    try {
      return txn ? await txn.send(request) : await this.client.send(request);
    } catch (error) {
      // The topic may have been deleted or recreated: the next send looks its partitions up again.
      this.#partitionCounts.delete(topic);
      if (isUnknownTopic(error)) throw new UnknownTopicError(topic);
      throw wrapKafkaError(`producing to '${topic}' failed`, error);
    }
  }

  async #sendChunk(topic: string, chunk: Chunk, results: SendResult[], txn: Transaction | undefined): Promise<void> {
    const response = await this.#request(topic, chunk.messages(), txn);
    // Records of a partition are consecutive from the partition's base offset, in input order.
    const next: number[] = [];
    for (const o of response.offsets ?? []) next[o.partition] = Number(o.offset);
    const partitionOf = chunk.partitionOf;
    for (let j = 0; j < partitionOf.length; j++) {
      const partition = partitionOf[j];
      const offset = next[partition];
      if (offset === undefined) throw new Error(`no offset for ${topic}-${partition} in the produce response`);
      next[partition] = offset + 1;
      results[chunk.start + j] = { topic, partition, offset };
    }
  }

  nextRoundRobin(topic: string, partitions: number): number {
    const n = this.#roundRobin.get(topic) ?? Math.floor(Math.random() * partitions);
    this.#roundRobin.set(topic, n + 1);
    return n % partitions;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close(true);
  }
}

export class KafkaProducer implements Producer {
  readonly #core: ProducerCore;

  constructor(config: KafkaConfig, options: KafkaProducerOptions = {}) {
    this.#core = new ProducerCore(config, 'producer', options);
  }

  send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
    return this.#core.send(topic, records);
  }

  /** Encoded runs need Riffle's request builder (uncompressed); otherwise undefined (callers hold records). */
  outputBuffer(): OutputBuffer | undefined {
    return this.#core.useRuns ? new KafkaOutputBuffer(this.#core) : undefined;
  }

  close(): Promise<void> {
    return this.#core.close();
  }
}

export class KafkaTransactionalProducer implements TransactionalProducer {
  readonly transactionalId: string;
  readonly #core: ProducerCore;
  #txn: Transaction | undefined;
  /** The open transaction holds records or offsets (else ending it is local: the broker knows nothing of it). */
  #touched = false;
  #initialized = false;
  /** The chain of sends in flight (see send()). */
  #sends: Promise<unknown> = Promise.resolve();

  constructor(config: KafkaConfig, transactionalId: string, options: KafkaProducerOptions = {}) {
    this.transactionalId = transactionalId;
    this.#core = new ProducerCore(config, 'txn-producer', options, transactionalId);
  }

  async init(): Promise<void> {
    if (this.#initialized) return;
    // The library registers the id on the first beginTransaction; an empty transaction ends locally.
    await this.beginTransaction();
    await this.abort();
  }

  async beginTransaction(): Promise<void> {
    if (this.#txn) throw new Error(`transaction already in progress on '${this.transactionalId}'`);
    try {
      this.#txn = await this.#core.client.beginTransaction();
      this.#touched = false;
      this.#initialized = true;
    } catch (error) {
      throw wrapKafkaError(`beginning a transaction on '${this.transactionalId}' failed`, error);
    }
  }

  /**
   * Sends within the open transaction. Concurrent calls run one after the other: the client
   * registers a send's partitions with the transaction (AddPartitionsToTxn) and folds a second
   * registration started meanwhile into the first, whose partitions it would then lack.
   */
  async send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
    const txn = this.#active();
    if (records.length > 0) this.#touched = true;
    const result = this.#sends.then(() => this.#core.send(topic, records, txn));
    this.#sends = result.catch(() => undefined);
    return result;
  }

  async sendOffsets(groupId: string, offsets: readonly PartitionOffset[], member?: GroupMemberMetadata): Promise<void> {
    const txn = this.#active();
    if (offsets.length === 0) return;
    this.#touched = true;
    await this.#sends;
    // AddOffsetsToTxn: ties the group's offsets topic partition to the transaction.
    await txn.addConsumer({ groupId } as Parameters<Transaction['addConsumer']>[0]);
    const client = this.#core.client;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1 });
      byTopic.set(o.topic, list);
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    // TxnOffsetCommit goes to the group coordinator, all partitions in one request.
    for (let attempt = 0; ; attempt++) {
      try {
        const { connection } = await coordinatorConnection(client, groupId, FindCoordinatorKeyTypes.GROUP);
        const api = await getApi(client, 'TxnOffsetCommit');
        await api.async(
          connection,
          this.transactionalId,
          groupId,
          client.producerId,
          client.producerEpoch,
          member?.generationId ?? -1,
          member?.memberId ?? '',
          null,
          topics,
        );
        return;
      } catch (error) {
        const retriable = hasKafkaError(error, ...COORDINATOR_ERRORS, 'CONCURRENT_TRANSACTIONS', 'UNSTABLE_OFFSET_COMMIT');
        if (!retriable || attempt >= 10) throw wrapKafkaError(`committing offsets of '${groupId}' in a transaction failed`, error);
        await sleep(Math.min(50 * 2 ** attempt, 1000));
      }
    }
  }

  async commit(): Promise<void> {
    const txn = this.#active();
    if (!this.#touched) return this.#endLocally(txn);
    await this.#sends;
    try {
      await txn.commit();
    } catch (error) {
      // The transaction stays open: abort() it (Java's rule too).
      throw wrapKafkaError(`committing the transaction of '${this.transactionalId}' failed`, error);
    }
    this.#txn = undefined;
  }

  async abort(): Promise<void> {
    const txn = this.#active();
    if (!this.#touched) return this.#endLocally(txn);
    await this.#sends;
    try {
      await txn.abort();
    } catch (error) {
      // The transaction stays open: close() the producer (Java's rule too).
      throw wrapKafkaError(`aborting the transaction of '${this.transactionalId}' failed`, error);
    }
    this.#txn = undefined;
  }

  /** Aborts an open transaction (best effort) and closes the connections. */
  async close(): Promise<void> {
    if (this.#txn && !this.#core.closed) {
      await this.abort().catch(() => undefined);
    }
    await this.#core.close();
  }

  /** Ends a transaction nothing was added to: the coordinator would reject EndTxn for it. */
  async #endLocally(txn: Transaction): Promise<void> {
    await txn.cancel();
    this.#txn = undefined;
  }

  #active(): Transaction {
    if (this.#core.closed) throw new Error('producer is closed');
    if (!this.#txn) throw new Error(`no transaction in progress on '${this.transactionalId}': call beginTransaction() first`);
    return this.#txn;
  }
}
