import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOUBLE } from '../../src/types/sql-type.ts';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import type { RowOutcome } from '../../src/ml/invoker.ts';
import { ModelCallError } from '../../src/ml/errors.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { PropertyValue } from '../../src/ml/spec.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { startFake, v1Sum, v2Sum } from './fake-server.ts';
import type { FakeServer } from './fake-server.ts';

const IN = ['a', 'b', 'c'].map((name) => ({ name, type: DOUBLE }));
const OUT = [{ name: 'score', type: DOUBLE }];
const FAST = { RETRY_BACKOFF: '1ms', RETRY_BACKOFF_MAX: '5ms' };

function v2(fake: FakeServer, props: Record<string, PropertyValue> = {}, declared = true) {
  return modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: fake.url, MODEL_NAME: 'sum', ...FAST, ...props }, declared ? IN : null, declared ? OUT : null);
}

const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => [i, 1, 0.5]);
const oks = (outs: RowOutcome[]) => outs.map((o) => (o.kind === 'ok' ? o.outputs[0] : o.kind));
const infers = (fake: FakeServer) => fake.requests.filter((r) => r.method === 'POST');

async function withFake(handler: Parameters<typeof startFake>[0], fn: (fake: FakeServer) => Promise<void>): Promise<void> {
  const fake = await startFake(handler);
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

test('V2: splits into batches, keeps order, bounds requests in flight', () =>
  withFake(async (req) => ({ ...v2Sum(req), delayMs: 20 }), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { BATCH_SIZE: 10, MAX_IN_FLIGHT: 2 }));
    const out = await inv.invoke(rowsOf(55));
    assert.deepEqual(oks(out), rowsOf(55).map((r) => r[0] + 1.5));
    const posts = infers(fake);
    assert.equal(posts.length, 6);
    assert.deepEqual(posts.map((p) => p.body.inputs[0].shape), [[10, 3], [10, 3], [10, 3], [10, 3], [10, 3], [5, 3]]);
    assert.equal(posts[0].body.inputs[0].name, 'input-0');
    assert.equal(posts[0].body.inputs[0].datatype, 'FP64');
    assert.equal(posts[0].path, '/v2/models/sum/infer');
    assert.equal(fake.maxConcurrent, 2);
    const st = inv.stats();
    assert.equal(st.requests, 6);
    assert.equal(st.rows, 55);
    assert.equal(st.rowsOk, 55);
    assert.equal(st.latencyMs.samples, 6);
    assert.ok(st.latencyMs.p50! >= 15, `p50 ${st.latencyMs.p50}`);
    assert.equal(st.breaker.state, 'closed');
    assert.equal(st.inFlight, 0);
    await inv.close();
  }));

test('V2: columns layout, version path, headers and bearer token', () =>
  withFake(v2Sum, async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { TENSOR_LAYOUT: 'columns', MODEL_VERSION: '7', BEARER_TOKEN: 't0k', 'HEADER.X-Tenant': 'acme' }));
    assert.deepEqual(oks(await inv.invoke([[1, 2, 3], [4, 5, 6]])), [6, 15]);
    const [p] = infers(fake);
    assert.equal(p.path, '/v2/models/sum/versions/7/infer');
    assert.deepEqual(p.body.inputs.map((t: { name: string; shape: number[] }) => [t.name, t.shape]), [['a', [2, 1]], ['b', [2, 1]], ['c', [2, 1]]]);
    assert.equal(p.headers.authorization, 'Bearer t0k');
    assert.equal(p.headers['x-tenant'], 'acme');
    assert.equal(typeof p.body.id, 'string');
    await inv.close();
  }));

test('V2: discovers INPUT/OUTPUT from metadata', () =>
  withFake(v2Sum, async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, {}, false));
    assert.deepEqual(inv.schema.inputs.map((c) => c.name), ['input_0_0', 'input_0_1', 'input_0_2']);
    assert.deepEqual(inv.schema.outputs, [{ name: 'score', type: DOUBLE }]);
    assert.equal(fake.requests[0].path, '/v2/models/sum');
    assert.deepEqual(oks(await inv.invoke([[1, 1, 1]])), [3]);
    await inv.close();
  }));

