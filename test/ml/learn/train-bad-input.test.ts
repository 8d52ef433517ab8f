/**
 * Bad input to a training query: every bad row goes to the processing log with its reason and
 * offset, every good row is learned, the query keeps running — a missing label, NaN / ±Infinity
 * features (computed in the query), a string where a number is declared, a row whose feature
 * count changes (fields missing; extra fields are ignored, as ksqlDB's JSON), a label the model
 * cannot learn; in JSON and DELIMITED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';
import { PROCESSING_LOG_TOPIC } from '../../../src/exec/processing-log.ts';
import { trainedRegistry } from '../../../src/engine/model-train.ts';
import { DEFAULT_OPTIONS, LabelError, newModel, progressiveStep } from '../../../src/ml/learn/model.ts';
import { denseVector } from '../../../src/ml/learn/features.ts';

type T = Awaited<ReturnType<typeof testEngine>>;

async function send(t: T, topic: string, values: string[], from: number): Promise<void> {
  const enc = new TextEncoder();
  await t.log.producer().send(topic, values.map((v, i) => ({ key: null, value: enc.encode(v), timestamp: from + i })));
}

async function errorsOf(t: T): Promise<{ reason: string; offset: number | undefined }[]> {
  return (await readTopic(t.log, PROCESSING_LOG_TOPIC)).map((r) => {
    const e = JSON.parse(text(r.value)!);
    const m = e.message ?? e;
    const reason = JSON.stringify(m);
    const offset = /@(\d+)/.exec(reason)?.[1] ?? /"offset":(\d+)/.exec(reason)?.[1];
    return { reason, offset: offset === undefined ? undefined : Number(offset) };
  });
}

const good = (i: number): string => JSON.stringify({ A: i % 7, B: (i % 5) / 2, Z: 1 + (i % 3), Y: (i % 7) - 3 + (i % 5) / 2 > 0 ? 1 : 0 });

test('JSON: each bad row goes to the processing log with its reason; training goes on', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM raw (A DOUBLE, B DOUBLE, Z DOUBLE, Y INTEGER) WITH (KAFKA_TOPIC='raw', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const bad: [string, RegExp][] = [
      ['{"A":1,"B":1,"Z":1}', /label Y is null/],
      ['{"A":1,"B":1,"Z":0,"Y":1}', /feature R is Infinity, not a finite number/],
      ['{"A":-1,"B":-1,"Z":0,"Y":1}', /feature R is -Infinity, not a finite number/],
      ['{"A":-4,"B":1,"Z":1,"Y":1}', /feature S is NaN, not a finite number/],
      ['{"A":"abc","B":1,"Z":1,"Y":1}', /Can't coerce string to type. targetType: DOUBLE, path: \$\.A/],
      ['{"A":1,"Y":1}', /feature R is null/],
      ['{"A":1,"B":1,"Z":1,"Y":2}', /label '2' is not binary/],
      ['{"A":1,"B":1,"Z":1,"Y":"yes"}', /Can't coerce string to type. targetType: INTEGER, path: \$\.Y/],
      ['not json at all', /is not valid JSON/],
    ];
    const values: string[] = [];
    const expected = new Map<number, RegExp>();
    for (let i = 0; i < 300; i++) {
      if (i % 30 === 15 && expected.size < bad.length) {
        const [value, reason] = bad[expected.size];
        expected.set(values.length, reason);
        values.push(value);
      }
      values.push(good(i));
    }
    values.push(JSON.stringify({ ...JSON.parse(good(1)), EXTRA: 5 })); // an extra field is ignored: learned
    await send(t, 'raw', values, 0);
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'Y') AS SELECT A, B / Z AS R, SQRT(A + 1) AS S, Y FROM raw;`);
    await t.engine.runUntilIdle();
    const m = trainedRegistry(t.engine).live.get('M')!.get('')!;
    assert.equal(m.state.rows, values.length - bad.length, 'every good row is learned, no bad one');
    assert.equal(m.offsets[0], values.length - 1, 'the last row is reached');
    const errors = await errorsOf(t);
    for (const [offset, reason] of expected) {
      const e = errors.find((x) => x.offset === offset);
      assert.ok(e, `row at offset ${offset} (${values[offset]}) is in the processing log: ${errors.map((x) => x.reason).join('\n')}`);
      assert.match(e.reason, reason);
    }
    assert.equal(errors.length, bad.length, errors.map((x) => x.reason).join('\n'));
    // More rows later: the query still runs.
    await send(t, 'raw', [good(5), good(6)], values.length);
    await t.engine.runUntilIdle();
    assert.equal(m.state.rows, values.length - bad.length + 2);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('DELIMITED: a row with another field count, a non-number and an infinite value go to the processing log; regression goes on', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM csv (A DOUBLE, B DOUBLE, Y DOUBLE) WITH (KAFKA_TOPIC='csv', VALUE_FORMAT='DELIMITED', PARTITIONS=1);`);
    const values: string[] = [];
    for (let i = 0; i < 100; i++) values.push(`${i % 10},${i % 4},${2 * (i % 10) - (i % 4)}`);
    values.splice(10, 0, '1,2');
    values.splice(20, 0, '1,2,3,4');
    values.splice(30, 0, 'x,2,3');
    values.splice(40, 0, '1,2,Infinity');
    values.splice(50, 0, '1,,3');
    await send(t, 'csv', values, 0);
    await t.engine.execute(`CREATE MODEL r WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'Y') AS SELECT * FROM csv;`);
    await t.engine.runUntilIdle();
    const m = trainedRegistry(t.engine).live.get('R')!.get('')!;
    assert.equal(m.state.rows, 100);
    const errors = await errorsOf(t);
    for (const offset of [10, 20, 30, 40, 50]) assert.ok(errors.some((e) => e.offset === offset), `offset ${offset}: ${errors.map((x) => x.reason).join('\n')}`);
    assert.equal(errors.length, 5);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('a non-finite number as a class label is not a class: the row is refused, nothing learned', () => {
  for (const type of ['GAUSSIAN_NB', 'HOEFFDING_TREE', 'LOGISTIC_REGRESSION', 'LINEAR_REGRESSION'] as const) {
    const o = DEFAULT_OPTIONS(type);
    const m = newModel(o);
    progressiveStep(m, o, denseVector([1, 2]), 1);
    for (const y of [NaN, Infinity, -Infinity]) assert.throws(() => progressiveStep(m, o, denseVector([1, 2]), y), LabelError, `${type} ${y}`);
    assert.equal(m.rows, 1, type);
    assert.deepEqual(m.labels, type === 'LOGISTIC_REGRESSION' ? ['0', '1'] : type === 'LINEAR_REGRESSION' ? [] : ['1'], type);
  }
});
