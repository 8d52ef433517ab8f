import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from './helpers.ts';

test('pull queries: lookup by key, range, scan and LIMIT on an aggregated table', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM clicks (user STRING KEY, page STRING, ms INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO clicks (user, page, ms) VALUES ('ann', 'a', 10);
      INSERT INTO clicks (user, page, ms) VALUES ('bob', 'b', 20);
      INSERT INTO clicks (user, page, ms) VALUES ('ann', 'c', 30);
      INSERT INTO clicks (user, page, ms) VALUES ('cid', 'a', 5);
      CREATE TABLE per_user AS SELECT user, COUNT(*) AS n, SUM(ms) AS total FROM clicks GROUP BY user;`);
    await t.engine.runUntilIdle();
    const rows = async (sql: string) => {
      const [r] = await t.engine.execute(sql);
      assert.equal(r.kind, 'table');
      return r.kind === 'table' ? r.rows : [];
    };
    assert.deepEqual(await rows(`SELECT * FROM per_user WHERE user = 'ann';`), [['ann', 2, 40]]);
    assert.deepEqual([...(await rows(`SELECT user, total FROM per_user WHERE user >= 'b';`))].sort(), [['bob', 20], ['cid', 5]]);
    assert.deepEqual(await rows(`SELECT user FROM per_user WHERE total > 15 AND n = 1;`), [['bob']]);
    assert.equal((await rows(`SELECT * FROM per_user LIMIT 2;`)).length, 2);
    // A stream's pull query scans what its topic holds now, in offset order, and ends (ksqlDB 0.23+).
    assert.deepEqual(await rows(`SELECT user, page FROM clicks WHERE ms >= 10;`), [['ann', 'a'], ['bob', 'b'], ['ann', 'c']]);
    assert.deepEqual(await rows(`SELECT page FROM clicks LIMIT 1;`), [['a']]);
    await t.engine.execute(`INSERT INTO clicks (user, page, ms) VALUES ('dan', 'd', 1);`);
    assert.equal((await rows(`SELECT * FROM clicks;`)).length, 5, 'a later pull query sees the new record');
    // ksqlDB's PullQueryValidator words.
    for (const [sql, clause] of [
      [`SELECT * FROM clicks c JOIN per_user p ON c.user = p.user;`, 'JOIN'],
      [`SELECT * FROM clicks WINDOW TUMBLING (SIZE 1 SECOND);`, 'WINDOW'],
      [`SELECT user, COUNT(*) FROM clicks GROUP BY user;`, 'GROUP BY'],
      [`SELECT * FROM clicks PARTITION BY page;`, 'PARTITION BY'],
    ]) {
      await assert.rejects(t.engine.execute(sql), (e: Error) => e.message.includes(`Pull queries don't support ${clause} clauses. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES`), sql);
    }
    await assert.rejects(t.engine.execute(`SELECT ROWOFFSET, page FROM clicks;`), /Pull queries don't support the following columns in SELECT clauses: `ROWOFFSET`/);
    await assert.rejects(t.engine.execute(`SELECT * FROM per_user WHERE ROWPARTITION = 0;`), /Pull queries don't support the following columns in WHERE clauses: `ROWPARTITION`/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('pull queries read only what was written since the previous one, and look a key up directly', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=2);
      ${Array.from({ length: 200 }, (_, i) => `INSERT INTO users (id, region, score) VALUES ('u${i}', 'r${i % 4}', ${i});`).join('\n')}`);
    const rows = async (sql: string) => {
      const [r] = await t.engine.execute(sql);
      return r.kind === 'table' ? r.rows : assert.fail(`not a table result: ${r.kind}`);
    };
    assert.equal((await rows(`SELECT * FROM users;`)).length, 200);
    const view = t.engine.tableViews.get('USERS')!;
    assert.equal(view.recordsRead, 200);
    await t.engine.execute(`INSERT INTO users (id, region, score) VALUES ('u7', 'moved', 700);
      INSERT INTO users (id, region, score) VALUES ('u999', 'new', 999);`);
    assert.deepEqual(await rows(`SELECT * FROM users WHERE id = 'u7';`), [['u7', 'moved', 700]]);
    assert.equal(view.recordsRead, 202, 'the second query read the two new records only');
    assert.deepEqual(await rows(`SELECT id, score FROM users WHERE id = 'u999' AND score > 500;`), [['u999', 999]]);
    assert.deepEqual(await rows(`SELECT id FROM users WHERE id = 'u999' AND score < 500;`), [], 'the whole WHERE applies to the row found');
    assert.deepEqual(await rows(`SELECT id FROM users WHERE id = 'nobody';`), []);
    assert.equal((await rows(`SELECT id FROM users WHERE region = 'r3';`)).length, 49, 'u7 moved out of r3, the scan sees it');
    assert.equal((await rows(`SELECT * FROM users;`)).length, 201);
    // Dropped and re-created under another topic: the view starts over.
    await t.engine.execute(`DROP TABLE users;
      CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (KAFKA_TOPIC='users2', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO users (id, region, score) VALUES ('a', 'x', 1);`);
    assert.deepEqual(await rows(`SELECT * FROM users;`), [['a', 'x', 1]]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('pull queries: ORDER BY output columns (name or position, ASC/DESC), LIMIT with OFFSET, key ranges; streaming queries refuse them', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (KAFKA_TOPIC='users_o', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO users (id, region, score) VALUES ('u1', 'r1', 30);
      INSERT INTO users (id, region, score) VALUES ('u2', 'r2', 10);
      INSERT INTO users (id, region, score) VALUES ('u3', 'r1', 20);
      INSERT INTO users (id, region) VALUES ('u4', 'r2');
      INSERT INTO users (id, region, score) VALUES ('u5', 'r1', 50);`);
    const rows = async (sql: string) => {
      const [r] = await t.engine.execute(sql);
      return r.kind === 'table' ? r.rows : assert.fail(`not a table result: ${r.kind}`);
    };
    assert.deepEqual(await rows(`SELECT id, score FROM users ORDER BY score;`), [['u4', null], ['u2', 10], ['u3', 20], ['u1', 30], ['u5', 50]]);
    assert.deepEqual(await rows(`SELECT id, score FROM users ORDER BY score DESC LIMIT 2;`), [['u5', 50], ['u1', 30]]);
    assert.deepEqual(await rows(`SELECT id, score FROM users ORDER BY 2 DESC LIMIT 2 OFFSET 1;`), [['u1', 30], ['u3', 20]]);
    assert.deepEqual(await rows(`SELECT id FROM users WHERE id >= 'u2' AND id < 'u4' ORDER BY id DESC;`), [['u3'], ['u2']]);
    // A transient query answers in SELECT order (the key column where it is selected), as ksqlDB.
    assert.deepEqual(await rows(`SELECT region, id, score FROM users ORDER BY region, score DESC;`), [
      ['r1', 'u5', 50],
      ['r1', 'u1', 30],
      ['r1', 'u3', 20],
      ['r2', 'u2', 10],
      ['r2', 'u4', null],
    ]);
    assert.deepEqual(await rows(`SELECT score, id FROM users ORDER BY 2 LIMIT 1;`), [[30, 'u1']], 'ORDER BY position counts in SELECT order');
    await assert.rejects(t.engine.execute(`SELECT id FROM users ORDER BY nope;`), /ORDER BY takes an output column/);
    await assert.rejects(t.engine.execute(`SELECT id FROM users EMIT CHANGES ORDER BY id;`), /pull queries only/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('push and pull queries answer in SELECT order; unselected GROUP BY keys are left out', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO s (k, v) VALUES ('a', 1);`);
    const names = (schema: { key: readonly { name: string }[]; value: readonly { name: string }[] }) => [...schema.key, ...schema.value].map((c) => c.name);
    const [push] = await t.engine.execute(`SELECT ROWTIME, * FROM s EMIT CHANGES LIMIT 1;`);
    assert.equal(push.kind, 'push');
    if (push.kind !== 'push') return;
    assert.deepEqual(names(push.query.schema), ['ROWTIME', 'K', 'V']);
    const got: unknown[][] = [];
    push.query.onRows = (rows) => got.push(...rows.map((r) => r.cols));
    push.query.start();
    await t.engine.runUntilIdle();
    await push.query.done;
    assert.deepEqual(got.map((r) => r.slice(1)), [['a', 1]]);
    const [agg] = await t.engine.execute(`SELECT COUNT(*) AS n FROM s GROUP BY k EMIT CHANGES LIMIT 1;`);
    if (agg.kind === 'push') {
      assert.deepEqual(names(agg.query.schema), ['N']);
      await agg.query.stop();
    }
    const [pull] = await t.engine.execute(`SELECT v, k FROM s;`);
    assert.deepEqual(pull.kind === 'table' ? [pull.columns, pull.rows] : null, [['V', 'K'], [[1, 'a']]]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test("push queries skip a stream's records without a value; a windowed table's tombstone keeps its key and window", async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (k INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v));
    const key = (k: number) => Buffer.from([0, 0, 0, k]);
    await t.log.producer().send('s', [
      { key: key(1), value: enc({ V: 10 }), timestamp: 1 },
      { key: key(2), value: null, timestamp: 2 },
      { key: key(1), value: enc({ V: -20 }), timestamp: 3 },
      { key: key(1), value: enc({ V: 21 }), timestamp: 4 },
    ]);
    await t.engine.execute(`CREATE TABLE agg AS SELECT k, SUM(v) AS total FROM s WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k HAVING SUM(v) > 0;`);
    await t.engine.runUntilIdle();
    const collect = async (sql: string) => {
      const [r] = await t.engine.execute(sql);
      if (r.kind !== 'push') throw new Error(r.kind);
      const got: unknown[][] = [];
      r.query.onRows = (rows) => got.push(...rows.map((x) => x.cols));
      r.query.start();
      await r.query.done; // LIMIT 3
      return got;
    };
    assert.deepEqual(await collect(`SELECT * FROM s EMIT CHANGES LIMIT 3;`), [[1, 10], [1, -20], [1, 21]]);
    assert.deepEqual(await collect(`SELECT * FROM agg EMIT CHANGES LIMIT 3;`), [[1, 0, 1000, 10], [1, 0, 1000, null], [1, 0, 1000, 11]]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
