/** Exact ROC AUC kept incrementally equals a direct Mann-Whitney count, ties included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactAuc } from '../../../src/ml/learn/metrics.ts';
import { PyRandom } from '../../../src/ml/learn/random.ts';

function direct(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

test('incremental exact AUC equals the direct count at every step, with ties', () => {
  const rng = new PyRandom(3);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let step = 0; step < 60; step++) {
    const k = 1 + Math.floor(rng.random() * 40);
    for (let i = 0; i < k; i++) {
      // coarse scores make many ties
      const v = Math.round(rng.random() * 20) / 20;
      if (rng.random() < 0.4) pos.push(Math.min(1, v + 0.1));
      else neg.push(v);
    }
    if (pos.length && neg.length) assert.ok(Math.abs(exactAuc(pos, neg) - direct(pos, neg)) < 1e-12, `step ${step}`);
  }
});

test('incremental exact AUC over thousands of scores (block splits) equals the direct count exactly', () => {
  const rng = new PyRandom(11);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let step = 0; step < 12; step++) {
    for (let i = 0; i < 700; i++) {
      const v = i % 2 ? Math.round(rng.random() * 100) / 100 : rng.random();
      if (rng.random() < 0.35) pos.push(Math.min(1, v + 0.2));
      else neg.push(v);
    }
    assert.equal(exactAuc(pos, neg), direct(pos, neg), `step ${step}`);
  }
});
