/**
 * CREATE PIPELINE end to end against the KFP stand-in (real kfp local runner) and real MLServer
 * (scripts/ml/with-servers.sh): every 1000 rows of FEATURES a run trains scikit-learn on the
 * training-data files and loads a new version into MLServer's repository; SHOW RUNS, DESCRIBE
 * PIPELINE and the <P>_RUNS stream show it; a restart of Riffle (statement replay) starts nothing twice.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { testEngine, removeDir, readTopic } from '../../../test/engine/helpers.ts';
import { readingsQuery } from '../../../test/ml/training-data/fixture.ts';
import { startStandIn } from './standin.ts';
import { until } from './loop-fixture.ts';

const mlserver = process.env.RIFFLE_MLSERVER_URL;
const repo = process.env.RIFFLE_ML_WORK ? join(process.env.RIFFLE_ML_WORK, 'mlserver') : null;
// A kept RIFFLE_ML_WORK may hold versions from an earlier run: start from none.
if (mlserver) {
  await fetch(`${mlserver}/v2/repository/models/sqlpipe/unload`, { method: 'POST' }).catch(() => undefined);
  rmSync(join(repo!, 'sqlpipe'), { recursive: true, force: true });
}
const s = await startStandIn();
after(() => s.stop());

test('EVERY n ROWS: a run per 1000 rows, new MLServer version loaded, visible in SHOW RUNS / DESCRIBE / runs stream, not repeated after restart', { timeout: 300_000, skip: !mlserver && 'needs scripts/ml/with-servers.sh' }, async () => {
  let t = await testEngine();
  try {
    await readingsQuery(t.engine, t.log, 2400, 1);
    const params = JSON.stringify({ label: 'LABEL', features: 'TEMP2,N', model_repo: repo, model_name: 'sqlpipe', mlserver_url: mlserver });
    await t.engine.execute(`CREATE PIPELINE retrain FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = '${s.url}', PIPELINE_ID = '${s.pipelineId}',
      PIPELINE_VERSION_ID = '${s.versionId}', TOKEN = 't0ken', PARAMETERS = '${params}', TRIGGER = 'EVERY 1000 ROWS', ROLL_ROWS = 500, POLL_INTERVAL = '1 SECOND');`);
    await t.engine.runUntilIdle();
    const done = async () => {
      const [r] = await t.engine.execute('SHOW RUNS;');
      return r!.kind === 'table' && r!.rows.length === 2 && r!.rows.every((row) => row[3] === 'SUCCEEDED') ? r : null;
    };
    const runs = await until('the runs and their versions', done, 240_000);
    assert.equal(runs.kind, 'table');
    if (runs.kind !== 'table') return;
    assert.deepEqual(runs.rows.map((r) => r[1]), ['riffle-retrain-data-2', 'riffle-retrain-data-4']);
    const [d] = await t.engine.execute('DESCRIBE PIPELINE retrain;');
    assert.equal(d!.kind, 'text');
    if (d!.kind === 'text') assert.match(d!.text, /riffle-retrain-data-2\s+SUCCEEDED/);
    const events = (await readTopic(t.log, 'RETRAIN_RUNS')).map((r) => JSON.parse(Buffer.from(r.value!).toString()) as { RUN_NAME: string; STATE: string });
    for (const st of ['REQUESTED', 'PENDING', 'SUCCEEDED']) assert.ok(events.some((e) => e.RUN_NAME === 'riffle-retrain-data-2' && e.STATE === st), st);
    // the new versions answer on MLServer
    for (const v of ['1', '2']) assert.equal((await fetch(`${mlserver}/v2/models/sqlpipe/versions/${v}/ready`)).status, 200);
    const reqs = await s.requests();
    assert.deepEqual(reqs.filter((r) => !r.valid), []);
    assert.ok(reqs.filter((r) => r.method === 'POST').every((r) => r.authorization === 'Bearer t0ken'));
    // restart: the statements are replayed, the state file says both runs exist: nothing new
    const before = reqs.filter((r) => r.method === 'POST').length;
    await t.close();
    t = await testEngine({}, t.dir);
    await t.engine.runUntilIdle();
    await new Promise((r) => setTimeout(r, 1500));
    const [again] = await t.engine.execute('SHOW RUNS;');
    assert.equal(again!.kind === 'table' && again!.rows.length, 2);
    assert.equal((await s.requests()).filter((r) => r.method === 'POST').length, before);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
