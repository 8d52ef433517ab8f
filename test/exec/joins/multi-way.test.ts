/**
 * Three-way joins (left-deep: the second join takes the first one's output as its left side) and
 * joins on an expression rather than a column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness } from './fixtures/harness.ts';

test('three-way stream-table-table join: each table on its own key, INNER then LEFT', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM orders (id STRING KEY, cust STRING, prod STRING, qty INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE customers (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE products (id STRING PRIMARY KEY, price INT) WITH (KAFKA_TOPIC='products', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM full_orders AS SELECT o.cust AS cust, o.id AS oid, c.name AS name, p.id AS pid, p.price * o.qty AS total
        FROM orders o JOIN customers c ON o.cust = c.id LEFT JOIN products p ON o.prod = p.id;`);
    await h.send('customers', 'c1', { NAME: 'Ann' }, 1000);
    await h.send('products', 'p1', { PRICE: 5 }, 2000);
    await h.send('orders', 'o1', { CUST: 'c1', PROD: 'p1', QTY: 3 }, 3000);
    await h.send('orders', 'o2', { CUST: 'c1', PROD: 'p2', QTY: 1 }, 4000); // no such product: padded
    await h.send('orders', 'o3', { CUST: 'c2', PROD: 'p1', QTY: 1 }, 5000); // no such customer: dropped
    await h.send('products', 'p1', { PRICE: 7 }, 6000);
    await h.send('orders', 'o4', { CUST: 'c1', PROD: 'p1', QTY: 2 }, 7000);
    // The key is the last join's (ksqlDB's viable key columns: O.PROD, P.ID — the first join's
    // O.CUST is not equivalent to it), here the selected P.ID, which is the join key O.PROD also
    // for a padded row; O.CUST is a value column.
    assert.deepEqual(await h.read('FULL_ORDERS'), [
      { key: 'p1', value: { CUST: 'c1', OID: 'o1', NAME: 'Ann', TOTAL: 15 }, ts: 3000 },
      { key: 'p2', value: { CUST: 'c1', OID: 'o2', NAME: 'Ann', TOTAL: null }, ts: 4000 },
      { key: 'p1', value: { CUST: 'c1', OID: 'o4', NAME: 'Ann', TOTAL: 14 }, ts: 7000 },
    ]);
  });
});

test('three-way stream-stream-table join: a WITHIN join, then the table', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM a (k STRING KEY, x INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM b (k STRING KEY, y INT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE c (k STRING PRIMARY KEY, z INT) WITH (KAFKA_TOPIC='c', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM abc AS SELECT a.k AS k, a.x AS x, b.y AS y, c.z AS z FROM a JOIN b WITHIN 1 MINUTE ON a.k = b.k LEFT JOIN c ON a.k = c.k;`);
    await h.send('c', 'k1', { Z: 100 }, 1000);
    await h.send('a', 'k1', { X: 1 }, 2000);
    await h.send('b', 'k1', { Y: 2 }, 3000); // joins a@2000, then c
    await h.send('a', 'k2', { X: 5 }, 4000);
    await h.send('b', 'k2', { Y: 7 }, 5000); // no c row for k2
    await h.send('c', 'k1', { Z: 101 }, 6000);
    await h.send('a', 'k1', { X: 3 }, 7000); // joins b@3000, sees c as of now
    await h.send('b', 'k1', { Y: 9 }, 200_000); // too far from every a: nothing
    assert.deepEqual(await h.read('ABC'), [
      { key: 'k1', value: { X: 1, Y: 2, Z: 100 }, ts: 3000 },
      { key: 'k2', value: { X: 5, Y: 7, Z: null }, ts: 5000 },
      { key: 'k1', value: { X: 3, Y: 2, Z: 101 }, ts: 7000 },
    ]);
  });
});

test('three-way table-table-table join: a change in any table re-emits the joined row; a delete in the INNER side removes it', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE TABLE t1 (id STRING PRIMARY KEY, a INT) WITH (KAFKA_TOPIC='t1', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE t2 (id STRING PRIMARY KEY, b INT) WITH (KAFKA_TOPIC='t2', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE t3 (id STRING PRIMARY KEY, c INT) WITH (KAFKA_TOPIC='t3', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE t123 AS SELECT t1.id AS id, t1.a AS a, t2.b AS b, t3.c AS c FROM t1 JOIN t2 ON t1.id = t2.id LEFT JOIN t3 ON t1.id = t3.id;`);
    await h.send('t1', 'x', { A: 1 }, 1000);
    await h.send('t3', 'x', { C: 3 }, 2000); // t1 ⋈ t2 has no row yet
    await h.send('t2', 'x', { B: 2 }, 3000);
    await h.send('t3', 'x', { C: 4 }, 4000);
    await h.send('t1', 'x', { A: 5 }, 5000);
    await h.send('t3', 'x', null, 6000);
    await h.send('t2', 'x', null, 7000);
    await h.send('t3', 'x', { C: 8 }, 8000); // no t1 ⋈ t2 row: nothing
    assert.deepEqual(await h.read('T123'), [
      { key: 'x', value: { A: 1, B: 2, C: 3 }, ts: 3000 },
      { key: 'x', value: { A: 1, B: 2, C: 4 }, ts: 4000 },
      { key: 'x', value: { A: 5, B: 2, C: 4 }, ts: 5000 },
      { key: 'x', value: { A: 5, B: 2, C: null }, ts: 6000 },
      { key: 'x', value: null, ts: 7000 },
    ]);
  });
});

test('stream-stream join on an expression: ON a.x + 1 = b.y', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM a (k STRING KEY, x INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM b (k STRING KEY, y INT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM ex WITH (KEY_FORMAT='JSON') AS SELECT b.y AS y, a.k AS ak, a.x AS x, b.k AS bk FROM a JOIN b WITHIN 1 MINUTE ON a.x + 1 = b.y;`);
    await h.send('a', 'a1', { X: 1 }, 1000);
    await h.send('b', 'b1', { Y: 2 }, 2000); // 1 + 1 = 2: joins, whatever the record keys
    await h.send('a', 'a2', { X: 5 }, 3000);
    await h.send('b', 'b2', { Y: 5 }, 4000); // 5 + 1 ≠ 5
    await h.send('b', 'b3', { Y: 6 }, 5000); // joins a2
    await h.send('a', 'a3', { X: 1 }, 6000); // joins b1 (b before a)
    await h.send('a', 'a4', { X: null }, 7000); // null join key: never joins
    await h.send('b', 'b4', { Y: null }, 8000);
    // The selected right side of the condition (b.y) is the output key.
    assert.deepEqual(await h.read('EX'), [
      { key: '2', value: { AK: 'a1', X: 1, BK: 'b1' }, ts: 2000 },
      { key: '6', value: { AK: 'a2', X: 5, BK: 'b3' }, ts: 5000 },
      { key: '2', value: { AK: 'a3', X: 1, BK: 'b1' }, ts: 6000 },
    ]);
  });
});

test('stream-table join on an expression of the stream: ON CONCAT(...) = table primary key', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM orders (id STRING KEY, n INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE customers (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM named AS SELECT c.id AS cid, o.id AS oid, c.name AS name FROM orders o JOIN customers c ON CONCAT('c', CAST(o.n + 1 AS STRING)) = c.id;`);
    await h.send('customers', 'c2', { NAME: 'Ann' }, 1000);
    await h.send('orders', 'o1', { N: 1 }, 2000);
    await h.send('orders', 'o2', { N: 2 }, 3000);
    assert.deepEqual(await h.read('NAMED'), [{ key: 'c2', value: { OID: 'o1', NAME: 'Ann' }, ts: 2000 }]);
  });
});
