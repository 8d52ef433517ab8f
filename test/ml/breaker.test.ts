import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, backoffMs } from '../../src/ml/breaker.ts';
import { isRetryable, countsAgainstServer, isInputRejection } from '../../src/ml/errors.ts';
import type { CallFailure } from '../../src/ml/errors.ts';
import { parseRetryAfter } from '../../src/ml/http.ts';
import { Semaphore } from '../../src/ml/semaphore.ts';
import { LatencyWindow, LATENCY_WINDOW } from '../../src/ml/stats.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('breaker opens after N consecutive failures, fails fast, then lets one probe through', async () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 500 }, c.now);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(b.tryAcquire(), { ok: true, probe: false });
    b.onFailure('ECONNREFUSED', false);
  }
  assert.equal(b.state, 'closed');
  b.tryAcquire();
  b.onFailure('ECONNREFUSED', false);
  assert.equal(b.state, 'open');
  assert.deepEqual(b.tryAcquire(), { ok: false, lastFailure: 'ECONNREFUSED', probePending: false });
  assert.equal(b.snapshot().retryInMs, 500);
  c.advance(499);
  assert.equal(b.state, 'open');
  c.advance(1);
  assert.equal(b.state, 'half-open');
  assert.deepEqual(b.tryAcquire(), { ok: true, probe: true });
  assert.deepEqual(b.tryAcquire(), { ok: false, lastFailure: 'ECONNREFUSED', probePending: true }, 'only one probe at a time');
  let settled = false;
  const waiting = b.probeSettled().then(() => (settled = true));
  b.onFailure('still down', true);
  await waiting;
  assert.ok(settled);
  assert.equal(b.state, 'open', 'a failed probe opens it again');
  assert.equal(b.snapshot().opens, 2);
  c.advance(500);
  const p = b.tryAcquire();
  assert.deepEqual(p, { ok: true, probe: true });
  b.onSuccess(true);
  assert.equal(b.state, 'closed');
  assert.equal(b.snapshot().consecutiveFailures, 0);
});

test('a success in between resets the count; threshold 0 disables the breaker', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100 }, c.now);
  b.onFailure('x', false);
  b.onSuccess(false);
  b.onFailure('x', false);
  assert.equal(b.state, 'closed');
  const off = new CircuitBreaker({ failureThreshold: 0, cooldownMs: 100 }, c.now);
  for (let i = 0; i < 100; i++) off.onFailure('x', false);
  assert.equal(off.state, 'closed');
  assert.equal(off.tryAcquire().ok, true);
});

test('late failures of requests sent before opening do not extend the cool-down', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 }, c.now);
  b.onFailure('a', false);
  c.advance(60);
  b.onFailure('b', false);
  c.advance(40);
  assert.equal(b.state, 'half-open');
});

test('abandoned probe frees the half-open slot', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 10 }, c.now);
  b.onFailure('a', false);
  c.advance(10);
  assert.equal(b.tryAcquire().ok, true);
  b.onAbandon(true);
  assert.equal(b.tryAcquire().ok, true);
});

test('backoff: exponential, capped, jittered downwards, Retry-After honoured up to the cap', () => {
  const p = { initialBackoffMs: 100, maxBackoffMs: 1000, jitter: 0.5 };
  const noJitter = () => 0;
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((r) => backoffMs(p, r, noJitter)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffMs(p, 3, () => 0.999999), 400 * (1 - 0.5 * 0.999999));
  for (let i = 0; i < 100; i++) {
    const d = backoffMs(p, 2);
    assert.ok(d > 100 && d <= 200, `${d}`);
  }
  assert.equal(backoffMs({ ...p, jitter: 0 }, 1, Math.random), 100);
  assert.equal(backoffMs(p, 1, noJitter, 700), 700);
  assert.equal(backoffMs(p, 1, noJitter, 60_000), 1000);
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter('soon'), null);
  assert.equal(parseRetryAfter(null), null);
});

test('retry policy per failure kind', () => {
  const f = (x: CallFailure) => [isRetryable(x), countsAgainstServer(x), isInputRejection(x)];
  const http = (status: number): CallFailure => ({ kind: 'http', status, body: '', retryAfterMs: null });
  assert.deepEqual(f({ kind: 'timeout', afterMs: 1 }), [true, true, false]);
  assert.deepEqual(f({ kind: 'connection', code: 'ECONNREFUSED' }), [true, true, false]);
  assert.deepEqual(f({ kind: 'malformed', why: '' }), [true, true, false]);
  assert.deepEqual(f(http(500)), [true, true, false]);
  assert.deepEqual(f(http(503)), [true, true, false]);
  assert.deepEqual(f(http(501)), [false, false, false]);
  assert.deepEqual(f(http(408)), [true, true, false]);
  assert.deepEqual(f(http(429)), [true, true, false]);
  assert.deepEqual(f(http(400)), [false, false, true]);
  assert.deepEqual(f(http(422)), [false, false, true]);
  assert.deepEqual(f(http(404)), [false, false, false]);
  assert.deepEqual(f(http(401)), [false, false, false]);
  assert.deepEqual(f({ kind: 'runtime', why: '' }), [false, false, false]);
  assert.deepEqual(f({ kind: 'breaker-open', lastFailure: '' }), [false, false, false]);
});

test('semaphore: FIFO, limit changes apply as holders release', async () => {
  const s = new Semaphore(2);
  const order: number[] = [];
  await s.acquire();
  await s.acquire();
  const w1 = s.acquire().then(() => order.push(1));
  const w2 = s.acquire().then(() => order.push(2));
  s.release();
  await w1;
  assert.deepEqual(order, [1]);
  s.setLimit(3);
  await w2;
  assert.deepEqual(order, [1, 2]);
  assert.equal(s.inUse, 3);
  s.setLimit(1);
  s.release();
  s.release();
  const w3 = s.acquire().then(() => order.push(3));
  await new Promise((ok) => setImmediate(ok));
  assert.deepEqual(order, [1, 2], 'still 1 held, limit 1');
  s.release();
  await w3;
  assert.deepEqual(order, [1, 2, 3]);
});

test('latency window percentiles', () => {
  const w = new LatencyWindow();
  assert.deepEqual(w.summary(), { samples: 0, p50: null, p99: null, max: null });
  for (let i = 1; i <= 100; i++) w.record(i);
  assert.deepEqual(w.summary(), { samples: 100, p50: 50, p99: 99, max: 100 });
  for (let i = 0; i < LATENCY_WINDOW; i++) w.record(7);
  assert.deepEqual(w.summary(), { samples: LATENCY_WINDOW, p50: 7, p99: 7, max: 7 });
});
