/**
 * A namespace on a shared Kafka cluster: every topic, consumer group and transactional id is
 * prefixed on the way to the broker and the prefix is stripped on the way back, so whoever uses
 * this log (an engine, a test) sees a cluster of its own: its internal topics
 * (`_riffle_commands`, `RIFFLE_PROCESSING_LOG`) and the topics named in its SQL do not meet
 * those of any other namespace. Used by the conformance runner on Kafka (one namespace per case)
 * and the tests against a real broker; `destroy()` deletes everything the namespace holds.
 *
 * Invariants:
 * - Names seen by the user of this log never carry the prefix: records, descriptions, offsets,
 *   assignments and errors (UnknownTopicError, TopicExistsError) are translated back.
 * - The prefix uses only `[A-Za-z0-9-]` so it never makes a '.'/'_' collision that Kafka rejects.
 */
import {
  type ConsumedRecord,
  type Consumer,
  type Log,
  type LogCapabilities,
  type OutputBuffer,
  type PartitionOffset,
  type ConsumerProgress,
  type Producer,
  type ProducerRecord,
  type SendResult,
  type TopicConfig,
  type TopicDescription,
  TopicExistsError,
  type TopicPartition,
  UnknownTopicError,
} from '../log.ts';
import type { KafkaConsumer, KafkaConsumerOptions } from './consumer.ts';
import { kafkaCapabilities, type KafkaLog } from './kafka-log.ts';
import type { GroupMemberMetadata, KafkaProducerOptions, TransactionalProducer } from './producer.ts';
import { ClientSet } from './client-set.ts';


export class NamespacedKafkaLog implements Log {
  readonly kind = 'kafka' as const;
  readonly capabilities: LogCapabilities = kafkaCapabilities(this);
  readonly inner: KafkaLog;
  readonly prefix: string;
  /** Logical group ids used through this log (deleted by destroy()). */
  readonly #groups = new Set<string>();
  readonly #clients = new ClientSet();
  readonly #consumers = new Set<NamespacedConsumer>();

  constructor(inner: KafkaLog, prefix: string) {
    if (!/^[A-Za-z0-9-]+$/.test(prefix)) throw new Error(`namespace prefix '${prefix}': use letters, digits and '-' only`);
    this.inner = inner;
    this.prefix = prefix;
  }

  topic(name: string): string {
    return this.prefix + name;
  }

  /** The logical name of a physical topic (or group), or null when it is outside the namespace. */
  local(name: string): string | null {
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : null;
  }

  #strip = (name: string): string => this.local(name) ?? name;

  group(groupId: string): string {
    this.#groups.add(groupId);
    return this.prefix + groupId;
  }

  createTopic(name: string, config: TopicConfig): Promise<void> {
    return this.#translate(this.inner.createTopic(this.topic(name), config));
  }

  async ensureTopic(name: string, config: TopicConfig): Promise<TopicDescription> {
    return this.#describe(await this.#translate(this.inner.ensureTopic(this.topic(name), config)));
  }

  deleteRecords(topic: string, before: readonly { partition: number; offset: number }[]): Promise<void> {
    return this.#translate(this.inner.deleteRecords(this.topic(topic), before));
  }

  deleteTopic(name: string): Promise<void> {
    return this.#translate(this.inner.deleteTopic(this.topic(name)));
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    const d = await this.inner.describeTopic(this.topic(name));
    return d ? this.#describe(d) : null;
  }

