import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readCheckpoint, writeCheckpoint } from '../../src/state/checkpoint.ts';
import { LmdbEnv, MAX_KEY_BYTES } from '../../src/state/lmdb-store.ts';
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

test('keys: 1 to 1978 bytes', async () => {
  const { dir, cleanup } = tempDir('lmdbkeys');
  try {
    const env = LmdbEnv.open(dir);
    const s = env.store<number>('s');
    s.put(new Uint8Array(MAX_KEY_BYTES).fill(7), 1);
    assert.throws(() => s.put(new Uint8Array(MAX_KEY_BYTES + 1), 1), RangeError);
    await s.flush();
    assert.equal(s.get(new Uint8Array(MAX_KEY_BYTES).fill(7)), 1);
    assert.equal(s.get(new Uint8Array(MAX_KEY_BYTES + 1)), undefined);
    await env.close();
  } finally {
    cleanup();
  }
});

test('checkpoint files round-trip; a tampered one reads as absent', () => {
  const { dir, cleanup } = tempDir('ckpt');
  try {
    const file = path.join(dir, 'x.checkpoint');
    assert.equal(readCheckpoint(file), null);
    const c = { store: 'Q/Aggregate/state', topic: 't', partition: 0, offset: 123, incarnation: 'abc', codec: 'msgpack-v1' };
    writeCheckpoint(file, c);
    assert.deepEqual(readCheckpoint(file), c);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"offset":123', '"offset":124'));
    assert.equal(readCheckpoint(file), null);
    fs.writeFileSync(file, '{"vers');
    assert.equal(readCheckpoint(file), null);
  } finally {
    cleanup();
  }
});
