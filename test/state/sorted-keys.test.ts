import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeySet, SortedMap } from '../../src/state/sorted-keys.ts';
import { rng } from './helpers.ts';

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

test('SortedKeySet matches a sorted reference across chunk splits and merges', () => {
  const rand = rng(7);
  const set = new SortedKeySet();
  const ref = new Set<string>();
  const key = (): string => String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 3) }, () => Math.floor(rand() * 256)));
  // Grow well past one chunk (1024), then shrink, checking membership and order along the way.
  for (let i = 0; i < 40_000; i++) {
    const kk = key();
    if (i < 25_000 || rand() < 0.3) {
      assert.equal(set.add(kk), !ref.has(kk));
      ref.add(kk);
    } else {
      assert.equal(set.delete(kk), ref.delete(kk));
    }
    if (i % 5000 === 0) assert.deepEqual([...set.range(null, null)], sorted(ref));
  }
  assert.equal(set.size, ref.size);
  const all = sorted(ref);
  assert.deepEqual([...set.range(null, null)], all);
  assert.deepEqual([...set.range(null, null, true)], [...all].reverse());
  for (let i = 0; i < 200; i++) {
    let [a, b] = [key(), key()];
    if (a > b) [a, b] = [b, a];
    const want = all.filter((x) => x >= a && x < b);
    assert.deepEqual([...set.range(a, b)], want);
    assert.deepEqual([...set.range(a, b, true)], [...want].reverse());
    assert.deepEqual([...set.range(a, null)], all.filter((x) => x >= a));
    assert.deepEqual([...set.range(null, b, true)], all.filter((x) => x < b).reverse());
    assert.equal(set.has(a), ref.has(a));
  }
  for (const x of all) set.delete(x);
  assert.equal(set.size, 0);
  assert.deepEqual([...set.range(null, null)], []);
});

test('iterators survive mutation: no repeats, no going back, keys ahead are seen', () => {
  const set = new SortedKeySet();
  for (let i = 0; i < 5000; i++) set.add(String(i).padStart(5, '0'));
  const seen: string[] = [];
  for (const x of set.range(null, null)) {
    seen.push(x);
    set.delete(x); // delete the current key
    if (x === '00010') set.add('00010a'); // ahead: must be seen
    if (x === '00020') set.add('00000z'); // behind: not seen
  }
  assert.equal(seen.length, 5001);
  assert.ok(seen.includes('00010a'));
  assert.ok(!seen.includes('00000z'));
  assert.deepEqual(seen, [...seen].sort());
  const back: string[] = [];
  for (let i = 0; i < 3000; i++) set.add(String(i).padStart(5, '0'));
  for (const x of set.range(null, null, true)) {
    back.push(x);
    set.delete(x);
  }
  assert.deepEqual(back, [...back].sort().reverse());
  assert.equal(set.size, 0);
});

test('SortedMap: O(1) get, ordered entries', () => {
  const m = new SortedMap<number>();
  m.set('b', 2);
  m.set('a', 1);
  m.set('c', 3);
  m.set('b', 20);
  assert.equal(m.get('b'), 20);
  assert.equal(m.size, 3);
  assert.deepEqual([...m.entries(null, null)], [['a', 1], ['b', 20], ['c', 3]]);
  assert.deepEqual([...m.entries('b', null, true)], [['c', 3], ['b', 20]]);
  m.delete('a');
  assert.deepEqual([...m.entries(null, null)], [['b', 20], ['c', 3]]);
});