test('V1: instances as lists (matrix) or objects (columns)', () =>
  withFake(v1Sum, async (fake) => {
    const spec = (layout: string) =>
      modelSpecFromProperties({ PROVIDER: 'kserve-v1', ENDPOINT: fake.url, MODEL_NAME: 'sum', TENSOR_LAYOUT: layout }, IN, OUT);
    const m = await ModelInvoker.open(spec('matrix'));
    assert.deepEqual(oks(await m.invoke([[1, 2, 3]])), [6]);
    assert.deepEqual(fake.requests[0].body, { instances: [[1, 2, 3]] });
    assert.equal(fake.requests[0].path, '/v1/models/sum:predict');
    const c = await ModelInvoker.open(spec('columns'));
    assert.deepEqual(oks(await c.invoke([[1, 2, 3]])), [6]);
    assert.deepEqual(fake.requests[1].body, { instances: [{ a: 1, b: 2, c: 3 }] });
    assert.deepEqual(await c.health().then((h) => h.kind), 'ready');
    await m.close();
    await c.close();
    await assert.rejects(() => ModelInvoker.open(modelSpecFromProperties({ PROVIDER: 'kserve-v1', ENDPOINT: fake.url, MODEL_NAME: 'sum' })), (e: unknown) => e instanceof SqlError && /declare INPUT/.test(e.message));
  }));

test('rows that cannot be sent fail alone, before any request', () =>
  withFake(v2Sum, async (fake) => {
    const inv = await ModelInvoker.open(v2(fake));
    const out = await inv.invoke([[1, 1, 1], [1, null, 1], [1, 'x', 1], [2, 2, 2], [1, 2]]);
    assert.deepEqual(oks(out), [3, 'error', 'error', 6, 'error']);
    assert.deepEqual(out[1], { kind: 'error', reason: 'input b: NULL feature value', attempts: 0, code: 'input' });
    assert.equal(infers(fake).length, 1);
    assert.equal(infers(fake)[0].body.inputs[0].shape[0], 2);
    assert.equal(inv.stats().rowsFailed, 3);
    await inv.close();
  }));

test('5xx is retried with the same request id, then succeeds', () =>
  withFake((req, n) => (n <= 2 ? { status: 503, body: { error: 'warming up' } } : v2Sum(req)), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { RETRIES: 3 }));
    assert.deepEqual(oks(await inv.invoke([[1, 2, 3]])), [6]);
    const ids = infers(fake).map((r) => r.body.id);
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 1, 'retries carry the same id');
    assert.equal(inv.stats().retries, 2);
    assert.equal(inv.stats().failedRequests, 2);
    await inv.close();
  }));

test('persistent 500 ends in error outcomes naming status, body and attempts', () =>
  withFake(() => ({ status: 500, body: { error: 'boom' } }), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { RETRIES: 2, BREAKER_FAILURES: 0 }));
    const out = await inv.invoke([[1, 2, 3], [4, 5, 6]]);
    for (const o of out) {
      assert.equal(o.kind, 'error');
      if (o.kind === 'error') {
        assert.equal(o.attempts, 3);
        assert.equal(o.code, 'http');
        assert.match(o.reason, /POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/sum\/infer: HTTP 500: boom \(after 3 attempts\)/);
      }
    }
    assert.equal(infers(fake).length, 3);
    await inv.close();
  }));

test('4xx is not retried (except 408/429); 400 bisects to isolate the bad row', async () => {
  await withFake(() => ({ status: 404, body: { error: 'no such model' } }), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake));
    const [o] = await inv.invoke([[1, 2, 3]]);
    assert.equal(o.kind === 'error' && o.attempts, 1);
    assert.equal(infers(fake).length, 1);
    await inv.close();
  });
  await withFake((req, n) => (n === 1 ? { status: 429, body: {}, headers: { 'retry-after': '0' } } : v2Sum(req)), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake));
    assert.deepEqual(oks(await inv.invoke([[1, 2, 3]])), [6]);
    await inv.close();
  });
  // The server rejects any batch that contains a 13 in column a.
  const poison = (req: Parameters<typeof v2Sum>[0]) =>
    req.body.inputs[0].data.some((v: number, i: number) => i % 3 === 0 && v === 13) ? { status: 400, body: { error: 'bad feature' } } : v2Sum(req);
  await withFake(poison, async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { BATCH_SIZE: 16 }));
    const out = await inv.invoke(rowsOf(16));
    assert.deepEqual(oks(out).map((v, i) => (i === 13 ? v : typeof v)), [...Array(13).fill('number'), 'error', 'number', 'number']);
    assert.match((out[13] as { reason: string }).reason, /HTTP 400: bad feature/);
    assert.ok(infers(fake).length <= 1 + 2 * 4, `${infers(fake).length} requests`);
    assert.equal(inv.stats().breaker.state, 'closed', '4xx does not count against the server');
    await inv.close();
  });
});

