/**
 * PartitionGroup (src/exec/partition-group.ts): time order across the topic-partitions of one
 * partition number, the wait for a source with unfetched records (reported lag: until it comes or
 * LAG_WAIT_BOUND_MS; unknown lag: max.task.idle.ms), and nothing lost or repeated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord, TopicPartition } from '../../src/log/log.ts';
import { BUFFERED_PER_PARTITION, LAG_WAIT_BOUND_MS, PartitionGroup, type Lag } from '../../src/exec/partition-group.ts';

const rec = (topic: string, partition: number, offset: number, timestamp: number): ConsumedRecord => ({ topic, partition, offset, timestamp, key: null, value: null, headers: [] });
const ids = (rs: readonly ConsumedRecord[]) => rs.map((r) => `${r.topic}${r.partition}@${r.offset}`);

function lag(assigned: TopicPartition[], unfetched: (tp: TopicPartition) => boolean | undefined): Lag {
  return { assignment: () => assigned, hasUnfetched: unfetched };
}

const AB: TopicPartition[] = [
  { topic: 'a', partition: 0 },
  { topic: 'b', partition: 0 },
];

test('merges the heads of one partition number by timestamp, keeping each partition\'s offset order', () => {
  const g = new PartitionGroup(0);
  g.add([rec('a', 0, 0, 10), rec('a', 0, 1, 30), rec('b', 0, 0, 20), rec('b', 0, 1, 40)]);
  assert.deepEqual(ids(g.take(10, lag(AB, () => false), 0)), ['a0@0', 'b0@0', 'a0@1', 'b0@1']);
  assert.equal(g.buffered, 0);
});

test('a source with records not yet fetched holds the others back until they come (bounded)', () => {
  const g = new PartitionGroup(0);
  g.add([rec('a', 0, 0, 100), rec('a', 0, 1, 101)]);
  let bHasMore = true;
  const l = lag(AB, (tp) => (tp.topic === 'b' ? bHasMore : false));
  assert.deepEqual(g.take(10, l, 0), [], 'waits for b');
  g.add([rec('b', 0, 0, 5)]);
  bHasMore = false;
  assert.deepEqual(ids(g.take(10, l, 1)), ['b0@0', 'a0@0', 'a0@1']);
  // A lag that never comes: after the bound, the group goes on.
  const h = new PartitionGroup(0);
  h.add([rec('a', 0, 0, 100)]);
  const stuck = lag(AB, (tp) => tp.topic === 'b');
  assert.deepEqual(h.take(10, stuck, 1000), []);
  assert.deepEqual(ids(h.take(10, stuck, 1000 + LAG_WAIT_BOUND_MS)), ['a0@0']);
});

test('unknown lag (Kafka): no wait with max.task.idle.ms = 0, a bounded one otherwise', () => {
  const g = new PartitionGroup(0);
  g.add([rec('a', 0, 0, 100)]);
  assert.deepEqual(ids(g.take(10, lag(AB, () => undefined), 0)), ['a0@0']);
  const h = new PartitionGroup(500);
  h.add([rec('a', 0, 0, 100)]);
  assert.deepEqual(h.take(10, lag(AB, () => undefined), 0), []);
  assert.deepEqual(ids(h.take(10, lag(AB, () => undefined), 499)), []);
  assert.deepEqual(ids(h.take(10, lag(AB, () => undefined), 500)), ['a0@0']);
});

test('partition numbers are independent; revoked partitions are dropped; at most `max` per take', () => {
  const g = new PartitionGroup(0);
  const assigned = [...AB, { topic: 'a', partition: 1 }, { topic: 'b', partition: 1 }];
  g.add([rec('a', 0, 0, 1), rec('b', 1, 0, 2), rec('a', 1, 0, 3), rec('a', 0, 1, 4)]);
  // Partition 0's b is caught up; partition 1 merges a and b.
  const first = g.take(3, lag(assigned, () => false), 0);
  const second = g.take(3, lag(assigned, () => false), 0);
  assert.deepEqual(new Set(ids([...first, ...second])), new Set(['a0@0', 'a0@1', 'b1@0', 'a1@0']));
  assert.equal(first.length + second.length, 4);
  g.add([rec('a', 1, 1, 9), rec('a', 0, 2, 8)]);
  g.drop([{ topic: 'a', partition: 1 }]);
  assert.equal(g.buffered, 1);
  assert.deepEqual(ids(g.take(10, lag(assigned, () => false), 0)), ['a0@2']);
});

test('bounded buffering: partitions with BUFFERED_PER_PARTITION records waiting are reported full, and drain below it', () => {
  const g = new PartitionGroup(0);
  g.add(Array.from({ length: BUFFERED_PER_PARTITION }, (_, i) => rec('a', 0, i, i)));
  g.add([rec('b', 1, 0, 0)]);
  assert.deepEqual(g.fullPartitions(BUFFERED_PER_PARTITION), [{ topic: 'a', partition: 0 }]);
  // b0 lags: a0 is held back, and stays full (the caller pauses fetching it, not b0).
  assert.deepEqual(g.take(10, lag([...AB, { topic: 'b', partition: 1 }], (tp) => tp.topic === 'b' && tp.partition === 0), 0).map((r) => r.topic + r.partition), ['b1']);
  assert.deepEqual(g.fullPartitions(BUFFERED_PER_PARTITION), [{ topic: 'a', partition: 0 }]);
  g.take(10, lag(AB, () => false), 0);
  assert.deepEqual(g.fullPartitions(BUFFERED_PER_PARTITION), []);
});

test('topics of different sub-topologies never wait for each other; within one they are merged', () => {
  // a: a GROUP BY's source (sub-topology 0), r: its repartition topic (1), b: joined with r (1).
  const sub = (t: string) => (t === 'a' ? 0 : 1);
  const g = new PartitionGroup(0, sub);
  const tps = [{ topic: 'a', partition: 0 }, { topic: 'r', partition: 0 }, { topic: 'b', partition: 0 }];
  g.add([rec('a', 0, 0, 100), rec('r', 0, 0, 50)]);
  // b (same sub-topology as r) has unfetched records: r waits for it; a, alone in its sub-topology, does not.
  const l = lag(tps, (tp) => tp.topic === 'b' || tp.topic === 'r');
  assert.deepEqual(ids(g.take(10, l, 0)), ['a0@0']);
  g.add([rec('b', 0, 0, 40)]);
  assert.deepEqual(ids(g.take(10, lag(tps, () => false), 1)), ['b0@0', 'r0@0']);
  assert.equal(g.buffered, 0);
});
