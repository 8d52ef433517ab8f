/** Reading partitions up to end offsets (src/log/read-to-end.ts), against a scripted consumer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsumedRecord, Consumer } from '../../src/log/log.ts';
import { ReadToEndStalledError, readToEnd } from '../../src/log/read-to-end.ts';

const rec = (partition: number, offset: number): ConsumedRecord => ({ topic: 't', partition, offset, key: null, value: Buffer.from(`${partition}:${offset}`), timestamp: 0, headers: [] }) as unknown as ConsumedRecord;

/** A consumer returning the scripted polls in turn (then empty ones), with positions after each poll if given. */
function scripted(polls: ConsumedRecord[][], positions?: (pollsDone: number) => Record<number, number | null>): Consumer & { polls: number } {
  const c = {
    polls: 0,
    async poll() {
      const batch = polls[c.polls] ?? [];
      c.polls++;
      return batch;
    },
    async commit() {},
    assignment: () => [],
    seek() {},
    async close() {},
  } as Consumer & { polls: number };
  if (positions) c.positions = () => Object.entries(positions(c.polls)).map(([p, offset]) => ({ topic: 't', partition: Number(p), offset }));
  return c;
}

async function collect(consumer: Consumer, ends: Map<number, number>, idleMs = 1000): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readToEnd(consumer, 't', ends, { pollMs: 1, idleMs })) for (const r of batch) out.push(`${r.partition}:${r.offset}`);
  return out;
}

describe('readToEnd', () => {
  it('yields the records below the ends and stops once each partition reached its end', async () => {
    const c = scripted([[rec(0, 0), rec(1, 0)], [rec(0, 1), rec(0, 2), rec(1, 1)], [rec(0, 3)]]);
    const ends = new Map([[0, 3], [1, 2]]);
    assert.deepEqual(await collect(c, ends), ['0:0', '1:0', '0:1', '0:2', '1:1']);
    assert.equal(ends.size, 0);
    assert.equal(c.polls, 2);
  });

  it('without positions (the embedded log), an empty poll ends the read and leaves the unread partitions', async () => {
    const ends = new Map([[0, 5]]);
    assert.deepEqual(await collect(scripted([[rec(0, 0)]]), ends), ['0:0']);
    assert.deepEqual([...ends], [[0, 5]]);
  });

  it('with positions, a partition whose last offsets are never returned (a transaction marker) is read once its position reaches the end', async () => {
    // Records at 0 and 1, a commit marker at 2: end offset 3.
    const c = scripted([[rec(0, 0), rec(0, 1)]], () => ({ 0: 3 }));
    const ends = new Map([[0, 3]]);
    assert.deepEqual(await collect(c, ends), ['0:0', '0:1']);
    assert.equal(c.polls, 1);
    assert.equal(ends.size, 0);
  });

  it('with positions, empty polls before the first records (joining the group, a slow fetch) do not end the read', async () => {
    const c = scripted([[], [], [rec(0, 0)], [], [rec(0, 1)]], (n) => ({ 0: n < 3 ? null : n < 5 ? 1 : 2 }));
    assert.deepEqual(await collect(c, new Map([[0, 2]])), ['0:0', '0:1']);
  });

  it('with positions that never reach the end, fails once idle for idleMs, naming the topic and partitions', async () => {
    const c = scripted([[rec(0, 0)]], () => ({ 0: 1 }));
    await assert.rejects(collect(c, new Map([[0, 4]]), 30), (e: unknown) => e instanceof ReadToEndStalledError && /topic 't' stalled: no record for 30 ms before the end of partition 0 \(end offset 4\)/.test((e as Error).message));
  });

  it('a record at or past its end (the topic grew meanwhile) ends that partition and is not yielded', async () => {
    const ends = new Map([[0, 1], [1, 1]]);
    assert.deepEqual(await collect(scripted([[rec(1, 3), rec(0, 0)]]), ends), ['0:0']);
    assert.equal(ends.size, 0);
  });
});
