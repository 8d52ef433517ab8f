/**
 * The log: topics with partitions, records with key, value, timestamp and headers, offsets,
 * and committed offsets per consumer group. Two implementations share this interface: the
 * embedded, file-backed log (./embedded/) used when no Kafka bootstrap servers are configured,
 * and Apache Kafka (./kafka/).
 *
 * Invariants:
 * - Offsets within a partition start at 0 (or at the log start after retention) and increase by
 *   one per record, with no gaps on the embedded log (Kafka may have gaps: transaction markers,
 *   compaction), so consumers must use the offset of each record, not count.
 * - A `send` resolves only once the records are durable as far as the implementation promises
 *   (embedded: written to the file; Kafka: acknowledged per `acks`). Only then may a consumer
 *   commit offsets for input that produced them.
 * - Every method that takes an array works on the whole array at once: callers batch, the log
 *   never does per-record promises.
 */

export interface Header {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** A record to append. `partition` unset means: partition by key hash (murmur2, Kafka's default). */
export interface ProducerRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly headers?: readonly Header[];
  readonly partition?: number;
}

/** A record read back from a topic. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly headers: readonly Header[];
}

export interface TopicConfig {
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Records older than this (by record timestamp of the newest record in a segment) may be deleted. -1 = forever. */
  readonly retentionMs?: number;
  /** Per partition; oldest segments are deleted beyond it. -1 = unbounded. */
  readonly retentionBytes?: number;
  /**
   * 'compact,delete' (Kafka's combined policy): compacted, and records older than retentionMs are
   * deleted too (windowed state changelogs, whose expired windows are never tombstoned).
   */
  readonly cleanupPolicy?: 'delete' | 'compact' | 'compact,delete';
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: TopicConfig;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionOffset extends TopicPartition {
  /** The offset of the next record to read (Kafka's convention: last processed + 1). */
  readonly offset: number;
}

export interface SendResult extends TopicPartition {
  readonly offset: number;
}

export interface Producer {
  /** Appends the records; resolves once they are durable. Results are in the order of `records`. */
  send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]>;
  /**
   * Optional (remote logs): a buffer of the caller's own that takes records now, in the log's
   * wire format, and writes them at flush(); for outputs that linger between commit points.
   */
  outputBuffer?(): OutputBuffer | undefined;
  close(): Promise<void>;
}

/**
 * Records taken by `add` (partitioned and encoded then: the caller may drop them) and written by
 * `flush`, per topic in the order added; `clear` drops what was not flushed. One caller's own:
 * what another caller buffers on the same producer is neither flushed nor cleared by it.
 */
export interface OutputBuffer {
  /** Records added since the last flush or clear. */
  readonly records: number;
  add(topic: string, records: readonly ProducerRecord[]): Promise<void> | void;
  /** Resolves once everything added before the call is durable. */
  flush(): Promise<void>;
  clear(): void;
}

/** Why partitions are taken away: a rebalance, a member found dead by the group ('lost'), or close. */
export type RevokeReason = 'rebalance' | 'lost' | 'close';

export interface ConsumerOptions {
  /** Consumer group: committed offsets are kept per group. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where to start when the group has no committed offset for a partition. */
  readonly fromBeginning: boolean;
  /**
   * Rebalance hook (logs whose `capabilities.rebalanceHooks` is true): runs inside poll() or
   * close() before the partitions are given to another member, so their state can be handed over.
   * A log without rebalancing never calls it.
   */
  onRevoked?(partitions: readonly TopicPartition[], reason: RevokeReason): void | Promise<void>;
}

export interface Consumer {
  /**
   * Returns the next records of the assigned partitions, at most `maxRecords`, waiting up to
   * `timeoutMs` when none are available (an empty array then). Records of one partition come in
   * offset order.
   */
  poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]>;
  /** Commits the given next-offsets for this consumer's group. */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** The partitions currently assigned to this consumer. */
  assignment(): readonly TopicPartition[];
  seek(position: PartitionOffset): void;
  /**
   * The next offset to fetch per assigned partition (null: not known yet), when the log can tell
   * (Kafka): positions move past transaction markers and aborted records, which are never
   * returned, so "read up to the end offset" is judged by position, not by the last record.
   */
  positions?(): { topic: string; partition: number; offset: number | null }[];
  /**
   * Whether the log holds records of an assigned partition that poll has not returned yet, when
   * the consumer knows without a request (embedded log); absent: unknown. For time order across
   * sources (../exec/partition-group.ts).
   */
  hasUnfetched?(tp: TopicPartition): boolean;
  /**
   * Stops fetching exactly these topic-partitions (and resumes every other one) until the next
   * call; their positions stay. For bounded buffering of the time-ordered merge (Kafka Streams
   * pauses a partition with buffered.records.per.partition records waiting). Absent: the log
   * cannot pause, and the caller does not wait on lag it cannot see.
   */
  setPaused?(tps: readonly TopicPartition[]): void;
  close(): Promise<void>;
}

/** Identifies a consumer group member to the transaction coordinator (KIP-447 zombie fencing). */
export interface GroupMemberMetadata {
  readonly generationId: number;
  readonly memberId: string;
}

/**
 * A producer whose sends become visible atomically: records sent between `beginTransaction` and
 * `commit` (and the consumer offsets added with `sendOffsets`) are committed together or not at
 * all. read_committed consumers never see aborted records. One transaction at a time.
 */
