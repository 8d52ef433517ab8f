/**
 * Membership in a Kafka consumer group, classic protocol (JoinGroup/SyncGroup/Heartbeat), eager
 * rebalancing with Java's RangeAssignor (protocol name `range`, so Java consumers can share the
 * group).
 *
 * Why not the client library's own group code: its rebalance callbacks fire after the new
 * assignment is in place, when another member may already be reading a partition this member is
 * still processing. Here the owner of this class (KafkaConsumer) decides when to rejoin: it first
 * gives up its partitions (the app's onRevoked runs and may commit), then calls `join()`. The
 * coordinator accepts commits from the current generation until this member rejoins.
 *
 * Invariants:
 * - Heartbeats run on a timer while a member is in a generation, independently of poll(), and
 *   stop during join(); a REBALANCE_IN_PROGRESS answer keeps them running (the session stays
 *   alive while the app finishes its batch) and raises `rejoinNeeded`.
 * - All group requests use this class's own client (own connections): JoinGroup blocks its
 *   connection until the rebalance completes, which must not stall fetches.
 */
import {
  Base,
  type Broker,
  type Connection,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
} from '@platformatic/kafka';
import type { PartitionOffset, TopicPartition } from '../log.ts';
import { clusterMetadata, coordinatorConnection, getApi, getConnection, sleep } from './client.ts';
import { baseClientOptions, type KafkaConfig } from './config.ts';
import { COORDINATOR_ERRORS, CommitFailedError, hasKafkaError, REJOIN_ERRORS, wrapKafkaError } from './errors.ts';

export interface GroupSettings {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

const PROTOCOL = 'range';
/** How long committed() waits for offsets an open transaction holds (transaction timeout 30 s + abort check 10 s, with margin). */
const UNSTABLE_WAIT_MS = 120_000;

export class GroupMember {
  readonly settings: GroupSettings;
  generationId = -1;
  memberId = '';
  /** Set when the group rebalanced (or dropped this member); cleared by a successful join(). */
  rejoinNeeded = true;
  /** True when the generation is already gone (session expired, fenced): commits would fail. */
  lost = false;
  /** Called (synchronously) when `rejoinNeeded` turns true, to wake a waiting poll(). */
  onRejoinNeeded: () => void = () => {};

