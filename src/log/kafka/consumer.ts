/**
 * KafkaConsumer: the Log `Consumer` on a Kafka consumer group. Several processes with the same
 * `groupId` split the partitions of the subscribed topics; when one leaves, the others take over.
 *
 * Rebalance hooks (for the runtime's state migration), in the spirit of Java's
 * ConsumerRebalanceListener:
 * - `onRevoked(partitions, reason)` runs inside poll() (or close()) BEFORE this member gives the
 *   partitions up: no record of them is returned afterwards, the app can still commit their
 *   offsets (`reason` 'rebalance' or 'close'), and no other member reads them until it returns.
 *   `reason` 'lost' means the group already moved on (session expired, fenced): commits fail,
 *   another member may own the partitions by now; drop state without committing.
 * - `onAssigned(partitions)` runs inside poll() after a rebalance, before any record of the new
 *   partitions is fetched; `seek()` in it overrides the committed offset.
 * Rebalancing is eager: each rebalance revokes all partitions, then assigns the new set (which
 * often contains the old ones again). Hooks never run concurrently with the app's processing,
 * since they run inside its own poll()/close() calls. While a hook runs, heartbeats continue;
 * a hook (or the time between two polls) taking longer than `rebalanceTimeoutMs` during a
 * rebalance gets the member dropped from the group.
 *
 * Offsets: a newly assigned partition starts at the group's committed offset, else at the
 * earliest (`fromBeginning`) or latest offset. `commit` stores next-offsets under the current
 * generation; after a rebalance took the partitions away it throws CommitFailedError.
 */
import { Consumer as LibConsumer } from '@platformatic/kafka';
import type { ConsumedRecord, Consumer, ConsumerOptions, PartitionOffset, RevokeReason, TopicPartition } from '../log.ts';
import { baseClientOptions, type KafkaConfig } from './config.ts';
import { useFastFetchParsing } from './fetch-api.ts';
import { Fetcher } from './fetcher.ts';
import { GroupMember } from './group.ts';
import type { GroupMemberMetadata } from './producer.ts';

export type { RevokeReason };

export interface RebalanceHooks {
  onAssigned?(partitions: readonly TopicPartition[]): void | Promise<void>;
  onRevoked?(partitions: readonly TopicPartition[], reason: RevokeReason): void | Promise<void>;
}

export interface KafkaConsumerOptions extends ConsumerOptions, RebalanceHooks {
  /** Default 'read_committed': records of aborted (and open) transactions are never returned. */
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** The coordinator drops a member without heartbeats for this long (default: KafkaConfig.sessionTimeoutMs, else 45000). */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long the group waits for members to rejoin in a rebalance (default 60000). */
  readonly rebalanceTimeoutMs?: number;
  /** Backpressure: fetching pauses beyond this many buffered records (default 10000)... */
  readonly maxBufferedRecords?: number;
  /** ...or bytes (default 32 MiB). */
  readonly maxBufferedBytes?: number;
  /** Longest a Fetch waits at the broker for data (default 500 ms). */
  readonly fetchMaxWaitMs?: number;
  /** Per Fetch response (default 8 MiB) and per partition in it (default 1 MiB). */
  readonly fetchMaxBytes?: number;
  readonly maxPartitionFetchBytes?: number;
  /** Who parses Fetch responses: 'riffle' (default) or 'library' (see KafkaConfig.batchDecoder). */
  readonly batchDecoder?: 'riffle' | 'library';
}

export class KafkaConsumer implements Consumer {
  readonly groupId: string;
  readonly #hooks: RebalanceHooks;
  readonly #client: LibConsumer;
  readonly #group: GroupMember;
  readonly #fetcher: Fetcher;
  #assignment: TopicPartition[] = [];
  #polling = false;
  /** close() began: no more polls; commits still work until the group is left (onRevoked may commit). */
  #closing = false;
  #closed = false;

