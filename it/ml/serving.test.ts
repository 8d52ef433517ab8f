/**
 * Model serving (issue 11, deliverable 6): riffle server answers the Open Inference Protocol V2
 * for every model of its catalog. A model trained in SQL, called through KServe's own Python REST
 * client, answers what PREDICT answers in a query; a remote KServe model is proxied unchanged;
 * 1,000 concurrent requests all succeed (p50/p99 printed); authentication applies.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hash } from '@node-rs/argon2';
import { RiffleServer } from '../../src/server/server.ts';
import { Authenticator } from '../../src/server/auth.ts';
import { createLogger } from '../../src/server/logger.ts';
import { mlEnv } from './servers.ts';
import { mlEngine, produceJson, readJson, type MlEngine } from './engine-helpers.ts';

const run = promisify(execFile);
const env = mlEnv();
const iris = env.expected.models.iris;
const ADMIN = { user: 'alice', password: 'alice-secret' };
const authHeader = { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` };

let e: MlEngine;
let server: RiffleServer;

/** y = 3·x1 − 2·x2 + 1 plus a little deterministic noise, so the model is not exactly converged. */
const trainRows = Array.from({ length: 3000 }, (_, i) => {
  const x1 = (i % 17) / 4;
  const x2 = (i % 11) / 3;
  return { key: `t${i}`, value: { X1: x1, X2: x2, Y: 3 * x1 - 2 * x2 + 1 + (((i * 7919) % 13) - 6) / 100 } };
});
const askRows = Array.from({ length: 25 }, (_, i) => ({ key: `a${i}`, value: { ID: i, X1: i / 5, X2: (25 - i) / 7 } }));

before(async () => {
  e = await mlEngine();
  await e.engine.execute(`
    CREATE STREAM train (id STRING KEY, x1 DOUBLE, x2 DOUBLE, y DOUBLE) WITH (KAFKA_TOPIC='train', VALUE_FORMAT='JSON', PARTITIONS=1);
    CREATE STREAM ask (k STRING KEY, id INTEGER, x1 DOUBLE, x2 DOUBLE) WITH (KAFKA_TOPIC='ask', VALUE_FORMAT='JSON', PARTITIONS=1);`);
  await produceJson(e.log, 'train', trainRows);
  await e.engine.execute(`CREATE MODEL lin WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y') AS SELECT x1, x2, y FROM train;`);
  await e.engine.runUntilIdle();
  await e.engine.execute(`CREATE MODEL iris WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${env.kserveUrl}', MODEL_NAME = 'iris', BATCH_SIZE = 16);`);
  const authenticator = new Authenticator({ users: [{ name: ADMIN.user, passwordHash: await hash(ADMIN.password), role: 'read-only' }], tokens: [] });
  server = new RiffleServer({ engine: e.engine, port: 0, logger: createLogger('silent'), authenticator });
  await server.start();
});

after(async () => {
  await server?.stop();
  await e?.dispose();
});

test('a model trained in SQL, called with KServe\'s Python REST client, answers what PREDICT answers', async () => {
  await e.engine.execute(`CREATE STREAM answers AS SELECT k, PREDICT(lin, x1, x2)->PREDICTION AS p FROM ask;`);
  await produceJson(e.log, 'ask', askRows);
  await e.engine.runUntilIdle();
  const predicted = (await readJson(e.log, 'ANSWERS')).map((r) => (r.value as { P: number }).P);
  assert.equal(predicted.length, askRows.length);

  const matrix = askRows.map((r) => [r.value.X1, r.value.X2]);
  const { stdout } = await run(env.python, [join(env.scripts, 'v2_client.py'), server.url, 'LIN', JSON.stringify({ features: matrix }), ADMIN.user, ADMIN.password]);
  const answer = JSON.parse(stdout) as { outputs: Record<string, number[]>; model_name: string; ready: boolean };
  assert.equal(answer.ready, true);
  assert.equal(answer.model_name, 'LIN');
  const served = answer.outputs.PREDICTION;
  assert.equal(served.length, predicted.length);
  for (let i = 0; i < served.length; i++) assert.ok(Math.abs(served[i] - predicted[i]) <= 1e-9 * Math.max(1, Math.abs(predicted[i])), `row ${i}: served ${served[i]}, PREDICT ${predicted[i]}`);
  // The model learned y = 3·x1 − 2·x2 + 1 (SGD, so only roughly).
  assert.ok(Math.abs(served[10] - (3 * 2 - 2 * (15 / 7) + 1)) < 0.5, `prediction ${served[10]}`);
});

