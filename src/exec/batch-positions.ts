/** Where a batch of consumed records lies: its partitions and the next offset of each topic-partition. */
import type { PartitionOffset } from '../log/log.ts';

/** The partitions of the batch's records, in order of first appearance. */
export function partitionsOf(records: readonly { partition: number }[]): number[] {
  const out: number[] = [];
  let last = -1;
  // Records come in runs per partition: only a change of partition needs the lookup.
  for (let i = 0; i < records.length; i++) {
    const p = records[i].partition;
    if (p !== last && !out.includes(p)) out.push(p);
    last = p;
  }
  return out;
}

/**
 * The next offset to read for each partition in the batch (last offset + 1). Records come in
 * runs per topic-partition, so the per-run map entry is looked up only when the run changes
 * (no key string per record).
 */
export function nextOffsets(records: readonly { topic: string; partition: number; offset: number }[]): PartitionOffset[] {
  const next = new Map<string, { topic: string; partition: number; offset: number }>();
  let cur: { topic: string; partition: number; offset: number } | null = null;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (cur === null || cur.partition !== r.partition || cur.topic !== r.topic) {
      const k = `${r.topic}\u0000${r.partition}`;
      cur = next.get(k) ?? null;
      if (cur === null) {
        cur = { topic: r.topic, partition: r.partition, offset: r.offset + 1 };
        next.set(k, cur);
        continue;
      }
    }
    if (cur.offset <= r.offset) cur.offset = r.offset + 1;
  }
  return [...next.values()];
}
