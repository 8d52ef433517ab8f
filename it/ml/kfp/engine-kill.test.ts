/**
 * kill -9 of a whole Riffle engine while its pipeline's run is pending at KFP: after the restart
 * (command log replayed, same state dir) exactly one run exists in KFP for the trigger, Riffle
 * tracks it to SUCCEEDED (or FAILED), and no further run is started for the same rows.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandIn } from './standin.ts';
import { until } from './loop-fixture.ts';
import { testEngine, removeDir } from '../../../test/engine/helpers.ts';
import { readingsQuery } from '../../../test/ml/training-data/fixture.ts';

const s = await startStandIn();
after(() => s.stop());

test('kill -9 of the engine while the run is pending: one run in KFP, tracked after restart', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-kill-'));
  try {
    // data first (an engine in this process), then the pipeline in a child that gets killed
    const seed = await testEngine({}, dir);
    await readingsQuery(seed.engine, seed.log, 1200, 1);
    await seed.engine.runUntilIdle();
    await seed.close();
    await s.pause();
    const params = JSON.stringify({ label: 'LABEL', features: 'TEMP2,N', model_repo: join(dir, 'repo'), model_name: 'killed', mlserver_url: 'http://127.0.0.1:9' });
    const sql = `CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = '${s.url}', PIPELINE_ID = '${s.pipelineId}', PIPELINE_VERSION_ID = '${s.versionId}',
      PARAMETERS = '${params}', TRIGGER = 'EVERY 1000 ROWS', ROLL_ROWS = 500, POLL_INTERVAL = '200 MILLISECONDS', RETRIES = 0);`;
    const child = spawn(process.execPath, [join(import.meta.dirname, 'engine-worker.ts'), dir, sql], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    await until('the run pending at KFP', () => /run riffle-p-data-2 PENDING/.test(out), 90_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // restart: the statement is replayed; the run is found by name, not created again
    const again = spawn(process.execPath, [join(import.meta.dirname, 'engine-worker.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out2 = '';
    again.stdout!.on('data', (b) => (out2 += b));
    try {
      await until('the restarted engine to track the run', () => /run riffle-p-data-2 PENDING/.test(out2), 90_000);
      await s.resume();
      await until('the run to finish', () => /run riffle-p-data-2 (SUCCEEDED|FAILED)/.test(out2), 90_000);
    } finally {
      again.kill('SIGKILL');
      await new Promise((r) => again.once('exit', r));
    }
    const posts = (await s.requests()).filter((r) => r.method === 'POST' && r.path === '/apis/v2beta1/runs');
    assert.equal(posts.length, 1, 'exactly one create request');
    const filter = JSON.stringify({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'riffle-p-data-2' }] });
    const runs = ((await (await fetch(`${s.url}/apis/v2beta1/runs?filter=${encodeURIComponent(filter)}`)).json()) as { runs: unknown[] }).runs;
    assert.equal(runs.length, 1);
    assert.ok(!/riffle-p-data-2-retry|riffle-p-data-[13]\b/.test(out + out2), 'no other run');
  } finally {
    await s.resume();
    removeDir(dir);
  }
});
