import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LmdbEnv } from '../../src/state/lmdb-env.ts';
import { MAX_KEY_BYTES } from '../../src/state/lmdb-store.ts';
import { k, pairs, tempDir } from './helpers.ts';

test('range deletes are kept as range tombstones until the commit, also over an in-flight flush', async () => {
  const { dir, cleanup } = tempDir('lmdb');
  try {
    const env = LmdbEnv.open(dir);
    const s = env.store<number>('s');
    for (let i = 0; i < 100; i++) s.put(k(`a${String(i).padStart(2, '0')}`), i);
    await s.flush();
    s.put(k('a95'), -1);
    s.deleteRange(k('a10'), k('a20')); // committed keys: hidden, deleted at the next commit
    s.put(k('a15'), 15); // written after the range delete: kept
    const inFlight = s.flush();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    s.expireRange(k('a90'), null); // hides the committed keys and those of the flush in flight
    s.put(k('a99'), 99);
    const expected = (): [string, number][] => {
      const out: [string, number][] = [];
      for (let i = 0; i < 90; i++) if (i < 10 || i >= 20 || i === 15) out.push([`a${String(i).padStart(2, '0')}`, i]);
      out.push(['a99', 99]);
      return out;
    };
    assert.equal(s.get(k('a12')), undefined);
    assert.equal(s.get(k('a95')), undefined);
    assert.equal(s.get(k('a15')), 15);
    assert.deepEqual(pairs(s.range(null, null)), expected());
    assert.deepEqual(pairs(s.range(k('a05'), k('a93'), { reverse: true })), expected().filter(([key]) => key >= 'a05' && key < 'a93').reverse());
    await inFlight;
    await s.flush();
    assert.equal(s.approximateCount(), expected().length);
    await env.close();
    const env2 = LmdbEnv.open(dir);
    assert.deepEqual(pairs(env2.store<number>('s').range(null, null)), expected());
    await env2.close();
  } finally {
    cleanup();
  }
});

test('reads see writes while a flush is committing them, and after', async () => {
  const { dir, cleanup } = tempDir('lmdb');
  try {
    const env = LmdbEnv.open(dir);
    const s = env.store<number>('s');
    for (let i = 0; i < 1000; i++) s.put(k(`a${i}`), i);
    await s.flush();
    s.deleteRange(null, null);
    s.put(k('b'), 1);
    const inFlight = s.flush(); // not awaited: the overlay being committed must stay visible
    for (let i = 0; i < 5; i++) await Promise.resolve(); // the commit has started, not finished
    s.put(k('c'), 2);
    assert.equal(s.get(k('a1')), undefined);
    assert.equal(s.get(k('b')), 1);
    assert.deepEqual(pairs(s.range(null, null)), [
      ['b', 1],
      ['c', 2],
    ]);
    await inFlight;
    assert.equal(s.approximateCount(), 1, 'c came after the commit started');
    assert.deepEqual(pairs(s.range(null, null)), [
      ['b', 1],
      ['c', 2],
    ]);
    await env.close(); // closing flushes
    const env2 = LmdbEnv.open(dir);
    assert.equal(env2.incarnation, env.incarnation);
    assert.deepEqual(pairs(env2.store<number>('s').range(null, null)), [
      ['b', 1],
      ['c', 2],
    ]);
    await env2.close();
    fs.rmSync(path.join(dir, 'state.mdb'));
    const env3 = LmdbEnv.open(dir);
    assert.notEqual(env3.incarnation, env.incarnation, 'a re-created file is a new incarnation');
    await env3.close();
  } finally {
    cleanup();
  }
});

test('keys of any size: above LMDB\'s limit (1978 bytes) they are kept apart, found, ranged in byte order, deleted, and survive a reopen', async () => {
  const { dir, cleanup } = tempDir('lmdbkeys');
  try {
    let env = LmdbEnv.open(dir);
    let s = env.store<number>('s');
    const at = (n: number, fill: number, last = fill) => {
      const k = new Uint8Array(n).fill(fill);
      k[n - 1] = last;
      return k;
    };
    const edge = at(MAX_KEY_BYTES, 7);
    const long1 = at(MAX_KEY_BYTES + 1, 7, 8); // sorts after `edge`
    const mb = at(1 << 20, 7, 6); // 1 MB, same first 1900 bytes as long1, sorts before `edge`'s successor
    const other = at(5000, 9);
    s.put(edge, 1);
    s.put(long1, 2);
    s.put(mb, 3);
    s.put(other, 4);
    s.put(Uint8Array.of(8), 5);
    assert.throws(() => s.put(new Uint8Array(0), 1), RangeError);
    const expectOrder = (st: typeof s) =>
      assert.deepEqual(
        [...st.range(null, null)].map((e) => e.value),
        [...[[edge, 1], [long1, 2], [mb, 3], [other, 4], [Uint8Array.of(8), 5]]].sort((a, b) => Buffer.compare(a[0] as Uint8Array, b[0] as Uint8Array)).map((e) => e[1]),
      );
    expectOrder(s);
    await s.flush();
    expectOrder(s);
    assert.equal(s.get(mb), 3);
    assert.equal(s.get(at(1 << 20, 7, 5)), undefined, 'same prefix, other key');
    assert.deepEqual([...s.range(long1, null)].map((e) => e.value).sort(), [2, 4, 5]);
    assert.deepEqual([...s.range(edge, other, { reverse: true })].map((e) => e.value), [2, 3, 1].sort((a, b) => b - a).length ? [...s.range(edge, other)].map((e) => e.value).reverse() : []);
    assert.equal(s.approximateCount(), 5);
    await env.close();
    env = LmdbEnv.open(dir);
    s = env.store<number>('s');
    expectOrder(s);
    s.delete(mb);
    s.deleteRange(other, null);
    await s.flush();
    assert.equal(s.get(mb), undefined);
    assert.equal(s.get(other), undefined);
    assert.equal(s.get(long1), 2);
    assert.equal(env.store<number>('t').get(long1), undefined, 'long keys belong to their store');
    await env.close();
  } finally {
    cleanup();
  }
});

