/**
 * ON_ERROR policies end to end, with a real KServe process killed in the middle of a batch and
 * restarted: every input row ends up predicted (with scikit-learn's label), or in the processing
 * log (SKIP), or in the dead-letter topic (DEAD_LETTER), or kept with error columns
 * (ERROR_COLUMNS); never lost, never both. Under FAIL the query stops without committing the
 * failed batch, and a restarted engine resumes from it and predicts every row exactly once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PROCESSING_LOG_TOPIC } from '../../src/exec/processing-log.ts';
import { KserveInstance, mlEnv } from './servers.ts';
import { mlEngine, produceJson, readJson, sleep } from './engine-helpers.ts';
import type { MlEngine } from './engine-helpers.ts';

const env = mlEnv();
const iris = env.expected.models.iris;
let server: KserveInstance;

before(async () => {
  server = await KserveInstance.start(env);
});
after(async () => {
  await server?.stop();
});

const N1 = 14;
const N2 = 28;
const N3 = 14;

function rows(phase: string, n: number, first: number) {
  return Array.from({ length: n }, (_, i) => {
    const j = first + i;
    const r = iris.rows[j % iris.rows.length];
    return { key: `${phase}-${j}`, value: { SEPAL_LENGTH: r[0], SEPAL_WIDTH: r[1], PETAL_LENGTH: r[2], PETAL_WIDTH: r[3] } };
  });
}
/** Key of the j-th input record (offset j of the single partition) and its expected label. */
const inputKey = (j: number) => (j < N1 ? `p1-${j}` : j < N1 + N2 ? `p2-${j}` : `p3-${j}`);
const label = (key: string) => iris.predict[Number(key.split('-')[1]) % iris.rows.length];
const allKeys = (n: number) => Array.from({ length: n }, (_, j) => inputKey(j));

async function setup(e: MlEngine, policy: string, select = 'PREDICT(iris, sepal_length, sepal_width, petal_length, petal_width)->species AS species'): Promise<string> {
  const [, , created] = await e.engine.execute(`
    CREATE STREAM flowers (id STRING KEY, sepal_length DOUBLE, sepal_width DOUBLE, petal_length DOUBLE, petal_width DOUBLE)
      WITH (KAFKA_TOPIC = 'flowers', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
    CREATE MODEL iris INPUT (sepal_length DOUBLE, sepal_width DOUBLE, petal_length DOUBLE, petal_width DOUBLE) OUTPUT (species BIGINT)
      WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${server.url}', MODEL_NAME = 'iris', ON_ERROR = '${policy}',
            RETRIES = 1, RETRY_BACKOFF = '20ms', RETRY_BACKOFF_MAX = '50ms', BREAKER_FAILURES = 3, BREAKER_COOLDOWN = '300ms',
            BATCH_SIZE = 2, MAX_IN_FLIGHT = 1, TIMEOUT = '3s');
    CREATE STREAM labelled AS SELECT id, ${select} FROM flowers;`);
  assert.equal(created.kind, 'message');
  return created.kind === 'message' ? created.queryId! : '';
}

/**
 * Phase 1 with the server up; phase 2 with slow answers and the server SIGKILLed once a few
 * requests went through (requests in flight die with it); returns phase 2's run (settled).
 */
async function killMidRun(e: MlEngine): Promise<PromiseSettledResult<void>> {
  await produceJson(e.log, 'flowers', rows('p1', N1, 0));
  await e.engine.runUntilIdle();
  await server.setFaults({ delay_ms: 40 });
  const before = (await server.stats()).predict_calls;
  await produceJson(e.log, 'flowers', rows('p2', N2, N1));
  const run = e.engine.runUntilIdle();
  const deadline = Date.now() + 10_000;
  while ((await server.stats()).predict_calls < before + 3 && Date.now() < deadline) await sleep(5);
  await server.kill();
  return (await Promise.allSettled([run]))[0];
}

/** Phase 3: the server back, more rows; waits out the breaker's cool-down first. */
async function restartAndContinue(e: MlEngine): Promise<void> {
  await server.restart();
  await sleep(350);
  await produceJson(e.log, 'flowers', rows('p3', N3, N1 + N2));
  await e.engine.runUntilIdle();
}

const N = N1 + N2 + N3;

async function withEngine(fn: (e: MlEngine) => Promise<void>): Promise<void> {
  const e = await mlEngine();
  try {
    await fn(e);
  } finally {
    await e.dispose();
    if (!server.running) await server.restart();
  }
}

function checkPredicted(out: { key: string | null; value: any }[]): void {
  for (const r of out) assert.equal(r.value.SPECIES, label(r.key!), `label of ${r.key}`);
  const keys = new Set(out.map((r) => r.key));
  const phase2 = allKeys(N).slice(N1, N1 + N2);
  const ok2 = phase2.filter((k) => keys.has(k)).length;
  assert.ok(ok2 > 0 && ok2 < N2, `the kill landed mid-batch: ${ok2} of ${N2} phase-2 rows predicted`);
  for (let j = 0; j < N1; j++) assert.ok(keys.has(inputKey(j)), `phase 1 row ${j} predicted`);
  for (let j = N1 + N2; j < N; j++) assert.ok(keys.has(inputKey(j)), `phase 3 row ${j} predicted after the restart`);
}