  constructor(config: KafkaConfig, options: KafkaConsumerOptions) {
    if (options.topics.length === 0) throw new Error('consumer: no topics to subscribe to');
    this.groupId = options.groupId;
    this.#hooks = { onAssigned: options.onAssigned, onRevoked: options.onRevoked };
    const session = options.sessionTimeoutMs ?? config.sessionTimeoutMs ?? 45_000;
    this.#client = new LibConsumer({
      ...baseClientOptions(config, 'consumer'),
      groupId: options.groupId,
      // The fetch loop retries by itself; a short library retry keeps errors prompt.
      retries: 2,
    });
    // Fetch responses parsed and decoded by Riffle (./fetch-response.ts, ./record-batch-reader.ts).
    if ((options.batchDecoder ?? config.batchDecoder ?? 'riffle') === 'riffle') useFastFetchParsing(this.#client);
    this.#group = new GroupMember(config, {
      groupId: options.groupId,
      topics: [...new Set(options.topics)],
      sessionTimeoutMs: session,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.min(3000, Math.max(100, Math.floor(session / 3))),
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
    });
    this.#fetcher = new Fetcher(this.#client, {
      readCommitted: (options.isolationLevel ?? 'read_committed') === 'read_committed',
      resetTo: options.fromBeginning ? 'earliest' : 'latest',
      maxWaitMs: options.fetchMaxWaitMs ?? 500,
      maxBytes: options.fetchMaxBytes ?? 8 * 1024 * 1024,
      maxPartitionBytes: options.maxPartitionFetchBytes ?? 1024 * 1024,
      maxBufferedRecords: options.maxBufferedRecords ?? 10_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 32 * 1024 * 1024,
    });
    this.#group.onRejoinNeeded = () => this.#fetcher.wake();
  }

  /**
   * Joins the group on the first call and rejoins after rebalances (running the hooks), then
   * returns buffered records. May take longer than `timeoutMs` while a rebalance completes.
   */
  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    this.#assertOpen();
    if (this.#closing) throw new Error('consumer is closed');
    if (this.#polling) throw new Error('poll() is already running on this consumer');
    this.#polling = true;
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (this.#group.rejoinNeeded) await this.#rebalance();
        if (this.#closing) return [];
        await this.#resolvePositions();
        this.#fetcher.throwIfFailed();
        const records = this.#fetcher.take(maxRecords);
        if (records.length > 0) return records;
        const left = deadline - Date.now();
        if (left <= 0) return [];
        await this.#fetcher.waitForData(left);
      }
    } finally {
      this.#polling = false;
    }
  }

  commit(offsets: readonly PartitionOffset[]): Promise<void> {
    this.#assertOpen();
    return this.#group.commit(offsets);
  }

  /** Records fetched ahead and waiting for poll() (bounded by maxBufferedRecords/Bytes plus one response). */
  get buffered(): number {
    return this.#fetcher.buffered;
  }

  assignment(): readonly TopicPartition[] {
    return this.#assignment;
  }

  /** True once this member has joined its group (its assignment, possibly empty, is known). */
  get joined(): boolean {
    return !this.#closing && !this.#group.rejoinNeeded && this.#group.generationId >= 0;
  }

  /**
   * The next offset to fetch per assigned partition (null until the committed offset or reset is
   * known). Records before it are fetched, though maybe still `buffered`. For "caught up" checks:
   * a consumer is at the end of a partition when its position reaches the end offset and nothing
   * is buffered (positions move past transaction markers and aborted records too).
   */
  positions(): { topic: string; partition: number; offset: number | null }[] {
    return this.#fetcher.positions();
  }

  /** Next poll() returns the partition's records from `position.offset` (must be assigned). */
  seek(position: PartitionOffset): void {
    this.#assertOpen();
    if (this.#closing) throw new Error('consumer is closed');
    this.#fetcher.seek(position.topic, position.partition, position.offset);
  }

  /** Generation and member id, for `TransactionalProducer.sendOffsets` (zombie fencing). */
  groupMetadata(): GroupMemberMetadata & { readonly groupId: string } {
    return { groupId: this.groupId, generationId: this.#group.generationId, memberId: this.#group.memberId };
  }

  /** Runs onRevoked('close') for the owned partitions, leaves the group, disconnects. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#fetcher.wake();
    let hookError: unknown;
    const owned = this.#assignment;
    this.#assignment = [];
    if (owned.length > 0 && this.#hooks.onRevoked) {
      try {
        await this.#hooks.onRevoked(owned, this.#group.lost ? 'lost' : 'close');
      } catch (error) {
        hookError = error;
      }
    }
    this.#closed = true;
    await this.#fetcher.close();
    await Promise.allSettled([this.#group.close(), this.#client.close(true)]);
    if (hookError !== undefined) throw hookError;
  }

  async #rebalance(): Promise<void> {
    const owned = this.#assignment;
    if (owned.length > 0) {
      // Stop first: nothing of these partitions reaches the app once the hook has run.
      this.#fetcher.assign([]);
      this.#assignment = [];
      await this.#hooks.onRevoked?.(owned, this.#group.lost ? 'lost' : 'rebalance');
    }
    if (this.#closing) return;
    const assigned = await this.#group.join();
    if (this.#closing) return;
    this.#assignment = assigned;
    this.#fetcher.assign(assigned);
    if (assigned.length > 0) await this.#hooks.onAssigned?.(assigned);
  }

  /** Partitions no hook has seeked start at the committed offset, else earliest/latest. */
  async #resolvePositions(): Promise<void> {
    const open = this.#fetcher.unpositioned();
    if (open.length === 0) return;
    const committed = await this.#group.committed(open);
    const reset: TopicPartition[] = [];
    for (const p of open) {
      const offset = committed.get(`${p.topic}:${p.partition}`) ?? -1;
      if (offset >= 0) this.#fetcher.seek(p.topic, p.partition, offset);
      else reset.push(p);
    }
    await this.#fetcher.reset(reset);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('consumer is closed');
  }
}
