/**
 * The KFP stand-in refuses what the official spec refuses: a misspelled field at the top level or
 * nested, a wrong type, a bad enum value, an unknown query parameter; and accepts a valid run,
 * which its kfp local runner then executes (a run with a missing manifest FAILS with the error).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStandIn } from './standin.ts';

const s = await startStandIn();
after(() => s.stop());

const post = (body: unknown) => fetch(`${s.url}/apis/v2beta1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const valid = { display_name: 'r1', pipeline_version_reference: { pipeline_id: 'p-retraining', pipeline_version_id: 'v-1' }, runtime_config: { parameters: { manifests: '/nonexistent.manifest.json', label: 'LABEL', features: 'A', model_repo: '/tmp/x', model_name: 'm', mlserver_url: 'http://127.0.0.1:1' } } };

test('misspelled fields, wrong types and bad enums are refused with 400 naming the field', async () => {
  const cases: [unknown, RegExp][] = [
    [{ ...valid, display_nam: 'x' }, /unknown field "display_nam"/],
    [{ ...valid, runtime_config: { paramters: {} } }, /run\.runtime_config: unknown field "paramters"/],
    [{ ...valid, pipeline_version_reference: { pipeline_id: 'p-retraining', pipeline_version: 'v-1' } }, /unknown field "pipeline_version"/],
    [{ ...valid, display_name: 7 }, /run\.display_name: expected a string/],
    [{ ...valid, storage_state: 'KEPT' }, /storage_state.*not one of/],
    [{ ...valid, created_at: 'yesterday' }, /created_at: not an RFC 3339/],
  ];
  for (const [body, why] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const err = (await res.json()) as { code: number; message: string };
    assert.match(err.message, why);
    assert.equal(err.code, 3);
  }
  const list = await fetch(`${s.url}/apis/v2beta1/runs?pagesize=10`);
  assert.equal(list.status, 400);
  assert.match(((await list.json()) as { message: string }).message, /unknown parameter "pagesize"/);
});

test('a valid run is accepted and executed by the kfp local runner (missing manifest: FAILED with the cause)', { timeout: 120_000 }, async () => {
  const res = await post(valid);
  assert.equal(res.status, 200);
  const run = (await res.json()) as { run_id: string; state: string };
  assert.equal(run.state, 'PENDING');
  let state = '';
  let body: { state: string; error?: { message: string } } = { state: '' };
  const end = Date.now() + 90_000;
  while (!['SUCCEEDED', 'FAILED'].includes(state) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    body = (await (await fetch(`${s.url}/apis/v2beta1/runs/${run.run_id}`)).json()) as typeof body;
    state = body.state;
  }
  assert.equal(state, 'FAILED');
  assert.match(body.error!.message, /train/);
});
