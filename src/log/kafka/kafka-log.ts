/**
 * KafkaLog: the Log interface on an Apache Kafka cluster. Topic administration and offsets go
 * through one admin client; every producer/consumer gets its own client (own connections).
 *
 * Invariants:
 * - createTopic returns once every partition has a leader, and deleteTopic once the topic is gone
 *   from the metadata: Kafka does both asynchronously, and callers produce/recreate right after.
 * - `offsets().end` is the high watermark (read_uncommitted); with transactions, a read_committed
 *   consumer may stop earlier (last stable offset) and sees gaps where control markers sit.
 */
import { Admin, type ClusterMetadata } from '@platformatic/kafka';
import {
  type Consumer,
  type ConsumerProgress,
  type GroupMemberMetadata,
  type Log,
  type LogCapabilities,
  type PartitionOffset,
  type TopicConfig,
  type TopicDescription,
  type TransactionalProducer,
  TopicExistsError,
  UnknownTopicError,
} from '../log.ts';
import { sleep } from './client.ts';
import { baseClientOptions, type KafkaConfig } from './config.ts';
import { KafkaConsumer, type KafkaConsumerOptions } from './consumer.ts';
import { hasKafkaError, isUnknownTopic, wrapKafkaError } from './errors.ts';
import { KafkaProducer, type KafkaProducerOptions, KafkaTransactionalProducer } from './producer.ts';
import { ClientSet } from './client-set.ts';

const TOPIC_RESOURCE = 2; // ConfigResource type TOPIC
const CONFIG_KEYS = ['retention.ms', 'retention.bytes', 'cleanup.policy'];
const PROPAGATION_MS = 15_000;

/** What a Kafka log (plain or namespaced) can do, through its own producers and consumers. */
export function kafkaCapabilities(log: {
  transactionalProducer(id: string): TransactionalProducer;
  consumersOf(groupId: string): readonly ConsumerProgress[];
}): LogCapabilities {
  return {
    transactions: {
      transactionalProducer: (id) => log.transactionalProducer(id),
      groupMetadata: (consumer) => groupMetadataOf(consumer),
    },
    // Kafka has its own idempotent producer and transactions (exactly_once_v2).
    idempotence: null,
    rebalanceHooks: true,
    localDirectory: null,
    consumerProgress: { consumersOf: (groupId) => log.consumersOf(groupId) },
  };
}

export class KafkaLog implements Log {
  readonly kind = 'kafka' as const;
  readonly capabilities: LogCapabilities = kafkaCapabilities(this);
  readonly config: KafkaConfig;
  readonly #admin: Admin;
  readonly #clients = new ClientSet();

  constructor(config: KafkaConfig, admin: Admin) {
    this.config = config;
    this.#admin = admin;
  }

