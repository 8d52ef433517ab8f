/**
 * Numbers out of a column type's range are processing-log errors, never silently wrapped or
 * turned into Infinity; the query goes on with the next record. Fractions truncate as in ksqlDB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';
import { PROCESSING_LOG_TOPIC } from '../../src/exec/processing-log.ts';

test('JSON numbers out of INT, BIGINT, DOUBLE and DECIMAL range go to the processing log, the rest is processed', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM nums (id STRING KEY, i INT, b BIGINT, d DOUBLE, m DECIMAL(4, 2))
      WITH (KAFKA_TOPIC='nums', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM copy AS SELECT * FROM nums;`);
    const bad = [
      '{"I": 2147483648}',
      '{"B": 9223372036854775808}',
      '{"B": -9223372036854775809}',
      '{"B": 1e19}',
      '{"D": 1e400}',
      '{"M": 123.4}',
      '{"M": 1e999999999}',
    ];
    // Fractions truncate toward zero, as in ksqlDB.
    const good = ['{"I": 2147483647, "B": 9223372036854775807, "D": 1e308, "M": 99.99}', '{"I": -1.7, "B": 1.5e3}'];
    const values = [good[0], ...bad, good[1]];
    const p = t.log.producer();
    await p.send(
      'nums',
      values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v), timestamp: i, partition: 0 })),
    );
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'COPY')).map((r) => text(r.value));
    assert.deepEqual(out, ['{"I":2147483647,"B":9223372036854775807,"D":1.0E308,"M":99.99}', '{"I":-1,"B":1500,"D":null,"M":null}']);
    const errors = (await readTopic(t.log, PROCESSING_LOG_TOPIC)).map((r) => JSON.parse(text(r.value)!));
    assert.equal(errors.length, bad.length);
    assert.deepEqual(
      errors.map((e) => e.offset),
      bad.map((_, i) => i + 1),
    );
    for (const e of errors) assert.equal(e.type, 'DESERIALIZATION_ERROR');
    assert.match(errors[0].reason, /Can't convert 2147483648 to INTEGER: out of range/);
    assert.match(errors[1].reason, /Can't convert 9223372036854775808 to BIGINT: out of range/);
    assert.match(errors[2].reason, /Can't convert -9223372036854775809 to BIGINT: out of range/);
    assert.match(errors[3].reason, /Can't convert 1e19 to BIGINT: out of range/);
    assert.match(errors[4].reason, /Can't convert 1e400 to DOUBLE: out of range/);
    assert.match(errors[5].reason, /Numeric field overflow/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('INSERT VALUES and literals: numbers out of range are SQL errors with their position, never wrapped', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM nums (id STRING KEY, i INT, b BIGINT, d DOUBLE) WITH (KAFKA_TOPIC='nums', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const cases: [string, string][] = [
      [`INSERT INTO nums (id, i) VALUES ('x', 2147483648);`, '1:39: Expected type INTEGER for field I but got BIGINT(2147483648)'],
      [`INSERT INTO nums (id, i) VALUES ('x', 1.5);`, '1:39: Expected type INTEGER for field I but got DECIMAL(1.5)'],
      [`INSERT INTO nums (id, b) VALUES ('x', 9223372036854775808);`, '1:39: Failed to prepare statement: line 1:40: Invalid numeric literal: 9223372036854775808 (out of range for BIGINT: use a DECIMAL, e.g. 9223372036854775808.0)'],
      [`INSERT INTO nums (id, d) VALUES ('x', 1e400);`, '1:39: Failed to prepare statement: line 1:40: Number overflows DOUBLE: 1e400'],
      [`INSERT INTO nums (id, d) VALUES ('x', -1.7976931348623160E308);`, '1:39: Failed to prepare statement: line 1:40: Number overflows DOUBLE: -1.7976931348623160E308'],
    ];
    for (const [sql, message] of cases) await assert.rejects(t.engine.execute(sql), (e: Error) => e.message === message, sql);
    // Widening is fine; the extremes of each type are in range.
    await t.engine.execute(`INSERT INTO nums (id, i, b, d) VALUES ('y', -2147483648, -9223372036854775808, 1.7976931348623157E308);`);
    await t.engine.execute(`INSERT INTO nums (id, b, d) VALUES ('z', 2147483647, 12);`);
    const out = (await readTopic(t.log, 'nums')).map((r) => text(r.value));
    assert.deepEqual(out, ['{"I":-2147483648,"B":-9223372036854775808,"D":1.7976931348623157E308}', '{"I":null,"B":2147483647,"D":12.0}']);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
