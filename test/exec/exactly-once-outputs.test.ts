/**
 * Exactly-once outputs on the embedded log (src/exec/delivery-idempotent.ts), in process: two
 * INSERT INTO queries write one stream; one of them dies after writing a batch's outputs and
 * before committing it (an injected failure of its offset commit, where a kill -9 would land),
 * while the other goes on writing to the same partitions. After a restart the interrupted batch is
 * processed again and only what it had not written is written: every input record is in the
 * output exactly once, the other writer's records are not mistaken for the dead one's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { Consumer, ConsumerOptions, Log } from '../../src/log/log.ts';
import { readTopic, removeDir } from '../engine/helpers.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = 5000;
const DDL = `
CREATE STREAM src1 (k STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='src1', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE STREAM src2 (k STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='src2', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE STREAM merged (k STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='merged', VALUE_FORMAT='JSON', PARTITIONS=2);
INSERT INTO merged SELECT * FROM src1;
INSERT INTO merged SELECT * FROM src2;`;

/** The log, except that the first INSERT query's `failAt`-th offset commit fails. */
function failingCommit(log: Log, failAt: number): Log {
  let victim: string | null = null;
  const consumer = (o: ConsumerOptions): Consumer => {
    const c = log.consumer(o);
    if (victim === null && o.groupId.includes('INSERTQUERY')) victim = o.groupId;
    if (o.groupId !== victim) return c;
    let commits = 0;
    const commit = c.commit.bind(c);
    c.commit = async (offsets) => {
      if (++commits === failAt) throw new Error('injected: the process died before the commit');
      return commit(offsets);
    };
    return c;
  };
  return new Proxy(log, {
    get(target, key) {
      if (key === 'consumer') return consumer;
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

test('INSERT INTO from two queries, one dies between writing a batch and committing it: after a restart each record is written once', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-eo-'));
  try {
    const log = await openEmbeddedLog(dir);
    const engine = await Engine.open({ log: failingCommit(log, 2), background: false, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(DDL);
    const producer = log.producer();
    const records = (base: number) => Array.from({ length: N }, (_, i) => ({ key: Buffer.from(`k${i % 97}`), value: Buffer.from(JSON.stringify({ V: base + i })), timestamp: 1_000 + i }));
    await producer.send('src1', records(0));
    await producer.send('src2', records(100_000));
    // Both queries step in turn; the victim fails in its second batch, the other writes on.
    for (let progressed = 1; progressed > 0; ) {
      progressed = 0;
      for (const task of engine.tasks.values()) {
        if (task.state === 'ERROR') continue;
        try {
          progressed += await task.step(0);
        } catch {
          // the injected failure: the task is in ERROR now
        }
      }
    }
    const failed = [...engine.tasks.values()].filter((t) => t.state === 'ERROR');
    assert.equal(failed.length, 1, 'one query died');
    const before = (await readTopic(log, 'merged')).length;
    assert.ok(before > 2 * 2000 && before < 2 * N, `the dead query had written its second batch: ${before} records`);
    await engine.close();

    const engine2 = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' } });
    await engine2.runUntilIdle();
    assert.equal([...engine2.tasks.values()].reduce((n, t) => n + t.replayedBatches, 0), 1, 'the interrupted batch was processed again');
    const out = await readTopic(log, 'merged');
    const vs = out.map((r) => (JSON.parse(Buffer.from(r.value!).toString()) as { V: number }).V);
    assert.equal(out.length, 2 * N, 'as many outputs as inputs');
    assert.equal(new Set(vs).size, 2 * N, 'each input record once');
    await engine2.close();
    await log.close();
  } finally {
    removeDir(dir);
  }
});
