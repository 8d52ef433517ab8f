/**
 * Models in SQL, end to end on the embedded log, against the real servers of with-servers.sh:
 * CREATE MODEL on KServe V2 and V1 and MLServer, persistent queries with PREDICT whose outputs
 * equal scikit-learn's own predictions (expected.json from train.py), the ML_PREDICT form, model
 * versions, a push query, an ONNX model built by the test, DESCRIBE MODEL, and a restart.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { Row } from '../../src/exec/expr/row.ts';
import { linearModelOnnx } from '../../test/ml/onnx-builder.ts';
import { mlEnv } from './servers.ts';
import { assertClose, mlEngine, produceJson, readJson } from './engine-helpers.ts';
import type { MlEngine } from './engine-helpers.ts';

const env = mlEnv();
const iris = env.expected.models.iris;
const failure = env.expected.models.failure;
const onnxDir = mkdtempSync(join(tmpdir(), 'riffle-it-sql-onnx-'));
after(() => rmSync(onnxDir, { recursive: true, force: true }));

const IRIS_STREAM = `CREATE STREAM flowers (id STRING KEY, sepal_length DOUBLE, sepal_width DOUBLE, petal_length DOUBLE, petal_width DOUBLE)
  WITH (KAFKA_TOPIC = 'flowers', VALUE_FORMAT = 'JSON', PARTITIONS = 1);`;
const DEVICE_STREAM = `CREATE STREAM telemetry (device STRING KEY, temp_mean DOUBLE, temp_max DOUBLE, vibration DOUBLE, event_count DOUBLE)
  WITH (KAFKA_TOPIC = 'telemetry', VALUE_FORMAT = 'JSON', PARTITIONS = 1);`;

async function withEngine(fn: (e: MlEngine) => Promise<void>): Promise<void> {
  const e = await mlEngine();
  try {
    await fn(e);
  } finally {
    await e.dispose();
  }
}

const irisRows = () =>
  iris.rows.map((r, i) => ({ key: `f${i}`, value: { SEPAL_LENGTH: r[0], SEPAL_WIDTH: r[1], PETAL_LENGTH: r[2], PETAL_WIDTH: r[3] } }));
const failureRows = () =>
  failure.rows.map((r, i) => ({ key: `d${i}`, value: { TEMP_MEAN: r[0], TEMP_MAX: r[1], VIBRATION: r[2], EVENT_COUNT: r[3] } }));

test('KServe V2, INPUT/OUTPUT discovered: PREDICT in a persistent query equals scikit-learn predict(); DESCRIBE; restart', async () => {
  const e = await mlEngine();
  try {
    await e.engine.execute(`${IRIS_STREAM}
      CREATE MODEL iris WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${env.kserveUrl}', MODEL_NAME = 'iris', BATCH_SIZE = 5);
      CREATE STREAM species AS SELECT id, PREDICT(iris, sepal_length, sepal_width, petal_length, petal_width)->predict AS species FROM flowers;`);
    const model = e.engine.catalog.models.get('IRIS')!;
    assert.deepEqual(model.inputs.map((c) => c.name), ['INPUT_0_0', 'INPUT_0_1', 'INPUT_0_2', 'INPUT_0_3']);
    assert.deepEqual(model.outputs.map((c) => c.name), ['PREDICT']);
    await produceJson(e.log, 'flowers', irisRows());
    await e.engine.runUntilIdle();
    const out = await readJson(e.log, 'SPECIES');
    assert.deepEqual(out.map((r) => r.key), iris.rows.map((_, i) => `f${i}`));
    assert.deepEqual(out.map((r) => r.value.SPECIES), iris.predict);

    const [d] = await e.engine.execute('DESCRIBE MODEL iris;');
    const txt = d.kind === 'text' ? d.text : '';
    assert.match(txt, /Health\s+: ready/);
    assert.match(txt, new RegExp(`Rows\\s+: ${iris.rows.length} \\(${iris.rows.length} predicted, 0 failed\\)`));
    assert.match(txt, new RegExp(`Requests\\s+: ${Math.ceil(iris.rows.length / 5)} \\(0 failed`));

    // Restart: the catalog and the query come back from the command log; new rows are predicted.
    await e.close();
    const e2 = await mlEngine(e.dir);
    try {
      await produceJson(e2.log, 'flowers', irisRows().map((r) => ({ ...r, key: `again-${r.key}` })));
      await e2.engine.runUntilIdle();
      const all = await readJson(e2.log, 'SPECIES');
      assert.deepEqual(all.map((r) => r.value.SPECIES), [...iris.predict, ...iris.predict]);
    } finally {
      await e2.dispose();
    }
  } finally {
    await e.dispose();
  }
});

test('KServe V1, declared INPUT/OUTPUT, ML_PREDICT form: P(failure) equals predict_proba()', () =>
  withEngine(async (e) => {
    await e.engine.execute(`${DEVICE_STREAM}
      CREATE MODEL failure_v1 INPUT (temp_mean DOUBLE, temp_max DOUBLE, vibration DOUBLE, event_count DOUBLE) OUTPUT (p_failure DOUBLE)
        WITH (PROVIDER = 'kserve-v1', ENDPOINT = '${env.kserveUrl}', MODEL_NAME = 'failure', TENSOR_LAYOUT = 'columns', BATCH_SIZE = 7);
      CREATE STREAM scored AS SELECT * FROM ML_PREDICT(TABLE telemetry, MODEL failure_v1, DESCRIPTOR(temp_mean, temp_max, vibration, event_count), MAP['timeout', '10s']);`);
    await produceJson(e.log, 'telemetry', failureRows());
    await e.engine.runUntilIdle();
    const out = await readJson(e.log, 'SCORED');
    assert.deepEqual(Object.keys(out[0].value), ['TEMP_MEAN', 'TEMP_MAX', 'VIBRATION', 'EVENT_COUNT', 'P_FAILURE'], 'input columns, then outputs');
    assert.deepEqual(out.map((r) => [r.value.TEMP_MEAN, r.value.TEMP_MAX, r.value.VIBRATION, r.value.EVENT_COUNT]), failure.rows);
    assertClose(out.map((r) => r.value.P_FAILURE), failure.proba.map((p) => p[1]), 1e-12, 'P_FAILURE');
  }));

test('KServe V2, WHERE on a prediction: the alerts are exactly the rows scikit-learn scores above 0.5', () =>
  withEngine(async (e) => {
    await e.engine.execute(`${DEVICE_STREAM}
      CREATE MODEL failure WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${env.kserveUrl}', MODEL_NAME = 'failure');
      CREATE STREAM alerts AS SELECT device, PREDICT(failure, temp_mean, temp_max, vibration, event_count)->score AS p
        FROM telemetry WHERE PREDICT(failure, temp_mean, temp_max, vibration, event_count)->score > 0.5;`);
    await produceJson(e.log, 'telemetry', failureRows());
    await e.engine.runUntilIdle();
    const out = await readJson(e.log, 'ALERTS');
    const want = failure.proba.map((p, i) => ({ key: `d${i}`, p: p[1] })).filter((x) => x.p > 0.5);
    assert.ok(want.length > 0 && want.length < failure.rows.length, 'the check rows hold both classes');
    assert.deepEqual(out.map((r) => r.key), want.map((w) => w.key));
    assertClose(out.map((r) => r.value.P), want.map((w) => w.p), 1e-12, 'P');
  }));

test('MLServer V2, discovered: PREDICT with the default version and with iris$1 equal predict(); a push query', () =>
  withEngine(async (e) => {
    await e.engine.execute(`${IRIS_STREAM}
      CREATE MODEL iris_ml WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${env.mlserverUrl}', MODEL_NAME = 'iris', TIMEOUT = '10s');
      CREATE STREAM both_versions AS SELECT id,
          PREDICT(iris_ml, sepal_length, sepal_width, petal_length, petal_width)->predict AS dflt,
          PREDICT(\`iris_ml$1\`, sepal_length, sepal_width, petal_length, petal_width)->predict AS v1
        FROM flowers;`);
    await produceJson(e.log, 'flowers', irisRows());
    await e.engine.runUntilIdle();
    const out = await readJson(e.log, 'BOTH_VERSIONS');
    assert.deepEqual(out.map((r) => r.value.DFLT), iris.predict);
    assert.deepEqual(out.map((r) => r.value.V1), iris.predict);
    const [d] = await e.engine.execute('DESCRIBE MODEL iris_ml;');
    assert.match(d.kind === 'text' ? d.text : '', /Statistics \(version 1\):/);

    const [res] = await e.engine.execute(`SELECT id, PREDICT(iris_ml, sepal_length, sepal_width, petal_length, petal_width)->predict AS s FROM flowers EMIT CHANGES LIMIT ${iris.rows.length};`);
    assert.equal(res.kind, 'push');
    if (res.kind !== 'push') return;
    const rows: Row[] = [];
    res.query.onRows = (r) => rows.push(...r);
    let failed: Error | null = null;
    res.query.onEnd = (err) => (failed = err);
    res.query.start();
    await res.query.done;
    assert.equal(failed, null);
    assert.deepEqual(rows.map((r) => r.cols[1]), iris.predict);
  }));

test('ONNX model built by the test, discovered from the file: PREDICT equals the invoker called directly and scikit-learn predict_proba()', () =>
  withEngine(async (e) => {
    const path = join(onnxDir, 'failure.onnx');
    writeFileSync(path, linearModelOnnx({ weights: failure.linear!.weights, bias: failure.linear!.bias, kind: 'float64', layout: 'matrix', sigmoid: true }));
    await e.engine.execute(`${DEVICE_STREAM}
      CREATE MODEL failure_onnx WITH (PROVIDER = 'onnx', MODEL_PATH = '${path}');
      CREATE STREAM scored AS SELECT device, PREDICT(failure_onnx, temp_mean, temp_max, vibration, event_count)->score AS p FROM telemetry;`);
    assert.deepEqual(e.engine.catalog.models.get('FAILURE_ONNX')!.outputs.map((c) => c.name), ['SCORE']);
    await produceJson(e.log, 'telemetry', failureRows());
    await e.engine.runUntilIdle();
    const got = (await readJson(e.log, 'SCORED')).map((r) => r.value.P as number);

    const direct = await ModelInvoker.open(modelSpecFromProperties({ PROVIDER: 'onnx', MODEL_PATH: path }));
    const want = (await direct.invoke(failure.rows)).map((o) => (o.kind === 'ok' ? (o.outputs[0] as number) : NaN));
    await direct.close();
    assert.deepEqual(got, want, 'same runtime, same batch: bit-identical');
    assertClose(got, failure.proba.map((p) => p[1]), 1e-9, 'vs scikit-learn');
  }));
