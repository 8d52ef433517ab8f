/**
 * Tracked KFP runs against the stand-in: kill -9 while a run is pending (and right after its intent
 * was saved) never creates it twice; KFP unreachable is retried then reported; a failing run is
 * retried per policy and its cause reported; every request Riffle sent validated against the spec.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandIn, freePort } from './standin.ts';
import { until } from './loop-fixture.ts';
import { PipelineRuns } from '../../../src/ml/pipelines/runs.ts';

const s = await startStandIn();
after(() => s.stop());
const dir = mkdtempSync(join(tmpdir(), 'riffle-runs-'));
const badParams = { manifests: '/nonexistent.manifest.json', label: 'LABEL', features: 'A', model_repo: '/tmp/x', model_name: 'm', mlserver_url: 'http://127.0.0.1:1' };

async function runsNamed(name: string): Promise<{ run_id: string; state: string }[]> {
  const filter = JSON.stringify({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: name }] });
  const res = (await (await fetch(`${s.url}/apis/v2beta1/runs?filter=${encodeURIComponent(filter)}`)).json()) as { runs?: { run_id: string; state: string }[] };
  return res.runs ?? [];
}

for (const killAt of ['submitted', 'requested'] as const) {
  test(`kill -9 while the run is pending (at ${killAt}): after restart exactly one run exists and it is tracked`, { timeout: 120_000 }, async () => {
    await s.pause();
    const stateFile = join(dir, `state-${killAt}.json`);
    const child = spawn(process.execPath, [join(import.meta.dirname, 'runs-worker.ts'), s.url, stateFile, `k${killAt}`, killAt], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    await until('the child to log the run', () => out.includes(killAt === 'requested' ? 'requested' : 'submitted'));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const runs = new PipelineRuns({ pipeline: 'P', target: { endpoint: s.url, pipelineId: 'p-retraining', pipelineVersionId: 'v-1' }, stateFile, retry: { runAttempts: 1, submitAttempts: 5, backoffMs: 100 }, pollMs: 100 });
    runs.start();
    // the same trigger again after the restart is a no-op
    assert.equal(runs.trigger(`k${killAt}`, 'test', badParams), false);
    await until('the run id', () => runs.runs[0]?.runId);
    await s.resume();
    await until('the run to fail', () => runs.runs[0]!.state === 'FAILED');
    await runs.close();
    const found = await runsNamed(`riffle-p-k${killAt}`);
    assert.equal(found.length, 1, 'exactly one run created');
    assert.equal(found[0]!.run_id, runs.runs[0]!.runId);
  });
}

test('a failing run is retried per policy and its cause reported', { timeout: 180_000 }, async () => {
  const events: string[] = [];
  const runs = new PipelineRuns({ pipeline: 'F', target: { endpoint: s.url, pipelineId: 'p-retraining', pipelineVersionId: 'v-1', token: 'secret-token' }, stateFile: join(dir, 'f.json'), retry: { runAttempts: 2, submitAttempts: 3, backoffMs: 50 }, pollMs: 100 });
  runs.onEvent((e) => events.push(`${e.name}:${e.state}`));
  runs.start();
  runs.trigger('d1', 'drift of model M', badParams);
  await until('the retried run to fail', () => runs.runs.length === 2 && runs.runs[1]!.state === 'FAILED', 120_000);
  await runs.close();
  assert.deepEqual(runs.runs.map((r) => r.name), ['riffle-f-d1', 'riffle-f-d1-retry1']);
  for (const r of runs.runs) assert.match(r.error!, /train/);
  assert.ok(events.includes('riffle-f-d1:PENDING') && events.includes('riffle-f-d1-retry1:FAILED'), events.join());
  const reqs = await s.requests();
  assert.ok(reqs.filter((r) => r.method === 'POST').every((r) => r.authorization === null || r.authorization === 'Bearer secret-token'));
  assert.ok(reqs.some((r) => r.authorization === 'Bearer secret-token'));
});

test('KFP unreachable: submissions retried with backoff, then SUBMIT_FAILED with the cause', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const runs = new PipelineRuns({ pipeline: 'U', target: { endpoint: `http://127.0.0.1:${port}`, pipelineId: 'p-retraining' }, stateFile: join(dir, 'u.json'), retry: { runAttempts: 1, submitAttempts: 3, backoffMs: 20 }, pollMs: 30 });
  runs.start();
  runs.trigger('x', 'every 10 rows', badParams);
  await until('SUBMIT_FAILED', () => runs.runs[0]!.state === 'SUBMIT_FAILED');
  await runs.close();
  assert.equal(runs.runs[0]!.submitErrors, 3);
  assert.match(runs.runs[0]!.error!, /unreachable/);
});

test('every request Riffle sent validated against the official spec', async () => {
  const reqs = await s.requests();
  assert.ok(reqs.length > 10);
  assert.deepEqual(reqs.filter((r) => !r.valid), []);
});
