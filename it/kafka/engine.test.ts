/**
 * The engine end to end on a real broker: the SQL cases of test/engine/engine.test.ts, each on a
 * namespace of its own (NamespacedKafkaLog: unique physical names for the SQL's topics and for the
 * engine's internal `_riffle_commands` / `RIFFLE_PROCESSING_LOG`), queries driven until idle by
 * consumer positions (runUntilIdleOnKafka), plus the same query running in the background.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NamespacedKafkaLog } from '../../src/log/kafka/index.ts';
import { PROCESSING_LOG_TOPIC } from '../../src/exec/processing-log.ts';
import { COMMAND_TOPIC } from '../../src/engine/command-log.ts';
import { SqlError } from '../../src/sql/errors.ts';
import type { EngineOptions } from '../../src/engine/engine.ts';
import { runUntilIdleOnKafka } from '../../src/testing/kafka-runner.ts';
import { dec, readAll, useTestBroker } from './helpers.ts';

const SETUP = `
CREATE STREAM readings (id STRING KEY, temp DOUBLE, site STRING)
  WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=2);
`;

const THREE_READINGS = `
        INSERT INTO readings (id, temp, site) VALUES ('a', 21.5, 'lyon');
        INSERT INTO readings (id, temp, site) VALUES ('b', 35.0, 'osaka');
        INSERT INTO readings (id, temp, site) VALUES ('c', 40.25, 'lyon');
`;

describe('engine on Kafka', { timeout: 120_000 }, () => {
  const broker = useTestBroker();
  const open = (opts: Partial<EngineOptions> = {}, log?: NamespacedKafkaLog) => broker.engine(opts, log);

  test('filter and projection over a stream, written to a sink topic', async () => {
    const t = await open();
    try {
      await t.engine.execute(SETUP);
      await t.engine.execute(`${THREE_READINGS}
        CREATE STREAM hot AS SELECT id, temp * 2 AS doubled, UCASE(site) AS site FROM readings WHERE temp > 30;`);
      await runUntilIdleOnKafka(t.engine);
      const out = await readAll(t.log, 'HOT');
      const values = out.map((r) => JSON.parse(dec(r.value)!)).sort((a, b) => a.DOUBLED - b.DOUBLED);
      assert.deepEqual(values, [
        { DOUBLED: 70, SITE: 'OSAKA' },
        { DOUBLED: 80.5, SITE: 'LYON' },
      ]);
      assert.deepEqual(out.map((r) => dec(r.key)).sort(), ['b', 'c']);
      // The physical topics carry the namespace; the engine only ever sees its own names.
      const physical = (await broker.shared.listTopics()).map((d) => d.name).filter((n) => n.startsWith(t.log.prefix));
      assert.deepEqual(physical.map((n) => n.slice(t.log.prefix.length)).sort(), [COMMAND_TOPIC, 'HOT', PROCESSING_LOG_TOPIC, 'readings'].sort());
      assert.equal((await t.log.describeTopic('HOT'))?.partitions, 2, 'the sink inherits the source partition count');
    } finally {
      await t.close();
    }
  });

  test('a pull query over a stream written in transactions (each ending in a commit marker, never returned) reads it to its end', async () => {
    const t = await open({ properties: { 'auto.offset.reset': 'earliest', 'processing.guarantee': 'exactly_once_v2' } });
    try {
      await t.engine.execute(SETUP);
      await t.engine.execute(`${THREE_READINGS}
        CREATE STREAM hot AS SELECT id, temp FROM readings WHERE temp > 30;`);
      await runUntilIdleOnKafka(t.engine);
      const pull = async () => {
        const [r] = await t.engine.execute('SELECT ID, TEMP FROM hot;');
        assert.equal(r.kind, 'table');
        return r.kind === 'table' ? [...r.rows].sort() : [];
      };
      // At once: the commit markers may not be written yet (Kafka writes them after the commit
      // returns), so the read-committed scan waits at the last stable offset until they are.
      assert.deepEqual(await pull(), [['b', 35], ['c', 40.25]]);
      // Once the markers are there, the end offsets lie past the last records: read by position.
      const deadline = Date.now() + 10_000;
      const records = (await readAll(t.log, 'HOT')).length;
      const span = async () => (await t.log.offsets('HOT')).reduce((n, o) => n + o.end - o.start, 0);
      while ((await span()) <= records && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok((await span()) > records, 'transaction markers take offsets');
      const started = performance.now();
      assert.deepEqual(await pull(), [['b', 35], ['c', 40.25]]);
      // Ended by the consumer's position, not by waiting out an empty poll (500 ms): ~25 ms here.
      const ms = performance.now() - started;
      assert.ok(ms < 450, `the scan took ${ms.toFixed(0)} ms`);
    } finally {
      await t.close();
    }
  });

  test('PARTITION BY re-keys the output', async () => {
    const t = await open();
    try {
      await t.engine.execute(SETUP);
      await t.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('a', 1.0, 'lyon');
        CREATE STREAM by_site AS SELECT * FROM readings PARTITION BY site;`);
      await runUntilIdleOnKafka(t.engine);
      const [r, ...rest] = await readAll(t.log, 'BY_SITE');
      assert.equal(rest.length, 0);
      assert.equal(dec(r.key), 'lyon');
      assert.deepEqual(JSON.parse(dec(r.value)!), { ID: 'a', TEMP: 1 });
    } finally {
      await t.close();
    }
  });

  test('SQL errors carry line:column and say what is wrong', async () => {
    const t = await open();
    try {
      await t.engine.execute(SETUP);
      await assert.rejects(t.engine.execute('SELECT id FORM readings EMIT CHANGES;'), (e: unknown) => e instanceof SqlError && /^1:\d+: /.test(e.message));
      await assert.rejects(
        t.engine.execute('CREATE STREAM x AS\n  SELECT nope FROM readings;'),
        (e: unknown) => e instanceof SqlError && e.code === 'UNKNOWN_COLUMN' && e.message.startsWith('2:10:'),
      );
      await assert.rejects(t.engine.execute('CREATE STREAM y AS SELECT id FROM missing;'), (e: unknown) => e instanceof SqlError && e.code === 'UNKNOWN_SOURCE');
      await assert.rejects(
        t.engine.execute("CREATE STREAM z AS SELECT id FROM readings WHERE temp = 'hot';"),
        (e: unknown) => e instanceof SqlError && e.code === 'TYPE',
      );
    } finally {
      await t.close();
    }
  });

  test('a malformed record goes to the processing log and the query goes on', async () => {
    const t = await open();
    try {
      await t.engine.execute(SETUP);
      await t.engine.execute('CREATE STREAM copy AS SELECT * FROM readings;');
      const p = t.log.producer();
      await p.send('readings', [
        { key: Buffer.from('a'), value: Buffer.from('{"TEMP": 1.5, "SITE": "x"}'), timestamp: 1, partition: 0 },
        { key: Buffer.from('b'), value: Buffer.from('{not json'), timestamp: 2, partition: 0 },
        { key: Buffer.from('c'), value: Buffer.from('{"TEMP": 2.5, "SITE": "y"}'), timestamp: 3, partition: 0 },
      ]);
      await p.close();
      await runUntilIdleOnKafka(t.engine);
      const out = await readAll(t.log, 'COPY');
      assert.deepEqual(out.map((r) => dec(r.key)), ['a', 'c']);
      assert.deepEqual(out.map((r) => r.timestamp), [1, 3], 'record timestamps carry over');
      const errors = await readAll(t.log, PROCESSING_LOG_TOPIC);
      assert.equal(errors.length, 1);
      const entry = JSON.parse(dec(errors[0].value)!);
      assert.equal(entry.type, 'DESERIALIZATION_ERROR');
      assert.equal(entry.topic, 'readings');
      assert.equal(entry.offset, 1);
      assert.match(entry.reason, /value/);
    } finally {
      await t.close();
    }
  });

  test('the catalog and persistent queries survive a restart (resuming from committed offsets)', async () => {
    const first = await open();
    await first.engine.execute(SETUP);
    await first.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('a', 50.0, 'lyon');
      CREATE STREAM hot AS SELECT id, temp FROM readings WHERE temp > 30;`);
    await runUntilIdleOnKafka(first.engine);
    await first.close();

    // A second engine on the same cluster namespace: replays the command log, resumes the query.
    const second = await open({}, new NamespacedKafkaLog(broker.shared, first.log.prefix));
    try {
      assert.ok(second.engine.catalog.getSource('HOT'));
      assert.deepEqual([...second.engine.tasks.keys()], ['CSAS_HOT_0']);
      await second.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('b', 60.0, 'lyon');`);
      await runUntilIdleOnKafka(second.engine);
      const out = await readAll(second.log, 'HOT');
      // Resumed from the committed offset: 'a' once, then 'b'.
      assert.deepEqual(out.map((r) => dec(r.key)).sort(), ['a', 'b']);
    } finally {
      await second.close();
    }
  });

  test('queries run in the background and follow new input', async () => {
    const t = await open({ background: true });
    try {
      await t.engine.execute(SETUP);
      await t.engine.execute(`CREATE STREAM hot AS SELECT id, temp FROM readings WHERE temp > 30;`);
      for (let i = 0; i < 20; i++) await t.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('k${i}', ${i * 5}.0, 'x');`);
      const deadline = Date.now() + 30_000;
      let keys: string[] = [];
      while (Date.now() < deadline) {
        keys = (await readAll(t.log, 'HOT')).map((r) => dec(r.key)!);
        if (keys.length >= 13) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(keys.sort(), Array.from({ length: 13 }, (_, i) => `k${i + 7}`).sort());
      assert.equal(t.engine.tasks.get('CSAS_HOT_0')?.state, 'RUNNING');
    } finally {
      await t.close();
    }
  });
});
