/** Using trained models: PREDICT, ANOMALY_SCORE, ML_PREDICT, versions (m$n) and ALTER MODEL pins. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';
import { trainedRegistry } from '../../../src/engine/model-train.ts';
import { linearPredict } from '../../../src/ml/learn/linear.ts';
import { denseVector } from '../../../src/ml/learn/features.ts';

async function produce(t: Awaited<ReturnType<typeof testEngine>>, topic: string, rows: object[], from = 0): Promise<void> {
  const enc = new TextEncoder();
  await t.log.producer().send(topic, rows.map((r, i) => ({ key: null, value: enc.encode(JSON.stringify(r)), timestamp: from + i })));
}

test('PREDICT on a trained regression model: live answers equal the model; m$1 answers with version 1; ALTER pins', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM train (x DOUBLE, y DOUBLE) WITH (KAFKA_TOPIC='train', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM ask (id INTEGER, x DOUBLE) WITH (KAFKA_TOPIC='ask', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    await produce(t, 'train', Array.from({ length: 400 }, (_, i) => ({ X: i % 10, Y: 2 * (i % 10) + 1 })));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y', SNAPSHOT_EVERY = 100) AS SELECT * FROM train;`);
    await t.engine.runUntilIdle();
    const reg = trainedRegistry(t.engine);
    assert.deepEqual(reg.versions.get('M')!.map((v) => v.rows), [100, 200, 300, 400]);
    await t.engine.execute(`CREATE STREAM answers AS SELECT id, PREDICT(m, x)->PREDICTION AS live, PREDICT(\`M$1\`, x)->PREDICTION AS v1 FROM ask;`);
    await produce(t, 'ask', [{ ID: 1, X: 3 }, { ID: 2, X: 7 }]);
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'ANSWERS')).map((r) => JSON.parse(text(r.value)!));
    const live = reg.live.get('M')!.get('')!.state.learner;
    const v1 = reg.versions.get('M')![0].models.get('')!.state.learner;
    assert.equal(out.length, 2);
    assert.equal(out[0].LIVE, linearPredict(live as never, denseVector([3])));
    assert.equal(out[1].V1, linearPredict(v1 as never, denseVector([7])));
    assert.notEqual(out[0].LIVE, out[0].V1);
    assert.ok(Math.abs(out[0].LIVE - 7) < 1, `learned y = 2x + 1: ${out[0].LIVE}`);
    await t.engine.execute(`ALTER MODEL m SET (VERSION = 1);`);
    await t.engine.execute(`CREATE STREAM pinned AS SELECT id, PREDICT(m, x)->PREDICTION AS p FROM ask;`);
    await t.engine.runUntilIdle();
    const pinned = (await readTopic(t.log, 'PINNED')).map((r) => JSON.parse(text(r.value)!));
    assert.equal(pinned[0].P, out[0].V1);
    const [d] = await t.engine.execute('DESCRIBE MODEL m;');
    assert.match((d as { text: string }).text, /Default version +: 1/);
    assert.match((d as { text: string }).text, /M\$4: 400 rows/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('ANOMALY_SCORE per key (PARTITION BY) and PREDICT on a classifier', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM m1 (dev STRING, a DOUBLE, b DOUBLE, bad INTEGER) WITH (KAFKA_TOPIC='m1', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const rows = Array.from({ length: 600 }, (_, i) => ({ DEV: i % 2 ? 'x' : 'y', A: (i * 7) % 10 / 10, B: (i * 3) % 10 / 10, BAD: i % 3 === 0 ? 1 : 0 }));
    await produce(t, 'm1', rows);
    await t.engine.execute(`CREATE MODEL hst WITH (TYPE = 'HALF_SPACE_TREES', WINDOW_SIZE = 50) AS SELECT dev, a, b FROM m1 PARTITION BY dev;
      CREATE MODEL clf WITH (TYPE = 'GAUSSIAN_NB', LABEL = 'bad') AS SELECT a, b, bad FROM m1;
      CREATE STREAM scored AS SELECT dev, ANOMALY_SCORE(hst, dev, a, b) AS score, PREDICT(clf, a, b)->PREDICTION AS cls FROM m1;`);
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'SCORED')).map((r) => JSON.parse(text(r.value)!));
    assert.equal(out.length, 600);
    assert.ok(out.every((r) => typeof r.SCORE === 'number' && r.SCORE >= 0 && r.SCORE <= 1), JSON.stringify(out.slice(0, 3)));
    assert.ok(out.every((r) => r.CLS === '0' || r.CLS === '1'));
    await assert.rejects(t.engine.execute(`CREATE STREAM z AS SELECT ANOMALY_SCORE(clf, a, b) AS s FROM m1;`), /ANOMALY_SCORE needs an anomaly model/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
