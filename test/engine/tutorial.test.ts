/**
 * The tutorial this project started from, as its readers type it: Kafka topic names with '-' in
 * CREATE TOPIC / PRINT, hyphenated stream names (rejected with the statement to type instead,
 * then typed so), a running SUM(age) OVER (PARTITION BY id), and TERMINATE of the query id
 * SHOW QUERIES prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';

test('tutorial: hyphenated names, one topic per name, running SUM OVER, TERMINATE any query id', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE TOPIC my-topic WITH (PARTITIONS = 3, REPLICATION FACTOR = 1);`);
    assert.equal((await t.log.describeTopic('my-topic'))?.partitions, 3);
    // KAFKA_TOPIC names the same topic, whatever the case conventions of the rest of the statement.
    await assert.rejects(
      t.engine.execute(`CREATE STREAM my-stream (id INT KEY, name STRING, age INT) WITH (KAFKA_TOPIC='my-topic', VALUE_FORMAT='JSON');`),
      (e: Error) => e.message.includes("Syntax error at '-'") && e.message.includes('CREATE STREAM `my-stream` (id INT KEY, name STRING, age INT)'),
    );
    await t.engine.execute(`CREATE STREAM \`my-stream\` (id INT KEY, name STRING, age INT) WITH (KAFKA_TOPIC='my-topic', VALUE_FORMAT='JSON');`);
    assert.equal(t.engine.catalog.getSource('my-stream')?.topic, 'my-topic');
    const [created] = await t.engine.execute(
      `CREATE STREAM \`my-output-stream\` AS SELECT id, name, SUM(age) OVER (PARTITION BY id) AS total_age FROM \`my-stream\`;`,
    );
    const queryId = created.kind === 'message' ? created.queryId! : '';
    assert.equal(queryId, 'CSAS_my-output-stream_0');
    await t.engine.execute(`
      INSERT INTO \`my-stream\` (id, name, age) VALUES (1, 'ann', 10);
      INSERT INTO \`my-stream\` (id, name, age) VALUES (2, 'bob', 5);
      INSERT INTO \`my-stream\` (id, name, age) VALUES (1, 'ann', 20);
      INSERT INTO \`my-stream\` (id, name, age) VALUES (2, 'bob', 7);
      INSERT INTO \`my-stream\` (id, name, age) VALUES (1, 'ann', 1);`);
    await t.engine.runUntilIdle();
    // KAFKA-format INT keys: 4 bytes big-endian.
    const out = (await readTopic(t.log, 'my-output-stream')).map((r) => [Buffer.from(r.key!).readInt32BE(0), JSON.parse(text(r.value)!)]);
    const byId = (id: number) => out.filter(([k]) => k === id).map(([, v]) => v.TOTAL_AGE);
    assert.deepEqual(byId(1), [10, 30, 31]);
    assert.deepEqual(byId(2), [5, 12]);
    // The query id as SHOW QUERIES prints it, hyphen and case included.
    await t.engine.execute(`TERMINATE CSAS_my-output-stream_0;`);
    assert.equal(t.engine.catalog.getQuery(queryId), undefined);
    // PRINT and DROP TOPIC take the same names.
    await t.engine.execute(`CREATE TOPIC other.topic_v2-x;`);
    assert.ok(await t.log.describeTopic('other.topic_v2-x'));
    await t.engine.execute(`DROP TOPIC other.topic_v2-x;`);
    assert.equal(await t.log.describeTopic('other.topic_v2-x'), null);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
