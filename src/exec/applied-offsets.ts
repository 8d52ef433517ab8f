/**
 * The input offsets a query's state already includes, kept as state themselves (an internal
 * store per input partition, changelogged like the others). They are committed in the same LMDB
 * transaction as the state (StoreRegistry.flushAll): after a crash between that commit and the
 * input offset commit, the replayed records below these offsets were already applied to the state
 * and their outputs already written, and the task skips them instead of applying them twice.
 */
import type { StoreRegistry } from '../state/registry.ts';
import type { KeyValueStore } from '../state/store.ts';
import { appliedOffsetFormat } from '../state/codecs/formats.ts';
import type { ConsumedRecord, PartitionOffset } from '../log/log.ts';

const APPLIED_PREFIX = 'Offsets/p';

export class AppliedOffsets {
  private readonly stores: StoreRegistry;
  private readonly queryId: string;
  private readonly byPartition = new Map<number, KeyValueStore<number>>();

  constructor(stores: StoreRegistry, queryId: string) {
    this.stores = stores;
    this.queryId = queryId;
  }

  async open(partitions: readonly number[]): Promise<void> {
    for (const p of partitions) {
      if (!this.byPartition.has(p)) this.byPartition.set(p, await this.stores.internalStore(this.queryId, `${APPLIED_PREFIX}${p}`, appliedOffsetFormat));
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

  /** The next offset of `topic`-`partition` the state includes (-1: none recorded; partition not open: -1). */
  position(topic: string, partition: number): number {
    return this.applied(topic, partition);
  }

  private applied(topic: string, partition: number): number {
    return this.byPartition.get(partition)?.get(Buffer.from(topic)) ?? -1;
  }

  /** Records the batch's next offsets: committed with the state by the registry's next flushAll. */
  record(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) {
      const store = this.byPartition.get(o.partition);
      const key = Buffer.from(o.topic);
      // Never backwards: a batch replayed after a crash (all skipped) ends below what is applied.
      if (store && (store.get(key) ?? -1) < o.offset) store.put(key, o.offset);
    }
  }

  /** Forgets the stores of the given partitions (all: none given); the registry closes them with the query's. */
  close(partitions?: readonly number[]): void {
    if (!partitions) this.byPartition.clear();
    else for (const p of partitions) this.byPartition.delete(p);
  }

}
