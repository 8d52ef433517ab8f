/**
 * ksqlDB behaviours found by running ksqlDB's own query-validation tests beyond the shared sample,
 * each checked here on statements of our own: a table source skips records without a key; a
 * MAP constructor keeps a NULL key (written "null" in JSON); generated column names skip every
 * source column's name; VALUE_DELIMITER 'SPACE' / 'TAB'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTopic, removeDir, testEngine } from './helpers.ts';
import { SqlError } from '../../src/sql/errors.ts';

const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const dec = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

async function run(setup: string, topic: string, records: { key: unknown; value: unknown }[], query: string, out: string) {
  const t = await testEngine();
  try {
    await t.engine.execute(setup);
    await t.log.producer().send(topic, records.map((r, i) => ({ key: r.key === null ? null : enc(r.key), value: r.value === null ? null : enc(r.value), timestamp: i })));
    await t.engine.execute(query);
    await t.engine.runUntilIdle();
    return (await readTopic(t.log, out)).map((r) => ({ key: dec(r.key), value: dec(r.value) }));
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

test('a table source skips records without a key (a partly NULL multi-column key is a key)', async () => {
  const out = await run(
    `CREATE TABLE prices (sku STRING PRIMARY KEY, price INT) WITH (KAFKA_TOPIC='prices', VALUE_FORMAT='JSON', PARTITIONS=1);`,
    'prices',
    [{ key: 'a', value: { PRICE: 1 } }, { key: null, value: { PRICE: 2 } }, { key: 'a', value: { PRICE: 3 } }],
    `CREATE TABLE dear AS SELECT * FROM prices WHERE price > 0;`,
    'DEAR',
  );
  assert.deepEqual(out, [{ key: 'a', value: '{"PRICE":1}' }, { key: 'a', value: '{"PRICE":3}' }]);
  const multi = await run(
    `CREATE TABLE t2 (a INT PRIMARY KEY, b INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t2', FORMAT='JSON', PARTITIONS=1);`,
    't2',
    [{ key: { A: null, B: 2 }, value: { V: 1 } }, { key: null, value: { V: 2 } }],
    `CREATE TABLE o2 AS SELECT * FROM t2;`,
    'O2',
  );
  assert.deepEqual(multi.map((r) => r.value), ['{"V":1}']);
});

test('a stream keeps records without a key; MAP keeps a NULL key; generated names skip source names', async () => {
  const out = await run(
    `CREATE STREAM s (KSQL_COL_1 INT KEY, k STRING, KSQL_COL_0 INT, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`,
    's',
    [{ key: null, value: { K: 'x', KSQL_COL_0: 5, V: 7 } }],
    `CREATE STREAM o AS SELECT KSQL_COL_1, MAP(k := v, CAST(NULL AS STRING) := 1) AS m, v + 1, ABS(v) FROM s;`,
    'O',
  );
  assert.equal(out.length, 1);
  assert.deepEqual(JSON.parse(out[0].value!), { M: { x: 7, null: 1 }, KSQL_COL_2: 8, KSQL_COL_3: 7 });
});

test("VALUE_DELIMITER 'SPACE' and 'TAB' read and write that character", async () => {
  for (const [word, ch] of [['SPACE', ' '], ['tab', '\t']]) {
    const out = await run(
      `CREATE STREAM d (id INT KEY, name STRING, n INT) WITH (KAFKA_TOPIC='d', VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='${word}', PARTITIONS=1);`,
      'd',
      [{ key: null, value: `zero${ch}0` }],
      `CREATE STREAM o AS SELECT id, name, n + 1 AS n FROM d;`,
      'O',
    );
    assert.deepEqual(out.map((r) => r.value), [`zero${ch}1`], word);
  }
});

test('PARTITION BY NULL: no key, the key columns move into the value', async () => {
  const out = await run(
    `CREATE STREAM s (id INT KEY, foo INT) WITH (KAFKA_TOPIC='s', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON', PARTITIONS=1);`,
    's',
    [{ key: null, value: { FOO: 1 } }],
    `CREATE STREAM o WITH (KEY_FORMAT='NONE') AS SELECT * FROM s PARTITION BY NULL;`,
    'O',
  );
  assert.deepEqual(out, [{ key: null, value: '{"FOO":1,"ID":null}' }]);
});

test('a tombstone re-keyed by ROWTIME (a value pseudo column in ksqlDB) gets a NULL key column', async () => {
  const out = await run(
    `CREATE STREAM s (k STRING KEY, id BIGINT) WITH (KAFKA_TOPIC='s', FORMAT='JSON', PARTITIONS=1);`,
    's',
    [{ key: null, value: { ID: 5 } }, { key: null, value: null }],
    `CREATE STREAM o AS SELECT * FROM s PARTITION BY id, ROWTIME, 'x';`,
    'O',
  );
  assert.deepEqual(out.map((r) => r.key), ['{"ID":5,"ROWTIME":0,"KSQL_COL_0":"x"}', '{"ID":null,"ROWTIME":null,"KSQL_COL_0":"x"}']);
});

test("SET 'ksql.output.topic.name.prefix' prefixes a sink's default topic, not a KAFKA_TOPIC given", async () => {
  const setup = `SET 'ksql.output.topic.name.prefix' = 'team-';
    CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`;
  const out = await run(setup, 's', [{ key: 'a', value: { V: 1 } }], `CREATE STREAM o AS SELECT * FROM s;`, 'team-O');
  assert.deepEqual(out, [{ key: 'a', value: '{"V":1}' }]);
  const named = await run(setup, 's', [{ key: 'a', value: { V: 1 } }], `CREATE STREAM o WITH (KAFKA_TOPIC='exact') AS SELECT * FROM s;`, 'exact');
  assert.equal(named.length, 1);
});

test("SET 'ksql.new.query.planner.enabled' = 'true': a projection without the key makes a keyless stream", async () => {
  const out = await run(
    `SET 'ksql.new.query.planner.enabled' = 'true';
     CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`,
    's',
    [{ key: null, value: { NAME: 'a' } }],
    `CREATE STREAM o AS SELECT name FROM s;`,
    'O',
  );
  assert.deepEqual(out, [{ key: null, value: '{"NAME":"a"}' }]);
  await assert.rejects(
    run(`CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`, 's', [], `CREATE STREAM o AS SELECT name FROM s;`, 'O'),
    /Key missing from projection/,
  );
});

test('a FULL OUTER join whose sources use ROWKEY names its synthetic key after them (ROWKEY_2)', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE TABLE l (ROWKEY INT PRIMARY KEY, a INT) WITH (KAFKA_TOPIC='l', FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE r (ROWKEY_1 INT PRIMARY KEY, b INT) WITH (KAFKA_TOPIC='r', FORMAT='JSON', PARTITIONS=1);`);
    await t.log.producer().send('l', [{ key: enc(1), value: enc({ A: 10 }), timestamp: 0 }]);
    await t.engine.execute(`CREATE TABLE o AS SELECT ROWKEY_2, l.ROWKEY, a, b FROM l FULL OUTER JOIN r ON l.ROWKEY = r.ROWKEY_1;`);
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'O')).map((r) => [dec(r.key), dec(r.value)]);
    assert.deepEqual(out, [['1', '{"ROWKEY":1,"A":10,"B":null}']]);
    await assert.rejects(t.engine.execute(`CREATE TABLE o2 AS SELECT l.ROWKEY, a, b FROM l FULL OUTER JOIN r ON l.ROWKEY = r.ROWKEY_1;`), /ROWKEY_2/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('n-way join: only the last join decides the key; after a foreign-key join, a primary-key join lets its own columns be the key', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE TABLE a (id BIGINT PRIMARY KEY, fk BIGINT) WITH (KAFKA_TOPIC='a', FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE b (id BIGINT PRIMARY KEY, x STRING) WITH (KAFKA_TOPIC='b', FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE c (id BIGINT PRIMARY KEY, y STRING) WITH (KAFKA_TOPIC='c', FORMAT='JSON', PARTITIONS=1);`);
    await t.engine.execute(`CREATE TABLE ok AS SELECT c.id AS cid, x, y FROM a JOIN b ON a.fk = b.id LEFT JOIN c ON a.id = c.id;`);
    await assert.rejects(
      t.engine.execute(`CREATE TABLE bad AS SELECT b.id AS bid, x FROM a JOIN b ON a.fk = b.id;`),
      /Primary key column missing in projection/,
    );
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('windowed streams join window by window; the result is windowed, WINDOWSTART / WINDOWEND are its window', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM a (k STRING KEY, x INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', WINDOW_TYPE='SESSION', PARTITIONS=1);
      CREATE STREAM b (k STRING KEY, y INT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', WINDOW_TYPE='SESSION', PARTITIONS=1);`);
    const { encodeWindowedKey, decodeWindowedKey } = await import('../../src/serde/windowed-key.ts');
    const key = (start: number, end: number) => Buffer.from(encodeWindowedKey(enc('u'), t.engine.catalog.getSource('A')!.window!, start, end));
    await t.log.producer().send('a', [{ key: key(100, 500), value: enc({ X: 1 }), timestamp: 500 }]);
    await t.log.producer().send('b', [
      { key: key(100, 400), value: enc({ Y: 2 }), timestamp: 400 },
      { key: key(100, 500), value: enc({ Y: 3 }), timestamp: 500 },
    ]);
    await t.engine.execute(`CREATE STREAM j AS SELECT a.k, x, y, a.WINDOWSTART AS ws, b.WINDOWEND AS we FROM a JOIN b WITHIN 1 MINUTE ON a.k = b.k;`);
    await t.engine.runUntilIdle();
    const out = await readTopic(t.log, 'J');
    assert.deepEqual(out.map((r) => JSON.parse(dec(r.value)!)), [{ X: 1, Y: 3, WS: 100, WE: 500 }], 'only the same session matches');
    assert.equal(t.engine.catalog.getSource('J')?.window?.kind, 'SESSION');
    assert.deepEqual(out.map((r) => r.key && decodeWindowedKey(r.key, t.engine.catalog.getSource('J')!.window!)?.start), [100]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('a windowed aggregation over a join cannot select an unqualified window bound (each side has one), as in ksqlDB', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM a (id VARCHAR, col1 VARCHAR) WITH (kafka_topic='a', value_format='JSON', partitions=1);
      CREATE TABLE b (id VARCHAR PRIMARY KEY, col1 VARCHAR) WITH (kafka_topic='b', value_format='JSON', partitions=1);`);
    for (const bound of ['WINDOWSTART', 'WINDOWEND']) {
      await assert.rejects(
        t.engine.execute(`CREATE TABLE c AS SELECT a.id, COUNT(*), ${bound} AS w FROM a JOIN b ON a.id = b.id WINDOW TUMBLING (SIZE 10 MILLISECONDS) GROUP BY a.id;`),
        (e: unknown) => e instanceof SqlError && e.message.includes(`SELECT column '${bound}' cannot be resolved.`),
      );
    }
    // Without the bounds the same aggregation is fine.
    await t.engine.execute('CREATE TABLE c AS SELECT a.id, COUNT(*) AS n FROM a JOIN b ON a.id = b.id WINDOW TUMBLING (SIZE 10 MILLISECONDS) GROUP BY a.id;');
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
