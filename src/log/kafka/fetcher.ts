/**
 * The fetch side of KafkaConsumer: a push loop (Fetch requests to partition leaders) feeding a
 * bounded buffer that poll() drains.
 *
 * Invariants:
 * - At most one Fetch in flight per broker, and a partition is in at most one of them, so the
 *   records of a partition enter the buffer in offset order.
 * - Backpressure: no new Fetch starts while the buffer holds `maxBufferedRecords` records or
 *   `maxBufferedBytes` bytes; one response may overshoot by its size (`maxBytes`).
 * - The buffer holds record batches as fetched (./fetch-response.ts: views of the socket chunks,
 *   outside the JS heap); take() decodes records only when it hands them out
 *   (./record-batch-reader.ts), so record objects die young. Counts are per batch header (an
 *   upper bound when a compressed batch starts before the fetch offset).
 * - Every assigned partition carries an `epoch`, bumped by assign/seek; a response for an older
 *   epoch is dropped, and seek drops buffered records of the partition, so nothing from before a
 *   seek or rebalance reaches poll() afterwards.
 * - read_committed: records of aborted transactions are skipped with Java's algorithm (aborted
 *   producer ids become active at the transaction's first offset and inactive at its abort
 *   marker), which also covers responses cut before the marker. Control batches advance the
 *   position but yield no records, hence the offset gaps the Log interface allows.
 */
import { type ClusterMetadata, type Consumer as LibConsumer, IS_CONTROL, IS_TRANSACTIONAL, ListOffsetTimestamps, type RecordsBatch } from '@platformatic/kafka';
import type { ConsumedRecord, TopicPartition } from '../log.ts';
import { clusterMetadata } from './client.ts';
import { hasKafkaError, kafkaErrorIds, wrapKafkaError } from './errors.ts';
import type { FetchedBatch } from './fetch-response.ts';
import { BatchCursor, DecodedBatch, type BufferedBatch } from './record-batch-reader.ts';

export interface FetcherSettings {
  readonly readCommitted: boolean;
  /** Where a partition restarts when its position is out of range (auto.offset.reset). */
  readonly resetTo: 'earliest' | 'latest';
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly maxPartitionBytes: number;
  readonly maxBufferedRecords: number;
  readonly maxBufferedBytes: number;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to fetch; null until known (committed offset or reset). */
  position: bigint | null;
  epoch: number;
  inflight: boolean;
}

const FATAL = ['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_VERSION'];
/** A fetch failing this long without a success is reported by poll(). */
const FAILURE_REPORT_MS = 60_000;

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

export class Fetcher {
  readonly #client: LibConsumer;
  readonly #settings: FetcherSettings;
  readonly #parts = new Map<string, PartitionState>();
  readonly #inflightNodes = new Set<number>();
  /** Fetched batches in fetch order, decoded when taken; [#head, length) are live. */
  #queue: (BufferedBatch | undefined)[] = [];
  #head = 0;
  /** Records in the live batches (an upper bound: a batch may start before the fetch offset). */
  #records = 0;
  #bytes = 0;
  #waiter: (() => void) | null = null;
  #failure: { error: unknown; since: number } | null = null;
  #fatal: Error | null = null;
  #backoffUntil = 0;
  #closed = false;