  async listTopics(): Promise<TopicDescription[]> {
    const names = (await this.inner.topicNames()).filter((n) => this.local(n) !== null);
    const described = await Promise.all(names.map((n) => this.inner.describeTopic(n)));
    return described.filter((d): d is TopicDescription => d !== null).map((d) => this.#describe(d));
  }

  offsets(topic: string, isolation: 'read_uncommitted' | 'read_committed' = 'read_uncommitted'): Promise<{ partition: number; start: number; end: number }[]> {
    return this.#translate(this.inner.offsets(this.topic(topic), isolation));
  }

  async committed(groupId: string, topic: string): Promise<PartitionOffset[]> {
    return (await this.inner.committed(this.group(groupId), this.topic(topic))).map((o) => ({ ...o, topic }));
  }

  deleteGroup(groupId: string): Promise<void> {
    return this.inner.deleteGroup(this.group(groupId));
  }

  producer(options: KafkaProducerOptions = {}): Producer {
    return this.#clients.track(new NamespacedProducer(this, this.inner.producer(options)));
  }

  /** A transactional producer whose id is namespaced too (fencing stays within the namespace). */
  transactionalProducer(transactionalId: string, options: KafkaProducerOptions = {}): TransactionalProducer {
    return this.#clients.track(new NamespacedTransactionalProducer(this, this.inner.transactionalProducer(this.prefix + transactionalId, options), transactionalId));
  }

  consumer(options: KafkaConsumerOptions): NamespacedConsumer {
    const strip = (ps: readonly TopicPartition[]) => ps.map((p) => ({ topic: this.#strip(p.topic), partition: p.partition }));
    const { onAssigned, onRevoked } = options;
    const inner = this.inner.consumer({
      ...options,
      groupId: this.group(options.groupId),
      topics: options.topics.map((t) => this.topic(t)),
      onAssigned: onAssigned ? (ps) => onAssigned(strip(ps)) : undefined,
      onRevoked: onRevoked ? (ps, reason) => onRevoked(strip(ps), reason) : undefined,
    });
    const consumer = this.#clients.track(new NamespacedConsumer(this, inner, options.groupId));
    this.#consumers.add(consumer);
    const close = consumer.close.bind(consumer);
    consumer.close = async () => {
      this.#consumers.delete(consumer);
      await close();
    };
    return consumer;
  }

  /** The live consumers of this namespace in the (logical) group. */
  consumersOf(groupId: string): NamespacedConsumer[] {
    return [...this.#consumers].filter((c) => c.groupId === groupId);
  }

  /** Closes the producers and consumers made through this namespace; the shared log stays open. */
  async close(): Promise<void> {
    await this.#clients.close();
  }

  /**
   * Closes, then deletes every topic of the namespace and the groups used through it.
   * `wait: false` does not wait for the topics to vanish from the metadata (nobody recreates them).
   */
  async destroy({ wait = false }: { wait?: boolean } = {}): Promise<void> {
    await this.close();
    const topics = (await this.inner.topicNames()).filter((n) => n.startsWith(this.prefix));
    await this.inner.deleteGroups([...this.#groups].map((g) => this.prefix + g)).catch(() => undefined);
    await this.inner.deleteTopics(topics, { wait });
  }

  /** Maps a physical topic name in a record, result or offset back to its logical name. */
  strip<T extends { topic: string }>(x: T): T {
    return { ...x, topic: this.#strip(x.topic) };
  }

  #describe(d: TopicDescription): TopicDescription {
    return { ...d, name: this.#strip(d.name) };
  }

  async #translate<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (error) {
      if (error instanceof UnknownTopicError) throw new UnknownTopicError(this.#strip(error.topic));
      if (error instanceof TopicExistsError) throw new TopicExistsError(this.#strip(error.topic));
      throw error;
    }
  }
}

class NamespacedProducer implements Producer {
  readonly #ns: NamespacedKafkaLog;
  readonly #inner: Producer;

  constructor(ns: NamespacedKafkaLog, inner: Producer) {
    this.#ns = ns;
    this.#inner = inner;
  }

  async send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
    return sendIn(this.#ns, this.#inner, topic, records);
  }

  /** The inner producer's buffer, on the namespace's topics (errors name the caller's topic). */
  outputBuffer(): OutputBuffer | undefined {
    const inner = this.#inner.outputBuffer?.();
    if (!inner) return undefined;
    const ns = this.#ns;
    const unwrap = (topic: string) => (error: unknown) => {
      throw error instanceof UnknownTopicError ? new UnknownTopicError(ns.local(error.topic) ?? topic) : error;
    };
    return {
      get records() {
        return inner.records;
      },
      add: (topic, records) => {
        try {
          const adding = inner.add(ns.topic(topic), records);
          return adding && adding.catch(unwrap(topic));
        } catch (error) {
          return unwrap(topic)(error);
        }
      },
      flush: () => inner.flush().catch(unwrap('')),
      clear: () => inner.clear(),
    };
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

async function sendIn(ns: NamespacedKafkaLog, producer: Producer, topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
  try {
    return (await producer.send(ns.topic(topic), records)).map((r) => ({ ...r, topic }));
  } catch (error) {
    if (error instanceof UnknownTopicError) throw new UnknownTopicError(topic);
    throw error;
  }
}

class NamespacedTransactionalProducer implements TransactionalProducer {
  readonly transactionalId: string;
  readonly #ns: NamespacedKafkaLog;
  readonly #inner: TransactionalProducer;

  constructor(ns: NamespacedKafkaLog, inner: TransactionalProducer, transactionalId: string) {
    this.#ns = ns;
    this.#inner = inner;
    this.transactionalId = transactionalId;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  beginTransaction(): Promise<void> {
    return this.#inner.beginTransaction();
  }

  send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
    return sendIn(this.#ns, this.#inner, topic, records);
  }

  sendOffsets(groupId: string, offsets: readonly PartitionOffset[], member?: GroupMemberMetadata): Promise<void> {
    return this.#inner.sendOffsets(
      this.#ns.group(groupId),
      offsets.map((o) => ({ ...o, topic: this.#ns.topic(o.topic) })),
      member,
    );
  }

  commit(): Promise<void> {
    return this.#inner.commit();
  }

  abort(): Promise<void> {
    return this.#inner.abort();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

export class NamespacedConsumer implements Consumer, ConsumerProgress {
  readonly groupId: string;
  readonly #ns: NamespacedKafkaLog;
  readonly #inner: KafkaConsumer;

  constructor(ns: NamespacedKafkaLog, inner: KafkaConsumer, groupId: string) {
    this.#ns = ns;
    this.#inner = inner;
    this.groupId = groupId;
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    const records = await this.#inner.poll(maxRecords, timeoutMs);
    return records.map((r) => this.#ns.strip(r));
  }

  commit(offsets: readonly PartitionOffset[]): Promise<void> {
    return this.#inner.commit(offsets.map((o) => ({ ...o, topic: this.#ns.topic(o.topic) })));
  }

  assignment(): readonly TopicPartition[] {
    return this.#inner.assignment().map((p) => this.#ns.strip(p));
  }

  seek(position: PartitionOffset): void {
    this.#inner.seek({ ...position, topic: this.#ns.topic(position.topic) });
  }

  /** Generation and member id for `TransactionalProducer.sendOffsets`, with the logical group id. */
  groupMetadata(): GroupMemberMetadata & { readonly groupId: string } {
    return { ...this.#inner.groupMetadata(), groupId: this.groupId };
  }

  get joined(): boolean {
    return this.#inner.joined;
  }

  get buffered(): number {
    return this.#inner.buffered;
  }

  positions(): { topic: string; partition: number; offset: number | null }[] {
    return this.#inner.positions().map((p) => this.#ns.strip(p));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
