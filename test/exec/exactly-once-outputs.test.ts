/**
 * Exactly-once outputs on the embedded log (src/exec/delivery-idempotent.ts), in process: two
 * INSERT INTO queries write one stream; one of them dies after writing a batch's outputs and
 * before committing it (an injected failure of its offset commit, where a kill -9 would land),
 * while the other goes on writing to the same partitions. After a restart the interrupted batch is
 * processed again and only what it had not written is written: every input record is in the
 * output exactly once, the other writer's records are not mistaken for the dead one's. And a
 * GROUP BY on a value column (through a repartition topic, an internal sink) whose state commit
 * fails after a batch wrote its outputs: after a restart, each record repartitioned once and one
 * update per record, with the final counts of an uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { Consumer, ConsumerOptions, Log, Producer } from '../../src/log/log.ts';
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
  return proxy(log, { consumer });
}

/** The log with some methods replaced. */
function proxy(log: Log, replaced: Partial<Record<keyof Log, unknown>>): Log {
  return new Proxy(log, {
    get(target, key) {
      if (key in replaced) return replaced[key as keyof Log];
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

/** The log, except that the `failAt`-th send to a changelog topic fails (a state commit cut short). */
function failingChangelog(log: Log, failAt: number): Log {
  let sends = 0;
  const producer = (): Producer => {
    const p = log.producer();
    return {
      send: async (topic, records) => {
        if (topic.endsWith('-changelog') && ++sends === failAt) throw new Error('injected: the process died before the state commit');
        return p.send(topic, records);
      },
      close: () => p.close(),
    };
  };
  return proxy(log, { producer });
}

test('GROUP BY through a repartition topic, the state commit of a batch that wrote its outputs fails: after a restart each record is repartitioned once, one update per record', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-eo-'));
  try {
    const log = await openEmbeddedLog(dir);
    const engine = await Engine.open({ log: failingChangelog(log, 3), background: false, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`
      CREATE STREAM ev (id STRING KEY, site STRING) WITH (KAFKA_TOPIC='ev', VALUE_FORMAT='JSON', PARTITIONS=2);
      CREATE TABLE per_site AS SELECT site, COUNT(*) AS n FROM ev GROUP BY site EMIT CHANGES;`);
    const expected = new Map<string, number>();
    const input = Array.from({ length: N }, (_, i) => {
      const site = `s${(i * 7) % 13}`;
      expected.set(site, (expected.get(site) ?? 0) + 1);
      return { key: Buffer.from(`e${i}`), value: Buffer.from(JSON.stringify({ SITE: site })), timestamp: 1_000 + i };
    });
    await log.producer().send('ev', input);
    const [task] = engine.tasks.values();
    await assert.rejects(async () => {
      while ((await task.step(0)) > 0);
    }, /injected/);
    const written = (await readTopic(log, 'PER_SITE')).length;
    assert.ok(written > 0, `the failed batch had written its outputs: ${written} updates`);
    await engine.close();

    const engine2 = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' } });
    await engine2.runUntilIdle();
    assert.ok([...engine2.tasks.values()][0].replayedBatches >= 1, 'the interrupted batch was processed again');
    const repartition = (await log.listTopics()).map((t) => t.name).filter((t) => t.includes('epartition'));
    assert.equal(repartition.length, 1, `one repartition topic: ${repartition.join(', ')}`);
    assert.equal((await log.offsets(repartition[0])).reduce((n, p) => n + p.end, 0), N, 'each record repartitioned once');
    const out = await readTopic(log, 'PER_SITE');
    assert.equal(out.length, N, 'one update per record, none repeated');
    const last = new Map<string, number>();
    for (const r of out) last.set(Buffer.from(r.key!).toString(), (JSON.parse(Buffer.from(r.value!).toString()) as { N: number }).N);
    assert.deepEqual([...last].sort(), [...expected].sort(), 'final counts of an uninterrupted run');
    await engine2.close();
    await log.close();
  } finally {
    removeDir(dir);
  }
});