export interface TransactionalProducer extends Producer {
  readonly transactionalId: string;
  /** Fences older producers with the same id and aborts a transaction they left open. */
  init(): Promise<void>;
  beginTransaction(): Promise<void>;
  /** Commits `offsets` for `groupId` as part of the transaction (Java's sendOffsetsToTransaction). */
  sendOffsets(groupId: string, offsets: readonly PartitionOffset[], member?: GroupMemberMetadata): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Transactions of a log (Kafka): what exactly_once_v2 needs. */
export interface LogTransactions {
  transactionalProducer(transactionalId: string): TransactionalProducer;
  /** The group membership of a consumer of this log, for `sendOffsets`. */
  groupMetadata(consumer: Consumer): GroupMemberMetadata & { readonly groupId: string };
}

/** Options of an idempotent send. */
export interface IdempotentSendOptions {
  /**
   * The partition of records with neither key nor partition (instead of a moving sticky one), so
   * that the same records sent again go to the same partitions.
   */
  readonly sticky: number;
  /**
   * Per partition of the topic: drop this many of the call's first records routed to it (they are
   * already in the log, written by this producer before a crash). Absent: write all.
   */
  readonly skip?: readonly number[];
}

/** A producer whose records carry its identity: `name`, stable across restarts. */
export interface IdempotentProducer {
  readonly name: string;
  send(topic: string, records: readonly ProducerRecord[], options: IdempotentSendOptions): Promise<SendResult[]>;
  /**
   * Per partition p of `topic`: how many records of this producer lie at offsets >= from[p]
   * (partitions beyond `from`'s length: none counted).
   */
  countSince(topic: string, from: readonly number[]): Promise<number[]>;
}

/** Named producers (embedded log): see LogCapabilities. */
export interface LogIdempotence {
  idempotentProducer(name: string): IdempotentProducer;
}

/**
 * What a log can do beyond the common interface, declared by each implementation (typed, so no
 * caller probes for methods with casts):
 * - `transactions`: atomic multi-topic writes with consumer offsets (Kafka), null when absent;
 * - `idempotence`: records written through a named producer carry that producer's identity in
 *   the log, so after a crash a writer can count what it had written beyond a known offset
 *   (Kafka's idempotent producer keeps producer id and sequence in the batch header alike);
 * - `rebalanceHooks`: partitions may move between members at run time and `onRevoked` is called;
 * - `localDirectory`: the directory of a log owned by this one process (embedded log, under a
 *   lock), null for a shared remote log. With it, a topic written only by this process (a state
 *   changelog) has no other writer: whatever lies beyond the offset this process recorded as
 *   committed was written by it and never committed (see state/registry.ts).
 */
/** How far a consumer has fetched and taken its records (../engine/idle.ts). */
export interface ConsumerProgress {
  readonly joined: boolean;
  /** Records fetched and not yet taken by poll(). */
  readonly buffered: number;
  positions(): { topic: string; partition: number; offset: number | null }[];
  assignment(): readonly TopicPartition[];
}

/**
 * Consumers that report their progress (Kafka, where an empty poll may only mean a fetch is still
 * on its way); null on the embedded log, where an empty poll means nothing is left.
 */
export interface ConsumerProgressSource {
  consumersOf(groupId: string): readonly ConsumerProgress[];
}

export interface LogCapabilities {
  readonly transactions: LogTransactions | null;
  /** Producers whose records carry their identity (embedded log), null when absent. */
  readonly idempotence: LogIdempotence | null;
  readonly rebalanceHooks: boolean;
  readonly localDirectory: string | null;
  readonly consumerProgress: ConsumerProgressSource | null;
}

export interface Log {
  /** 'embedded' or 'kafka': shown by the CLI and EXPLAIN. */
  readonly kind: 'embedded' | 'kafka';
  readonly capabilities: LogCapabilities;
  createTopic(name: string, config: TopicConfig): Promise<void>;
  /** Creates the topic unless it exists; returns its description either way. */
  ensureTopic(name: string, config: TopicConfig): Promise<TopicDescription>;
  deleteTopic(name: string): Promise<void>;
  /**
   * Kafka's deleteRecords: records below the given offsets may go (the log start moves up to at
   * most there; the embedded log deletes whole segments below it). For internal topics whose
   * records were consumed and committed (repartition topics), so they do not grow for ever.
   */
  deleteRecords(topic: string, before: readonly { partition: number; offset: number }[]): Promise<void>;
  describeTopic(name: string): Promise<TopicDescription | null>;
  listTopics(): Promise<TopicDescription[]>;
  /**
   * First and next offset of each partition: the high watermark, or with 'read_committed' the
   * last stable offset (below the first record of a transaction still open; the same on a log
   * without transactions).
   */
  offsets(topic: string, isolation?: 'read_uncommitted' | 'read_committed'): Promise<{ partition: number; start: number; end: number }[]>;
  committed(groupId: string, topic: string): Promise<PartitionOffset[]>;
  deleteGroup(groupId: string): Promise<void>;
  producer(): Producer;
  consumer(options: ConsumerOptions): Consumer;
  close(): Promise<void>;
}

export class TopicExistsError extends Error {
  readonly topic: string;
  constructor(topic: string) {
    super(`Topic '${topic}' already exists`);
    this.topic = topic;
  }
}

export class UnknownTopicError extends Error {
  readonly topic: string;
  constructor(topic: string) {
    super(`Topic '${topic}' does not exist`);
    this.topic = topic;
  }
}
