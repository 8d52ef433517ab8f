import type { Operator, OperatorContext } from '../operator.ts';
import type { StoreRegistry } from '../../state/registry.ts';
import type { Row } from '../expr/row.ts';
import type { Aggregator } from './aggregator.ts';

/** The state registry, which every stateful operator needs; its absence is a setup bug. */
export function requireStores(ctx: OperatorContext): StoreRegistry {
  const stores = ctx.services.stores;
  if (!stores) throw new Error(`Query ${ctx.queryId} needs state stores, but the engine provided none`);
  return stores;
}

/** Counts and reports records that arrive after their window (plus grace) closed; they are dropped. */
export function lateRecordReporter(ctx: OperatorContext, step: string): (r: Row, why: string) => void {
  let late = 0;
  return (r, why) => {
    late++;
    ctx.errors.report({
      level: 'WARN',
      type: 'LATE_RECORD_DROPPED',
      queryId: ctx.queryId,
      step,
      reason: `Record at ${r.partition}@${r.offset} with time ${r.ts} dropped: ${why}. Late records dropped so far: ${late}`,
      partition: r.partition,
      offset: r.offset,
    });
  };
}

/**
 * State per input partition. A query's state is split like its input, so that when Kafka moves a
 * partition to another instance, that instance restores exactly that partition's stores from
 * their changelogs. `ensure` opens (and restores) the state of partitions seen for the first
 * time, before their rows are processed; `release` flushes and closes a partition given away.
 * Store names carry the partition: `<operator>/p<N>`.
 */
export class PartitionedState<T> {
  private readonly byPartition = new Map<number, T>();
  private readonly opener: (partition: number, suffix: string) => Promise<T>;

  constructor(opener: (partition: number, suffix: string) => Promise<T>) {
    this.opener = opener;
  }

  async ensure(partitions: Iterable<number>): Promise<void> {
    for (const p of partitions) if (!this.byPartition.has(p)) this.byPartition.set(p, await this.opener(p, `/p${p}`));
  }

  get(partition: number): T {
    const s = this.byPartition.get(partition);
    if (s === undefined) throw new Error(`state of partition ${partition} is not open`);
    return s;
  }

  entries(): IterableIterator<[number, T]> {
    return this.byPartition.entries();
  }

  release(partitions: readonly number[]): void {
    for (const p of partitions) this.byPartition.delete(p);
  }

  /** An operator's openPartitions / closePartitions over this state (spread into the operator). */
  hooks(): Pick<Operator, 'openPartitions' | 'closePartitions'> {
    return {
      openPartitions: (ps) => this.ensure(ps),
      closePartitions: async (ps) => this.release(ps),
    };
  }
}

/**
 * The rows of a grouped aggregation that count (a value, and no null GROUP BY value, which ksqlDB
 * skips), in order, each with its group and its partition's state; returns the states touched.
 */
export function eachGroupedRow<S>(rows: readonly Row[], agg: Aggregator, state: PartitionedState<S>, each: (r: Row, group: unknown[], st: S) => void): Set<S> {
  const touched = new Set<S>();
  for (const r of rows) {
    if (r.valueNull) continue;
    const group = agg.group(r);
    if (!group) continue;
    const st = state.get(r.partition);
    touched.add(st);
    each(r, group, st);
  }
  return touched;
}