test('timeouts are retried then reported', () =>
  withFake(() => ({ hang: true }), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { TIMEOUT: '50ms', RETRIES: 1, BREAKER_FAILURES: 0 }));
    const t0 = Date.now();
    const [o] = await inv.invoke([[1, 2, 3]]);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(o.kind, 'error');
    assert.equal(o.kind === 'error' && o.code, 'timeout');
    assert.match((o as { reason: string }).reason, /timed out after 50ms \(after 2 attempts\)/);
    assert.equal(inv.stats().timeouts, 2);
    await inv.close();
  }));

test('malformed responses are retried, then reported with the reason', () =>
  withFake((req, n) => (n === 1 ? { status: 200, raw: 'not json' } : n === 2 ? { status: 200, body: { outputs: [{ name: 'score', shape: [1], datatype: 'FP64', data: [] }] } } : v2Sum(req)), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { RETRIES: 2 }));
    assert.deepEqual(oks(await inv.invoke([[1, 2, 3]])), [6]);
    const bad = await ModelInvoker.open(v2(fake, { RETRIES: 0 }));
    fake.handler = () => ({ status: 200, body: { outputs: [{ name: 'score', shape: [2], datatype: 'FP64', data: [1, 2] }] } });
    const [o] = await bad.invoke([[1, 2, 3]]);
    assert.equal(o.kind === 'error' && o.code, 'malformed');
    assert.match((o as { reason: string }).reason, /malformed response: output score has 2 rows \(shape \[2\]\), 1 were sent/);
    await inv.close();
    await bad.close();
  }));

test('connection refused: retried, breaker opens and fails fast, half-open probe recovers', async () => {
  const fake = await startFake(v2Sum);
  const url = fake.url;
  await fake.close(); // nothing listens there now
  let now = 0;
  const spec = modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: url, MODEL_NAME: 'sum', ...FAST, RETRIES: 2, BREAKER_FAILURES: 3, BREAKER_COOLDOWN: '1s', BATCH_SIZE: 1, MAX_IN_FLIGHT: 1 }, IN, OUT);
  const inv = await ModelInvoker.open(spec, { now: () => now });
  const out = await inv.invoke(rowsOf(3));
  assert.equal(out[0].kind === 'error' && out[0].code, 'connection');
  assert.match((out[0] as { reason: string }).reason, /connection failed \(ECONNREFUSED\) \(after 3 attempts\)/);
  // 3 failures opened the breaker: the next batches fail fast without a request.
  assert.equal(out[1].kind === 'error' && out[1].code, 'breaker-open');
  assert.equal(out[1].kind === 'error' && out[1].attempts, 0);
  assert.match((out[1] as { reason: string }).reason, /circuit breaker open.*ECONNREFUSED/);
  let st = inv.stats();
  assert.equal(st.breaker.state, 'open');
  assert.equal(st.requests, 3);
  assert.equal(st.breakerRejections, 2);
  // The server comes back on the same port; after the cool-down one probe closes the breaker.
  const port = Number(new URL(url).port);
  const back = await startFakeOn(port);
  try {
    assert.equal((await inv.invoke([[1, 1, 1]]))[0].kind, 'error', 'still cooling down');
    now += 1000;
    assert.equal(inv.stats().breaker.state, 'half-open');
    assert.deepEqual(oks(await inv.invoke([[1, 1, 1], [2, 2, 2]])), [3, 6]);
    st = inv.stats();
    assert.equal(st.breaker.state, 'closed');
    assert.equal(st.breaker.opens, 1);
  } finally {
    await inv.close();
    await back.close();
  }
});

