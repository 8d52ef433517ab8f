/**
 * buildPipeline (src/exec/build.ts): the sub-topologies of the topics a query reads, which decide
 * which of them are put in time order (./partition-group.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPipeline, type Pipeline } from '../../src/exec/build.ts';
import { needsTimeOrder } from '../../src/exec/partition-group.ts';
import { ProcessingLog } from '../../src/exec/processing-log.ts';
import { readCommands } from '../../src/engine/command-log.ts';
import { testEngine, removeDir } from '../engine/helpers.ts';

async function pipelineOf(sources: string, sql: string): Promise<Pipeline> {
  const t = await testEngine();
  try {
    await t.engine.execute(sources);
    const [created] = await t.engine.execute(sql);
    const queryId = created.kind === 'message' ? created.queryId! : '';
    const plan = (await readCommands(t.log)).find((c) => c.plan?.queryId === queryId)?.plan;
    assert.ok(plan, `no plan for ${sql}`);
    const errors = new ProcessingLog(t.engine.producer);
    return buildPipeline(plan.sink, { queryId, errors, log: t.log, services: {}, sideOutput: () => {} });
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

const timeOrdered = (p: Pipeline) => needsTimeOrder([...p.subtopologyOf.keys()], (x) => p.subtopologyOf.get(x)!);

test('a GROUP BY reads its source and its repartition topic in different sub-topologies', async () => {
  const p = await pipelineOf(
    `CREATE STREAM s (id STRING KEY, g STRING, v BIGINT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);`,
    `CREATE TABLE t AS SELECT g, COUNT(*) AS c FROM s GROUP BY g EMIT CHANGES;`,
  );
  assert.equal(p.internal.length, 1);
  assert.equal(p.subtopologyOf.size, 2);
  assert.notEqual(p.subtopologyOf.get('s'), p.subtopologyOf.get(p.internal[0].step.topic));
  assert.equal(timeOrdered(p), false);
});

test('a join reads both sides in one sub-topology; a side repartitioned first is read in its own', async () => {
  const p = await pipelineOf(
    `CREATE STREAM l (id STRING KEY, k STRING, v BIGINT) WITH (KAFKA_TOPIC='l', VALUE_FORMAT='JSON', PARTITIONS=2);
     CREATE TABLE r (k STRING PRIMARY KEY, w BIGINT) WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', PARTITIONS=2);`,
    `CREATE STREAM j AS SELECT l.k AS k, v, w FROM l JOIN r ON l.k = r.k EMIT CHANGES;`,
  );
  assert.equal(p.internal.length, 1);
  const repartitioned = p.internal[0].step.topic;
  assert.equal(p.subtopologyOf.get('r'), p.subtopologyOf.get(repartitioned));
  assert.notEqual(p.subtopologyOf.get('l'), p.subtopologyOf.get('r'));
  assert.equal(timeOrdered(p), true);
});

test('a stream-table join without repartition: one sub-topology', async () => {
  const p = await pipelineOf(
    `CREATE STREAM l (k STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='l', VALUE_FORMAT='JSON', PARTITIONS=2);
     CREATE TABLE r (k STRING PRIMARY KEY, w BIGINT) WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', PARTITIONS=2);`,
    `CREATE STREAM j AS SELECT l.k AS k, v, w FROM l JOIN r ON l.k = r.k EMIT CHANGES;`,
  );
  assert.equal(p.internal.length, 0);
  assert.equal(p.subtopologyOf.get('l'), p.subtopologyOf.get('r'));
  assert.equal(timeOrdered(p), true);
});
