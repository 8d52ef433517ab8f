/** ASSERT [NOT EXISTS] TOPIC / ASSERT SCHEMA (src/engine/assert-topic.ts), with ksqlDB's rules and messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../src/sql/errors.ts';
import { removeDir, testEngine } from './helpers.ts';

test('ASSERT TOPIC holds once the topic exists with the partitions and replicas named; NOT EXISTS the other way round', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='orders', value_format='JSON', partitions=3);`);
    assert.deepEqual(await t.engine.execute(`ASSERT TOPIC orders WITH (PARTITIONS=3, REPLICAS=1) TIMEOUT 1 SECONDS;`), [{ kind: 'message', message: 'Topic orders exists' }]);
    assert.deepEqual(await t.engine.execute(`ASSERT NOT EXISTS TOPIC 'later';`), [{ kind: 'message', message: 'Topic later does not exist' }]);
    const fails = async (sql: string, message: string, atLeastMs = 0) => {
      const started = Date.now();
      await assert.rejects(t.engine.execute(sql), (e: unknown) => e instanceof SqlError && e.code === 'ASSERTION' && e.message === `1:1: ${message}`, sql);
      assert.ok(Date.now() - started >= atLeastMs, `${sql} failed after ${Date.now() - started} ms`);
    };
    await fails('ASSERT TOPIC nope TIMEOUT 300 MILLISECONDS;', 'Topic nope does not exist', 250);
    await fails('ASSERT NOT EXISTS TOPIC orders TIMEOUT 0 SECONDS;', 'Topic orders exists');
    await fails(`ASSERT TOPIC orders WITH (PARTITIONS=4, REPLICAS='1', SEGMENTS=2) TIMEOUT 0 SECONDS;`, 'Mismatched configuration for topic orders: For config partitions, expected 4 got 3\nMismatched configuration for topic orders: For config replicas, expected 1 got 1\nCannot assert unknown topic property: SEGMENTS');
    // The default timeout comes from ksql.assert.topic.default.timeout.ms; a value that is not a
    // non-negative integer is refused, naming it.
    await t.engine.execute("SET 'ksql.assert.topic.default.timeout.ms' = '0';");
    await fails('ASSERT TOPIC nope;', 'Topic nope does not exist');
    await t.engine.execute("SET 'ksql.assert.topic.default.timeout.ms' = 'soon';");
    await assert.rejects(t.engine.execute('ASSERT TOPIC orders;'), /ksql.assert.topic.default.timeout.ms must be a non-negative integer \(ms\), got 'soon'/);
    await t.engine.execute("UNSET 'ksql.assert.topic.default.timeout.ms';");
    // Retried until the timeout: a topic created meanwhile makes it hold.
    const waiting = t.engine.execute('ASSERT TOPIC soon TIMEOUT 5 SECONDS;');
    await new Promise((r) => setTimeout(r, 250));
    await t.log.createTopic('soon', { partitions: 1, replicationFactor: 1 });
    assert.deepEqual(await waiting, [{ kind: 'message', message: 'Topic soon exists' }]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('ASSERT SCHEMA needs a schema registry; ksqlDB\'s test-only ASSERT forms are syntax errors at their second word', async () => {
  const t = await testEngine();
  try {
    await assert.rejects(t.engine.execute('ASSERT SCHEMA SUBJECT s ID 3;'), /^SqlError: 1:1: ASSERT SCHEMA needs a schema registry, which Riffle does not support yet$/);
    await assert.rejects(t.engine.execute('ASSERT SCHEMA TIMEOUT 1 SECONDS;'), /ASSERT SCHEMA statements much include a subject name or an id/);
    await assert.rejects(t.engine.execute("ASSERT SCHEMA ID 'x';"), /ID must be an integer/);
    await assert.rejects(t.engine.execute('ASSERT VALUES foo (id INT) VALUES (123);'), /Syntax error at or near 'VALUES' at line 1:8/);
    await assert.rejects(t.engine.execute('ASSERT STREAM foo;'), /Syntax error at or near 'STREAM' at line 1:8/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