/** startFake on a given port (to restart a "server" where the invoker expects it). */
async function startFakeOn(port: number): Promise<{ close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const reply = v2Sum({ method: req.method!, path: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify((reply as { body: unknown }).body));
    });
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return { close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

test('ordered: invoke() calls resolve in call order; unordered: as they finish', async () => {
  const slowFirst = async (req: Parameters<typeof v2Sum>[0]) => ({ ...v2Sum(req), delayMs: req.body.inputs[0].data[0] === 100 ? 80 : 0 });
  for (const ordered of [true, false]) {
    await withFake(slowFirst, async (fake) => {
      const inv = await ModelInvoker.open(v2(fake, { ORDERED: ordered }));
      const done: number[] = [];
      await Promise.all([inv.invoke([[100, 0, 0]]).then(() => done.push(1)), inv.invoke([[1, 0, 0]]).then(() => done.push(2))]);
      assert.deepEqual(done, ordered ? [1, 2] : [2, 1]);
      await inv.close();
    });
  }
});

test('reconfigure (ALTER MODEL) moves the next batches to a new endpoint; INPUT/OUTPUT cannot change', async () => {
  const a = await startFake(v2Sum);
  const b = await startFake((req) => {
    const r = v2Sum(req) as { status: number; body: { outputs: { data: number[] }[] } };
    r.body.outputs[0].data = r.body.outputs[0].data.map((x) => x * 10);
    return r;
  });
  try {
    const inv = await ModelInvoker.open(v2(a));
    assert.deepEqual(oks(await inv.invoke([[1, 1, 1]])), [3]);
    await inv.reconfigure(modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: b.url, MODEL_NAME: 'sum', BATCH_SIZE: 1 }));
    assert.deepEqual(oks(await inv.invoke([[1, 1, 1], [2, 2, 2]])), [30, 60]);
    assert.equal(infers(b).length, 2, 'new batch size applies');
    assert.equal(inv.spec.batchSize, 1);
    await assert.rejects(
      () => inv.reconfigure(modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: b.url, MODEL_NAME: 'sum' }, IN.slice(0, 2), OUT)),
      /ALTER MODEL cannot change INPUT or OUTPUT/,
    );
    await inv.close();
    await assert.rejects(() => inv.invoke([[1, 1, 1]]), /closed/);
  } finally {
    await a.close();
    await b.close();
  }
});

test('health: V2 checks server and model readiness', () =>
  withFake((req) => (req.path.endsWith('/ready') && req.path.includes('models') ? { status: 503, body: { error: 'loading' } } : v2Sum(req)), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake));
    const h = await inv.health();
    assert.equal(h.kind, 'not-ready');
    assert.match((h as { reason: string }).reason, /\/v2\/models\/sum\/ready: HTTP 503: loading/);
    fake.handler = v2Sum;
    assert.equal((await inv.health()).kind, 'ready');
    await inv.close();
  }));

test('metadata fetch failure at open is a ModelCallError', async () => {
  const fake = await startFake(() => ({ status: 404, body: { error: 'model m not found' } }));
  try {
    await assert.rejects(() => ModelInvoker.open(v2(fake, {}, false)), (e: unknown) => e instanceof ModelCallError && /HTTP 404: model m not found/.test(e.message));
  } finally {
    await fake.close();
  }
});

test('close aborts requests in flight and backoff sleeps', () =>
  withFake(() => ({ hang: true }), async (fake) => {
    const inv = await ModelInvoker.open(v2(fake, { TIMEOUT: '30s' }));
    const p = inv.invoke([[1, 2, 3]]);
    await new Promise((ok) => setTimeout(ok, 50));
    const t0 = Date.now();
    await inv.close();
    const [o] = await p;
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(o.kind === 'error' && o.code, 'closed');
  }));

test('half-open: batches arriving while the probe is out wait for its verdict instead of failing', async () => {
  let probeAnswered = false;
  const arrivedAfterProbe: boolean[] = [];
  await withFake(async (req, n) => {
    if (n === 1) return { status: 503, body: {} };
    if (n === 2) {
      await new Promise((ok) => setTimeout(ok, 50)); // a slow probe: the others arrive meanwhile
      probeAnswered = true;
      return v2Sum(req);
    }
    arrivedAfterProbe.push(probeAnswered);
    return v2Sum(req);
  }, async (fake) => {
    let now = 0;
    const inv = await ModelInvoker.open(v2(fake, { RETRIES: 0, BREAKER_FAILURES: 1, BREAKER_COOLDOWN: '1s', BATCH_SIZE: 1, MAX_IN_FLIGHT: 4 }), { now: () => now });
    assert.equal((await inv.invoke([[1, 1, 1]]))[0].kind, 'error');
    assert.equal(inv.stats().breaker.state, 'open');
    now += 1000;
    const out = await inv.invoke(rowsOf(4));
    assert.deepEqual(oks(out), [1.5, 2.5, 3.5, 4.5]);
    assert.deepEqual(arrivedAfterProbe, [true, true, true], 'the probe went alone; the others after its success');
    assert.equal(inv.stats().breaker.state, 'closed');
    await inv.close();
  });
});