test('SKIP: each row is predicted or in the processing log, not both', () =>
  withEngine(async (e) => {
    const queryId = await setup(e, 'SKIP');
    assert.equal((await killMidRun(e)).status, 'fulfilled');
    await restartAndContinue(e);
    const out = await readJson(e.log, 'LABELLED');
    checkPredicted(out);
    const logged = (await readJson(e.log, PROCESSING_LOG_TOPIC)).map((r) => r.value).filter((x) => x.queryId === queryId && x.type === 'MODEL_ERROR');
    assert.ok(logged.length > 0, 'some rows failed while the server was down');
    for (const x of logged) {
      assert.equal(x.topic, 'flowers');
      assert.match(x.reason, /ON_ERROR = 'SKIP': row dropped/);
    }
    const skipped = logged.map((x) => inputKey(x.offset));
    assert.deepEqual([...out.map((r) => r.key!), ...skipped].sort(), allKeys(N).sort(), 'every row exactly once');
  }));

test('DEAD_LETTER: each row is predicted or dead-lettered with its reason and position', () =>
  withEngine(async (e) => {
    await setup(e, 'DEAD_LETTER');
    assert.equal((await killMidRun(e)).status, 'fulfilled');
    await restartAndContinue(e);
    const out = await readJson(e.log, 'LABELLED');
    checkPredicted(out);
    const dead = await readJson(e.log, 'IRIS_DLQ');
    assert.ok(dead.length > 0, 'some rows failed while the server was down');
    for (const d of dead) {
      assert.equal(d.value.model, 'IRIS');
      assert.equal(d.value.topic, 'flowers');
      assert.equal(d.value.partition, 0);
      assert.equal(d.value.row.ID, inputKey(d.value.offset), 'the offset points at the row');
      assert.equal(d.key, JSON.stringify({ ID: d.value.row.ID }));
      assert.ok(['connection', 'breaker-open', 'timeout', 'http', 'malformed'].includes(d.value.code), d.value.code);
      assert.ok(d.value.reason.length > 0);
    }
    assert.deepEqual([...out.map((r) => r.key!), ...dead.map((d) => d.value.row.ID)].sort(), allKeys(N).sort(), 'every row exactly once');
  }));

test('ERROR_COLUMNS: every row is kept, in order; failed ones have null outputs and the error columns', () =>
  withEngine(async (e) => {
    await setup(e, 'ERROR_COLUMNS', 'PREDICT(iris, sepal_length, sepal_width, petal_length, petal_width) AS p');
    assert.equal((await killMidRun(e)).status, 'fulfilled');
    await restartAndContinue(e);
    const out = await readJson(e.log, 'LABELLED');
    assert.deepEqual(out.map((r) => r.key), allKeys(N));
    let failed = 0;
    for (const r of out) {
      const p = r.value.P;
      if (p.ML_ERROR === null) {
        assert.equal(p.SPECIES, label(r.key!));
        assert.equal(p.ML_ERROR_CODE, null);
      } else {
        failed++;
        assert.equal(p.SPECIES, null);
        assert.equal(typeof p.ML_ERROR_CODE, 'string');
        assert.equal(typeof p.ML_ATTEMPTS, 'number');
      }
    }
    assert.ok(failed > 0, 'some rows failed while the server was down');
    checkPredicted(out.filter((r) => r.value.P.ML_ERROR === null).map((r) => ({ key: r.key, value: { SPECIES: r.value.P.SPECIES } })));
  }));

test('FAIL: the query stops with the reason, the batch is not committed; after a restart every row is predicted once', async () => {
  const e = await mlEngine();
  try {
    const queryId = await setup(e, 'FAIL');
    const run = await killMidRun(e);
    assert.equal(run.status, 'rejected');
    assert.match(String((run as PromiseRejectedResult).reason), /Model IRIS failed for the record at flowers\/0@\d+.*ON_ERROR = 'FAIL' stops the query/);
    assert.equal((await readJson(e.log, 'LABELLED')).length, N1, 'nothing of the failed batch was written');
    const committed = await e.log.committed(`riffle_default_query_${queryId}`, 'flowers');
    assert.equal(committed[0]?.offset, N1, 'offsets stop before the failed batch');
    await e.close();

    await server.restart();
    const e2 = await mlEngine(e.dir);
    try {
      await e2.engine.runUntilIdle();
      const out = await readJson(e2.log, 'LABELLED');
      assert.deepEqual(out.map((r) => r.key), allKeys(N1 + N2), 'resumed at the failed batch: each row once, in order');
      for (const r of out) assert.equal(r.value.SPECIES, label(r.key!));
      const after = await e2.log.committed(`riffle_default_query_${queryId}`, 'flowers');
      assert.equal(after[0]?.offset, N1 + N2);
    } finally {
      await e2.close();
    }
  } finally {
    await e.dispose();
    if (!server.running) await server.restart();
  }
});
