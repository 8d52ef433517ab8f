/**
 * Rows out of each plan step (src/exec/step-rows.ts), keyed by the names EXPLAIN shows: a filter
 * passes some of its input, an aggregation after a repartition counts what it emits, and a join
 * over three sources counts each source and each join's own rows (not the rows of later join
 * inputs passing through it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from '../engine/helpers.ts';

const enc = new TextEncoder();
const rec = (key: string | null, value: object, timestamp: number) => ({ key: key === null ? null : enc.encode(key), value: enc.encode(JSON.stringify(value)), timestamp });

function stepNames(explain: string): string[] {
  return [...explain.matchAll(/> \[ [A-Z_]+ \] (\S+)/g)].map((m) => m[1]);
}

test('filter and project: source, filter, project and sink counted; names as EXPLAIN shows', async () => {
  const t = await testEngine();
  try {
    const e = t.engine;
    await e.execute("CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');");
    await e.execute('CREATE STREAM big AS SELECT id, v * 2 AS w FROM s WHERE v > 10;');
    await t.log.producer().send('s', [1, 20, 30, 5, 40].map((v, i) => rec('k', { V: v }, i)).concat([{ key: null, value: enc.encode('not json'), timestamp: 9 }]));
    await e.runUntilIdle();
    const [id, task] = [...e.tasks.entries()][0];
    const [explain] = await e.execute(`EXPLAIN ${id};`);
    const names = stepNames(explain.kind === 'text' ? explain.text : '');
    assert.deepEqual(Object.keys(task.stepRows.snapshot()).sort(), [...names].sort());
    // 6 records, one undecodable: 5 source rows, 3 pass the filter, 3 projected and written
    assert.deepEqual(task.stepRows.snapshot(), { 'Source/S': 5, WhereFilter: 3, Project: 3, 'Sink/BIG': 3 });
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('GROUP BY after a repartition: the repartition counts the rows it took, the aggregate what it emitted', async () => {
  const t = await testEngine();
  try {
    const e = t.engine;
    await e.execute("CREATE STREAM s (id STRING KEY, g STRING, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=2, VALUE_FORMAT='JSON');");
    await e.execute('CREATE TABLE sums AS SELECT g, SUM(v) AS total FROM s GROUP BY g;');
    await t.log.producer().send('s', ['a', 'b', 'a', 'c'].map((g, i) => rec(`k${i}`, { G: g, V: i }, i)));
    await e.runUntilIdle();
    const task = [...e.tasks.values()][0];
    const counts = task.stepRows.snapshot();
    const repartition = Object.keys(counts).find((n) => /Repartition/i.test(n));
    assert.ok(repartition, JSON.stringify(counts));
    assert.equal(counts['Source/S'], 4);
    assert.equal(counts[repartition], 4);
    assert.equal(counts.Aggregate, 4, JSON.stringify(counts));
    assert.equal(counts['Sink/SUMS'], counts.Project);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('three-way join: each source and each join counts its own rows only', async () => {
  const t = await testEngine();
  try {
    const e = t.engine;
    for (const n of ['a', 'b', 'c']) await e.execute(`CREATE TABLE ${n} (id STRING PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='${n}', PARTITIONS=1, VALUE_FORMAT='JSON');`);
    await e.execute('CREATE TABLE abc AS SELECT a.id AS id, a.v AS av, b.v AS bv, c.v AS cv FROM a JOIN b ON a.id = b.id JOIN c ON a.id = c.id;');
    const p = t.log.producer();
    await p.send('a', [rec('1', { V: 1 }, 1), rec('2', { V: 2 }, 2)]);
    await p.send('b', [rec('1', { V: 10 }, 3)]);
    await p.send('c', [rec('1', { V: 100 }, 4), rec('3', { V: 300 }, 5), rec('4', { V: 400 }, 6)]);
    await e.runUntilIdle();
    const [id, task] = [...e.tasks.entries()][0];
    const counts = task.stepRows.snapshot();
    const [explain] = await e.execute(`EXPLAIN ${id};`);
    const names = stepNames(explain.kind === 'text' ? explain.text : '');
    assert.deepEqual(Object.keys(counts).sort(), [...names].sort(), explain.kind === 'text' ? explain.text : '');
    const sourceOf = (alias: string) => counts[names.find((n) => n.toUpperCase() === `SOURCE/${alias}`)!];
    assert.deepEqual([sourceOf('A'), sourceOf('B'), sourceOf('C')], [2, 1, 3], JSON.stringify(counts));
    // a JOIN b (inner): one match (id 1); c's 3 rows pass through Join on their way to Join2, not counted there
    assert.equal(counts.Join, 1, JSON.stringify(counts));
    // (a JOIN b) JOIN c: id 1 only
    assert.equal(counts.Join2, 1, JSON.stringify(counts));
    assert.equal(counts['Sink/ABC'], 1);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
