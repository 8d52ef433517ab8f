/**
 * Fault injection against a real KServe process this file owns: the server killed mid-stream and
 * restarted, slow responses, injected 500s and 503s, malformed answers, and the circuit breaker.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, DOUBLE } from '../../src/types/sql-type.ts';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import type { RowOutcome } from '../../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { PropertyValue } from '../../src/ml/spec.ts';
import { KserveInstance, mlEnv } from './servers.ts';

const env = mlEnv();
const iris = env.expected.models.iris;
let server: KserveInstance;

before(async () => {
  server = await KserveInstance.start(env);
});
after(async () => {
  await server?.stop();
});

const open = (props: Record<string, PropertyValue>, provider = 'kserve-v2') =>
  ModelInvoker.open(
    modelSpecFromProperties(
      { PROVIDER: provider, ENDPOINT: server.url, MODEL_NAME: 'iris', RETRY_BACKOFF: '10ms', RETRY_BACKOFF_MAX: '50ms', ...props },
      iris.features.map((name) => ({ name, type: DOUBLE })),
      [{ name: 'species', type: BIGINT }],
    ),
  );

const kinds = (out: RowOutcome[]) => out.map((o) => (o.kind === 'ok' ? 'ok' : o.code));
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

test('500s are retried with the same request id, then succeed', async () => {
  await server.setFaults({ fail_first: 2 });
  const inv = await open({ RETRIES: 3 });
  const out = await inv.invoke(iris.rows);
  assert.deepEqual(out.map((o) => (o.kind === 'ok' ? o.outputs[0] : o)), iris.predict);
  const st = await server.stats();
  assert.equal(st.predict_calls, 3);
  assert.equal(st.failed_calls, 2);
  assert.equal(new Set(st.ids).size, 1, `one request id across retries: ${st.ids}`);
  assert.equal(inv.stats().retries, 2);
  await inv.close();
});

test('persistent 500s: retries exhausted, error outcomes; the server saw exactly retries+1 calls', async () => {
  await server.setFaults({ fail_rate: 1 });
  const inv = await open({ RETRIES: 2, BREAKER_FAILURES: 0, BATCH_SIZE: 100 });
  const out = await inv.invoke(iris.rows);
  assert.ok(out.every((o) => o.kind === 'error' && o.code === 'http' && o.attempts === 3));
  assert.match((out[0] as { reason: string }).reason, /HTTP 500: injected fault on predict call 3 \(after 3 attempts\)/);
  assert.equal((await server.stats()).predict_calls, 3);
  await inv.close();
});

test('the breaker opens after consecutive failures and stops calling the server', async () => {
  await server.setFaults({ fail_rate: 1, fail_status: 503 });
  const inv = await open({ RETRIES: 1, BREAKER_FAILURES: 3, BREAKER_COOLDOWN: '400ms', BATCH_SIZE: 2, MAX_IN_FLIGHT: 1 });
  const out = await inv.invoke(iris.rows); // 7 batches of 2
  // Batch 1 fails twice (attempt + retry); batch 2's first failure is the 3rd: the breaker opens
  // and its retry, like every later batch, fails fast.
  assert.deepEqual(kinds(out).slice(0, 2), ['http', 'http']);
  assert.ok(kinds(out).slice(2).every((k) => k === 'breaker-open'), kinds(out).join());
  assert.equal((out[2] as { attempts: number }).attempts, 1);
  assert.match((out[2] as { reason: string }).reason, /circuit breaker open, not calling the model \(last failure: .*HTTP 503/);
  assert.equal((await server.stats()).predict_calls, 3, 'no calls while open');
  assert.equal(inv.stats().breaker.state, 'open');
  assert.equal(inv.stats().breakerRejections, 6);
  // Server recovers; after the cool-down the half-open probe closes the breaker.
  await server.setFaults({});
  await sleep(450);
  const again = await inv.invoke(iris.rows);
  assert.deepEqual(kinds(again), iris.rows.map(() => 'ok'));
  assert.equal(inv.stats().breaker.state, 'closed');
  await inv.close();
});

test('slow responses become timeouts, retried, then reported', async () => {
  await server.setFaults({ delay_ms: 600 });
  const inv = await open({ TIMEOUT: '150ms', RETRIES: 1, BREAKER_FAILURES: 0 });
  const t0 = Date.now();
  const out = await inv.invoke(iris.rows.slice(0, 3));
  const took = Date.now() - t0;
  assert.deepEqual(kinds(out), ['timeout', 'timeout', 'timeout']);
  assert.equal((out[0] as { attempts: number }).attempts, 2);
  assert.ok(took >= 300 && took < 1500, `took ${took}ms`);
  assert.equal(inv.stats().timeouts, 2);
  // A generous timeout rides out the same delay.
  const patient = await open({ TIMEOUT: '5s' });
  assert.deepEqual(kinds(await patient.invoke(iris.rows.slice(0, 3))), ['ok', 'ok', 'ok']);
  await server.setFaults({});
  await inv.close();
  await patient.close();
});

test('malformed answers (one prediction short) are retried then reported, V1 and V2', async () => {
  await server.setFaults({ malformed: true });
  for (const provider of ['kserve-v1', 'kserve-v2']) {
    const inv = await open({ RETRIES: 1, BREAKER_FAILURES: 0 }, provider);
    const out = await inv.invoke(iris.rows.slice(0, 4));
    assert.deepEqual(kinds(out), ['malformed', 'malformed', 'malformed', 'malformed']);
    assert.match((out[0] as { reason: string }).reason, provider === 'kserve-v1' ? /3 predictions, 4 rows were sent/ : /output predict has 3 rows/);
    await inv.close();
  }
  await server.setFaults({});
});

test('server killed mid-stream: retries, then errors; after restart calls succeed', async () => {
  const inv = await open({ RETRIES: 2, BREAKER_FAILURES: 6, BREAKER_COOLDOWN: '300ms', BATCH_SIZE: 7, MAX_IN_FLIGHT: 2, TIMEOUT: '2s' });
  const results: RowOutcome[][] = [];
  // A stream of micro-batches; the server dies after the 5th.
  for (let i = 0; i < 12; i++) {
    if (i === 5) await server.kill();
    results.push(await inv.invoke(iris.rows));
  }
  const perBatch = results.map((r) => [...new Set(kinds(r))].join('/'));
  assert.deepEqual(perBatch.slice(0, 5), ['ok', 'ok', 'ok', 'ok', 'ok']);
  assert.ok(perBatch.slice(5).every((k) => /^(connection|breaker-open)(\/(connection|breaker-open))?$/.test(k)), perBatch.join());
  const firstDead = results[5].find((o) => o.kind === 'error' && o.code === 'connection');
  assert.ok(firstDead && firstDead.kind === 'error' && firstDead.attempts === 3, JSON.stringify(firstDead));
  assert.match((firstDead as { reason: string }).reason, /connection failed \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)\)/);
  const st = inv.stats();
  assert.equal(st.breaker.state, 'open');
  assert.ok(st.breakerRejections > 0);
  assert.ok(st.requests < 5 * 2 + 10, `the dead server was not hammered: ${st.requests} requests`);
  assert.equal((await inv.health()).kind, 'not-ready');

  await server.restart();
  await sleep(350);
  assert.equal((await inv.health()).kind, 'ready');
  const back = await inv.invoke(iris.rows);
  assert.deepEqual(back.map((o) => (o.kind === 'ok' ? o.outputs[0] : o)), iris.predict);
  assert.equal(inv.stats().breaker.state, 'closed');
  await inv.close();
});

test('ALTER MODEL to another endpoint applies to the next batch', async () => {
  const inv = await open({});
  assert.deepEqual(kinds(await inv.invoke(iris.rows.slice(0, 2))), ['ok', 'ok']);
  const spec = modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: env.kserveUrl, MODEL_NAME: 'iris', BATCH_SIZE: 1 });
  await inv.reconfigure(spec);
  const before = (await server.stats()).predict_calls;
  assert.deepEqual(kinds(await inv.invoke(iris.rows.slice(0, 2))), ['ok', 'ok']);
  assert.equal((await server.stats()).predict_calls, before, 'the old endpoint got nothing');
  await inv.close();
});
