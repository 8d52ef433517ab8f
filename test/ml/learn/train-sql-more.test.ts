/** Training in SQL: per-key models, anomaly scores, bad rows, drift rows, restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';
import { hasData, loadCsv } from './data.ts';
import { describedMetrics, produceDataset } from './sql-data.ts';
import { PROCESSING_LOG_TOPIC } from '../../../src/exec/processing-log.ts';
import { trainedRegistry } from '../../../src/engine/model-train.ts';
import { PyRandom } from '../../../src/ml/learn/random.ts';

const skip = !hasData('shuttle.csv') && 'ml-data not found';

test('shuttle: half-space trees by SQL, exact ROC AUC in River band', { skip }, async () => {
  const t = await testEngine();
  try {
    await produceDataset(t.engine, t.log, 'data', loadCsv('shuttle.csv'));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'HALF_SPACE_TREES', LABEL = 'label', SEED = 3) AS SELECT * FROM data;`);
    await t.engine.runUntilIdle();
    const [d] = await t.engine.execute('DESCRIBE MODEL m;');
    const m = describedMetrics((d as { text: string }).text);
    assert.equal(m.ROWS, 49097);
    assert.ok(m.ROC_AUC >= 0.953 && m.ROC_AUC <= 0.978, `exact ROC AUC ${m.ROC_AUC}`);
    assert.ok(m.SCORE_P50 < m.SCORE_P99);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('PARTITION BY: one model per key; bad rows go to the processing log and training goes on', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM obs (dev STRING, x DOUBLE, kind STRING, y DOUBLE) WITH (KAFKA_TOPIC='obs', VALUE_FORMAT='JSON', PARTITIONS=2);`);
    const p = t.log.producer();
    const enc = new TextEncoder();
    const recs = [];
    for (let i = 0; i < 400; i++) {
      const dev = i % 2 ? 'a' : 'b';
      const x = i % 10;
      // device a: y = 3x + 1, device b: y = -2x + 5
      recs.push({ key: null, value: enc.encode(JSON.stringify({ DEV: dev, X: x, KIND: i % 3 ? 'u' : 'v', Y: dev === 'a' ? 3 * x + 1 : -2 * x + 5 })), timestamp: i, partition: i % 2 });
    }
    recs.push({ key: null, value: enc.encode('{"DEV":"a","X":null,"KIND":"u","Y":1}'), timestamp: 500, partition: 0 });
    recs.push({ key: null, value: enc.encode('{"DEV":"a","X":1,"KIND":"u","Y":null}'), timestamp: 501, partition: 0 });
    recs.push({ key: null, value: enc.encode('{"DEV":"b","X":"abc","KIND":"u","Y":1}'), timestamp: 502, partition: 1 });
    await p.send('obs', recs);
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y', METRICS_EVERY = 100) AS SELECT dev, x, kind, y FROM obs PARTITION BY dev;`);
    await t.engine.runUntilIdle();
    const live = trainedRegistry(t.engine).live.get('M')!;
    assert.deepEqual([...live.keys()].sort(), ['a', 'b']);
    assert.equal(live.get('a')!.state.rows, 200);
    assert.equal(live.get('b')!.state.rows, 200);
    // One-hot: KIND=u and KIND=v are features of their own.
    assert.ok(live.get('a')!.space.names.includes('KIND=u'));
    const [d] = await t.engine.execute('DESCRIBE MODEL m;');
    assert.match((d as { text: string }).text, /Metrics \(key a\): rows learned 200/);
    const errors = (await readTopic(t.log, PROCESSING_LOG_TOPIC)).map((r) => text(r.value)!);
    assert.ok(errors.some((e) => e.includes('feature X is null')), errors.join('\n'));
    assert.ok(errors.some((e) => e.includes('label y is null')), errors.join('\n'));
    assert.ok(errors.length >= 3, `a string for a DOUBLE fails deserialization: ${errors.length}`);
    const metrics = (await readTopic(t.log, 'M_METRICS')).map((r) => ({ key: text(r.key), ...JSON.parse(text(r.value)!) }));
    assert.ok(metrics.some((m) => m.key === 'a' && m.METRIC === 'MAE' && m.ROWS === 200));
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('drift CHALLENGER: the model at the detection becomes a version, the live model restarts from there', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (x DOUBLE, y INTEGER) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const enc = new TextEncoder();
    const rng = new PyRandom(5);
    await t.log.producer().send('s', Array.from({ length: 6000 }, (_, i) => {
      const x = rng.uniform(-1, 1);
      return { key: null, value: enc.encode(JSON.stringify({ X: x, Y: (x > 0) === i < 3000 ? 1 : 0 })), timestamp: i };
    }));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'y', DRIFT_POLICY = 'CHALLENGER') AS SELECT * FROM s;`);
    await t.engine.runUntilIdle();
    const reg = trainedRegistry(t.engine);
    const versions = reg.versions.get('M')!;
    assert.ok(versions.length >= 1);
    const before = versions[0].models.get('')!.state.learner as { weights: number[] };
    const live = reg.live.get('M')!.get('')!.state.learner as { weights: number[] };
    assert.ok(before.weights[0] > 0, `the version learned y = x > 0: ${before.weights[0]}`);
    assert.ok(live.weights[0] < 0, `the challenger learned the flipped concept: ${live.weights[0]}`);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('drift: ADWIN on the error stream writes a drift row; RESET restarts the model; restart resumes', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (x DOUBLE, y INTEGER) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const p = t.log.producer();
    const enc = new TextEncoder();
    const rng = new PyRandom(5);
    const recs = [];
    for (let i = 0; i < 6000; i++) {
      const x = rng.uniform(-1, 1);
      // the concept flips at row 3000
      const y = (x > 0) === i < 3000 ? 1 : 0;
      recs.push({ key: null, value: enc.encode(JSON.stringify({ X: x, Y: y })), timestamp: i });
    }
    await p.send('s', recs);
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'y', DRIFT_POLICY = 'RESET') AS SELECT * FROM s;`);
    await t.engine.runUntilIdle();
    const drifts = (await readTopic(t.log, 'M_DRIFT')).map((r) => JSON.parse(text(r.value)!));
    assert.ok(drifts.length >= 1, 'a drift row');
    assert.ok(drifts.some((d) => d.ROWS > 3000 && d.ROWS < 3600), JSON.stringify(drifts));
    assert.ok(drifts.every((d) => d.ROWS > 3000), `no drift before the change: ${JSON.stringify(drifts)}`);
    const rows = trainedRegistry(t.engine).live.get('M')!.get('')!.state.rows;
    assert.equal(rows, 6000);
  } finally {
    await t.close();
  }
  // Restart: the model is restored from its store and goes on from where it stopped.
  const again = await testEngine({}, t.dir);
  try {
    assert.ok(trainedRegistry(again.engine).definitions.has('M'), 'the definition is replayed');
    const p = again.log.producer();
    await p.send('s', [{ key: null, value: new TextEncoder().encode('{"X":0.5,"Y":0}'), timestamp: 7000 }]);
    await again.engine.runUntilIdle();
    const restored = trainedRegistry(again.engine).live.get('M')!.get('')!.state;
    assert.equal(restored.rows, 6001);
    // The exact-AUC score lists came back from their chunks: one score per scored row.
    const metrics = restored.metrics as { n: number; positives: number[]; negatives: number[] };
    assert.equal(metrics.positives.length + metrics.negatives.length, metrics.n);
    assert.equal(metrics.n, 6001);
  } finally {
    await again.close();
    removeDir(t.dir);
  }
});

test('PARTITION BY: one model per key across source partitions; after a restart every key has its model again before any new input, bit for bit', async () => {
  const t = await testEngine();
  const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
  const enc = new TextEncoder();
  // The source has no key: a key's rows may sit in any partition (here the first 400 in partition
  // 0, the last one in partition 1), and PARTITION BY brings them together.
  const row = (k: string, i: number, partition = 0) => ({ key: null, value: enc.encode(JSON.stringify({ DEV: k, X: i % 10, Y: (i % 10) * 2 + 1 })), timestamp: i, partition });
  try {
    await t.engine.execute(`CREATE STREAM obs (dev STRING, x DOUBLE, y DOUBLE) WITH (KAFKA_TOPIC='obs', VALUE_FORMAT='JSON', PARTITIONS=4);`);
    await t.log.producer().send('obs', Array.from({ length: 400 }, (_, i) => row(keys[i % keys.length], i)));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y') AS SELECT dev, x, y FROM obs PARTITION BY dev;`);
    await t.engine.runUntilIdle();
    // The last batch before the restart holds one key only (so it touches one partition).
    await t.log.producer().send('obs', [row('k0', 400, 1)]);
    await t.engine.runUntilIdle();
    const live = trainedRegistry(t.engine).live.get('M')!;
    assert.deepEqual([...live.keys()].sort(), keys);
    assert.equal(live.get('k0')!.state.rows, 51, 'one model per key, whatever partition its rows came from');
    const before = JSON.stringify(keys.map((k) => live.get(k)!.state));
    await t.close();

    const t2 = await testEngine({}, t.dir);
    try {
      await t2.engine.runUntilIdle();
      const back = trainedRegistry(t2.engine).live.get('M');
      assert.deepEqual([...(back?.keys() ?? [])].sort(), keys, 'every key model restored at start');
      assert.equal(JSON.stringify(keys.map((k) => back!.get(k)!.state)), before);
    } finally {
      await t2.close();
    }
  } finally {
    removeDir(t.dir);
  }
});
