/**
 * Against the real KServe server of with-servers.sh: V1 and V2 predictions equal scikit-learn's
 * own (computed by train.py), in both tensor layouts, with metadata discovery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, DOUBLE } from '../../src/types/sql-type.ts';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import type { RowOutcome } from '../../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { PropertyValue } from '../../src/ml/spec.ts';
import { mlEnv } from './servers.ts';

const env = mlEnv();
const iris = env.expected.models.iris;
const failure = env.expected.models.failure;
const features = (names: string[]) => names.map((name) => ({ name, type: DOUBLE }));

function values(out: RowOutcome[]): unknown[] {
  return out.map((o) => {
    if (o.kind !== 'ok') assert.fail(`row failed: ${o.reason}`);
    return o.outputs.length === 1 ? o.outputs[0] : o.outputs;
  });
}

function close(actual: unknown[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(typeof a === 'number' && Math.abs(a - expected[i]) <= tol, `row ${i}: ${a} vs ${expected[i]}`));
}

async function open(props: Record<string, PropertyValue>, ins: ReturnType<typeof features> | null, outs: { name: string; type: typeof DOUBLE }[] | null) {
  return ModelInvoker.open(modelSpecFromProperties({ ENDPOINT: env.kserveUrl, TIMEOUT: '10s', ...props }, ins, outs));
}

test('KServe V1: iris labels equal scikit-learn predict()', async () => {
  const inv = await open({ PROVIDER: 'kserve-v1', MODEL_NAME: 'iris' }, features(iris.features), [{ name: 'species', type: BIGINT }]);
  assert.deepEqual(values(await inv.invoke(iris.rows)), iris.predict);
  assert.equal((await inv.health()).kind, 'ready');
  await inv.close();
});

test('KServe V1: failure probabilities equal predict_proba(), rows sent as objects (columns layout)', async () => {
  const inv = await open({ PROVIDER: 'kserve-v1', MODEL_NAME: 'failure', TENSOR_LAYOUT: 'columns', BATCH_SIZE: 7 }, features(failure.features), [{ name: 'p_failure', type: DOUBLE }]);
  close(values(await inv.invoke(failure.rows)), failure.proba.map((p) => p[1]));
  assert.equal(inv.stats().requests, Math.ceil(failure.rows.length / 7));
  await inv.close();
});

test('KServe V2: INPUT/OUTPUT discovered from metadata; iris labels equal predict()', async () => {
  const inv = await open({ PROVIDER: 'kserve-v2', MODEL_NAME: 'iris' }, null, null);
  assert.deepEqual(inv.schema.inputs.map((c) => [c.name, c.type.kind]), [0, 1, 2, 3].map((i) => [`input_0_${i}`, 'DOUBLE']));
  assert.deepEqual(inv.schema.outputs, [{ name: 'predict', type: BIGINT }]);
  assert.deepEqual(inv.schema.inputTensors, [{ name: 'input-0', datatype: 'FP64', columns: [0, 1, 2, 3], rank: 2 }]);
  assert.deepEqual(values(await inv.invoke(iris.rows)), iris.predict);
  await inv.close();
});

test('KServe V2: failure scores in matrix and columns layouts equal predict_proba()', async () => {
  const want = failure.proba.map((p) => p[1]);
  for (const layout of ['matrix', 'columns']) {
    const inv = await open({ PROVIDER: 'kserve-v2', MODEL_NAME: 'failure', TENSOR_LAYOUT: layout, BATCH_SIZE: 10 }, features(failure.features), [{ name: 'score', type: DOUBLE }]);
    close(values(await inv.invoke(failure.rows)), want);
    await inv.close();
  }
});

test('KServe V2: many rows in batches with requests in flight, outcomes in input order', async () => {
  const inv = await open({ PROVIDER: 'kserve-v2', MODEL_NAME: 'iris', BATCH_SIZE: 64, MAX_IN_FLIGHT: 4 }, features(iris.features), [{ name: 'label', type: BIGINT }]);
  const rows: number[][] = [];
  const want: number[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push(...iris.rows);
    want.push(...iris.predict);
  }
  assert.deepEqual(values(await inv.invoke(rows)), want);
  const st = inv.stats();
  assert.equal(st.requests, Math.ceil(rows.length / 64));
  assert.equal(st.rowsOk, rows.length);
  assert.ok(st.latencyMs.p50 !== null && st.latencyMs.p99! >= st.latencyMs.p50);
  await inv.close();
});

test('KServe V2: model versions are not supported by KServe: a clear, unretried error', async () => {
  const inv = await open({ PROVIDER: 'kserve-v2', MODEL_NAME: 'iris', MODEL_VERSION: '1' }, features(iris.features), [{ name: 'label', type: BIGINT }]);
  const [o] = await inv.invoke([iris.rows[0]]);
  assert.equal(o.kind, 'error');
  if (o.kind === 'error') {
    assert.equal(o.attempts, 1);
    assert.match(o.reason, /versions\/1\/infer: HTTP 501: Model versioning not supported yet/);
  }
  await inv.close();
});

test('KServe: unknown model is a 404 at open (metadata) and per row (declared schema)', async () => {
  await assert.rejects(() => open({ PROVIDER: 'kserve-v2', MODEL_NAME: 'nope' }, null, null), /HTTP 404/);
  const inv = await open({ PROVIDER: 'kserve-v1', MODEL_NAME: 'nope' }, features(iris.features), [{ name: 'y', type: BIGINT }]);
  const [o] = await inv.invoke([iris.rows[0]]);
  assert.equal(o.kind === 'error' && o.attempts, 1);
  assert.match((o as { reason: string }).reason, /HTTP 404/);
  assert.equal((await inv.health()).kind, 'not-ready');
  await inv.close();
});
