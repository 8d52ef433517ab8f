/**
 * Repartitioning: GROUP BY, joins and OVER on something other than the record key give, over
 * topics with several partitions, the same final results as over a single partition (the oracle
 * here: the same statements with PARTITIONS=1), because rows are re-keyed through an internal
 * topic first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir, readTopic, text } from './helpers.ts';

/** Runs `sql` (with {P} replaced by the partition count) and returns the records of `topic` as [key, value]. */
async function records(partitions: number, sql: string, topic: string): Promise<[string | null, string | null][]> {
  const t = await testEngine();
  try {
    await t.engine.execute(sql.replaceAll('{P}', String(partitions)));
    await t.engine.runUntilIdle();
    return (await readTopic(t.log, topic)).map((r) => [text(r.key), text(r.value)]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

/** The last value per key of `topic` (tombstoned keys left out). */
async function finalState(partitions: number, sql: string, topic: string): Promise<Map<string | null, string | null>> {
  const t = await testEngine();
  try {
    await t.engine.execute(sql.replaceAll('{P}', String(partitions)));
    await t.engine.runUntilIdle();
    const last = new Map<string | null, string | null>();
    for (const r of await readTopic(t.log, topic)) last.set(text(r.key), text(r.value));
    for (const [k, v] of [...last]) if (v === null) last.delete(k);
    return last;
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

const sorted = (m: Map<string | null, string | null>) => [...m].sort((a, b) => String(a[0]).localeCompare(String(b[0])));

async function sameAsSinglePartition(sql: string, topic: string): Promise<Map<string | null, string | null>> {
  const one = await finalState(1, sql, topic);
  const four = await finalState(4, sql, topic);
  assert.ok(one.size > 0, 'the oracle run produced rows');
  assert.deepEqual(sorted(four), sorted(one));
  return four;
}

const inserts = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');

test('GROUP BY a non-key column over 4 partitions counts every record once per group', async () => {
  const sql = `
    CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(60, (i) => `INSERT INTO readings (id, temp, site) VALUES ('k${i}', ${i}, 'site${i % 3}');`)}
    CREATE TABLE by_site AS SELECT site, COUNT(*) AS n, SUM(temp) AS total FROM readings GROUP BY site;`;
  const out = await sameAsSinglePartition(sql, 'BY_SITE');
  assert.deepEqual(JSON.parse(out.get('site0')!), { N: 20, TOTAL: 570 });
});

test('windowed GROUP BY a non-key column over 4 partitions', async () => {
  const sql = `
    CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(40, (i) => `INSERT INTO readings (id, temp, site, ROWTIME) VALUES ('k${i}', ${i}, 'site${i % 2}', ${i * 1000});`)}
    CREATE TABLE per_window AS SELECT site, COUNT(*) AS n FROM readings WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY site;`;
  const out = await sameAsSinglePartition(sql, 'PER_WINDOW');
  assert.equal(out.size, 8); // 2 sites × 4 windows
  for (const v of out.values()) assert.deepEqual(JSON.parse(v!), { N: 5 });
});

test('GROUP BY over a table retracts a row from its old group when it moves to a group in another partition', async () => {
  const sql = `
    CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(30, (i) => `INSERT INTO users (id, region, score) VALUES ('u${i}', 'r${i % 5}', ${i});`)}
    ${inserts(30, (i) => `INSERT INTO users (id, region, score) VALUES ('u${i}', 'r${(i + 1) % 3}', ${i * 2});`)}
    CREATE TABLE per_region AS SELECT region, COUNT(*) AS n, SUM(score) AS total FROM users GROUP BY region;`;
  const out = await sameAsSinglePartition(sql, 'PER_REGION');
  // Every user moved: r3 and r4 end empty (count 0), r0..r2 hold 10 users each.
  let users = 0;
  for (const v of out.values()) users += (JSON.parse(v!) as { N: number }).N;
  assert.equal(users, 30);
});

test('stream-table join on a stream column that is not its key, over 4 partitions', async () => {
  const sql = `
    CREATE TABLE sites (site STRING PRIMARY KEY, country STRING) WITH (KAFKA_TOPIC='sites', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(6, (i) => `INSERT INTO sites (site, country, ROWTIME) VALUES ('site${i}', 'c${i}', 0);`)}
    CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(30, (i) => `INSERT INTO readings (id, temp, site, ROWTIME) VALUES ('k${i}', ${i}, 'site${i % 6}', ${100000 + i});`)}
    CREATE STREAM enriched AS SELECT r.site AS site, r.id AS id, r.temp, s.country FROM readings r JOIN sites s ON r.site = s.site;`;
  // A stream: every joined record, not the last per key, must match the single-partition run.
  const order = (rs: [string | null, string | null][]) => rs.map((r) => JSON.stringify(r)).sort();
  const one = await records(1, sql, 'ENRICHED');
  const four = await records(4, sql, 'ENRICHED');
  assert.equal(one.length, 30);
  assert.deepEqual(order(four), order(one));
  assert.ok(four.some(([k, v]) => k === 'site1' && JSON.parse(v!).TEMP === 7 && JSON.parse(v!).COUNTRY === 'c1'));
});

test('stream-stream join on non-key columns of both sides, over 4 partitions', async () => {
  const sql = `
    CREATE STREAM orders (oid STRING KEY, customer STRING, amount INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS={P});
    CREATE STREAM payments (pid STRING KEY, customer STRING, paid INT) WITH (KAFKA_TOPIC='payments', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(12, (i) => `INSERT INTO orders (oid, customer, amount, ROWTIME) VALUES ('o${i}', 'c${i}', ${i}, ${1000 + i});`)}
    ${inserts(12, (i) => `INSERT INTO payments (pid, customer, paid, ROWTIME) VALUES ('p${i}', 'c${i}', ${i * 10}, ${1500 + i});`)}
    CREATE STREAM matched AS SELECT o.customer AS customer, o.amount, p.paid FROM orders o JOIN payments p WITHIN 1 MINUTE ON o.customer = p.customer;`;
  const out = await sameAsSinglePartition(sql, 'MATCHED');
  assert.equal(out.size, 12);
  assert.deepEqual(JSON.parse(out.get('c5')!), { AMOUNT: 5, PAID: 50 });
});

test('three-way join whose second join key comes from the first join\'s right side, over 4 partitions', async () => {
  const sql = `
    CREATE TABLE users (id STRING PRIMARY KEY, region STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS={P});
    CREATE TABLE regions (name STRING PRIMARY KEY, country STRING) WITH (KAFKA_TOPIC='regions', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(12, (i) => `INSERT INTO users (id, region, ROWTIME) VALUES ('u${i}', 'r${i % 4}', 0);`)}
    ${inserts(4, (i) => `INSERT INTO regions (name, country, ROWTIME) VALUES ('r${i}', 'c${i}', 0);`)}
    CREATE STREAM clicks (cid STRING KEY, user STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(36, (i) => `INSERT INTO clicks (cid, user, ROWTIME) VALUES ('k${i}', 'u${i % 12}', ${1000 + i});`)}
    CREATE STREAM three AS SELECT c.cid AS cid, u.region AS region, r.country AS country FROM clicks c JOIN users u ON c.user = u.id JOIN regions r ON u.region = r.name;`;
  const order = (rs: [string | null, string | null][]) => rs.map((r) => JSON.stringify([r[1]])).sort();
  const one = await records(1, sql, 'THREE');
  const four = await records(4, sql, 'THREE');
  assert.equal(one.length, 36);
  assert.deepEqual(order(four), order(one));
});

test('foreign-key table-table join over 4 partitions: the right table goes to every partition', async () => {
  const sql = `
    CREATE TABLE customers (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON', PARTITIONS={P});
    CREATE TABLE orders (oid STRING PRIMARY KEY, customer STRING, amount INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(5, (i) => `INSERT INTO customers (id, name, ROWTIME) VALUES ('c${i}', 'name${i}', ${i});`)}
    ${inserts(20, (i) => `INSERT INTO orders (oid, customer, amount, ROWTIME) VALUES ('o${i}', 'c${i % 5}', ${i}, ${100 + i});`)}
    ${inserts(5, (i) => `INSERT INTO customers (id, name, ROWTIME) VALUES ('c${i}', 'renamed${i}', ${200 + i});`)}
    ${inserts(4, (i) => `INSERT INTO orders (oid, customer, amount, ROWTIME) VALUES ('o${i}', 'c${(i + 1) % 5}', ${i}, ${300 + i});`)}
    CREATE TABLE order_names AS SELECT o.oid AS oid, o.amount AS amount, c.name AS name FROM orders o JOIN customers c ON o.customer = c.id;`;
  const out = await sameAsSinglePartition(sql, 'ORDER_NAMES');
  assert.equal(out.size, 20);
  assert.deepEqual(JSON.parse(out.get('o0')!), { AMOUNT: 0, NAME: 'renamed1' });
  assert.deepEqual(JSON.parse(out.get('o7')!), { AMOUNT: 7, NAME: 'renamed2' });
});

test('running OVER (PARTITION BY a non-key column) over 4 partitions', async () => {
  const sql = `
    CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS={P});
    ${inserts(20, (i) => `INSERT INTO readings (id, temp, site, ROWTIME) VALUES ('k${i}', 1, 'site${i % 2}', ${i});`)}
    CREATE STREAM running AS SELECT id, site, SUM(temp) OVER (PARTITION BY site) AS n FROM readings;`;
  const out = await sameAsSinglePartition(sql, 'RUNNING');
  assert.deepEqual(JSON.parse(out.get('k19')!), { SITE: 'site1', N: 10 });
});

test('the plan shows the repartition; single-partition sources get none; mismatched joins are refused', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM many (id STRING KEY, site STRING) WITH (KAFKA_TOPIC='many', VALUE_FORMAT='JSON', PARTITIONS=3);
      CREATE STREAM one (id STRING KEY, site STRING) WITH (KAFKA_TOPIC='one', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE t2 (id STRING PRIMARY KEY, v STRING) WITH (KAFKA_TOPIC='t2', VALUE_FORMAT='JSON', PARTITIONS=2);
      CREATE TABLE a AS SELECT site, COUNT(*) AS n FROM many GROUP BY site;
      CREATE TABLE b AS SELECT site, COUNT(*) AS n FROM one GROUP BY site;
      CREATE TABLE c AS SELECT id, COUNT(*) AS n FROM many GROUP BY id;`);
    const plan = async (id: string) => {
      const [r] = await t.engine.execute(`EXPLAIN ${id};`);
      return JSON.stringify(r);
    };
    assert.match(await plan('CTAS_A_0'), /\[ REPARTITION \] Aggregate\/Repartition .*topic: default-CTAS_A_0-Aggregate_Repartition-repartition \(3 partitions\)/);
    assert.doesNotMatch(await plan('CTAS_B_1'), /REPARTITION/);
    assert.doesNotMatch(await plan('CTAS_C_2'), /REPARTITION/);
    const internal = await t.log.describeTopic('default-CTAS_A_0-Aggregate_Repartition-repartition');
    assert.equal(internal?.partitions, 3);
    assert.equal(internal?.config.retentionMs, -1, 'no time retention: replayed history carries old event times');
    await assert.rejects(
      t.engine.execute(`CREATE STREAM j AS SELECT * FROM many m JOIN t2 ON m.id = t2.id;`),
      /Can't join M with T2 since the number of partitions don't match/,
    );
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});


test('a push query grouping on a non-key column over 4 partitions: exact counts, and its topics go with it', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=4);
      ${inserts(40, (i) => `INSERT INTO readings (id, temp, site) VALUES ('k${i}', ${i}, 'site${i % 2}');`)}`);
    const before = (await t.log.listTopics()).map((d) => d.name).sort();
    const [r] = await t.engine.execute(`SELECT site, COUNT(*) AS n FROM readings GROUP BY site EMIT CHANGES LIMIT 40;`);
    assert.equal(r.kind, 'push');
    if (r.kind !== 'push') return;
    const last = new Map<unknown, unknown>();
    r.query.onRows = (rows) => {
      for (const row of rows) last.set(row.cols[0], row.cols[1]);
    };
    r.query.start();
    await r.query.done;
    assert.deepEqual([...last].sort(), [['site0', 20], ['site1', 20]]);
    assert.deepEqual((await t.log.listTopics()).map((d) => d.name).sort(), before, 'no repartition or changelog topic left behind');
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('a repartitioned GROUP BY resumes after a restart: the replayed plan reads its internal topic on, counts stay exact', async () => {
  const first = await testEngine();
  const dir = first.dir;
  try {
    await first.engine.execute(`CREATE STREAM readings (id STRING KEY, temp INT, site STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=4);
      ${inserts(30, (i) => `INSERT INTO readings (id, temp, site) VALUES ('k${i}', 1, 'site${i % 3}');`)}
      CREATE TABLE by_site AS SELECT site, COUNT(*) AS n FROM readings GROUP BY site;`);
    await first.engine.runUntilIdle();
  } finally {
    await first.close();
  }
  const second = await testEngine({}, dir);
  try {
    await second.engine.execute(inserts(30, (i) => `INSERT INTO readings (id, temp, site) VALUES ('j${i}', 1, 'site${i % 3}');`));
    await second.engine.runUntilIdle();
    const last = new Map<string | null, string | null>();
    for (const r of await readTopic(second.log, 'BY_SITE')) last.set(text(r.key), text(r.value));
    assert.deepEqual([...last].sort(), [['site0', '{"N":20}'], ['site1', '{"N":20}'], ['site2', '{"N":20}']]);
  } finally {
    await second.close();
    removeDir(dir);
  }
});
