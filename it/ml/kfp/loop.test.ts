/**
 * The whole loop, in `npm test` (scripts/ml/with-servers.sh: real MLServer; the KFP stand-in runs
 * examples/retraining with kfp's local runner): readings -> PREDICT with the champion (version 1,
 * trained on the old concept) -> a planted concept change -> the online model's ADWIN fires ->
 * exactly one KFP run trains on the rows after the change -> version 2 loaded in MLServer ->
 * shadowed against version 1 on the same rows with labels arriving later -> promoted by rule ->
 * PREDICT answers with version 2. Accuracy on held-out rows of the new concept is compared with a
 * scikit-learn model trained directly on the same rows; the time from drift to promotion is printed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEngine, removeDir, readTopic } from '../../../test/engine/helpers.ts';
import { startStandIn } from './standin.ts';
import { conceptRows as rows, directAccuracy, forgetServedModel, inferVersion, mlserver, modelRepo as repo, readingsWriter, type Reading, until } from './loop-fixture.ts';
import { TrainingDataExport } from '../../../src/engine/training-data-export.ts';
import { KfpClient } from '../../../src/ml/pipelines/kfp-client.ts';
import { modelRegistry } from '../../../src/engine/model-registry.ts';
import { championOf } from '../../../src/engine/model-promotion.ts';

await forgetServedModel('loop');
const s = await startStandIn();
after(() => s.stop());

test('planted concept change: drift -> one run -> version 2 shadowed and promoted -> accuracy recovers', { timeout: 600_000, skip: !mlserver && 'needs scripts/ml/with-servers.sh' }, async () => {
  const t = await testEngine({ background: true });
  try {
    const e = t.engine;
    await e.execute(`CREATE STREAM readings (id STRING KEY, x1 DOUBLE, x2 DOUBLE, label INT) WITH (KAFKA_TOPIC = 'readings', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE STREAM labels (id STRING KEY, label INT) WITH (KAFKA_TOPIC = 'labels', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE STREAM feats AS SELECT id, x1, x2, label FROM readings EMIT CHANGES;`);
    const writer = readingsWriter(t.log);
    const produce = writer.send;

    // 1. Version 1: the old concept, trained by a KFP run of examples/retraining on exported training data.
    await produce(rows(1, 2000, 'old'), false);
    const dir = join(t.dir, 'v1-data');
    const exp = await TrainingDataExport.start(e, { source: 'FEATS', dir, format: 'parquet', rollRows: 2000, rollIntervalMs: 0, groupId: 'v1' });
    await until('v1 training data', () => exp.manifests.length === 1, 60_000);
    await exp.stop();
    const params = { label: 'LABEL', features: 'X1,X2', model_repo: repo, model_name: 'loop', mlserver_url: mlserver! };
    const kfp = new KfpClient({ endpoint: s.url, pipelineId: s.pipelineId, pipelineVersionId: s.versionId });
    const v1run = await kfp.createRun('loop-v1', { ...params, manifests: join(dir, 'feats-000001.manifest.json') });
    await until('v1 run', async () => ((await kfp.getRun(v1run.run_id)).state === 'SUCCEEDED' ? true : (await kfp.getRun(v1run.run_id)).state === 'FAILED' ? assert.fail('v1 run failed') : false), 120_000);

    // 2. The champion serves PREDICT; an online model watches for drift; the pipeline closes the loop.
    await e.execute(`CREATE MODEL loop INPUT (X1 DOUBLE, X2 DOUBLE) OUTPUT (PREDICT BIGINT) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${mlserver}', MODEL_NAME = 'loop', VERSION = '1');
      CREATE STREAM scored AS SELECT id, x1, x2, PREDICT(loop, x1, x2)->predict AS p FROM readings EMIT CHANGES;
      CREATE MODEL online WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'LABEL') AS SELECT x1, x2, label FROM readings;`);
    await e.execute(`CREATE PIPELINE retrain FROM feats WITH (PROVIDER = 'kubeflow', ENDPOINT = '${s.url}', PIPELINE_ID = '${s.pipelineId}', PIPELINE_VERSION_ID = '${s.versionId}',
      PARAMETERS = MAP(${Object.entries(params).map(([k, v]) => `'${k}' := '${v}'`).join(', ')}), TRIGGER = 'ON DRIFT OF online', ROLL_ROWS = 250, MIN_ROWS_AFTER_DRIFT = 1500, DRIFT_COOLDOWN = '1 DAY',
      POLL_INTERVAL = '500 MILLISECONDS', MODEL = 'loop', LABELS = 'labels', LABEL_WINDOW = '1 MINUTE')
      PROMOTE WHEN accuracy BETTER BY 0.05 AFTER 300 ROWS;`);

    // 3. The new concept, in chunks, labels one chunk late, until version 2 is promoted.
    const post: Reading[] = [];
    let pendingLabels: (() => Promise<void>) | null = null;
    let driftSeenAt = 0;
    let chunk = 0;
    // progress, as the demo shows it (examples/retraining/demo.sh)
    const shown = new Set<string>();
    const progress = async () => {
      const [r] = await e.execute('SHOW RUNS;');
      const lines = r!.kind === 'table' ? r!.rows.map((x) => `run ${x[1]}: ${x[3]}`) : [];
      const [d] = await e.execute('DESCRIBE PIPELINE retrain;');
      if (d!.kind === 'text') lines.push(...d!.text.split('\n').filter((l) => /^(Challenger|\s+\S+Z (CHALLENGER|PROMOTE|REJECT|LOAD_FAILED))/.test(l) && !/in shadow/.test(l)));
      if (driftSeenAt && !shown.has('drift')) (shown.add('drift'), lines.push(`drift of model ONLINE detected (${post.length} rows after the change)`));
      for (const l of lines) if (!shown.has(l)) (shown.add(l), console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${l.trim()}`));
    };
    const started = Date.now();
    await until(
      'promotion',
      async () => {
        const batch = rows(100 + chunk++, 200, 'new');
        post.push(...batch);
        const labelsOf = await produce(batch, true);
        await pendingLabels?.();
        pendingLabels = labelsOf;
        if (!driftSeenAt && (await t.log.offsets('ONLINE_DRIFT'))[0]!.end > 0) driftSeenAt = Date.now();
        await new Promise((r) => setTimeout(r, 250));
        await progress();
        return championOf(e, 'LOOP') === '2';
      },
      400_000,
    );
    const promotedAt = Date.now();
    await pendingLabels!();

    // exactly one run, triggered by the drift
    const [runs] = await e.execute('SHOW RUNS;');
    assert.ok(runs!.kind === 'table');
    if (runs!.kind !== 'table') return;
    assert.equal(runs!.rows.length, 1, JSON.stringify(runs!.rows));
    assert.match(String(runs!.rows[0]![1]), /^riffle-retrain-drift-0-\d+$/);
    assert.equal(runs!.rows[0]![3], 'SUCCEEDED');
    // the switch with its evidence
    const switches = (await readTopic(t.log, 'LOOP_PROMOTIONS')).map((r) => JSON.parse(Buffer.from(r.value!).toString()) as Record<string, unknown>);
    const promote = switches.find((x) => x.ACTION === 'PROMOTE')!;
    assert.equal(promote.TO_VERSION, '2');
    assert.match(String(promote.BY), /^rule ACCURACY BETTER BY 0.05 AFTER 300 ROWS/);
    assert.ok(Number(promote.ROWS) >= 300);
    assert.ok(Number(promote.CHALLENGER_ACCURACY) > Number(promote.CHAMPION_ACCURACY) + 0.05);
    assert.ok(switches.some((x) => x.ACTION === 'CHALLENGER' && x.TO_VERSION === '2'));

    // PREDICT now answers with version 2 (the registry's default invoker is the champion's)
    const test = rows(999, 2000, 'new');
    const v2 = await inferVersion('loop', '2', test);
    const v1 = await inferVersion('loop', '1', test);
    const inv = await modelRegistry(e).invoker('LOOP', null, {});
    const viaPredict = (await inv.invoke(test.map((r) => [r.x1, r.x2]))).map((o) => (o.kind === 'ok' ? Number(o.outputs[0]) : NaN));
    assert.deepEqual(viaPredict, v2);
    const acc = (p: number[]) => p.filter((x, i) => x === test[i]!.label).length / test.length;

    // a model trained directly on all rows produced after the change (more than the run was given)
    const direct = directAccuracy(t.dir, post, test);
    const given = JSON.parse(readFileSync(join(e.stores.dataDir, 'pipelines', 'RETRAIN', 'runs.json'), 'utf8')).runs[0].parameters.manifests.split(',').length;
    console.log(`loop: v1 accuracy on the new concept ${acc(v1).toFixed(4)}, v2 (promoted) ${acc(v2).toFixed(4)}, LogisticRegression trained directly on all ${post.length} rows after the change ${direct.toFixed(4)}; drift seen -> promotion ${((promotedAt - driftSeenAt) / 1000).toFixed(1)} s; ${post.length} rows after the change produced, the run trained on ${given} files`);
    assert.ok(acc(v1) < 0.7);
    assert.ok(Math.abs(acc(v2) - direct) <= 0.02, `v2 ${acc(v2)} vs direct ${direct}`);
    const reqs = await s.requests();
    assert.deepEqual(reqs.filter((r) => !r.valid), []);
    await writer.close();
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