  async createTopic(name: string, config: TopicConfig): Promise<void> {
    const configs: { name: string; value: string }[] = [];
    if (config.retentionMs !== undefined) configs.push({ name: 'retention.ms', value: String(config.retentionMs) });
    if (config.retentionBytes !== undefined) configs.push({ name: 'retention.bytes', value: String(config.retentionBytes) });
    if (config.cleanupPolicy !== undefined) configs.push({ name: 'cleanup.policy', value: config.cleanupPolicy });
    try {
      await this.#admin.createTopics({
        topics: [name],
        partitions: config.partitions,
        // -1: the broker's default.replication.factor.
        replicas: config.replicationFactor ?? -1,
        configs,
      });
    } catch (error) {
      if (hasKafkaError(error, 'TOPIC_ALREADY_EXISTS')) throw new TopicExistsError(name);
      throw wrapKafkaError(`creating topic '${name}' failed`, error);
    }
    await this.#until(`topic '${name}' to get partition leaders`, async () => {
      const t = (await this.#metadata([name]))?.topics.get(name);
      return !!t && t.partitions.length === config.partitions && t.partitions.every((p) => p.leader >= 0);
    });
  }

  async ensureTopic(name: string, config: TopicConfig): Promise<TopicDescription> {
    const existing = await this.describeTopic(name);
    if (existing) return existing;
    try {
      await this.createTopic(name, config);
    } catch (error) {
      if (!(error instanceof TopicExistsError)) throw error; // created concurrently: fine
    }
    const created = await this.describeTopic(name);
    if (!created) throw new Error(`topic '${name}' was created but cannot be described`);
    return created;
  }

  async deleteRecords(topic: string, before: readonly { partition: number; offset: number }[]): Promise<void> {
    if (before.length === 0) return;
    try {
      await this.#admin.deleteRecords({ topics: [{ name: topic, partitions: before.map((b) => ({ partition: b.partition, offset: BigInt(b.offset) })) }] });
    } catch (error) {
      if (isUnknownTopic(error)) throw new UnknownTopicError(topic);
      throw wrapKafkaError(`deleting records of '${topic}' failed`, error);
    }
  }

  async deleteTopic(name: string): Promise<void> {
    try {
      await this.#admin.deleteTopics({ topics: [name] });
    } catch (error) {
      if (isUnknownTopic(error)) throw new UnknownTopicError(name);
      throw wrapKafkaError(`deleting topic '${name}' failed`, error);
    }
    await this.#until(`topic '${name}' to disappear`, async () => (await this.#metadata([name])) === null);
  }

  /**
   * Deletes several topics in one request, ignoring those that do not exist. `wait: false`
   * returns once the controller accepted the deletion (cleanup that nobody recreates at once).
   */
  async deleteTopics(names: readonly string[], { wait = true }: { wait?: boolean } = {}): Promise<void> {
    const existing = (await this.#admin.listTopics()).filter((n) => names.includes(n));
    if (existing.length === 0) return;
    try {
      await this.#admin.deleteTopics({ topics: existing });
    } catch (error) {
      if (!isUnknownTopic(error)) throw wrapKafkaError(`deleting topics ${existing.join(', ')} failed`, error);
    }
    if (wait) {
      await this.#until(`topics ${existing.join(', ')} to disappear`, async () => {
        const left = new Set(await this.#admin.listTopics());
        return existing.every((n) => !left.has(n));
      });
    }
  }

  /** Deletes empty consumer groups (their committed offsets); unknown ones are skipped. */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await Promise.all(groupIds.map((g) => this.deleteGroup(g)));
  }

  /** The live consumers of this log in `groupId` (for test drivers that check progress). */
  consumersOf(groupId: string): KafkaConsumer[] {
    return [...this.#clients.values()].filter((c): c is KafkaConsumer => c instanceof KafkaConsumer && c.groupId === groupId);
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    return (await this.#describe([name]))[0] ?? null;
  }

  async listTopics(): Promise<TopicDescription[]> {
    return this.#describe(await this.topicNames());
  }

  /** The names of the cluster's topics, Kafka's internal ones (`__...`) left out; one request. */
  async topicNames(): Promise<string[]> {
    return (await this.#admin.listTopics()).filter((n) => !n.startsWith('__'));
  }

  /**
   * `isolation` 'read_committed' makes `end` the last stable offset: below the first record of
   * a transaction still open (equal to the high watermark when none is).
   */
  async offsets(topic: string, isolation: 'read_uncommitted' | 'read_committed' = 'read_uncommitted'): Promise<{ partition: number; start: number; end: number }[]> {
    const metadata = await this.#metadata([topic]);
    const t = metadata?.topics.get(topic);
    if (!t) throw new UnknownTopicError(topic);
    const ids = Array.from({ length: t.partitionsCount }, (_, i) => i);
    const list = (timestamp: bigint) =>
      this.#admin.listOffsets({
        topics: [{ name: topic, partitions: ids.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
        isolationLevel: isolation === 'read_committed' ? 1 : 0,
      });
    const [earliest, latest] = await Promise.all([list(-2n), list(-1n)]);
    const start = new Map(earliest.flatMap((x) => x.partitions).map((p) => [p.partitionIndex, Number(p.offset)]));
    const end = new Map(latest.flatMap((x) => x.partitions).map((p) => [p.partitionIndex, Number(p.offset)]));
    return ids.map((partition) => ({ partition, start: start.get(partition) ?? 0, end: end.get(partition) ?? 0 }));
  }

  /** Stable committed offsets: waits while a transaction holding offsets for the group is open. */
  async committed(groupId: string, topic: string): Promise<PartitionOffset[]> {
    const t = (await this.#metadata([topic]))?.topics.get(topic);
    if (!t) return [];
    // Explicit partitions: `requireStable` is only checked per requested partition.
    const partitionIndexes = Array.from({ length: t.partitionsCount }, (_, i) => i);
    for (let attempt = 0; ; attempt++) {
      try {
        const groups = await this.#admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: [{ name: topic, partitionIndexes }] }], requireStable: true });
        const out: PartitionOffset[] = [];
        for (const p of groups.flatMap((g) => g.topics).filter((x) => x.name === topic).flatMap((x) => x.partitions)) {
          if (p.committedOffset >= 0n) out.push({ topic, partition: p.partitionIndex, offset: Number(p.committedOffset) });
        }
        return out.sort((a, b) => a.partition - b.partition);
      } catch (error) {
        if (!hasKafkaError(error, 'UNSTABLE_OFFSET_COMMIT') || attempt >= 100) throw wrapKafkaError(`reading offsets of group '${groupId}' failed`, error);
        await sleep(50);
      }
    }
  }

  async deleteGroup(groupId: string): Promise<void> {
    try {
      await this.#admin.deleteGroups({ groups: [groupId] });
    } catch (error) {
      if (hasKafkaError(error, 'GROUP_ID_NOT_FOUND')) return;
      if (hasKafkaError(error, 'NON_EMPTY_GROUP')) throw new Error(`group '${groupId}' still has active members`, { cause: error });
      throw wrapKafkaError(`deleting group '${groupId}' failed`, error);
    }
  }

  producer(options: KafkaProducerOptions = {}): KafkaProducer {
    return this.#clients.track(new KafkaProducer(this.config, options));
  }

  /** A producer for exactly-once writes; one live producer per `transactionalId` (older ones get fenced). */
  transactionalProducer(transactionalId: string, options: KafkaProducerOptions = {}): KafkaTransactionalProducer {
    return this.#clients.track(new KafkaTransactionalProducer(this.config, transactionalId, options));
  }

  consumer(options: KafkaConsumerOptions): KafkaConsumer {
    return this.#clients.track(new KafkaConsumer(this.config, options));
  }

  /** Closes every producer and consumer made by this log, then the admin client. */
  async close(): Promise<void> {
    if (await this.#clients.close()) await this.#admin.close();
  }

  /** Metadata of `topics`, or null when one of them does not exist. */
  async #metadata(topics: string[]): Promise<ClusterMetadata | null> {
    // No library retries: an unknown topic is an answer, not a failure to wait out (a library
    // retry costs its 100 ms backoff on every existence check). Other errors are retried here.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#admin.metadata({ topics, forceUpdate: true, retries: 0 });
      } catch (error) {
        if (isUnknownTopic(error)) return null;
        if (attempt >= 3) throw error;
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  async #describe(names: string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return [];
    // One metadata request per name: a single unknown name would fail a combined request.
    const found = (await Promise.all(names.map(async (n) => [n, (await this.#metadata([n]))?.topics.get(n)] as const))).filter(
      (x): x is readonly [string, NonNullable<(typeof x)[1]>] => x[1] !== undefined,
    );
    if (found.length === 0) return [];
    const described = await this.#admin.describeConfigs({
      resources: found.map(([resourceName]) => ({ resourceType: TOPIC_RESOURCE, resourceName, configurationKeys: CONFIG_KEYS })),
    });
    const configs = new Map(described.map((d) => [d.resourceName, new Map(d.configs.map((c) => [c.name, c.value]))]));
    return found.map(([name, t]) => {
      const c = configs.get(name);
      const num = (k: string): number | undefined => {
        const v = c?.get(k);
        return v === undefined || v === null ? undefined : Number(v);
      };
      const policy = c?.get('cleanup.policy');
      const replicationFactor = t.partitions[0]?.replicas.length ?? 0;
      const config: TopicConfig = {
        partitions: t.partitionsCount,
        replicationFactor,
        retentionMs: num('retention.ms'),
        retentionBytes: num('retention.bytes'),
        cleanupPolicy: policy ? cleanupPolicyOf(policy) : undefined,
      };
      return { name, partitions: t.partitionsCount, replicationFactor, config };
    });
  }

  async #until(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + PROPAGATION_MS;
    for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(wait);
    }
  }
}

/** Connects to the cluster (one metadata round trip, so a wrong address fails here) and returns the log. */
export async function openKafkaLog(config: KafkaConfig): Promise<KafkaLog> {
  if (!config.bootstrapServers || config.bootstrapServers.length === 0) {
    throw new Error('Kafka: no bootstrap servers (set RIFFLE_BOOTSTRAP_SERVERS=host:port)');
  }
  const admin = new Admin({ ...baseClientOptions(config, 'admin'), retries: 3 });
  try {
    await admin.metadata({ topics: [] });
  } catch (error) {
    await admin.close().catch(() => undefined);
    throw wrapKafkaError(`cannot reach Kafka at ${config.bootstrapServers.join(',')}`, error);
  }
  return new KafkaLog(config, admin);
}

/** Kafka's cleanup.policy list ("compact", "delete", "compact,delete", "delete,compact"). */
function cleanupPolicyOf(policy: string): 'delete' | 'compact' | 'compact,delete' {
  const compact = policy.includes('compact');
  if (compact && policy.includes('delete')) return 'compact,delete';
  return compact ? 'compact' : 'delete';
}

/** The group membership of a consumer made by a Kafka log (plain or namespaced). */
export function groupMetadataOf(consumer: Consumer): GroupMemberMetadata & { readonly groupId: string } {
  const c = consumer as Partial<{ groupMetadata(): GroupMemberMetadata & { readonly groupId: string } }>;
  if (typeof c.groupMetadata !== 'function') throw new Error('exactly-once needs a consumer of this Kafka log (a consumer group member)');
  return c.groupMetadata();
}
