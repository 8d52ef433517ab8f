/**
 * Routing of one send: validates every record and picks its partition (explicit, Kafka's key
 * hash, or the call's sticky partition for null keys), then groups record indexes by partition.
 * Everything is validated before anything is written, so bad input cannot leave a partial append.
 */
import type { ProducerRecord } from '../log.ts';
import { partitionForKey } from '../partitioner.ts';
import { recordSize } from './format.ts';

export interface Routed {
  /** Record indexes grouped by partition, in call order within each partition. */
  readonly order: Int32Array;
  /** Partition p's records are order[bounds[p]] .. order[bounds[p + 1] - 1]. */
  readonly bounds: Int32Array;
}

export function groupByPartition(
  topic: string,
  records: readonly ProducerRecord[],
  numPartitions: number,
  sticky: number,
): Routed {
  const n = numPartitions;
  const count = records.length;
  const target = new Int32Array(count);
  const bounds = new Int32Array(n + 1);
  const stickyPartition = sticky % n;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp)) {
      throw new TypeError(`Record ${i} for topic '${topic}' has an invalid timestamp: ${r.timestamp}`);
    }
    if (r.headers !== undefined && r.headers.length > 0) recordSize(r); // throws on bad headers
    let p: number;
    if (r.partition !== undefined) {
      p = r.partition;
      if (!Number.isInteger(p) || p < 0 || p >= n) {
        throw new RangeError(`Record ${i}: partition ${p} out of range for topic '${topic}' (${n} partitions)`);
      }
    } else if (r.key != null) {
      p = n === 1 ? 0 : partitionForKey(r.key, n);
    } else {
      p = stickyPartition;
    }
    target[i] = p;
    bounds[p + 1]++;
  }
  // Counting sort: stable, O(records + partitions).
  for (let p = 0; p < n; p++) bounds[p + 1] += bounds[p];
  const order = new Int32Array(count);
  const fill = bounds.slice(0, n);
  for (let i = 0; i < count; i++) order[fill[target[i]]++] = i;
  return { order, bounds };
}
