/**
 * The input offsets a query's state already includes, kept as state themselves (a store per
 * input partition, changelogged like the others, in its own environment so it is flushed after
 * them). After a crash between the state flush and the offset commit, the replayed records below
 * these offsets were already applied to the state and their outputs already written: the task
 * skips them instead of applying them twice. (The remaining window is the few milliseconds
 * between the two flushes.)
 */
import type { StoreRegistry } from '../state/registry.ts';
import type { KeyValueStore } from '../state/store.ts';
import type { ConsumedRecord, PartitionOffset } from '../log/log.ts';

export class AppliedOffsets {
  private readonly stores: StoreRegistry;
  /** Registry namespace: flushed and closed apart from the query's own stores. */
  private readonly ns: string;
  private readonly byPartition = new Map<number, KeyValueStore<number>>();

  constructor(stores: StoreRegistry, queryId: string) {
    this.stores = stores;
    this.ns = `${queryId}__offsets`;
  }

  async open(partitions: readonly number[]): Promise<void> {
    for (const p of partitions) {
      if (!this.byPartition.has(p)) this.byPartition.set(p, await this.stores.keyValueStore<number>(this.ns, `Offsets/p${p}`));
    }
  }

  /** The records not yet applied to the state. */
  fresh(records: ConsumedRecord[]): ConsumedRecord[] {
    // One store lookup per run of records of one topic-partition (batches come in such runs), not per record.
    let topic = '';
    let partition = -1;
    let applied = -1;
    const appliedTo = (r: ConsumedRecord): number => {
      if (r.partition !== partition || r.topic !== topic) {
        topic = r.topic;
        partition = r.partition;
        applied = this.applied(topic, partition);
      }
      return applied;
    };
    let skip = false;
    for (const r of records) if (r.offset < appliedTo(r)) skip = true;
    return skip ? records.filter((r) => r.offset >= appliedTo(r)) : records;
  }

  private applied(topic: string, partition: number): number {
    return this.byPartition.get(partition)?.get(Buffer.from(topic)) ?? -1;
  }

  /** Records the batch's next offsets; call after the query's own stores are flushed. */
  async flush(offsets: readonly PartitionOffset[]): Promise<void> {
    for (const o of offsets) this.byPartition.get(o.partition)?.put(Buffer.from(o.topic), o.offset);
    await this.stores.flushAll(this.ns);
  }

  async close(partitions?: readonly number[]): Promise<void> {
    if (!partitions) {
      await this.stores.closeAll(this.ns);
      this.byPartition.clear();
      return;
    }
    await this.stores.closeStores(this.ns, (op) => partitions.some((p) => op === `Offsets/p${p}`));
    for (const p of partitions) this.byPartition.delete(p);
  }
}
