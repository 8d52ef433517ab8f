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
  close(): Promise<void>;
}

export interface ConsumerOptions {
  /** Consumer group: committed offsets are kept per group. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where to start when the group has no committed offset for a partition. */
  readonly fromBeginning: boolean;
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
  close(): Promise<void>;
}

export interface Log {
  /** 'embedded' or 'kafka': shown by the CLI and EXPLAIN. */
  readonly kind: 'embedded' | 'kafka';
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
  /** First and next offset of each partition (high watermark). */
  offsets(topic: string): Promise<{ partition: number; start: number; end: number }[]>;
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
