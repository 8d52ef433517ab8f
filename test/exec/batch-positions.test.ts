/** A batch's partitions and next offsets, also when its runs of topic-partitions interleave (time-ordered sources). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextOffsets, partitionsOf } from '../../src/exec/batch-positions.ts';

const r = (topic: string, partition: number, offset: number) => ({ topic, partition, offset });

test('next offsets: the highest offset + 1 per topic-partition, whatever the order of runs', () => {
  const batch = [r('clicks', 0, 10), r('clicks', 0, 11), r('views', 0, 3), r('clicks', 0, 12), r('clicks', 1, 7), r('views', 0, 4), r('clicks', 0, 13)];
  const byTp = Object.fromEntries(nextOffsets(batch).map((o) => [`${o.topic}/${o.partition}`, o.offset]));
  assert.deepEqual(byTp, { 'clicks/0': 14, 'views/0': 5, 'clicks/1': 8 });
  assert.deepEqual(nextOffsets([]), []);
});

test('partitions: each once, in order of first appearance', () => {
  assert.deepEqual(partitionsOf([r('a', 2, 0), r('a', 2, 1), r('b', 0, 0), r('a', 2, 2), r('a', 1, 0)]), [2, 0, 1]);
});
