import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachingStore } from '../../src/state/caching-store.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { LmdbEnv } from '../../src/state/lmdb-env.ts';
import { SessionStore, type Session } from '../../src/state/session-store.ts';
import type { KeyValueStore } from '../../src/state/store.ts';
import { k, rng, tempDir } from './helpers.ts';

const spans = (ss: Session<unknown>[]): [number, number][] => ss.map((s) => [s.start, s.end]);

/** What a SESSION aggregation does per record: merge every session within `gap` of t. */
function addRecord(store: SessionStore<number>, key: Uint8Array, t: number, gap: number): void {
  const overlapping = store.findSessions(key, t - gap, t + gap);
  let start = t;
  let end = t;
  let count = 1;
  for (const s of overlapping) {
    start = Math.min(start, s.start);
    end = Math.max(end, s.end);
    count += s.value;
    store.remove(key, s.start, s.end);
  }
  store.put(key, start, end, count);
}

function backends(): [string, () => { kv: KeyValueStore<unknown>; done: () => Promise<void> }][] {
  return [
    ['in-memory', () => ({ kv: new InMemoryStore<unknown>('s'), done: async () => {} })],
    [
      'caching(lmdb)',
      () => {
        const { dir, cleanup } = tempDir('session');
        const env = LmdbEnv.open(dir);
        return {
          kv: new CachingStore(env.store<unknown>('q/session'), { maxEntries: 32 }),
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
  describe(`SessionStore over ${label}`, () => {
    it('findSessions returns the sessions that overlap [earliestEnd, latestStart], ordered by end', async () => {
      const { kv, done } = make();
      const s = new SessionStore<string>(kv, { retentionMs: 1_000_000, segmentIntervalMs: 100 });
      s.put(k('u'), 0, 50, 'A');
      s.put(k('u'), 120, 180, 'B');
      s.put(k('u'), 300, 420, 'C');
      s.put(k('uu'), 100, 200, 'other key');
      assert.deepEqual(spans(s.findSessions(k('u'), 40, 130)), [
        [0, 50],
        [120, 180],
      ]);
      assert.deepEqual(spans(s.findSessions(k('u'), 51, 119)), []);
      assert.deepEqual(spans(s.findSessions(k('u'), 181, 1000)), [[300, 420]]);
      assert.deepEqual(spans(s.fetch(k('u'))), [
        [0, 50],
        [120, 180],
        [300, 420],
      ]);
      assert.equal(s.fetchSession(k('u'), 120, 180), 'B');
      s.remove(k('u'), 120, 180);
      assert.equal(s.fetchSession(k('u'), 120, 180), undefined);
      assert.deepEqual(
        [...s.fetchAll(0, 250)].map((x) => `${Buffer.from(x.key)}:${x.start}-${x.end}`),
        ['u:0-50', 'uu:100-200'],
      );
      await s.close();
      await done();
    });

    it('merging sessions record by record matches a brute-force sessionization', async () => {
      const { kv, done } = make();
      const gap = 30;
      const store = new SessionStore<number>(kv, { retentionMs: 1_000_000, segmentIntervalMs: 200 });
      const rand = rng(3);
      const times = new Map<string, number[]>();
      for (let i = 0; i < 600; i++) {
        const key = `k${Math.floor(rand() * 4)}`;
        const t = Math.floor(rand() * 3000); // out of order on purpose
        addRecord(store, k(key), t, gap);
        times.set(key, [...(times.get(key) ?? []), t]);
      }
      for (const [key, ts] of times) {
        ts.sort((a, b) => a - b);
        const want: [number, number, number][] = [];
        for (const t of ts) {
          const last = want.at(-1);
          if (last && t - last[1] <= gap) {
            last[1] = t;
            last[2]++;
          } else {
            want.push([t, t, 1]);
          }
        }
        assert.deepEqual(
          store.fetch(k(key)).map((s) => [s.start, s.end, s.value]),
          want,
          key,
        );
      }
      await store.close();
      await done();
    });

    it('retention drops sessions whose end falls behind stream time', async () => {
      const { kv, done } = make();
      const store = new SessionStore<number>(kv, { retentionMs: 500, segmentIntervalMs: 100 });
      let maxCount = 0;
      for (let t = 0; t < 200_000; t += 10) {
        store.advanceTime(t);
        addRecord(store, k(`user${(t / 10) % 20}`), t, 5); // gap 5 < spacing: a session per record
        if (t % 5000 === 0) {
          await store.flush();
          maxCount = Math.max(maxCount, kv.approximateCount());
        }
      }
      assert.ok(maxCount <= (500 + 100) / 10 + 2, `count ${maxCount}`);
      assert.equal(store.put(k('late'), 0, 10, 1), false);
      assert.deepEqual(store.findSessions(k('user0'), 0, 1000), []);
      await store.close();
      await done();
    });
  });
}
