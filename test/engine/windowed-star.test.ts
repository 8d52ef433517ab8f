/**
 * `SELECT *` over a windowed table returns WINDOWSTART and WINDOWEND after the key columns (as
 * ksqlDB), in push and pull queries, so rows of the same key in different windows can be told
 * apart; a persistent query's sink keeps the bounds in its windowed key instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from './helpers.ts';

test('SELECT * over a windowed table includes WINDOWSTART and WINDOWEND (push and pull)', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM clicks (user STRING KEY, ms INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO clicks (user, ms, ROWTIME) VALUES ('ann', 10, 1000);
      INSERT INTO clicks (user, ms, ROWTIME) VALUES ('ann', 20, 61000);
      INSERT INTO clicks (user, ms, ROWTIME) VALUES ('bob', 5, 2000);
      CREATE TABLE per_minute AS SELECT user, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY user;`);
    await t.engine.runUntilIdle();
    const source = t.engine.catalog.getSource('PER_MINUTE')!;
    assert.deepEqual([...source.schema.key, ...source.schema.value].map((c) => c.name), ['USER', 'N'], 'the sink keeps the bounds in its key');

    const [pull] = await t.engine.execute(`SELECT * FROM per_minute WHERE user = 'ann';`);
    assert.equal(pull.kind, 'table');
    if (pull.kind !== 'table') return;
    assert.deepEqual(pull.columns, ['USER', 'WINDOWSTART', 'WINDOWEND', 'N']);
    assert.deepEqual([...pull.rows].sort((a, b) => Number(a[1]) - Number(b[1])), [
      ['ann', 0, 60000, 1],
      ['ann', 60000, 120000, 1],
    ]);

    const [push] = await t.engine.execute(`SELECT * FROM per_minute EMIT CHANGES LIMIT 3;`);
    assert.equal(push.kind, 'push');
    if (push.kind !== 'push') return;
    assert.deepEqual([...push.query.schema.key, ...push.query.schema.value].map((c) => c.name).slice(0, 4), ['USER', 'WINDOWSTART', 'WINDOWEND', 'N']);
    const rows: unknown[][] = [];
    push.query.onRows = (rs) => rows.push(...rs.map((r) => r.cols));
    push.query.start();
    await push.query.done;
    assert.deepEqual(rows.map((r) => r.slice(0, 4)).sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])), [
      ['ann', 0, 60000, 1],
      ['ann', 60000, 120000, 1],
      ['bob', 0, 60000, 1],
    ]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
