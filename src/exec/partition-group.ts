/**
 * Time order across the partitions of a query's task (Kafka Streams' PartitionGroup): polled
 * records are buffered per topic-partition, and the next record processed is the one with the
 * lowest timestamp among the heads of the buffers of one partition number of one sub-topology
 * (the co-partitioned sources of a join; ./build.ts: a source and the repartition topic it feeds
 * are in different sub-topologies and never wait for each other). A source whose buffer is empty
 * while the log still holds records of it that were not fetched ("lagging") holds its group back:
 * those records may be older than every buffered one. The wait is bounded: after
 * `maxTaskIdleMs` (max.task.idle.ms) without data from it, or LAG_WAIT_BOUND_MS for a lag the
 * consumer reports (its data is fetchable: the next poll brings it, so that bound only guards
 * against a stall), the group goes on with what it has ("enforced processing").
 *
 * Invariants: each buffer keeps its partition's offset order; records leave a buffer only in
 * `take`, in that order, so the offsets committed after a batch (last taken + 1 per partition)
 * never skip a buffered record.
 */
import type { ConsumedRecord, TopicPartition } from '../log/log.ts';

/** Upper bound of the wait for a partition whose lag the consumer reports. */
export const LAG_WAIT_BOUND_MS = 10_000;

/**
 * Records buffered per topic-partition before its fetching pauses (Kafka Streams'
 * buffered.records.per.partition): while a lagging source holds its group back, the other
 * sources would otherwise be read into memory whole.
 */
export const BUFFERED_PER_PARTITION = 1000;

/** Group numbers: sub-topology * this + partition number (partition numbers stay far below it). */
const PARTITIONS_PER_SUBTOPOLOGY = 1 << 20;

/** Whether records of `topics` need time ordering: some sub-topology reads two of them or more. */
export function needsTimeOrder(topics: readonly string[], subtopologyOf: (topic: string) => number): boolean {
  const seen = new Set<number>();
  for (const t of topics) {
    const s = subtopologyOf(t);
    if (seen.has(s)) return true;
    seen.add(s);
  }
  return false;
}

interface Buffer {
  readonly topic: string;
  readonly partition: number;
  records: ConsumedRecord[];
  head: number;
}

export interface Lag {
  /** The assigned topic-partitions of the query. */
  assignment(): readonly TopicPartition[];
  /** Whether the log holds records of the partition that poll has not returned yet; undefined: unknown. */
  hasUnfetched(tp: TopicPartition): boolean | undefined;
}

export class PartitionGroup {
  private readonly buffers = new Map<string, Buffer>();
  /** Per group (sub-topology and partition number): since when it has been held back by a source without data. */
  private readonly waitingSince = new Map<number, number>();
  private readonly maxTaskIdleMs: number;
  private readonly subtopologyOf: (topic: string) => number;
  private count = 0;
  private rr = 0;

  /** `subtopologyOf`: the sub-topology of a topic (default: all topics in one). */
  constructor(maxTaskIdleMs: number, subtopologyOf: (topic: string) => number = () => 0) {
    this.maxTaskIdleMs = maxTaskIdleMs;
    this.subtopologyOf = subtopologyOf;
  }

  /** The group of a topic-partition: its partition number within its sub-topology. */
  private groupOf(tp: TopicPartition): number {
    return this.subtopologyOf(tp.topic) * PARTITIONS_PER_SUBTOPOLOGY + tp.partition;
  }

  /** Records buffered and not yet taken. */
  get buffered(): number {
    return this.count;
  }

  add(records: readonly ConsumedRecord[]): void {
    for (const r of records) {
      const k = `${r.topic}\u0000${r.partition}`;
      let b = this.buffers.get(k);
      if (!b) this.buffers.set(k, (b = { topic: r.topic, partition: r.partition, records: [], head: 0 }));
      b.records.push(r);
    }
    this.count += records.length;
  }

