import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { PROCESSING_LOG_TOPIC } from '../../src/exec/processing-log.ts';

const SETUP = `
CREATE STREAM readings (id STRING KEY, temp DOUBLE, site STRING)
  WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=2);
`;

test('filter and projection over a stream, written to a sink topic', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(SETUP);
    await t.engine.execute(`
      INSERT INTO readings (id, temp, site) VALUES ('a', 21.5, 'lyon');
      INSERT INTO readings (id, temp, site) VALUES ('b', 35.0, 'osaka');
      INSERT INTO readings (id, temp, site) VALUES ('c', 40.25, 'lyon');
      CREATE STREAM hot AS SELECT id, temp * 2 AS doubled, UCASE(site) AS site FROM readings WHERE temp > 30;`);
    await t.engine.runUntilIdle();
    const out = await readTopic(t.log, 'HOT');
    const values = out.map((r) => JSON.parse(text(r.value)!)).sort((a, b) => a.DOUBLED - b.DOUBLED);
    assert.deepEqual(values, [
      { DOUBLED: 70, SITE: 'OSAKA' },
      { DOUBLED: 80.5, SITE: 'LYON' },
    ]);
    assert.deepEqual(out.map((r) => text(r.key)).sort(), ['b', 'c']);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('PARTITION BY re-keys the output', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(SETUP);
    await t.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('a', 1.0, 'lyon');
      CREATE STREAM by_site AS SELECT * FROM readings PARTITION BY site;`);
    await t.engine.runUntilIdle();
    const [r] = await readTopic(t.log, 'BY_SITE');
    assert.equal(text(r.key), 'lyon');
    assert.deepEqual(JSON.parse(text(r.value)!), { ID: 'a', TEMP: 1 });
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('SQL errors carry line:column and say what is wrong', async () => {
  const t = await testEngine();
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
    removeDir(t.dir);
  }
});

test('a malformed record goes to the processing log and the query goes on', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(SETUP);
    await t.engine.execute('CREATE STREAM copy AS SELECT * FROM readings;');
    const p = t.log.producer();
    await p.send('readings', [
      { key: Buffer.from('a'), value: Buffer.from('{"TEMP": 1.5, "SITE": "x"}'), timestamp: 1, partition: 0 },
      { key: Buffer.from('b'), value: Buffer.from('{not json'), timestamp: 2, partition: 0 },
      { key: Buffer.from('c'), value: Buffer.from('{"TEMP": 2.5, "SITE": "y"}'), timestamp: 3, partition: 0 },
    ]);
    await t.engine.runUntilIdle();
    const out = await readTopic(t.log, 'COPY');
    assert.deepEqual(out.map((r) => text(r.key)), ['a', 'c']);
    const errors = await readTopic(t.log, PROCESSING_LOG_TOPIC);
    assert.equal(errors.length, 1);
    const entry = JSON.parse(text(errors[0].value)!);
    assert.equal(entry.type, 'DESERIALIZATION_ERROR');
    assert.equal(entry.topic, 'readings');
    assert.equal(entry.offset, 1);
    assert.match(entry.reason, /value/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('the catalog and persistent queries survive a restart', async () => {
  const first = await testEngine();
  await first.engine.execute(SETUP);
  await first.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('a', 50.0, 'lyon');
    CREATE STREAM hot AS SELECT id, temp FROM readings WHERE temp > 30;`);
  await first.engine.runUntilIdle();
  await first.close();

  const second = await testEngine({}, first.dir);
  try {
    assert.ok(second.engine.catalog.getSource('HOT'));
    assert.deepEqual([...second.engine.tasks.keys()], ['CSAS_HOT_0']);
    await second.engine.execute(`INSERT INTO readings (id, temp, site) VALUES ('b', 60.0, 'lyon');`);
    await second.engine.runUntilIdle();
    const out = await readTopic(second.log, 'HOT');
    // Resumed from the committed offset: 'a' once, then 'b'.
    assert.deepEqual(out.map((r) => text(r.key)).sort(), ['a', 'b']);
  } finally {
    await second.close();
    removeDir(first.dir);
  }
});