  constructor(client: LibConsumer, settings: FetcherSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** Replaces the assignment: positions of kept partitions survive, buffered records of dropped ones go. */
  assign(partitions: readonly TopicPartition[]): void {
    const next = new Set(partitions.map((p) => key(p.topic, p.partition)));
    for (const [k, state] of this.#parts) {
      if (!next.has(k)) {
        state.epoch++;
        this.#parts.delete(k);
      }
    }
    for (const p of partitions) {
      const k = key(p.topic, p.partition);
      if (!this.#parts.has(k)) this.#parts.set(k, { topic: p.topic, partition: p.partition, position: null, epoch: 0, inflight: false });
    }
    for (const p of partitions) if (!this.#client.topics.has(p.topic)) this.#client.topics.track(p.topic);
    this.#dropBuffered((r) => !next.has(key(r.topic, r.partition)));
    this.#pump();
  }

  /** Sets the next offset to read; records of the partition fetched before are discarded. */
  seek(topic: string, partition: number, offset: number): void {
    const state = this.#parts.get(key(topic, partition));
    if (!state) throw new Error(`seek: ${topic}-${partition} is not assigned to this consumer`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`seek: invalid offset ${offset}`);
    state.position = BigInt(offset);
    state.epoch++;
    this.#dropBuffered((r) => r.topic === topic && r.partition === partition);
    this.#pump();
  }

  /** Every assigned partition with its next offset to fetch (null until known). */
  positions(): { topic: string; partition: number; offset: number | null }[] {
    return [...this.#parts.values()].map((s) => ({ topic: s.topic, partition: s.partition, offset: s.position === null ? null : Number(s.position) }));
  }

  /** Assigned partitions whose position is not known yet. */
  unpositioned(): TopicPartition[] {
    return [...this.#parts.values()].filter((s) => s.position === null).map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Moves the given partitions to their earliest or latest offset (per the isolation level). */
  async reset(partitions: readonly TopicPartition[], to: 'earliest' | 'latest' = this.#settings.resetTo): Promise<void> {
    if (partitions.length === 0) return;
    const byTopic: Record<string, number[]> = {};
    for (const p of partitions) (byTopic[p.topic] ??= []).push(p.partition);
    const offsets = await this.#client.listOffsets({
      topics: Object.keys(byTopic),
      partitions: byTopic,
      timestamp: to === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
      isolationLevel: this.#settings.readCommitted ? 1 : 0,
    });
    for (const p of partitions) {
      const offset = offsets.get(p.topic)?.[p.partition];
      const state = this.#parts.get(key(p.topic, p.partition));
      if (state && typeof offset === 'bigint' && offset >= 0n) {
        state.position = offset;
        state.epoch++;
      }
    }
    this.#pump();
  }

  /** Records fetched but not yet taken (an upper bound: see #records). */
  get buffered(): number {
    return this.#records;
  }

  /** Takes up to `max` buffered records (oldest first), decoding them now. Never waits. */
  take(max: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    const queue = this.#queue;
    while (out.length < max && this.#head < queue.length) {
      const batch = queue[this.#head]!;
      const before = batch.remaining;
      batch.read(max - out.length, out);
      this.#records -= before - batch.remaining;
      if (batch.remaining === 0) {
        this.#bytes -= batch.size;
        queue[this.#head++] = undefined;
      }
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    this.#pump();
    return out;
  }

  /** Resolves when records arrive, `wake()` is called, or after `ms`. One waiter at a time. */
  waitForData(ms: number): Promise<void> {
    if (this.#records > 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.#waiter === done) self.#waiter = null;
        resolve();
      }
      this.#waiter = done;
    });
  }

  wake(): void {
    this.#waiter?.();
  }

  /** Throws the error that stops fetching for good (authorization), or one that lasted a minute. */
  throwIfFailed(): void {
    if (this.#fatal) throw this.#fatal;
    if (this.#failure && Date.now() - this.#failure.since > FAILURE_REPORT_MS) {
      const error = this.#failure.error;
      this.#failure = null;
      throw wrapKafkaError('fetching records keeps failing', error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.wake();
    for (const state of this.#parts.values()) state.epoch++;
    this.#parts.clear();
    this.#queue = [];
    this.#head = 0;
    this.#records = 0;
    this.#bytes = 0;
  }

  #dropBuffered(drop: (b: { topic: string; partition: number }) => boolean): void {
    const kept: BufferedBatch[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const b = this.#queue[i]!;
      if (!drop(b)) kept.push(b);
      else {
        this.#records -= b.remaining;
        this.#bytes -= b.size;
      }
    }
    this.#queue = kept;
    this.#head = 0;
  }

  #full(): boolean {
    return this.#records >= this.#settings.maxBufferedRecords || this.#bytes >= this.#settings.maxBufferedBytes;
  }

  /** Starts a Fetch to every leader that has ready partitions and none in flight. */
  #pump(): void {
    if (this.#closed || this.#full() || this.#fatal) return;
    const ready = [...this.#parts.values()].filter((s) => s.position !== null && !s.inflight);
    if (ready.length === 0) return;
    const wait = this.#backoffUntil - Date.now();
    if (wait > 0) {
      setTimeout(() => this.#pump(), wait).unref();
      return;
    }
    const topics = [...new Set(ready.map((s) => s.topic))];
    clusterMetadata(this.#client, topics).then(
      (metadata) => {
        if (this.#closed) return;
        this.#dispatch(ready, metadata);
      },
      (error) => this.#failed(error),
    );
  }

  #dispatch(ready: PartitionState[], metadata: ClusterMetadata): void {
    const byNode = new Map<number, PartitionState[]>();
    let leaderless = false;
    for (const s of ready) {
      const leader = metadata.topics.get(s.topic)?.partitions[s.partition]?.leader;
      if (leader === undefined || leader < 0) leaderless = true;
      else if (!this.#inflightNodes.has(leader) && !s.inflight && s.position !== null) byNode.set(leader, [...(byNode.get(leader) ?? []), s]);
    }
    for (const [node, states] of byNode) void this.#fetch(node, states, metadata.topics);
    if (leaderless) {
      // Leader election in progress (or topic just created): look again shortly.
      this.#client.clearMetadata();
      setTimeout(() => this.#pump(), 250).unref();
    }
  }

  async #fetch(node: number, states: PartitionState[], topicsMeta: Map<string, { id: string }>): Promise<void> {
    // Marks are set synchronously (before any await) so that a concurrent #dispatch skips them.
    this.#inflightNodes.add(node);
    const requested = new Map<string, { state: PartitionState; epoch: number; offset: bigint }>();
    const byTopic = new Map<string, { topicId: string; partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number; currentLeaderEpoch: number; lastFetchedEpoch: number }[] }>();
    const names = new Map<string, string>();
    for (const s of states) {
      s.inflight = true;
      requested.set(key(s.topic, s.partition), { state: s, epoch: s.epoch, offset: s.position as bigint });
      const topicId = topicsMeta.get(s.topic)?.id ?? '';
      names.set(topicId, s.topic);
      const entry = byTopic.get(s.topic) ?? { topicId, partitions: [] };
      entry.partitions.push({ partition: s.partition, fetchOffset: s.position as bigint, partitionMaxBytes: this.#settings.maxPartitionBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
      byTopic.set(s.topic, entry);
    }
    try {
      const response = await this.#client.fetch({
        node,
        topics: [...byTopic.values()],
        maxWaitTime: this.#settings.maxWaitMs,
        minBytes: 1,
        maxBytes: this.#settings.maxBytes,
        isolationLevel: this.#settings.readCommitted ? 1 : 0,
      });
      this.#failure = null;
      let added = 0;
      for (const t of response.responses) {
        const topic = names.get(t.topicId) ?? t.topicId;
        for (const p of t.partitions) {
          const req = requested.get(key(topic, p.partitionIndex));
          // Not requested (lingering in the fetch session) or assignment/seek moved on: drop.
          if (!req || req.state.epoch !== req.epoch || this.#parts.get(key(topic, p.partitionIndex)) !== req.state) continue;
          if (!p.records || p.records.length === 0) continue;
          const next = this.#decode(topic, p.partitionIndex, req.offset, p.records, p.abortedTransactions ?? []);
          if (next > (req.state.position as bigint)) req.state.position = next;
          added++;
        }
      }
      if (added > 0) this.wake();
    } catch (error) {
      await this.#handleError(error, requested);
    } finally {
      for (const { state } of requested.values()) state.inflight = false;
      this.#inflightNodes.delete(node);
    }
    this.#pump();
  }

  /** Appends the records of one partition's batches to the buffer; returns the next position. */
  #decode(topic: string, partition: number, from: bigint, batches: readonly (FetchedBatch | RecordsBatch)[], aborted: readonly { producerId: bigint; firstOffset: bigint }[]): bigint {
    let next = from;
    const pending = this.#settings.readCommitted && aborted.length > 0 ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : [];
    const abortedProducers = new Set<bigint>();
    const fromNumber = Number(from);
    for (const batch of batches) {
      const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (lastOffset < from) continue;
      next = lastOffset + 1n;
      if (this.#settings.readCommitted && batch.producerId >= 0n) {
        while (pending.length > 0 && pending[0].firstOffset <= lastOffset) abortedProducers.add(pending.shift()!.producerId);
        if (batch.attributes & IS_CONTROL) {
          // Control record key: int16 version, int16 type (0 = ABORT, 1 = COMMIT).
          const k = batch.records[0]?.key;
          if (k && k.length >= 4 && k.readInt16BE(2) === 0) abortedProducers.delete(batch.producerId);
          continue;
        }
        if (batch.attributes & IS_TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
      }
      if (batch.attributes & IS_CONTROL) continue;
      const buffered: BufferedBatch = 'segments' in batch ? new BatchCursor(batch, topic, partition, fromNumber) : new DecodedBatch(batch, topic, partition, fromNumber);
      this.#queue.push(buffered);
      this.#records += buffered.remaining;
      this.#bytes += buffered.size;
    }
    return next;
  }

  async #handleError(error: unknown, requested: Map<string, { state: PartitionState; epoch: number; offset: bigint }>): Promise<void> {
    if (this.#closed) return;
    if (hasKafkaError(error, 'OFFSET_OUT_OF_RANGE')) {
      // Retention deleted the records at the position (or a seek went past the end): reset.
      const response = (error as { response?: { responses?: { topicId: string; partitions: { partitionIndex: number; errorCode: number }[] }[] } }).response;
      const reset: TopicPartition[] = [];
      for (const { state, epoch } of requested.values()) {
        if (state.epoch !== epoch) continue;
        const hit = response?.responses?.some((t) => t.partitions.some((p) => p.partitionIndex === state.partition && p.errorCode === 1));
        if (hit ?? true) reset.push({ topic: state.topic, partition: state.partition });
      }
      try {
        await this.reset(reset);
        return;
      } catch (resetError) {
        error = resetError;
      }
    }
    const ids = kafkaErrorIds(error);
    if (hasKafkaError(error, ...FATAL) || (error as { code?: string }).code === 'PLT_KFK_AUTHENTICATION') {
      this.#fatal = wrapKafkaError('fetching records failed', error);
      this.wake();
      return;
    }
    this.#failed(error);
    if (ids.some((id) => id.includes('LEADER') || id === 'UNKNOWN_TOPIC_OR_PARTITION')) this.#client.clearMetadata();
  }

  #failed(error: unknown): void {
    this.#failure ??= { error, since: Date.now() };
    this.#failure.error = error;
    const age = Date.now() - this.#failure.since;
    this.#backoffUntil = Date.now() + Math.min(100 + age / 10, 2000);
    // A failed metadata lookup leaves nothing in flight whose completion would pump again.
    if (!this.#closed) setTimeout(() => this.#pump(), 0).unref();
  }
}