  /** Up to `max` records in time order per partition number, as far as no lagging source holds them back. */
  take(max: number, lag: Lag, now: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    if (this.count === 0) return out;
    const groups = new Map<number, TopicPartition[]>();
    for (const tp of lag.assignment()) {
      const key = this.groupOf(tp);
      const g = groups.get(key);
      if (g) g.push(tp);
      else groups.set(key, [tp]);
    }
    // Buffered partitions no longer in the assignment still drain (revoke drops them first).
    for (const b of this.buffers.values()) {
      const key = this.groupOf(b);
      const g = groups.get(key);
      if (!g) groups.set(key, [{ topic: b.topic, partition: b.partition }]);
      else if (!g.some((tp) => tp.topic === b.topic)) g.push({ topic: b.topic, partition: b.partition });
    }
    const numbers = [...groups.keys()].sort((a, b) => a - b);
    const n = numbers.length;
    for (let i = 0; i < n && out.length < max; i++) {
      const p = numbers[(this.rr + i) % n];
      this.takeGroup(p, groups.get(p)!, max, lag, now, out);
    }
    this.rr = n ? (this.rr + 1) % n : 0;
    this.count -= out.length;
    return out;
  }

  private takeGroup(p: number, members: readonly TopicPartition[], max: number, lag: Lag, now: number, out: ConsumedRecord[]): void {
    const bufs: Buffer[] = [];
    const empty: TopicPartition[] = [];
    for (const tp of members) {
      const b = this.buffers.get(`${tp.topic}\u0000${tp.partition}`);
      if (b && b.head < b.records.length) bufs.push(b);
      else empty.push(tp);
    }
    if (bufs.length === 0) return;
    // Sources without buffered data that may have older records: wait for them, boundedly.
    if (empty.length > 0) {
      let known = false;
      let unknown = false;
      for (const tp of empty) {
        const u = lag.hasUnfetched(tp);
        if (u === true) known = true;
        else if (u === undefined) unknown = true;
      }
      if (known || (unknown && this.maxTaskIdleMs > 0)) {
        const since = this.waitingSince.get(p) ?? now;
        this.waitingSince.set(p, since);
        const bound = known ? Math.max(this.maxTaskIdleMs, LAG_WAIT_BOUND_MS) : this.maxTaskIdleMs;
        if (now - since < bound) return;
      }
    }
    this.waitingSince.delete(p);
    // Merge by timestamp while every buffer that is in play has data; once one runs dry it may
    // have more in the log: stop there (the next take continues after the next poll).
    while (out.length < max) {
      let best: Buffer | null = null;
      for (const b of bufs) {
        if (b.head >= b.records.length) continue;
        if (best === null || b.records[b.head].timestamp < best.records[best.head].timestamp) best = b;
      }
      if (best === null) break;
      out.push(best.records[best.head++]);
      if (best.head >= best.records.length) {
        best.records = [];
        best.head = 0;
        const u = lag.hasUnfetched(best);
        if (u === true || (u === undefined && this.maxTaskIdleMs > 0)) break;
      }
    }
    // Taken records still in a buffer's array stay reachable (with the read chunks they are
    // views of) until the array is compacted: compact once they are half of it, so a buffer holds
    // at most about twice what waits in it (amortised O(1) per record).
    for (const b of bufs) {
      if (b.head >= 32 && b.head * 2 >= b.records.length) {
        b.records = b.records.slice(b.head);
        b.head = 0;
      }
    }
  }

  /** Topic-partitions with at least `limit` records buffered: the caller stops fetching them until they drain. */
  fullPartitions(limit: number): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const b of this.buffers.values()) if (b.records.length - b.head >= limit) out.push({ topic: b.topic, partition: b.partition });
    return out;
  }

  /** Drops the buffered records of revoked topic-partitions (not committed: their next owner reads them). */
  drop(revoked: readonly TopicPartition[]): void {
    for (const tp of revoked) {
      const k = `${tp.topic}\u0000${tp.partition}`;
      const b = this.buffers.get(k);
      if (!b) continue;
      this.count -= b.records.length - b.head;
      this.buffers.delete(k);
      this.waitingSince.delete(this.groupOf(b));
    }
  }

  clear(): void {
    this.buffers.clear();
    this.waitingSince.clear();
    this.count = 0;
  }
}