test('a remote KServe model is proxied: the Python client gets scikit-learn\'s predictions', async () => {
  const { stdout } = await run(env.python, [join(env.scripts, 'v2_client.py'), server.url, 'IRIS', JSON.stringify({ features: iris.rows }), ADMIN.user, ADMIN.password]);
  const answer = JSON.parse(stdout) as { outputs: Record<string, number[]> };
  assert.deepEqual(answer.outputs.PREDICT, iris.predict);
});

test('1,000 concurrent infer requests all succeed; metadata and health; 401 without credentials', async () => {
  const body = JSON.stringify({ id: 'q', inputs: [{ name: 'X1', shape: [1], datatype: 'FP64', data: [1.5] }, { name: 'X2', shape: [1], datatype: 'FP64', data: [0.5] }] });
  const latencies: number[] = [];
  const one = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/v2/models/LIN/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader }, body });
    const json = (await res.json()) as { id: string; outputs: { data: number[] }[] };
    latencies.push(performance.now() - t0);
    assert.equal(res.status, 200, JSON.stringify(json));
    assert.equal(json.id, 'q');
    return json.outputs[0].data[0];
  };
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: 1000 }, one));
  const wall = performance.now() - t0;
  assert.equal(new Set(answers).size, 1, 'every request got the same answer');
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
  console.log(`# serving: 1000 concurrent requests in ${wall.toFixed(0)} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, 0 errors`);

  const meta = await fetch(`${server.url}/v2/models/LIN`, { headers: authHeader });
  const m = (await meta.json()) as { name: string; inputs: { name: string; datatype: string }[]; outputs: { name: string }[] };
  assert.equal(meta.status, 200);
  assert.deepEqual(m.inputs.map((i) => [i.name, i.datatype]), [['X1', 'FP64'], ['X2', 'FP64']]);
  assert.equal((await fetch(`${server.url}/v2/health/ready`, { headers: authHeader })).status, 200);
  assert.equal((await fetch(`${server.url}/v2/models/NOPE/ready`, { headers: authHeader })).status, 404);
  assert.equal((await fetch(`${server.url}/v2/models/LIN/infer`, { method: 'POST', body })).status, 401);
  const bad = await fetch(`${server.url}/v2/models/LIN/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader }, body: '{"inputs": [{"name": "X1"}]}' });
  assert.equal(bad.status, 400);
});

test('model calls appear in /metrics as Prometheus histograms (latency in seconds, rows per request)', async () => {
  const res = await fetch(`${server.url}/metrics`, { headers: authHeader });
  assert.equal(res.status, 200);
  const text = await res.text();
  const value = (line: RegExp): number => Number(text.match(line)?.[1] ?? NaN);
  const count = value(/^riffle_model_request_duration_seconds_count\{model="IRIS"\} (\S+)$/m);
  assert.ok(count >= 1, `IRIS was called: ${count}`);
  assert.equal(value(/^riffle_model_request_duration_seconds_bucket\{model="IRIS",le="\+Inf"\} (\S+)$/m), count);
  assert.match(text, /^# TYPE riffle_model_request_duration_seconds histogram$/m);
  // 150 iris rows went in batches of at most 16 (BATCH_SIZE): every request is in the le=16 bucket.
  const requests = value(/^riffle_model_batch_size_rows_count\{model="IRIS"\} (\S+)$/m);
  assert.equal(value(/^riffle_model_batch_size_rows_bucket\{model="IRIS",le="16"\} (\S+)$/m), requests);
  assert.ok(value(/^riffle_model_batch_size_rows_sum\{model="IRIS"\} (\S+)$/m) >= iris.rows.length);
});
