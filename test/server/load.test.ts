/**
 * Short versions of the server's load test, push-delivery benchmark and request fuzzing
 * (bench/server-load.ts, bench/server-push.ts, bench/server-fuzz.ts; full sizes with
 * `npm run load:server`, `npm run bench:server`, `npm run fuzz:server`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../bench/server-load.ts';
import { runPushBench } from '../../bench/server-push.ts';
import { runFuzz } from '../../bench/server-fuzz.ts';

test('load: 10 push-query clients each get all 20,000 rows in order; a stalled client keeps RSS bounded', { timeout: 180_000 }, async () => {
  const r = await runLoad(10, 20_000);
  assert.deepEqual(r.failures, []);
  assert.equal(r.allInOrder, true);
  assert.ok(r.serverRssMaxMb < 600, `server RSS reached ${r.serverRssMaxMb} MB`);
  console.log(JSON.stringify(r));
});

test('push delivery over HTTP against in-process, same run', { timeout: 180_000 }, async () => {
  const r = await runPushBench(50_000, 3);
  console.log(JSON.stringify(r));
  // The acceptance target (0.7) is checked by `npm run bench:server` on the full size; on a
  // shared, loaded machine the short run only guards against a collapse of the HTTP path.
  assert.ok(r.ratio > 0.3, `ratio ${r.ratio}`);
});

test('fuzz: 300 mutated bodies per endpoint get 4xx or 200, never 5xx; the server stays up', { timeout: 180_000 }, async () => {
  const seed = Date.now() % 100_000;
  const r = await runFuzz(300, seed);
  assert.deepEqual(r.serverErrors, [], `replay with: node bench/server-fuzz.ts 300 ${seed}`);
  assert.equal(r.aliveAtEnd, true);
  assert.ok(Object.keys(r.byStatus).every((s) => Number(s) >= 200 && Number(s) < 500), JSON.stringify(r.byStatus));
});
