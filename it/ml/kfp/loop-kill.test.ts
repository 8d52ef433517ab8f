/**
 * The loop with a crash in the middle, in ONE test: a planted concept change -> the online
 * model's drift fires -> the run is created and PENDING at KFP -> the engine (a child process) is
 * killed with kill -9 -> a new engine on the same directory replays the statements, finds the run
 * by its name (exactly one create request) and tracks it to SUCCEEDED -> version 2 is loaded in
 * MLServer, shadowed against version 1 on labelled rows and promoted by the PROMOTE WHEN clause ->
 * PREDICT answers with version 2. Uses the map-literal PARAMETERS.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { testEngine, removeDir, readTopic } from '../../../test/engine/helpers.ts';
import { startStandIn } from './standin.ts';
import { conceptRows as rows, directAccuracy, forgetServedModel, inferVersion, mlserver, modelRepo as repo, readingsWriter, until } from './loop-fixture.ts';
import { TrainingDataExport } from '../../../src/engine/training-data-export.ts';
import { KfpClient } from '../../../src/ml/pipelines/kfp-client.ts';
import { championOf } from '../../../src/engine/model-promotion.ts';

await forgetServedModel('crash');
const s = await startStandIn();
after(() => s.stop());

test('drift -> run pending -> kill -9 -> restart -> exactly one run -> promotion', { timeout: 600_000, skip: !mlserver && 'needs scripts/ml/with-servers.sh' }, async () => {
  let t = await testEngine({ background: true });
  const dir = t.dir;
  try {
    await t.engine.execute(`CREATE STREAM readings (id STRING KEY, x1 DOUBLE, x2 DOUBLE, label INT) WITH (KAFKA_TOPIC = 'readings', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE STREAM labels (id STRING KEY, label INT) WITH (KAFKA_TOPIC = 'labels', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE STREAM feats AS SELECT id, x1, x2, label FROM readings EMIT CHANGES;`);
    const writer = readingsWriter(t.log);
    const produce = writer.send;
    // 1. Version 1 (old concept) by a KFP run; then the change: enough new rows for drift and the run.
    await produce(rows(1, 2000, 'old'), false);
    const v1dir = join(dir, 'v1-data');
    const exp = await TrainingDataExport.start(t.engine, { source: 'FEATS', dir: v1dir, format: 'parquet', rollRows: 2000, rollIntervalMs: 0, groupId: 'v1' });
    await until('v1 training data', () => exp.manifests.length === 1, 60_000);
    await exp.stop();
    const params = { label: 'LABEL', features: 'X1,X2', model_repo: repo, model_name: 'crash', mlserver_url: mlserver! };
    const kfp = new KfpClient({ endpoint: s.url, pipelineId: s.pipelineId, pipelineVersionId: s.versionId });
    const v1run = await kfp.createRun('crash-v1', { ...params, manifests: join(v1dir, 'feats-000001.manifest.json') });
    await until('v1 run', async () => ((await kfp.getRun(v1run.run_id)).state === 'SUCCEEDED' ? true : (await kfp.getRun(v1run.run_id)).state === 'FAILED' ? assert.fail('v1 run failed') : false), 120_000);
    const post = rows(100, 2400, 'new');
    await (await produce(post, true))();
    await until('FEATS complete', async () => ((await t.log.offsets('FEATS'))[0]!.end >= 4400 ? true : false), 60_000);
    await writer.close();
    await t.close();

    // 2. The loop's statements in a child engine; KFP holds the run PENDING; kill -9 then.
    await s.pause();
    const map = Object.entries(params).map(([k, v]) => `'${k}', '${v}'`).join(', ');
    const sql = `CREATE MODEL crash INPUT (X1 DOUBLE, X2 DOUBLE) OUTPUT (PREDICT BIGINT) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${mlserver}', MODEL_NAME = 'crash', VERSION = '1');
      CREATE MODEL online WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'LABEL') AS SELECT x1, x2, label FROM readings;
      CREATE PIPELINE retrain FROM feats WITH (PROVIDER = 'kubeflow', ENDPOINT = '${s.url}', PIPELINE_ID = '${s.pipelineId}', PIPELINE_VERSION_ID = '${s.versionId}',
        PARAMETERS = MAP[${map}], TRIGGER = 'ON DRIFT OF online', ROLL_ROWS = 250, MIN_ROWS_AFTER_DRIFT = 1500, DRIFT_COOLDOWN = '1 DAY',
        POLL_INTERVAL = '300 MILLISECONDS', MODEL = 'crash', LABELS = 'labels', LABEL_WINDOW = '1 MINUTE')
        PROMOTE WHEN accuracy BETTER BY 0.05 AFTER 300 ROWS;`;
    const child = spawn(process.execPath, [join(import.meta.dirname, 'engine-worker.ts'), dir, sql, 'RETRAIN'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    const startedAt = Date.now();
    await until('the drift run pending at KFP', () => /run riffle-retrain-drift-0-\d+ PENDING/.test(out), 180_000);
    const runName = /run (riffle-retrain-drift-0-\d+) PENDING/.exec(out)![1]!;
    const pendingAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // 3. Restart on the same directory: the run is found by name, tracked, and its version promoted.
    t = await testEngine({ background: true }, dir);
    writer.using(t.log);
    await s.resume();
    let chunk = 0;
    let pendingLabels: (() => Promise<void>) | null = null;
    await until(
      'promotion after the restart',
      async () => {
        const batch = rows(500 + chunk++, 200, 'new');
        post.push(...batch);
        const labelsOf = await produce(batch, true);
        await pendingLabels?.();
        pendingLabels = labelsOf;
        await new Promise((r) => setTimeout(r, 250));
        return championOf(t.engine, 'CRASH') === '2';
      },
      400_000,
    );
    const promotedAt = Date.now();
    const posts = (await s.requests()).filter((r) => r.method === 'POST' && r.path === '/apis/v2beta1/runs');
    assert.equal(posts.length, 2, 'v1 run and exactly one loop run were created');
    const [runs] = await t.engine.execute('SHOW RUNS;');
    assert.ok(runs!.kind === 'table' && runs!.rows.length === 1 && runs!.rows[0]![1] === runName && runs!.rows[0]![3] === 'SUCCEEDED', JSON.stringify(runs));
    assert.deepEqual((await s.requests()).filter((r) => !r.valid), []);
    const switches = (await readTopic(t.log, 'CRASH_PROMOTIONS')).map((r) => JSON.parse(Buffer.from(r.value!).toString()) as Record<string, unknown>);
    const promote = switches.find((x) => x.ACTION === 'PROMOTE' && x.TO_VERSION === '2')!;
    assert.match(String(promote.BY), /^rule ACCURACY BETTER BY 0.05 AFTER 300 ROWS/);
    // accuracy on the new concept: v1, v2, and a model trained directly on the rows after the change
    const held = rows(999, 2000, 'new');
    const acc = (p: number[]) => p.filter((x, i) => x === held[i]!.label).length / held.length;
    const v1 = acc(await inferVersion('crash', '1', held));
    const v2 = acc(await inferVersion('crash', '2', held));
    const direct = directAccuracy(dir, post, held);
    console.log(`loop with kill -9: v1 ${v1.toFixed(4)}, v2 (promoted) ${v2.toFixed(4)}, direct ${direct.toFixed(4)}; child start -> run pending ${((pendingAt - startedAt) / 1000).toFixed(1)} s; restart -> promotion ${((promotedAt - pendingAt) / 1000).toFixed(1)} s (KFP paused while the engine was down)`);
    assert.ok(v1 < 0.7);
    assert.ok(Math.abs(v2 - direct) <= 0.02, `v2 ${v2} vs direct ${direct}`);
    await writer.close();
  } finally {
    await s.resume();
    await t.close();
    removeDir(dir);
  }
});
