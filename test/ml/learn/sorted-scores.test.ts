/** SortedScores (the exact AUC's ordered multiset) against a plain sorted array, across block splits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedScores } from '../../../src/ml/learn/sorted-scores.ts';
import { PyRandom } from '../../../src/ml/learn/random.ts';

test('rank counts equal a sorted array at every step, with ties and many block splits', () => {
  const rng = new PyRandom(7);
  const s = new SortedScores();
  const ref: number[] = [];
  const below = (v: number, upper: boolean): number => ref.filter((x) => x < v || (upper && x === v)).length;
  assert.equal(s.countBelow(0.5, true), 0);
  for (let i = 0; i < 6000; i++) {
    // half coarse (ties), half fine; a run of ascending values stresses the last block
    const v = i % 3 === 0 ? Math.round(rng.random() * 50) / 50 : i > 3000 && i < 4500 ? i / 10000 : rng.random();
    s.insert(v);
    ref.push(v);
    if (i % 97 === 0 || i > 5990) {
      for (const q of [v, -1, 2, 0, 1, rng.random(), Math.round(rng.random() * 50) / 50]) {
        assert.equal(s.countBelow(q, false), below(q, false), `step ${i}: < ${q}`);
        assert.equal(s.countBelow(q, true), below(q, true), `step ${i}: <= ${q}`);
      }
    }
  }
  assert.equal(s.size, 6000);
});

test('countLess and equal agree with countBelow', () => {
  const rng = new PyRandom(9);
  const s = new SortedScores();
  for (let i = 0; i < 5000; i++) {
    const v = i % 2 ? Math.round(rng.random() * 30) / 30 : rng.random();
    for (const q of [v, Math.round(rng.random() * 30) / 30, -1, 2]) {
      const lo = s.countLess(q);
      assert.equal(lo, s.countBelow(q, false));
      assert.equal(s.equal, s.countBelow(q, true) - lo, `equal ${q}`);
    }
    s.insert(v);
  }
});
