import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutPlan, parsePlan } from '../../src/console/app/plan.ts';

const LINEAR = `CREATE STREAM t AS SELECT id, v * 2 AS w FROM s WHERE v > 1

Query CSAS_T_0 (plan v1)
 > [ SINK ] Sink/T | Schema: ID INTEGER KEY, W DOUBLE | topic: T (KAFKA/JSON)
\t > [ PROJECT ] Project | Schema: ID INTEGER KEY, W DOUBLE | exprs: ID, (V * 2.0)
\t\t > [ FILTER ] WhereFilter | Schema: ID INTEGER KEY, V DOUBLE | predicate: (V > 1.0)
\t\t\t > [ SOURCE ] Source/S | Schema: ID INTEGER KEY, V DOUBLE | topic: s (KAFKA/JSON)`;

const JOIN = ` > [ SINK ] Sink/J | Schema: A INT KEY
\t > [ JOIN ] StreamStreamJoin | Schema: A INT KEY | type: INNER
\t\t > [ SOURCE ] Source/L | Schema: A INT KEY
\t\t > [ REKEY ] Repartition | Schema: A INT KEY
\t\t\t > [ SOURCE ] Source/R | Schema: A INT KEY`;

test("EXPLAIN's text becomes a tree of steps", () => {
  const root = parsePlan(LINEAR)!;
  assert.equal(root.kind, 'SINK');
  assert.equal(root.name, 'Sink/T');
  assert.equal(root.schema, 'ID INTEGER KEY, W DOUBLE');
  assert.deepEqual(root.details, ['topic: T (KAFKA/JSON)']);
  const chain: string[] = [];
  for (let n = root; n; n = n.children[0]) chain.push(n.kind);
  assert.deepEqual(chain, ['SINK', 'PROJECT', 'FILTER', 'SOURCE']);
  assert.equal(parsePlan('no plan here'), null);
});

test('a join has two inputs; the layout puts sources on top and centres parents', () => {
  const root = parsePlan(JOIN)!;
  assert.deepEqual(root.children[0].children.map((c) => c.name), ['Source/L', 'Repartition']);
  const { nodes, columns, rows } = layoutPlan(root);
  assert.equal(columns, 2);
  assert.equal(rows, 4);
  const at = (name: string) => nodes.find((n) => n.node.name === name)!;
  assert.equal(at('Sink/J').y, 3);
  assert.equal(at('Source/R').y, 0);
  assert.equal(at('Source/L').x, 0);
  assert.equal(at('Source/R').x, 1);
  assert.equal(at('StreamStreamJoin').x, 0.5);
  assert.equal(at('Repartition').parent?.node.name, 'StreamStreamJoin');
});
