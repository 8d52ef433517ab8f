/**
 * HOPPING aggregations kept by panes on a real broker (src/exec/operators/pane-aggregate.ts):
 * grouped by a non-key column (so through a repartition topic), over 2 partitions, with records
 * out of order and some late for part of their windows, the same windows and updates as the
 * window-by-window aggregation; and after a restart whose local state was deleted (restored from
 * the pane store's changelog topic on the broker), the same final windows as without one.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { NamespacedKafkaLog } from '../../src/log/kafka/index.ts';
import { runUntilIdleOnKafka } from '../../src/testing/kafka-runner.ts';
import { decodeWindowedKey } from '../../src/serde/windowed-key.ts';
import { mulberry32 } from '../../test/helpers/random.ts';
import { readAll, useTestBroker, type KafkaTestEngine } from './helpers.ts';

const WINDOW = { kind: 'HOPPING', sizeMs: 10_000, advanceMs: 2_000 } as const;
const SETUP = `CREATE STREAM ev (id STRING KEY, grp STRING, v BIGINT) WITH (KAFKA_TOPIC='ev', VALUE_FORMAT='JSON', PARTITIONS=2);`;
const QUERY = `CREATE TABLE agg AS SELECT grp, COUNT(*) AS c, SUM(v) AS s, MAX(v) AS hi FROM ev
  WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS, GRACE PERIOD 3 SECONDS) GROUP BY grp EMIT CHANGES;`;

/** 600 records of 8 groups, time advancing ~100 ms per record, one in five moved back up to 6 s. */
function inserts(from: number, to: number): string {
  const random = mulberry32(3);
  const rows: string[] = [];
  let ts = 1_700_000_000_000;
  for (let i = 0; i < to; i++) {
    ts += Math.floor(random() * 200);
    const back = random() < 0.2 ? Math.floor(random() * 6000) : 0;
    const grp = `g${Math.floor(random() * 8)}`;
    const v = Math.floor(random() * 100);
    if (i >= from) rows.push(`INSERT INTO ev (id, grp, v, ROWTIME) VALUES ('r${i}', '${grp}', ${v}, ${ts - back});`);
  }
  return rows.join('\n');
}

/** Last value per windowed key, and the number of updates. */
async function windows(t: KafkaTestEngine): Promise<{ last: Map<string, string>; updates: number }> {
  const last = new Map<string, string>();
  const records = await readAll(t.log, 'AGG');
  for (const r of records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const w = decodeWindowedKey(r.key!, WINDOW)!;
    last.set(`${Buffer.from(w.key).toString()}@${w.start}`, Buffer.from(r.value!).toString());
  }
  return { last, updates: records.length };
}

describe('HOPPING by panes on Kafka', { timeout: 240_000 }, () => {
  const broker = useTestBroker();

  const run = async (panes: boolean) => {
    const t = await broker.engine({ properties: { 'auto.offset.reset': 'earliest', 'riffle.aggregation.hopping.panes': String(panes) } });
    try {
      await t.engine.execute(SETUP + QUERY);
      await t.engine.execute(inserts(0, 600));
      await runUntilIdleOnKafka(t.engine);
      const stores = t.engine.stores.stats().map((s) => s.name);
      assert.equal(stores.some((n) => n.includes('/Panes')), panes, stores.join());
      return await windows(t);
    } finally {
      await t.close();
    }
  };

  test('the same windows and updates as window by window, through a repartition over 2 partitions', async () => {
    const byWindow = await run(false);
    const byPane = await run(true);
    assert.ok(byWindow.last.size > 100, `${byWindow.last.size} windows`);
    assert.equal(byPane.updates, byWindow.updates);
    assert.deepEqual([...byPane.last].sort(), [...byWindow.last].sort());
  });

  test('restored from the changelog on the broker after the local state is gone: the final windows of an uninterrupted run', async () => {
    const whole = await run(true);
    const t1 = await broker.engine();
    const dir = t1.engine.stores.dataDir;
    try {
      await t1.engine.execute(SETUP + QUERY);
      await t1.engine.execute(inserts(0, 300));
      await runUntilIdleOnKafka(t1.engine);
    } finally {
      await t1.close();
    }
    rmSync(dir, { recursive: true, force: true });
    const t2 = await broker.engine({}, new NamespacedKafkaLog(broker.shared, t1.log.prefix));
    try {
      await t2.engine.execute(inserts(300, 600));
      await runUntilIdleOnKafka(t2.engine);
      const panes = t2.engine.stores.stats().filter((s) => s.name.includes('/Panes'));
      assert.ok(panes.length > 0);
      for (const s of panes) assert.equal(s.restore.mode, 'full', `${s.name}: ${s.restore.reason}`);
      assert.deepEqual([...(await windows(t2)).last].sort(), [...whole.last].sort());
    } finally {
      await t2.close();
    }
  });
});
