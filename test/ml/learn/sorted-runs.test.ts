/** SortedRuns (the exact AUC's sorted runs) against a plain count, across many merges, with ties. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedRuns } from '../../../src/ml/learn/sorted-runs.ts';
import { PyRandom } from '../../../src/ml/learn/random.ts';

test('counts below and equal match a plain count after every batch; runs stay few', () => {
  const rng = new PyRandom(7);
  const s = new SortedRuns();
  const all: number[] = [];
  for (let batch = 0; batch < 120; batch++) {
    const k = 1 + Math.floor(rng.random() * (batch < 60 ? 40 : 400));
    // coarse values make ties (also runs of one value: 0 and 1, as clamped probabilities)
    const values = Array.from({ length: k }, (_, i) => (i % 3 === 0 ? Math.round(rng.random() * 20) / 20 : i % 7 === 0 ? 1 : rng.random()));
    const queries = Float64Array.from([...values.slice(0, 30), 0, 1, -1, 2, 0.5, 0.5]).sort();
    const less = new Float64Array(queries.length);
    const equal = new Float64Array(queries.length);
    s.count(queries, less, equal);
    queries.forEach((q, i) => {
      assert.equal(less[i], all.filter((x) => x < q).length, `batch ${batch}: < ${q}`);
      assert.equal(equal[i], all.filter((x) => x === q).length, `batch ${batch}: = ${q}`);
    });
    s.add(Float64Array.from(values).sort());
    all.push(...values);
    assert.equal(s.size, all.length);
    assert.ok((s as unknown as { runs: Float64Array[] }).runs.length <= Math.log2(all.length) + 1);
  }
});
