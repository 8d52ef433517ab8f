/**
 * HOPPING aggregations kept by panes (src/exec/operators/pane-aggregate.ts) write exactly what the
 * window-by-window aggregation writes: the same output records in the same order (key, window,
 * value, time), the same late-record reports, on input out of order by more than the grace period
 * (so that many records are late for their older windows and not for their newer ones), with
 * windows of several shapes; and across a restart, restored from the checkpoint or from the
 * changelog alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { testEngine, readTopic, removeDir } from '../../engine/helpers.ts';
import { lateDrops, produce, rng, type Rec } from '../stateful/fixtures/windows.ts';
import type { ConsumedRecord } from '../../../src/log/log.ts';

const BASE = 1_600_000_000_000;
const DDL = `CREATE STREAM ev (k STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='ev', VALUE_FORMAT='JSON', PARTITIONS=1);`;
const aggSql = (window: string) =>
  `CREATE TABLE agg AS SELECT k, COUNT(*) AS c, SUM(v) AS s, MIN(v) AS lo, MAX(v) AS hi, COUNT(v) AS cv FROM ev WINDOW ${window} GROUP BY k EMIT CHANGES;`;

/**
 * Records of 12 keys, time advancing 0-150 ms per record, each record moved back by up to
 * `jitter` ms (more than the grace period: some records are late for some of their windows), a few
 * with a null v.
 */
function input(n: number, seed: number, jitter: number): Rec[] {
  const random = rng(seed);
  const out: Rec[] = [];
  let ts = BASE;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(random() * 150);
    const back = random() < 0.2 ? Math.floor(random() * jitter) : 0;
    out.push({ key: `k${Math.floor(random() * 12)}`, v: random() < 0.05 ? (null as unknown as number) : Math.floor(random() * 1000) - 300, ts: ts - back });
  }
  return out;
}

const image = (r: ConsumedRecord) => [Buffer.from(r.key!).toString('hex'), r.value ? Buffer.from(r.value).toString('utf8') : null, r.timestamp];

/** Runs the query over the records; what it wrote, its late reports, and its plan's panes. */
async function run(window: string, recs: readonly Rec[], panes: boolean) {
  const t = await testEngine({ properties: { 'auto.offset.reset': 'earliest', 'riffle.aggregation.hopping.panes': String(panes) } });
  try {
    await t.engine.execute(DDL + aggSql(window));
    await produce(t.log, recs);
    await t.engine.runUntilIdle();
    const task = t.engine.tasks.get('CTAS_AGG_0')!;
    assert.equal(task.state === 'ERROR' ? task.error : null, null);
    const drops = (await lateDrops(t.log, readTopic, 'CTAS_AGG_0')).map((d) => [d.offset, d.reason]);
    // The state kept: the store of panes (Aggregate/Panes/p0) or of windows (Aggregate/p0).
    const stores = t.engine.stores.stats().filter((s) => s.queryId === 'CTAS_AGG_0').map((s) => s.name);
    return { outputs: (await readTopic(t.log, 'AGG')).map(image), drops, stores };
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

const SHAPES = [
  { window: 'HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS, GRACE PERIOD 3 SECONDS)', paneMs: 2000 },
  { window: 'HOPPING (SIZE 9 SECONDS, ADVANCE BY 6 SECONDS, GRACE PERIOD 1 SECOND)', paneMs: 3000 },
  { window: 'HOPPING (SIZE 5 SECONDS, ADVANCE BY 1 SECOND)', paneMs: 1000 },
];

for (const shape of SHAPES) {
  test(`${shape.window}: by panes of ${shape.paneMs} ms, the same records as window by window`, { timeout: 120_000 }, async () => {
    const recs = input(3000, 11, 8000);
    const byWindow = await run(shape.window, recs, false);
    const byPane = await run(shape.window, recs, true);
    assert.ok(byWindow.stores.length > 0 && byWindow.stores.every((n) => !n.includes('Panes')), byWindow.stores.join());
    assert.ok(byPane.stores.length > 0 && byPane.stores.every((n) => n.includes('Panes')), byPane.stores.join());
    assert.ok(byWindow.outputs.length > 3000, `${byWindow.outputs.length} updates`);
    if (shape.window.includes('GRACE')) assert.ok(byWindow.drops.length > 50, `${byWindow.drops.length} late (record, window) pairs`);
    assert.deepEqual(byPane.drops, byWindow.drops);
    assert.equal(byPane.outputs.length, byWindow.outputs.length);
    assert.deepEqual(byPane.outputs, byWindow.outputs);
  });
}

for (const keepLocalState of [true, false]) {
  test(`by panes across a restart (${keepLocalState ? 'local state kept' : 'restored from the changelog'}): the records of an uninterrupted run`, { timeout: 120_000 }, async () => {
    const window = SHAPES[0].window;
    const recs = input(4000, 5, 2000);
    const whole = await run(window, recs, true);
    const STOP = 2100;
    const t1 = await testEngine();
    const dir = t1.dir;
    try {
      await t1.engine.execute(DDL + aggSql(window));
      await produce(t1.log, recs.slice(0, STOP));
      await t1.engine.runUntilIdle();
    } finally {
      await t1.close();
    }
    if (!keepLocalState) rmSync(join(dir, 'state'), { recursive: true });
    const t2 = await testEngine({}, dir);
    try {
      await produce(t2.log, recs.slice(STOP));
      await t2.engine.runUntilIdle();
      const restored = t2.engine.stores.stats().filter((s) => s.name.includes('Panes'));
      assert.ok(restored.length > 0);
      for (const s of restored) assert.equal(s.restore.mode, keepLocalState ? 'partial' : 'full', s.name);
      assert.deepEqual((await readTopic(t2.log, 'AGG')).map(image), whole.outputs);
    } finally {
      await t2.close();
      removeDir(dir);
    }
  });
}

test('riffle.aggregation.hopping.panes takes true or false only: another value fails the statement, saying so', async () => {
  const t = await testEngine({ properties: { 'auto.offset.reset': 'earliest', 'riffle.aggregation.hopping.panes': 'maybe' } });
  try {
    await t.engine.execute(DDL);
    await assert.rejects(t.engine.execute(aggSql(SHAPES[0].window)), /riffle\.aggregation\.hopping\.panes must be true or false, not 'maybe'/);
    assert.equal(t.engine.tasks.size, 0);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
