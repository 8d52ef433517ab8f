/**
 * Table-table joins: every change on either side re-emits the join results it affects (Kafka
 * Streams' KTable-KTable join): a result that exists is written, one that disappears becomes a
 * tombstone; a result carries the later of its two rows' times (a tombstone, its trigger's).
 * - FULL OUTER: a row without a partner is padded with nulls; the key goes away only when both
 *   sides are gone;
 * - foreign key (`ON left.fk = right.pk`): a right change updates every left row referencing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness, type Harness } from './fixtures/harness.ts';

const TABLES = `CREATE TABLE lt (id STRING PRIMARY KEY, x INT) WITH (KAFKA_TOPIC='lt', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE rt (id STRING PRIMARY KEY, y INT) WITH (KAFKA_TOPIC='rt', VALUE_FORMAT='JSON', PARTITIONS=1);`;

test('table-table FULL OUTER join: null-padded rows while one side is missing, a tombstone once both sides are gone', async () => {
  await withHarness(async (h) => {
    await h.execute(TABLES + `CREATE TABLE fo AS SELECT ROWKEY AS k, lt.x AS x, rt.y AS y FROM lt FULL OUTER JOIN rt ON lt.id = rt.id;`);
    await h.send('lt', 'a', { X: 1 }, 1000); // left only
    await h.send('rt', 'a', { Y: 2 }, 2000); // both
    await h.send('rt', 'b', { Y: 3 }, 3000); // right only
    await h.send('lt', 'a', { X: 4 }, 4000); // left update
    await h.send('rt', 'c', null, 5000); // tombstone for a key never seen: nothing
    await h.send('lt', 'd', { X: 5 }, 6000);
    await h.send('lt', 'd', null, 7000); // d gone from both sides
    await h.send('rt', 'b', null, 8000); // b gone from both sides
    assert.deepEqual(await h.read('FO'), [
      { key: 'a', value: { X: 1, Y: null }, ts: 1000 },
      { key: 'a', value: { X: 1, Y: 2 }, ts: 2000 },
      { key: 'b', value: { X: null, Y: 3 }, ts: 3000 },
      { key: 'a', value: { X: 4, Y: 2 }, ts: 4000 },
      { key: 'd', value: { X: 5, Y: null }, ts: 6000 },
      { key: 'd', value: null, ts: 7000 },
      { key: 'b', value: null, ts: 8000 },
    ]);
  });
});

test(
  'table-table FULL OUTER join: deleting one side of a joined row leaves the other side, padded; deleting both leaves a tombstone',
  async () => {
    await withHarness(async (h) => {
      await h.execute(
        TABLES +
          `CREATE TABLE fo AS SELECT ROWKEY AS k, lt.x AS x, rt.y AS y FROM lt FULL OUTER JOIN rt ON lt.id = rt.id;
           CREATE TABLE rj AS SELECT rt.id AS id, lt.x AS x, rt.y AS y FROM lt RIGHT JOIN rt ON lt.id = rt.id;`,
      );
      await h.send('lt', 'a', { X: 1 }, 1000);
      await h.send('rt', 'a', { Y: 2 }, 2000);
      await h.send('lt', 'b', { X: 3 }, 3000);
      await h.send('rt', 'b', { Y: 4 }, 4000);
      await h.send('lt', 'a', null, 5000); // a: right side remains
      await h.send('rt', 'a', null, 6000); // a: both gone
      await h.send('rt', 'b', null, 7000); // b: left side remains
      await h.send('lt', 'b', null, 8000); // b: both gone
      assert.deepEqual(await h.read('FO'), [
        { key: 'a', value: { X: 1, Y: null }, ts: 1000 },
        { key: 'a', value: { X: 1, Y: 2 }, ts: 2000 },
        { key: 'b', value: { X: 3, Y: null }, ts: 3000 },
        { key: 'b', value: { X: 3, Y: 4 }, ts: 4000 },
        { key: 'a', value: { X: null, Y: 2 }, ts: 5000 },
        { key: 'a', value: null, ts: 6000 },
        { key: 'b', value: { X: 3, Y: null }, ts: 7000 },
        { key: 'b', value: null, ts: 8000 },
      ]);
      // RIGHT: the same rule for the right side's rows.
      assert.deepEqual(await h.read('RJ'), [
        { key: 'a', value: { X: 1, Y: 2 }, ts: 2000 },
        { key: 'b', value: { X: 3, Y: 4 }, ts: 4000 },
        { key: 'a', value: { X: null, Y: 2 }, ts: 5000 },
        { key: 'a', value: null, ts: 6000 },
        { key: 'b', value: null, ts: 7000 },
      ]);
    });
  },
);

test('table-table INNER and LEFT joins on the primary key: updates on either side, deletes', async () => {
  await withHarness(async (h) => {
    await h.execute(
      TABLES +
        `CREATE TABLE ij AS SELECT lt.id AS id, lt.x AS x, rt.y AS y FROM lt JOIN rt ON lt.id = rt.id;
         CREATE TABLE lj AS SELECT lt.id AS id, lt.x AS x, rt.y AS y FROM lt LEFT JOIN rt ON lt.id = rt.id;`,
    );
    await h.send('lt', 'a', { X: 1 }, 1000);
    await h.send('rt', 'a', { Y: 2 }, 2000);
    await h.send('rt', 'a', { Y: 3 }, 3000);
    await h.send('rt', 'a', null, 4000);
    await h.send('rt', 'a', { Y: 5 }, 5000);
    await h.send('lt', 'a', null, 6000);
    await h.send('rt', 'a', { Y: 6 }, 7000); // no left row: nothing
    assert.deepEqual(await h.read('IJ'), [
      { key: 'a', value: { X: 1, Y: 2 }, ts: 2000 },
      { key: 'a', value: { X: 1, Y: 3 }, ts: 3000 },
      { key: 'a', value: null, ts: 4000 },
      { key: 'a', value: { X: 1, Y: 5 }, ts: 5000 },
      { key: 'a', value: null, ts: 6000 },
    ]);
    assert.deepEqual(await h.read('LJ'), [
      { key: 'a', value: { X: 1, Y: null }, ts: 1000 },
      { key: 'a', value: { X: 1, Y: 2 }, ts: 2000 },
      { key: 'a', value: { X: 1, Y: 3 }, ts: 3000 },
      { key: 'a', value: { X: 1, Y: null }, ts: 4000 },
      { key: 'a', value: { X: 1, Y: 5 }, ts: 5000 },
      { key: 'a', value: null, ts: 6000 },
    ]);
  });
});

const FK = `CREATE TABLE orders (id STRING PRIMARY KEY, cust STRING, amount INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE customers (cid STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE oc AS SELECT o.id AS id, o.amount AS amount, c.name AS name FROM orders o JOIN customers c ON o.cust = c.cid;
CREATE TABLE ocl AS SELECT o.id AS id, o.amount AS amount, c.name AS name FROM orders o LEFT JOIN customers c ON o.cust = c.cid;`;

async function fkScenario(h: Harness): Promise<void> {
  await h.execute(FK);
  await h.send('customers', 'c1', { NAME: 'Ann' }, 1000);
  await h.send('customers', 'c2', { NAME: 'Bob' }, 2000);
  await h.send('orders', 'o1', { CUST: 'c1', AMOUNT: 10 }, 3000);
  await h.send('orders', 'o2', { CUST: 'c1', AMOUNT: 20 }, 4000);
  await h.send('orders', 'o3', { CUST: 'c2', AMOUNT: 30 }, 5000);
  await h.send('orders', 'o4', { CUST: 'c9', AMOUNT: 40 }, 5500); // no such customer (yet)
  await h.send('customers', 'c1', { NAME: 'Anna' }, 6000); // o1 and o2 follow, o3 does not
  await h.send('orders', 'o2', { CUST: 'c2', AMOUNT: 21 }, 7000); // o2 moves to c2
  await h.send('customers', 'c2', { NAME: 'Bobby' }, 8000); // o3 and o2 follow
  await h.send('customers', 'c1', null, 9000); // o1 loses its customer
  await h.send('orders', 'o3', null, 10_000);
  await h.send('customers', 'c9', { NAME: 'Ida' }, 11_000); // o4 finds its customer
}

test('foreign-key table-table join: a right change updates every left row that references it, and only those', async () => {
  await withHarness(async (h) => {
    await fkScenario(h);
    assert.deepEqual(await h.read('OC'), [
      { key: 'o1', value: { AMOUNT: 10, NAME: 'Ann' }, ts: 3000 },
      { key: 'o2', value: { AMOUNT: 20, NAME: 'Ann' }, ts: 4000 },
      { key: 'o3', value: { AMOUNT: 30, NAME: 'Bob' }, ts: 5000 },
      { key: 'o1', value: { AMOUNT: 10, NAME: 'Anna' }, ts: 6000 },
      { key: 'o2', value: { AMOUNT: 20, NAME: 'Anna' }, ts: 6000 },
      { key: 'o2', value: { AMOUNT: 21, NAME: 'Bob' }, ts: 7000 },
      { key: 'o3', value: { AMOUNT: 30, NAME: 'Bobby' }, ts: 8000 },
      { key: 'o2', value: { AMOUNT: 21, NAME: 'Bobby' }, ts: 8000 },
      { key: 'o1', value: null, ts: 9000 },
      { key: 'o3', value: null, ts: 10_000 },
      { key: 'o4', value: { AMOUNT: 40, NAME: 'Ida' }, ts: 11_000 },
    ]);
    assert.deepEqual(await h.read('OCL'), [
      { key: 'o1', value: { AMOUNT: 10, NAME: 'Ann' }, ts: 3000 },
      { key: 'o2', value: { AMOUNT: 20, NAME: 'Ann' }, ts: 4000 },
      { key: 'o3', value: { AMOUNT: 30, NAME: 'Bob' }, ts: 5000 },
      { key: 'o4', value: { AMOUNT: 40, NAME: null }, ts: 5500 },
      { key: 'o1', value: { AMOUNT: 10, NAME: 'Anna' }, ts: 6000 },
      { key: 'o2', value: { AMOUNT: 20, NAME: 'Anna' }, ts: 6000 },
      { key: 'o2', value: { AMOUNT: 21, NAME: 'Bob' }, ts: 7000 },
      { key: 'o3', value: { AMOUNT: 30, NAME: 'Bobby' }, ts: 8000 },
      { key: 'o2', value: { AMOUNT: 21, NAME: 'Bobby' }, ts: 8000 },
      { key: 'o1', value: { AMOUNT: 10, NAME: null }, ts: 9000 },
      { key: 'o3', value: null, ts: 10_000 },
      { key: 'o4', value: { AMOUNT: 40, NAME: 'Ida' }, ts: 11_000 },
    ]);
  });
});

test('foreign-key join with many referencing rows: one customer change updates all of them, once each', async () => {
  await withHarness(async (h) => {
    await h.execute(FK);
    await h.send('customers', 'c1', { NAME: 'Ann' }, 1000);
    await h.send('customers', 'c2', { NAME: 'Bob' }, 1000);
    const orders: [string, { CUST: string; AMOUNT: number }, number][] = [];
    for (let i = 0; i < 300; i++) orders.push([`o${i}`, { CUST: i % 3 === 0 ? 'c2' : 'c1', AMOUNT: i }, 2000 + i]);
    await h.append('orders', orders);
    await h.run();
    const before = (await h.read('OC')).length;
    assert.equal(before, 300);
    await h.send('customers', 'c1', { NAME: 'Anna' }, 5000);
    const updates = (await h.read('OC')).slice(before);
    assert.deepEqual(
      updates.map((o) => o.key).sort(),
      orders.filter(([, v]) => v.CUST === 'c1').map(([k]) => k).sort(),
      'every order of c1, once',
    );
    for (const o of updates) assert.deepEqual({ name: o.value?.NAME, ts: o.ts }, { name: 'Anna', ts: 5000 });
  });
});
