import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachingStore } from '../../src/state/caching-store.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { LmdbEnv } from '../../src/state/lmdb-env.ts';
import type { KeyValueStore } from '../../src/state/store.ts';
import { WindowStore, type WindowEntry } from '../../src/state/window-store.ts';
import { compositeKey, MIN_SEGMENT_PREFIX } from '../../src/state/segments.ts';
import { layoutOf, parseWindowStoreKey, windowStoreKey } from '../../src/state/window-layout.ts';
import { k, tempDir } from './helpers.ts';

const starts = (es: WindowEntry<unknown>[]): number[] => es.map((e) => e.start);

function backends(): [string, () => { kv: KeyValueStore<unknown>; done: () => Promise<void> }][] {
  return [
    ['in-memory', () => ({ kv: new InMemoryStore<unknown>('w'), done: async () => {} })],
    [
      'caching(lmdb)',
      () => {
        const { dir, cleanup } = tempDir('window');
        const env = LmdbEnv.open(dir);
        return {
          kv: new CachingStore(env.store<unknown>('q/window'), { maxEntries: 64 }),
          done: async () => {
            await env.close();
            cleanup();
          },
        };
      },
    ],
  ];
}

for (const [label, make] of backends()) {
  describe(`WindowStore over ${label}`, () => {
    it('fetch is per key and start range, across segments, in start order (or reverse)', async () => {
      const { kv, done } = make();
      const w = new WindowStore<number>(kv, { windowSizeMs: 10, retentionMs: 1000, segmentIntervalMs: 25 });
      for (let s = 0; s < 100; s += 10) {
        w.put(k('a'), s, s);
        w.put(k('ab'), s, s + 1000); // a key that has 'a' as prefix must not leak into fetch('a')
      }
      w.put(k('b'), 50, 1);
      assert.deepEqual(starts(w.fetch(k('a'), 20, 60)), [20, 30, 40, 50, 60]);
      assert.deepEqual(starts(w.fetch(k('a'), 21, 59)), [30, 40, 50]);
      assert.deepEqual(starts(w.fetch(k('a'), 20, 60, { reverse: true })), [60, 50, 40, 30, 20]);
      assert.deepEqual(
        w.fetch(k('ab'), 0, 20).map((e) => [e.start, e.end, e.value]),
        [
          [0, 10, 1000],
          [10, 20, 1010],
          [20, 30, 1020],
        ],
      );
      assert.deepEqual(starts(w.fetch(k('a'), Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      assert.equal(w.get(k('b'), 50), 1);
      w.delete(k('b'), 50);
      assert.equal(w.get(k('b'), 50), undefined);
      const all = [...w.fetchAll(40, 50)].map((e) => `${Buffer.from(e.key)}@${e.start}`).sort();
      assert.deepEqual(all, ['a@40', 'a@50', 'ab@40', 'ab@50']);
      await w.flush();
      assert.deepEqual(starts(w.fetch(k('a'), 20, 60)), [20, 30, 40, 50, 60]);
      await w.close();
      await done();
    });

    it('negative window starts order and fetch correctly', async () => {
      const { kv, done } = make();
      const w = new WindowStore<number>(kv, { windowSizeMs: 5, retentionMs: 1_000_000, segmentIntervalMs: 7 });
      for (const s of [-30, -20, -1, 0, 5]) w.put(k('x'), s, s);
      assert.deepEqual(starts(w.fetch(k('x'), -25, 0)), [-20, -1, 0]);
      await w.close();
      await done();
    });

    it('retention drops expired windows; stored entries stay bounded over a long run', async () => {
      const { kv, done } = make();
      const size = 1000;
      const retention = 5000;
      const interval = 2000;
      const w = new WindowStore<number>(kv, { windowSizeMs: size, retentionMs: retention, segmentIntervalMs: interval });
      const keys = 50;
      let maxCount = 0;
      let rejected = 0;
      // 40 minutes of stream time (480 times the retention), a record every 100 ms for every 7th key.
      for (let t = 0; t < 2_400_000; t += 100) {
        w.advanceTime(t);
        const start = t - (t % size);
        for (let i = 0; i < keys; i += 7) {
          const key = k(`key${(i + t / 100) % keys}`);
          w.put(key, start, (w.get(key, start) ?? 0) + 1);
        }
        if (t % 60_000 === 0) {
          await w.flush();
          maxCount = Math.max(maxCount, kv.approximateCount());
        }
        // A late record for a long-expired window is dropped.
        if (t === 1_200_000) {
          if (!w.put(k('late'), 0, 1)) rejected++;
          assert.equal(w.get(k('late'), 0), undefined);
        }
      }
      assert.equal(rejected, 1);
      // Live windows span size + retention + one segment: at most (1 + 5 + 2 + 1) windows per key.
      const bound = keys * ((size + retention + interval) / size + 1) + 1;
      assert.ok(maxCount <= bound, `count ${maxCount} exceeds ${bound}`);
      assert.ok(maxCount > keys, 'sanity: the store did hold windows');
      const now = w.streamTime();
      assert.deepEqual(w.fetch(k('key0'), 0, now - retention - size - 1), []);
      assert.ok(w.fetch(k('key0'), now - retention, now).length > 0);
      await w.close();
      await done();
    });

    it('retainDuplicates keeps every put (join buffers)', async () => {
      const { kv, done } = make();
      const w = new WindowStore<string>(kv, { windowSizeMs: 100, retentionMs: 1000, retainDuplicates: true });
      w.put(k('a'), 10, 'x');
      w.put(k('a'), 10, 'y');
      w.put(k('a'), 11, 'z');
      assert.deepEqual(
        w.fetch(k('a'), 10, 10).map((e) => e.value),
        ['x', 'y'],
      );
      assert.deepEqual(
        w.fetch(k('a'), 0, 20).map((e) => e.value),
        ['x', 'y', 'z'],
      );
      assert.throws(() => w.get(k('a'), 10), /duplicates/);
      await w.close();
      await done();
    });
  });
}

it('WindowStore persists stream time: a reopened store still rejects expired windows', async () => {
  const { dir, cleanup } = tempDir('window-meta');
  let env = LmdbEnv.open(dir);
  let w = new WindowStore<number>(env.store<unknown>('w'), { windowSizeMs: 10, retentionMs: 100, segmentIntervalMs: 50 });
  w.put(k('a'), 0, 1);
  w.advanceTime(1000);
  w.put(k('a'), 990, 2);
  await w.close();
  await env.close();
  env = LmdbEnv.open(dir);
  w = new WindowStore<number>(env.store<unknown>('w'), { windowSizeMs: 10, retentionMs: 100, segmentIntervalMs: 50 });
  assert.equal(w.streamTime(), 1000);
  assert.equal(w.put(k('a'), 500, 3), false);
  assert.deepEqual(starts(w.fetch(k('a'), 0, 2000)), [990]);
  await w.close();
  await env.close();
  cleanup();
});

it('WindowStore and CachingStore reuse the last key they built only for the same bytes (a caller may mutate its key)', () => {
  const w = new WindowStore<number>(new CachingStore<unknown>(new InMemoryStore<unknown>('w')), { windowSizeMs: 10, retentionMs: 100 });
  const key = Uint8Array.from(k('ab'));
  assert.equal(w.get(key, 0), undefined);
  w.put(key, 0, 1);
  key[1] = 0x63; // now 'ac'
  assert.equal(w.get(key, 0), undefined);
  w.put(key, 0, 2);
  w.put(key, 10, 3); // same bytes, another window
  assert.equal(w.get(k('ab'), 0), 1);
  assert.equal(w.get(k('ac'), 0), 2);
  assert.equal(w.get(k('ac'), 10), 3);
  const cache = new CachingStore<number>(new InMemoryStore<number>('c'));
  const raw = Uint8Array.from(k('xy'));
  cache.put(raw, 1);
  raw[0] = 0x7a; // 'zy': same array, other bytes
  assert.equal(cache.get(raw), undefined);
  cache.put(raw, 2);
  assert.equal(cache.get(k('xy')), 1);
  assert.equal(cache.get(k('zy')), 2);
});

describe('WindowStore text keys (getByText / putByText)', () => {
  it('are the same windows as get/put with the UTF-8 bytes of the text, ASCII or not, through a small cache over LMDB', async () => {
    const { dir, cleanup } = tempDir('window-text');
    const env = LmdbEnv.open(dir);
    try {
      // A cache of 8 entries: most reads miss and go to LMDB, through both key paths.
      const w = new WindowStore<number>(new CachingStore(env.store<unknown>('q/text'), { maxEntries: 8 }), { windowSizeMs: 10, retentionMs: 1000, segmentIntervalMs: 25 });
      const keys = ['[1]', '["a"]', '["é"]', '["日本"]', '[2,"x"]'];
      const model = new Map<string, number>();
      let n = 0;
      for (let round = 0; round < 4; round++) {
        for (const key of keys) {
          for (let s = 0; s < 60; s += 10) {
            const byText = (n++ & 1) === 0;
            const before = byText ? w.getByText(key, s) : w.get(Buffer.from(key), s);
            assert.equal(before, model.get(`${key}@${s}`), `${key}@${s} before round ${round}`);
            const next = (before ?? 0) + s + round;
            if (byText) assert.equal(w.putByText(key, s, next), true);
            else assert.equal(w.put(Buffer.from(key), s, next), true);
            model.set(`${key}@${s}`, next);
          }
        }
        if (round === 1) await w.flush();
      }
      for (const key of keys) {
        assert.deepEqual(
          w.fetch(Buffer.from(key), 0, 100).map((e) => [e.start, e.value]),
          [0, 10, 20, 30, 40, 50].map((s) => [s, model.get(`${key}@${s}`)]),
        );
      }
      // Expired windows: neither path reads nor writes them.
      w.advanceTime(5000);
      assert.equal(w.getByText('[1]', 0), undefined);
      assert.equal(w.putByText('[1]', 0, 1), false);
    } finally {
      await env.close();
      cleanup();
    }
  });
});

describe('WindowStore key layouts (src/state/window-layout.ts)', () => {
  const options = { windowSizeMs: 10, retentionMs: 1000, segmentIntervalMs: 100 };
  const keysOf = (kv: KeyValueStore<unknown>): Buffer[] => [...kv.range(MIN_SEGMENT_PREFIX, null)].map((e) => Buffer.from(e.key));

  it('a new store is start-major: the windows of one start are contiguous, whatever the record key', async () => {
    const kv = new InMemoryStore<unknown>('w');
    const w = new WindowStore<number>(kv, options);
    assert.equal(w.layout, 'start-major');
    for (const key of ['b', 'a', 'ccc']) for (const s of [20, 0, 10]) w.put(k(key), s, s);
    w.putByText('dd', 10, 7);
    const stored = keysOf(kv).map((b) => parseWindowStoreKey('start-major', b));
    assert.deepEqual(
      stored.map((e) => `${e.start}:${Buffer.from(e.key)}`),
      ['0:a', '0:b', '0:ccc', '10:a', '10:b', '10:ccc', '10:dd', '20:a', '20:b', '20:ccc'],
    );
    assert.deepEqual(keysOf(kv)[0], windowStoreKey('start-major', 0, k('a'), 0));
    assert.equal(w.get(k('b'), 10), 10);
    assert.equal(w.getByText('dd', 10), 7);
    // fetch picks the key out of each start; a key with another as prefix does not leak in.
    assert.deepEqual(w.fetch(k('a'), 0, 20).map((e) => e.start), [0, 10, 20]);
    assert.deepEqual(w.fetch(k('a'), 5, 20, { reverse: true }).map((e) => e.start), [20, 10]);
    assert.deepEqual([...w.fetchAll(10, 10)].map((e) => Buffer.from(e.key).toString()), ['a', 'b', 'ccc', 'dd']);
    // Whole segments still expire with one range delete.
    w.put(k('a'), 2000, 1);
    assert.deepEqual(keysOf(kv).map((b) => parseWindowStoreKey('start-major', b).start), [2000]);
  });

  it('a store holding key-major windows (written before start-major) keeps reading and writing key-major', async () => {
    const { dir, cleanup } = tempDir('window-layout');
    try {
      let env = LmdbEnv.open(dir);
      let kv: KeyValueStore<unknown> = env.store<unknown>('q/old');
      // What the earlier code wrote: [segment][len][key][start].
      kv.put(compositeKey(0, k('a'), [0], null), 1);
      kv.put(compositeKey(0, k('a'), [10], null), 2);
      kv.put(compositeKey(0, k('bb'), [10], null), 3);
      await kv.flush();
      await env.close();
      env = LmdbEnv.open(dir);
      kv = new CachingStore(env.store<unknown>('q/old'), { maxEntries: 4 });
      const w = new WindowStore<number>(kv, options);
      assert.equal(w.layout, 'key-major');
      assert.equal(w.get(k('a'), 10), 2);
      assert.equal(w.getByText('bb', 10), 3);
      w.put(k('a'), 20, 4);
      w.putByText('bb', 20, 5);
      assert.deepEqual(w.fetch(k('a'), 0, 100).map((e) => [e.start, e.value]), [[0, 1], [10, 2], [20, 4]]);
      await w.flush();
      for (const key of keysOf(kv)) assert.equal(layoutOf(key), 'key-major');
      assert.ok(keysOf(kv).some((b) => b.equals(compositeKey(0, k('bb'), [20], null))));
      await env.close();
    } finally {
      cleanup();
    }
  });

  it('tells the layouts apart by byte 8 of a key, for any safe window start and any key length', () => {
    for (const start of [0, 1, -1, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      for (const key of [k(''), k('x'), Buffer.alloc(70_000, 1)]) {
        assert.equal(layoutOf(windowStoreKey('start-major', 5, key, start)), 'start-major', `${start} ${key.length}`);
        assert.equal(layoutOf(windowStoreKey('key-major', 5, key, start)), 'key-major', `${start} ${key.length}`);
        assert.deepEqual(parseWindowStoreKey('start-major', windowStoreKey('start-major', 5, key, start)), { key, start });
        assert.deepEqual(parseWindowStoreKey('key-major', windowStoreKey('key-major', 5, key, start)), { key, start });
      }
    }
    assert.equal(layoutOf(null), 'start-major');
  });
});
