/**
 * Against the real MLServer (mlserver_sklearn.SKLearnModel) of with-servers.sh: V2 predictions
 * equal scikit-learn's, with and without a model version, metadata discovery, and an output
 * picked by name (predict_proba).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, DOUBLE, array } from '../../src/types/sql-type.ts';
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
    return o.outputs[0];
  });
}

const open = (props: Record<string, PropertyValue>, ins: ReturnType<typeof features> | null, outs: { name: string; type: typeof DOUBLE }[] | null) =>
  ModelInvoker.open(modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: env.mlserverUrl, TIMEOUT: '10s', ...props }, ins, outs));

test('MLServer V2: discovered schema; iris and failure labels equal scikit-learn predict()', async () => {
  for (const [name, m] of [['iris', iris], ['failure', failure]] as const) {
    const inv = await open({ MODEL_NAME: name, BATCH_SIZE: 5 }, null, null);
    assert.equal(inv.schema.inputs.length, 4);
    assert.deepEqual(inv.schema.outputs, [{ name: 'predict', type: BIGINT }]);
    assert.deepEqual(values(await inv.invoke(m.rows)), m.predict);
    assert.equal((await inv.health()).kind, 'ready');
    await inv.close();
  }
});

test('MLServer V2: versioned path /versions/1 and declared columns', async () => {
  const inv = await open({ MODEL_NAME: 'iris', MODEL_VERSION: '1' }, features(iris.features), [{ name: 'species', type: BIGINT }]);
  assert.deepEqual(values(await inv.invoke(iris.rows)), iris.predict);
  assert.equal((await inv.health()).kind, 'ready');
  await inv.close();
  const missing = await open({ MODEL_NAME: 'iris', MODEL_VERSION: '9' }, features(iris.features), [{ name: 'species', type: BIGINT }]);
  const [o] = await missing.invoke([iris.rows[0]]);
  assert.equal(o.kind === 'error' && o.attempts, 1, '404 is not retried');
  assert.match((o as { reason: string }).reason, /versions\/9\/infer: HTTP 404/);
  assert.equal((await missing.health()).kind, 'not-ready');
  await missing.close();
});

test('MLServer V2: REQUEST_OUTPUTS picks predict_proba, read as ARRAY<DOUBLE>', async () => {
  const inv = await open({ MODEL_NAME: 'iris', REQUEST_OUTPUTS: true }, features(iris.features), [{ name: 'predict_proba', type: array(DOUBLE) }]);
  const got = values(await inv.invoke(iris.rows)) as number[][];
  got.forEach((row, i) => row.forEach((p, k) => assert.ok(Math.abs(p - iris.proba[i][k]) < 1e-12, `row ${i} class ${k}: ${p} vs ${iris.proba[i][k]}`)));
  await inv.close();
});

test('MLServer V2: a model error (wrong feature count) is its HTTP 500: retried, then reported with the server message', async () => {
  // Declared with 3 features where the model wants 4. MLServer answers 500 (not 400) for what
  // scikit-learn raises (ValueError), so the invoker cannot tell it from a transient fault and retries.
  const inv = await open({ MODEL_NAME: 'iris', RETRIES: 1, RETRY_BACKOFF: '1ms', BREAKER_FAILURES: 0 }, features(['a', 'b', 'c']), [{ name: 'y', type: BIGINT }]);
  const [o] = await inv.invoke([[1, 2, 3]]);
  assert.equal(o.kind, 'error');
  if (o.kind === 'error') {
    assert.equal(o.attempts, 2);
    // uvicorn closes the connection after an unhandled exception: the retry may meet that
    // closed keep-alive socket instead of a second 500.
    assert.ok(o.code === 'http' || o.code === 'connection', o.reason);
    assert.match(o.reason, /(HTTP 500: Internal Server Error|connection failed).*\(after 2 attempts\)/);
  }
  assert.equal(inv.stats().retries, 1);
  await inv.close();
});