  readonly #client: Base;
  #coordinator: { nodeId: number; broker: Broker } | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(config: KafkaConfig, settings: GroupSettings) {
    this.settings = settings;
    this.#client = new Base({
      ...baseClientOptions(config, 'group'),
      // JoinGroup is answered only once every member has rejoined: up to the rebalance timeout.
      requestTimeout: settings.rebalanceTimeoutMs + 5000,
    });
  }

  /**
   * Joins (or rejoins) the group and returns this member's partitions. When this member is the
   * leader it computes everyone's assignment. Blocks until the rebalance completes.
   */
  async join(): Promise<TopicPartition[]> {
    this.#stopHeartbeat();
    const { groupId, topics, sessionTimeoutMs, rebalanceTimeoutMs } = this.settings;
    const subscription = encodeConsumerProtocolSubscription({ version: 1, topics: [...topics] });
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw new Error('consumer is closed');
      try {
        const connection = await this.#connection();
        const joinApi = await getApi(this.#client, 'JoinGroup');
        const joined = await joinApi.async(connection, groupId, sessionTimeoutMs, rebalanceTimeoutMs, this.memberId, null, 'consumer', [
          { name: PROTOCOL, metadata: subscription },
        ]);
        this.memberId = joined.memberId;
        this.generationId = joined.generationId;
        const assignments = joined.leader === joined.memberId ? await this.#assign(joined.members) : [];
        const syncApi = await getApi(this.#client, 'SyncGroup');
        const synced = await syncApi.async(connection, groupId, this.generationId, this.memberId, null, 'consumer', joined.protocolName ?? PROTOCOL, assignments);
        this.rejoinNeeded = false;
        this.lost = false;
        this.#scheduleHeartbeat();
        const wanted = new Set(topics);
        const out: TopicPartition[] = [];
        if (synced.assignment && synced.assignment.length > 0) {
          for (const a of decodeConsumerProtocolAssignment(synced.assignment).assignedPartitions) {
            if (!wanted.has(a.topic)) continue;
            for (const partition of [...a.partitions].sort((x, y) => x - y)) out.push({ topic: a.topic, partition });
          }
        }
        return out;
      } catch (error) {
        if (hasKafkaError(error, 'MEMBER_ID_REQUIRED')) {
          // KIP-394: the broker hands out the member id and expects the join again with it.
          const id = (error as { response?: { memberId?: string } }).response?.memberId;
          if (id) this.memberId = id;
          continue;
        }
        if (hasKafkaError(error, 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID')) this.memberId = '';
        else if (hasKafkaError(error, ...COORDINATOR_ERRORS)) this.#coordinator = null;
        else if (!hasKafkaError(error, 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION') && !isNetworkError(error)) {
          throw wrapKafkaError(`joining group '${groupId}' failed`, error);
        }
        if (attempt >= 30) throw wrapKafkaError(`joining group '${groupId}' failed ${attempt + 1} times`, error);
        if (isNetworkError(error)) this.#coordinator = null;
        await sleep(Math.min(50 * 2 ** attempt, 1000));
      }
    }
  }

  /** Commits next-offsets under the current generation (or as a standalone commit outside a group). */
  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: null }[]>();
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) throw new RangeError(`invalid offset ${o.offset} for ${o.topic}-${o.partition}`);
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: null });
      byTopic.set(o.topic, list);
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    for (let attempt = 0; ; attempt++) {
      try {
        const api = await getApi(this.#client, 'OffsetCommit');
        await api.async(await this.#connection(), this.settings.groupId, this.generationId, this.memberId, null, topics);
        return;
      } catch (error) {
        if (hasKafkaError(error, ...REJOIN_ERRORS)) {
          if (hasKafkaError(error, 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID')) this.lost = true;
          this.#requestRejoin();
          throw new CommitFailedError(
            `commit for group '${this.settings.groupId}' rejected: the group rebalanced (${hasKafkaError(error, 'REBALANCE_IN_PROGRESS') ? 'rebalance in progress' : 'generation is gone'}); the partitions are reassigned on the next poll()`,
            { cause: error },
          );
        }
        const retriable = hasKafkaError(error, ...COORDINATOR_ERRORS) || isNetworkError(error);
        if (!retriable || attempt >= 10) throw wrapKafkaError(`committing offsets for group '${this.settings.groupId}' failed`, error);
        this.#coordinator = null;
        await sleep(Math.min(50 * 2 ** attempt, 1000));
      }
    }
  }

  /** The group's committed next-offsets (-1 = none), waiting out pending transactional commits. */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const api = await getApi(this.#client, 'OffsetFetch');
        const connection = await this.#connection();
        // v8+ batch groups; older versions take one group id (same JS shape in the library for v8+).
        const response = await api.async(connection, [{ groupId: this.settings.groupId, memberId: null, memberEpoch: -1, topics }], true);
        const group = response.groups ? response.groups[0] : response;
        for (const t of group.topics ?? []) {
          for (const p of t.partitions) out.set(`${t.name}:${p.partitionIndex}`, Number(p.committedOffset));
        }
        return out;
      } catch (error) {
        // UNSTABLE_OFFSET_COMMIT: a transaction holding offsets for these partitions is open.
        const retriable = hasKafkaError(error, ...COORDINATOR_ERRORS, 'UNSTABLE_OFFSET_COMMIT') || isNetworkError(error);
        // A transaction of a crashed member holds these offsets until the coordinator aborts it
        // (its transaction timeout, plus the abort check interval): wait that out.
        const unstable = hasKafkaError(error, 'UNSTABLE_OFFSET_COMMIT');
        if (!retriable || (unstable ? Date.now() - started > UNSTABLE_WAIT_MS : attempt >= 50)) throw wrapKafkaError(`reading committed offsets of group '${this.settings.groupId}' failed`, error);
        if (!hasKafkaError(error, 'UNSTABLE_OFFSET_COMMIT')) this.#coordinator = null;
        await sleep(Math.min(50 * 2 ** attempt, 500));
      }
    }
  }

  /** Leaves the group (so the others rebalance at once, not after the session timeout) and disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    if (this.memberId && !this.lost) {
      try {
        const api = await getApi(this.#client, 'LeaveGroup');
        await api.async(await this.#connection(), this.settings.groupId, [{ memberId: this.memberId, groupInstanceId: null, reason: 'consumer closed' }]);
      } catch {
        // Best effort: the coordinator drops the member after the session timeout anyway.
      }
    }
    this.memberId = '';
    this.generationId = -1;
    await this.#client.close();
  }

  /** Java's RangeAssignor: per topic, members sorted by id get consecutive ranges, the first ones one extra. */
  async #assign(members: { memberId: string; metadata: Buffer }[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscribers = new Map<string, string[]>();
    for (const m of members) {
      for (const topic of decodeConsumerProtocolSubscription(m.metadata).topics) {
        subscribers.set(topic, [...(subscribers.get(topic) ?? []), m.memberId]);
      }
    }
    const metadata = await clusterMetadata(this.#client, [...subscribers.keys()], true);
    const plan = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
    for (const [topic, ids] of subscribers) {
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      ids.sort();
      const per = Math.floor(count / ids.length);
      const extra = count % ids.length;
      ids.forEach((id, i) => {
        const start = i * per + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        if (length > 0) plan.get(id)!.set(topic, Array.from({ length }, (_, k) => start + k));
      });
    }
    return [...plan].map(([memberId, topics]) => ({
      memberId,
      assignment: encodeConsumerProtocolAssignment({
        version: 0,
        assignedPartitions: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      }),
    }));
  }

  #requestRejoin(): void {
    if (this.rejoinNeeded) return;
    this.rejoinNeeded = true;
    this.onRejoinNeeded();
  }

  #scheduleHeartbeat(): void {
    this.#stopHeartbeat();
    if (this.#closed) return;
    this.#heartbeat = setTimeout(() => void this.#beat(), this.settings.heartbeatIntervalMs);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    this.#heartbeat = null;
  }

  async #beat(): Promise<void> {
    const generation = this.generationId;
    try {
      const api = await getApi(this.#client, 'Heartbeat');
      await api.async(await this.#connection(), this.settings.groupId, generation, this.memberId, null);
    } catch (error) {
      if (this.#closed || generation !== this.generationId) return; // a join took over meanwhile
      if (hasKafkaError(error, 'REBALANCE_IN_PROGRESS')) {
        this.#requestRejoin();
      } else if (hasKafkaError(error, 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID')) {
        // The coordinator dropped this member (session timeout) or moved on: nothing to heartbeat.
        if (hasKafkaError(error, 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID')) this.memberId = '';
        this.lost = true;
        this.#requestRejoin();
        return;
      } else if (hasKafkaError(error, ...COORDINATOR_ERRORS) || isNetworkError(error)) {
        this.#coordinator = null;
      }
    }
    if (generation === this.generationId && this.#heartbeat !== null) this.#scheduleHeartbeat();
  }

  async #connection(): Promise<Connection> {
    if (!this.#coordinator) {
      const found = await coordinatorConnection(this.#client, this.settings.groupId);
      const metadata = await clusterMetadata(this.#client);
      const broker = metadata.brokers.get(found.nodeId);
      if (!broker) return found.connection;
      this.#coordinator = { nodeId: found.nodeId, broker };
      return found.connection;
    }
    return getConnection(this.#client, this.#coordinator.broker);
  }
}

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'PLT_KFK_NETWORK' || code === 'PLT_KFK_TIMEOUT';
}
