/**
 * Repartitioning on a real broker: GROUP BY and a stream-table join on columns that are not the
 * record key, over 4 partitions, first with one engine, then with TWO engines sharing the query
 * (same service id, so one consumer group; own state directories): each owns some partitions of
 * the input and of the internal repartition topic, and the aggregates still count every record
 * exactly once per group, because all rows of a group are re-keyed into one partition first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { KafkaLog, NamespacedKafkaLog } from '../../src/log/kafka/index.ts';
import { runUntilIdleOnKafka } from '../../src/testing/kafka-runner.ts';
import { queryGroupId } from '../../src/engine/persistent.ts';
import { dec, kafkaTestEngine, readAll, useTestBroker } from './helpers.ts';

const N = 2000;
const SITES = 7;
const SETUP = `CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=4);`;
const QUERY = `CREATE TABLE by_site AS SELECT site, COUNT(*) AS n, SUM(temp) AS total FROM readings GROUP BY site;`;
const T0 = Date.now() - 3_600_000;

function expected(): Map<string, { N: number; TOTAL: number }> {
  const out = new Map<string, { N: number; TOTAL: number }>();
  for (let i = 0; i < N; i++) {
    const site = `s${i % SITES}`;
    const cur = out.get(site) ?? { N: 0, TOTAL: 0 };
    out.set(site, { N: cur.N + 1, TOTAL: cur.TOTAL + (i % 13) });
  }
  return out;
}

async function produce(log: KafkaLog | NamespacedKafkaLog): Promise<void> {
  const producer = log.producer();
  try {
    for (let i = 0; i < N; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => i + j).map((k) => ({
        key: Buffer.from(`id${k}`),
        value: Buffer.from(JSON.stringify({ TEMP: k % 13, SITE: `s${k % SITES}` })),
        timestamp: T0 + k,
      }));
      await producer.send('readings', batch);
    }
  } finally {
    await producer.close();
  }
}

async function lastPerKey(log: NamespacedKafkaLog, topic: string): Promise<Map<string, unknown>> {
  const last = new Map<string, unknown>();
  for (const r of await readAll(log, topic)) last.set(dec(r.key)!, JSON.parse(dec(r.value)!));
  return last;
}

describe('repartitioning on Kafka', { timeout: 180_000 }, () => {
  const broker = useTestBroker();

  test('GROUP BY a non-key column and a join on one, over 4 partitions, one engine', async () => {
    const t = await broker.engine();
    try {
      await t.engine.execute(`${SETUP}
        CREATE TABLE sites (site STRING PRIMARY KEY, country STRING) WITH (KAFKA_TOPIC='sites', VALUE_FORMAT='JSON', PARTITIONS=4);
        ${Array.from({ length: SITES }, (_, i) => `INSERT INTO sites (site, country, ROWTIME) VALUES ('s${i}', 'c${i}', 0);`).join('\n')}`);
      await produce(t.log);
      await t.engine.execute(`${QUERY}
        CREATE STREAM enriched AS SELECT r.site AS site, r.id AS id, r.temp AS temp, s.country AS country FROM readings r JOIN sites s ON r.site = s.site;`);
      await runUntilIdleOnKafka(t.engine, { timeoutMs: 120_000 });
      assert.deepEqual(Object.fromEntries(await lastPerKey(t.log, 'BY_SITE')), Object.fromEntries(expected()));
      const joined = await readAll(t.log, 'ENRICHED');
      assert.equal(joined.length, N);
      for (const r of joined) assert.equal(JSON.parse(dec(r.value)!).COUNTRY, `c${Number(dec(r.key)!.slice(1))}`);
      // The internal topic exists with the source's partition count.
      const internal = (await t.log.listTopics()).find((d) => d.name.endsWith('Aggregate_Repartition-repartition'));
      assert.equal(internal?.partitions, 4);
      assert.equal(internal?.config.retentionMs, -1, 'no time retention on the broker either');
      // What the query purges once its offsets are committed: Kafka's deleteRecords moves the log start.
      const ends = await t.log.offsets(internal!.name);
      assert.ok(ends.reduce((n, o) => n + o.end, 0) >= N, 'every reading went through the repartition topic');
      await t.log.deleteRecords(internal!.name, ends.map((o) => ({ partition: o.partition, offset: o.end })));
      assert.deepEqual((await t.log.offsets(internal!.name)).map((o) => o.start), ends.map((o) => o.end));
    } finally {
      await t.close();
    }
  });

  test('two engines share a GROUP BY on a non-key column and count every record once', async () => {
    const a = await broker.engine({ background: true, stateDir: mkdtempSync(join(tmpdir(), 'riffle-rp-a-')) });
    const dirB = mkdtempSync(join(tmpdir(), 'riffle-rp-b-'));
    let b: Awaited<ReturnType<typeof kafkaTestEngine>> | null = null;
    try {
      await a.engine.execute(`${SETUP}\n${QUERY}`);
      // The second engine replays the command log: it runs the same query in the same group.
      b = await kafkaTestEngine(broker.shared, { background: true, stateDir: dirB }, a.log);
      // Produce once the group has settled with both members holding partitions.
      const group = queryGroupId(a.engine.serviceId, 'CTAS_BY_SITE_0');
      for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
        const members = a.log.consumersOf(group);
        if (members.length === 2 && members.every((c) => c.assignment().length > 0)) break;
      }
      const split = a.log.consumersOf(group).map((c) => c.assignment().map((p) => `${p.topic.slice(a.log.prefix.length)}:${p.partition}`).sort());
      assert.equal(split.length, 2);
      assert.ok(split.every((s) => s.length > 0), `both members hold partitions: ${JSON.stringify(split)}`);
      await produce(a.log);
      const want = expected();
      const deadline = Date.now() + 120_000;
      let got = new Map<string, unknown>();
      while (Date.now() < deadline) {
        got = await lastPerKey(a.log, 'BY_SITE');
        if (JSON.stringify(Object.fromEntries([...got].sort())) === JSON.stringify(Object.fromEntries([...want].sort()))) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...want].sort()));
      // Both engines took part: each processed some input.
      const consumed = [a, b].map((t) => t.engine.tasks.get('CTAS_BY_SITE_0')?.consumed ?? 0);
      assert.ok(consumed.every((c) => c > 0), `both instances consumed records: ${consumed}`);
    } finally {
      await b?.engine.close();
      await a.close();
      rmSync(dirB, { recursive: true, force: true });
    }
  });
});
