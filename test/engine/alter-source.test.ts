/** ALTER STREAM|TABLE ... ADD COLUMN (src/engine/ddl.ts alterSource), with ksqlDB's rules and messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../src/sql/errors.ts';
import { readTopic, removeDir, testEngine } from './helpers.ts';

const values = async (t: Awaited<ReturnType<typeof testEngine>>, topic: string) => (await readTopic(t.log, topic)).map((r) => JSON.parse(Buffer.from(r.value!).toString()));

test('a stream and a table created over a topic get new value columns: later queries read them, and a restart replays the ALTER', async () => {
  const t = await testEngine();
  try {
    const [created] = await t.engine.execute(`
      CREATE STREAM a (id INT KEY, col1 INT) WITH (kafka_topic='a', value_format='JSON', partitions=1);
      ALTER STREAM a ADD COLUMN col2 INT;`).then((r) => r.slice(1));
    assert.deepEqual(created, { kind: 'message', message: 'Stream A altered.' });
    await t.engine.execute(`
      ALTER STREAM a ADD col3 STRING, ADD COLUMN col4 ARRAY<INT>;
      CREATE STREAM b AS SELECT * FROM a;
      INSERT INTO a (id, col1, col2, col3, col4) VALUES (1, 1, 2, 'x', ARRAY[3]);
      CREATE TABLE ta (id INT PRIMARY KEY, col1 INT) WITH (kafka_topic='ta', value_format='JSON', partitions=1);
      ALTER TABLE ta ADD COLUMN col2 INT;
      CREATE TABLE tb AS SELECT * FROM ta;
      INSERT INTO ta (id, col1, col2) VALUES (1, 1, 1);`);
    await t.engine.runUntilIdle();
    assert.deepEqual(await values(t, 'B'), [{ COL1: 1, COL2: 2, COL3: 'x', COL4: [3] }]);
    assert.deepEqual(await values(t, 'TB'), [{ COL1: 1, COL2: 1 }]);
    assert.deepEqual(t.engine.catalog.getSource('A')!.schema.value.map((c) => c.name), ['COL1', 'COL2', 'COL3', 'COL4']);
  } finally {
    await t.close();
  }
  const again = await testEngine({}, t.dir);
  try {
    assert.deepEqual(again.engine.catalog.getSource('A')!.schema.value.map((c) => c.name), ['COL1', 'COL2', 'COL3', 'COL4']);
    assert.deepEqual(again.engine.catalog.getSource('TA')!.schema.value.map((c) => c.name), ['COL1', 'COL2']);
  } finally {
    await again.close();
    removeDir(t.dir);
  }
});

test("ALTER is refused with ksqlDB's messages: a query's sink, a CREATE SOURCE one, a missing source, the other kind, a name taken", async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM a (id INT KEY, col1 INT, col2 INT) WITH (kafka_topic='a', value_format='JSON', partitions=1);
      CREATE STREAM b AS SELECT id, col1 FROM a;
      CREATE SOURCE TABLE st (id INT PRIMARY KEY, v INT) WITH (kafka_topic='st', value_format='JSON', partitions=1);`);
    const refused = async (sql: string, message: string) => {
      await assert.rejects(t.engine.execute(sql), (e: unknown) => e instanceof SqlError && e.message.includes(message) && /^1:\d+: /.test(e.message), sql);
    };
    await refused('ALTER STREAM b ADD COLUMN col2 INT;', 'ALTER command is not supported for CREATE ... AS statements.');
    await refused('ALTER TABLE st ADD COLUMN w INT;', "Cannot alter table 'ST': ALTER operations are not supported on source tables.");
    await refused('ALTER STREAM nope ADD COLUMN col1 INT;', 'Source NOPE does not exist.');
    await refused('ALTER TABLE a ADD COLUMN col9 INT;', 'Incompatible data source type is STREAM, but statement was ALTER TABLE');
    await refused('ALTER STREAM a ADD COLUMN col1 INT;', 'Cannot add column `COL1` to schema. A column with the same name already exists.');
    await refused('ALTER STREAM a ADD COLUMN id STRING;', 'Cannot add column `ID` to schema. A column with the same name already exists.');
    await refused('ALTER STREAM a ADD COLUMN c INT, ADD COLUMN c STRING;', 'Cannot add column `C` to schema. A column with the same name already exists.');
    await refused('ALTER STREAM a ADD COLUMN rowtime BIGINT;', "'ROWTIME' is a reserved column name.");
    // Nothing of a refused ALTER stays: not even its first, valid column.
    assert.deepEqual(t.engine.catalog.getSource('A')!.schema.value.map((c) => c.name), ['COL1', 'COL2']);
    await assert.rejects(t.engine.execute('ALTER STREAM a ADD COLUMN;'), (e: unknown) => e instanceof SqlError && /^1:\d+: /.test(e.message));
    await assert.rejects(t.engine.execute('ALTER STREAM a DROP COLUMN col1;'), (e: unknown) => e instanceof SqlError && /^1:\d+: /.test(e.message));
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
