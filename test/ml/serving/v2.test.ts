/** Open Inference Protocol V2 handlers: routing, metadata, inference decoding/encoding, errors; and the engine's catalog serving a trained model as PREDICT does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleV2, type ServedModel, type ServingCatalog } from '../../../src/ml/serving/v2.ts';
import { servingCatalog } from '../../../src/engine/model-serving.ts';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';

const sum: ServedModel = {
  name: 'sum',
  platform: 'test',
  versions: ['1', '2'],
  inputs: [
    { name: 'A', datatype: 'FP64', rowShape: [] },
    { name: 'B', datatype: 'FP64', rowShape: [] },
  ],
  outputs: [
    { name: 'S', datatype: 'FP64', rowShape: [] },
    { name: 'TAG', datatype: 'BYTES', rowShape: [] },
  ],
  ready: async (v) => v !== '2',
  infer: async (rows, v) => rows.map((r) => [(r[0] as number) + (r[1] as number), `v${v ?? 'live'}`]),
};
const catalog: ServingCatalog = { serverName: 'riffle', serverVersion: '0', models: () => [sum], model: (n) => (n === 'sum' ? sum : undefined) };

test('health, server and model metadata, readiness per version', async () => {
  assert.deepEqual(await handleV2('GET', '/v2/health/live', null, catalog), { status: 200, body: { live: true } });
  assert.equal((await handleV2('GET', '/v2/health/ready', null, catalog)).status, 200);
  assert.deepEqual((await handleV2('GET', '/v2', null, catalog)).body, { name: 'riffle', version: '0', extensions: [] });
  const meta = await handleV2('GET', '/v2/models/sum', null, catalog);
  assert.deepEqual(meta.body, {
    name: 'sum',
    versions: ['1', '2'],
    platform: 'test',
    inputs: [
      { name: 'A', datatype: 'FP64', shape: [-1] },
      { name: 'B', datatype: 'FP64', shape: [-1] },
    ],
    outputs: [
      { name: 'S', datatype: 'FP64', shape: [-1] },
      { name: 'TAG', datatype: 'BYTES', shape: [-1] },
    ],
  });
  assert.equal((await handleV2('GET', '/v2/models/sum/versions/1/ready', null, catalog)).status, 200);
  assert.equal((await handleV2('GET', '/v2/models/sum/versions/2/ready', null, catalog)).status, 400);
  assert.equal((await handleV2('GET', '/v2/models/sum/versions/9/ready', null, catalog)).status, 404);
  assert.equal((await handleV2('GET', '/v2/models/nope', null, catalog)).status, 404);
  assert.equal((await handleV2('POST', '/v2/models/sum', {}, catalog)).status, 405);
  assert.equal((await handleV2('GET', '/v2/models/sum/infer', null, catalog)).status, 405);
});

test('infer: a matrix input, per-column inputs, requested outputs, the id echoed', async () => {
  const m = await handleV2('POST', '/v2/models/sum/versions/1/infer', { id: '42', inputs: [{ name: 'input-0', shape: [2, 2], datatype: 'FP64', data: [[1, 2], [3, 4]] }] }, catalog);
  assert.deepEqual(m, {
    status: 200,
    body: {
      model_name: 'sum',
      model_version: '1',
      id: '42',
      outputs: [
        { name: 'S', datatype: 'FP64', shape: [2], data: [3, 7] },
        { name: 'TAG', datatype: 'BYTES', shape: [2], data: ['v1', 'v1'] },
      ],
    },
  });
  const c = await handleV2('POST', '/v2/models/sum/infer', { inputs: [{ name: 'b', shape: [2, 1], datatype: 'FP64', data: [10, 20] }, { name: 'A', shape: [2], datatype: 'FP64', data: [1, 2] }], outputs: [{ name: 's' }] }, catalog);
  assert.deepEqual((c.body as { outputs: unknown }).outputs, [{ name: 'S', datatype: 'FP64', shape: [2], data: [11, 22] }]);
});

test('bad requests are 400s that say what is wrong', async () => {
  const bad = async (body: unknown, re: RegExp): Promise<void> => {
    const r = await handleV2('POST', '/v2/models/sum/infer', body, catalog);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match((r.body as { error: string }).error, re);
  };
  await bad(null, /JSON object/);
  await bad({ inputs: [] }, /non-empty array/);
  await bad({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP64', data: [1, 2, 3] }] }, /holds 4 values, data has 3/);
  await bad({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] }, /expected shape \[N, 2\]/);
  await bad({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 'a'] }] }, /not a valid FP64/);
  await bad({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FLOAT', data: [1, 2] }] }, /unknown datatype/);
  await bad({ inputs: [{ name: 'A', shape: [1], datatype: 'FP64', data: [1] }] }, /input B is missing/);
  await bad({ inputs: [{ name: 'A', shape: [1], datatype: 'FP64', data: [1] }, { name: 'B', shape: [2], datatype: 'FP64', data: [1, 2] }] }, /has 2 rows/);
  await bad({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 2] }], outputs: [{ name: 'zz' }] }, /unknown output/);
});

test("the engine's catalog: a trained model over V2 answers as PREDICT, its versions too", async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM tr (x DOUBLE, c STRING, y INTEGER) WITH (KAFKA_TOPIC='tr', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const enc = new TextEncoder();
    await t.log.producer().send('tr', Array.from({ length: 300 }, (_, i) => ({ key: null, value: enc.encode(JSON.stringify({ X: (i % 7) - 3, C: i % 2 ? 'p' : 'q', Y: (i % 7) - 3 > 0 ? 1 : 0 })), timestamp: i })));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'y', SNAPSHOT_EVERY = 100) AS SELECT * FROM tr;
      CREATE STREAM preds AS SELECT x, c, PREDICT(m, x, c) AS p FROM tr;`);
    await t.engine.runUntilIdle();
    const preds = (await readTopic(t.log, 'PREDS')).map((r) => JSON.parse(text(r.value)!)).slice(0, 5);
    const cat = servingCatalog(t.engine);
    const meta = await handleV2('GET', '/v2/models/M', null, cat);
    assert.deepEqual((meta.body as { versions: string[] }).versions, ['1', '2', '3']);
    assert.deepEqual((meta.body as { inputs: unknown }).inputs, [
      { name: 'X', datatype: 'FP64', shape: [-1] },
      { name: 'C', datatype: 'BYTES', shape: [-1] },
    ]);
    const r = await handleV2('POST', '/v2/models/M/infer', { inputs: [{ name: 'X', shape: [5], datatype: 'FP64', data: preds.map((p) => p.X) }, { name: 'C', shape: [5], datatype: 'BYTES', data: preds.map((p) => p.C) }] }, cat);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const outs = (r.body as { outputs: { name: string; data: unknown[] }[] }).outputs;
    // The live model now (after all rows) vs PREDICT rows computed while training: compare with a fresh PREDICT query.
    await t.engine.execute(`CREATE STREAM preds2 AS SELECT x, PREDICT(m, x, c) AS p FROM tr;`);
    await t.engine.runUntilIdle();
    const now = (await readTopic(t.log, 'PREDS2')).map((x) => JSON.parse(text(x.value)!)).slice(0, 5);
    assert.deepEqual(outs.find((o) => o.name === 'PREDICTION')!.data, now.map((p) => p.P.PREDICTION));
    assert.deepEqual(outs.find((o) => o.name === 'PROBABILITY')!.data, now.map((p) => p.P.PROBABILITY));
    const v1 = await handleV2('POST', '/v2/models/M/versions/1/infer', { inputs: [{ name: 'in', shape: [1, 2], datatype: 'BYTES', data: ['1', 'p'] }] }, cat);
    assert.equal(v1.status, 400, 'a BYTES value where the model wants FP64 is refused by the invoker or the tensor check');
    const v1ok = await handleV2('POST', '/v2/models/M/versions/1/infer', { inputs: [{ name: 'X', shape: [1], datatype: 'FP64', data: [2] }, { name: 'C', shape: [1], datatype: 'BYTES', data: ['p'] }] }, cat);
    assert.equal(v1ok.status, 200);
    assert.equal((v1ok.body as { model_version: string }).model_version, '1');
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('1,000 concurrent infer requests on a trained model: all answered (in process, without HTTP)', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM tr (x DOUBLE, y DOUBLE) WITH (KAFKA_TOPIC='tr', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const enc = new TextEncoder();
    await t.log.producer().send('tr', Array.from({ length: 200 }, (_, i) => ({ key: null, value: enc.encode(JSON.stringify({ X: i % 10, Y: 3 * (i % 10) })), timestamp: i })));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y') AS SELECT * FROM tr;`);
    await t.engine.runUntilIdle();
    const cat = servingCatalog(t.engine);
    const latencies: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const t0 = performance.now();
        const r = await handleV2('POST', '/v2/models/M/infer', { id: String(i), inputs: [{ name: 'X', shape: [1], datatype: 'FP64', data: [i % 10] }] }, cat);
        latencies.push(performance.now() - t0);
        return r;
      }),
    );
    assert.ok(results.every((r) => r.status === 200), 'every request answered');
    assert.ok(results.every((r, i) => (r.body as { id: string }).id === String(i)));
    latencies.sort((a, b) => a - b);
    console.log(`V2 in process, 1000 concurrent: p50 ${latencies[499].toFixed(2)} ms, p99 ${latencies[989].toFixed(2)} ms`);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
