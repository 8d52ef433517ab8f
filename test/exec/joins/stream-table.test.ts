/**
 * Stream-table joins: each stream record joins the table row of its key as of the record — the
 * table's updates and tombstones before it count, later ones do not. The table side never emits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness, type Harness } from './fixtures/harness.ts';

const DDL = `CREATE STREAM clicks (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE users (id STRING PRIMARY KEY, name STRING, level INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM enriched AS SELECT c.user AS user, c.page AS page, u.name AS name, u.level AS level FROM clicks c LEFT JOIN users u ON c.user = u.id;
CREATE STREAM matched AS SELECT c.user AS user, c.page AS page, u.name AS name FROM clicks c JOIN users u ON c.user = u.id;`;

/** Input in time order: [topic, key, value, ts]. Users a and b; a is created, updated, deleted, re-created. */
const INPUT: [string, string, Record<string, unknown> | null, number][] = [
  ['clicks', 'a', { PAGE: 'p1' }, 1000], // before a exists
  ['users', 'a', { NAME: 'Ann', LEVEL: 1 }, 2000],
  ['clicks', 'a', { PAGE: 'p2' }, 3000],
  ['users', 'b', { NAME: 'Bob', LEVEL: 7 }, 3500],
  ['users', 'a', { NAME: 'Anna', LEVEL: 2 }, 4000],
  ['clicks', 'a', { PAGE: 'p3' }, 5000],
  ['clicks', 'b', { PAGE: 'p4' }, 5500],
  ['users', 'a', null, 6000], // tombstone
  ['clicks', 'a', { PAGE: 'p5' }, 7000],
  ['users', 'a', { NAME: 'Annie', LEVEL: 3 }, 8000],
  ['users', 'b', null, 8500],
  ['clicks', 'a', { PAGE: 'p6' }, 9000],
  ['clicks', 'b', { PAGE: 'p7' }, 9500],
  ['clicks', 'c', { PAGE: 'p8' }, 9800], // never a user
];

const ENRICHED = [
  { key: 'a', value: { PAGE: 'p1', NAME: null, LEVEL: null }, ts: 1000 },
  { key: 'a', value: { PAGE: 'p2', NAME: 'Ann', LEVEL: 1 }, ts: 3000 },
  { key: 'a', value: { PAGE: 'p3', NAME: 'Anna', LEVEL: 2 }, ts: 5000 },
  { key: 'b', value: { PAGE: 'p4', NAME: 'Bob', LEVEL: 7 }, ts: 5500 },
  { key: 'a', value: { PAGE: 'p5', NAME: null, LEVEL: null }, ts: 7000 },
  { key: 'a', value: { PAGE: 'p6', NAME: 'Annie', LEVEL: 3 }, ts: 9000 },
  { key: 'b', value: { PAGE: 'p7', NAME: null, LEVEL: null }, ts: 9500 },
  { key: 'c', value: { PAGE: 'p8', NAME: null, LEVEL: null }, ts: 9800 },
];
const MATCHED = ENRICHED.filter((o) => o.value.NAME !== null).map((o) => ({ key: o.key, value: { PAGE: o.value.PAGE, NAME: o.value.NAME }, ts: o.ts }));

async function check(h: Harness): Promise<void> {
  // One output per stream record, with the stream record's key and time; table changes emit nothing.
  assert.deepEqual(await h.read('ENRICHED'), ENRICHED);
  assert.deepEqual(await h.read('MATCHED'), MATCHED);
}

test('stream-table LEFT join: each stream record sees the table as of its arrival (updates and tombstones in between)', async () => {
  await withHarness(async (h) => {
    await h.execute(DDL);
    for (const [topic, key, value, ts] of INPUT) await h.send(topic, key, value, ts);
    await check(h);
  });
});

test(
  'stream-table LEFT join with all input already in the log: the record times decide what each stream record sees',
  async () => {
    await withHarness(async (h) => {
      await h.execute(DDL);
      for (const topic of ['clicks', 'users']) await h.append(topic, INPUT.filter((r) => r[0] === topic).map(([, k, v, ts]) => [k, v, ts]));
      await h.run();
      await check(h);
    });
  },
);

test('stream-table join on a value column: the join key is the output key; a stream record without a table row is padded by LEFT, dropped by INNER', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM orders (id STRING KEY, cust STRING) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE customers (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM o_left AS SELECT o.cust AS cust, o.id AS oid, c.name AS name FROM orders o LEFT JOIN customers c ON o.cust = c.id;
      CREATE STREAM o_inner AS SELECT o.cust AS cust, o.id AS oid, c.name AS name FROM orders o JOIN customers c ON o.cust = c.id;`);
    await h.send('customers', 'c1', { NAME: 'Ann' }, 1);
    await h.send('orders', 'o1', { CUST: 'c1' }, 2);
    await h.send('orders', 'o3', { CUST: 'c9' }, 4);
    await h.send('customers', 'c9', { NAME: 'Ida' }, 5);
    await h.send('orders', 'o4', { CUST: 'c9' }, 6);
    // The join key (o.cust) is the output key.
    assert.deepEqual(await h.read('O_LEFT'), [
      { key: 'c1', value: { OID: 'o1', NAME: 'Ann' }, ts: 2 },
      { key: 'c9', value: { OID: 'o3', NAME: null }, ts: 4 },
      { key: 'c9', value: { OID: 'o4', NAME: 'Ida' }, ts: 6 },
    ]);
    assert.deepEqual(await h.read('O_INNER'), [
      { key: 'c1', value: { OID: 'o1', NAME: 'Ann' }, ts: 2 },
      { key: 'c9', value: { OID: 'o4', NAME: 'Ida' }, ts: 6 },
    ]);
  });
});
