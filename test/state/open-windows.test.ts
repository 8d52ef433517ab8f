/** The open windows a WindowStore keeps in memory (src/state/open-windows.ts) in front of its stack. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheBudget } from '../../src/state/cache-budget.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { LmdbEnv } from '../../src/state/lmdb-env.ts';
import { MeteredStore } from '../../src/state/metered-store.ts';
import { WindowStore } from '../../src/state/window-store.ts';
import { k, tempDir } from './helpers.ts';

interface Agg {
  readonly n: number;
}

describe('WindowStore open windows', () => {
  it('keep updates in memory until flush, then the store beneath has the latest value of each window once', async () => {
    const beneath = new MeteredStore(new InMemoryStore<unknown>('w'));
    const w = new WindowStore<Agg>(beneath, { windowSizeMs: 10, retentionMs: 1000 });
    const gets = beneath.stats().gets; // the stream-time record, read when opened
    for (let i = 0; i < 100; i++) for (const key of ['a', 'b']) w.putByText(key, 0, { n: (w.getByText(key, 0)?.n ?? 0) + 1 });
    assert.equal(beneath.stats().puts, 0);
    assert.equal(beneath.stats().gets, gets); // a window newer than anything beneath is not looked up
    assert.deepEqual(w.openWindowStats().windows, 2);
    await w.flush();
    assert.equal(beneath.stats().puts, 3); // two windows and the stream-time record
    const again = new WindowStore<Agg>(beneath, { windowSizeMs: 10, retentionMs: 1000 });
    assert.deepEqual(again.getByText('a', 0), { n: 100 });
    assert.deepEqual(again.get(k('b'), 0), { n: 100 });
  });

  it('close once stream time is a window size past their end: written beneath, dropped from memory, still readable', async () => {
    const beneath = new MeteredStore(new InMemoryStore<unknown>('w'));
    const w = new WindowStore<Agg>(beneath, { windowSizeMs: 10, retentionMs: 1000 });
    w.putByText('a', 0, { n: 1 });
    w.putByText('a', 10, { n: 2 });
    w.advanceTime(19);
    assert.equal(w.openWindowStats().windows, 2);
    w.advanceTime(20); // 0 + 10 <= 20 - 10: window 0 closes
    assert.equal(w.openWindowStats().windows, 1);
    assert.equal(beneath.stats().puts, 1);
    assert.deepEqual(w.getByText('a', 0), { n: 1 }); // read from beneath (and held again)
    assert.deepEqual(w.getByText('a', 10), { n: 2 });
    // A late update of a closed window reaches beneath at the next flush.
    w.putByText('a', 0, { n: 5 });
    await w.flush();
    assert.deepEqual(new WindowStore<Agg>(beneath, { windowSizeMs: 10, retentionMs: 1000 }).getByText('a', 0), { n: 5 });
  });

  it('close keepOpenMs past their end when given (a HOPPING aggregation passes its advance)', () => {
    const beneath = new MeteredStore(new InMemoryStore<unknown>('w'));
    const w = new WindowStore<Agg>(beneath, { windowSizeMs: 10, retentionMs: 1000, keepOpenMs: 2 });
    for (const start of [0, 2, 4, 6, 8, 10]) w.putByText('a', start, { n: start });
    w.advanceTime(11);
    assert.equal(w.openWindowStats().windows, 6);
    w.advanceTime(12); // 0 + 10 <= 12 - 2: window 0 closes, 2 stays
    assert.equal(w.openWindowStats().windows, 5);
    w.advanceTime(17); // 2 + 10 <= 15, 4 + 10 <= 15; 6 + 10 > 15
    assert.equal(w.openWindowStats().windows, 3);
    for (const start of [0, 2, 4, 6, 8, 10]) assert.deepEqual(w.getByText('a', start), { n: start });
    assert.throws(() => new WindowStore<Agg>(beneath, { windowSizeMs: 10, retentionMs: 1000, keepOpenMs: -1 }), /keepOpenMs/);
  });

  it('find their windows among few starts and among many (late records of long-closed windows)', () => {
    const w = new WindowStore<Agg>(new MeteredStore(new InMemoryStore<unknown>('w')), { windowSizeMs: 10, retentionMs: 1_000_000 });
    // Newest first: stream time stands at 990, the older windows arrive late and stay open until it moves.
    for (let start = 99; start >= 0; start--) w.putByText('a', start * 10, { n: start });
    assert.equal(w.openWindowStats().windows, 100);
    for (let start = 0; start < 100; start++) assert.deepEqual(w.getByText('a', start * 10), { n: start });
    w.advanceTime(1000); // closes the windows that ended a window size before: all but the newest
    assert.equal(w.openWindowStats().windows, 1);
    for (let start = 0; start < 100; start++) assert.deepEqual(w.getByText('a', start * 10), { n: start });
  });

  it('fetch and fetchAll see windows still in memory', () => {
    const w = new WindowStore<Agg>(new MeteredStore(new InMemoryStore<unknown>('w')), { windowSizeMs: 10, retentionMs: 1000 });
    w.putByText('a', 0, { n: 1 });
    w.putByText('a', 10, { n: 2 });
    w.putByText('b', 10, { n: 3 });
    assert.deepEqual(
      w.fetch(k('a'), 0, 10).map((e) => [e.start, e.value.n]),
      [
        [0, 1],
        [10, 2],
      ],
    );
    assert.deepEqual([...w.fetchAll(10, 10)].map((e) => `${Buffer.from(e.key)}@${e.start}=${e.value.n}`).sort(), ['a@10=2', 'b@10=3']);
  });

  it('stay within the cache budget (oldest windows written down first) and lose no update', async () => {
    const budget = new CacheBudget(20_000);
    const w = new WindowStore<Agg>(new MeteredStore(new InMemoryStore<unknown>('w')), { windowSizeMs: 100, retentionMs: 100_000, cacheBudget: budget });
    const expected = new Map<string, number>();
    for (let i = 0; i < 5_000; i++) {
      const key = `key-${(i * 7919) % 300}`;
      const start = Math.floor(i / 50) * 10;
      for (let s = start; s > start - 100 && s >= 0; s -= 10) {
        w.putByText(key, s, { n: (w.getByText(key, s)?.n ?? 0) + 1 });
        expected.set(`${key}@${s}`, (expected.get(`${key}@${s}`) ?? 0) + 1);
      }
      assert.ok(budget.usedBytes <= budget.maxBytes);
    }
    for (const [ks, n] of expected) {
      const [key, s] = ks.split('@');
      assert.equal(w.getByText(key, Number(s))?.n, n, ks);
    }
    await w.close();
    assert.equal(budget.usedBytes, 0);
  });

  it('behave as the store without them: random operations over LMDB with a tiny budget, against a byte-keyed store', async () => {
    const { dir, cleanup } = tempDir('open-windows');
    const env = LmdbEnv.open(dir);
    try {
      const opts = { windowSizeMs: 20, retentionMs: 60, segmentIntervalMs: 50 };
      // A store beneath without the latin1 fast path: no open windows (the reference).
      const plain = new InMemoryStore<unknown>('ref');
      const reference = new WindowStore<number>(plain, opts);
      assert.equal(reference.openWindowStats().windows, 0);
      const subject = new WindowStore<number>(new MeteredStore(env.store<unknown>('q/w')), { ...opts, cacheBudget: new CacheBudget(3_000) });
      let seed = 42;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const keys = ['a', 'b', 'c', 'dd', 'é', 'long-key-'.repeat(4)];
      let time = 0;
      for (let i = 0; i < 5_000; i++) {
        const key = keys[rnd(keys.length)];
        const start = Math.max(0, time - 40 + rnd(60));
        switch (rnd(10)) {
          case 0:
          case 1:
          case 2:
            assert.equal(subject.putByText(key, start, i), reference.put(Buffer.from(key), start, i), `put ${i}`);
            break;
          case 3:
            assert.equal(subject.put(Buffer.from(key), start, i), reference.put(Buffer.from(key), start, i), `put bytes ${i}`);
            break;
          case 4:
            subject.delete(Buffer.from(key), start);
            reference.delete(Buffer.from(key), start);
            break;
          case 5:
            time += rnd(15);
            subject.advanceTime(time);
            reference.advanceTime(time);
            break;
          case 6:
            assert.deepEqual(
              subject.fetch(Buffer.from(key), start - 30, start).map((e) => [e.start, e.value]),
              reference.fetch(Buffer.from(key), start - 30, start).map((e) => [e.start, e.value]),
              `fetch ${i}`,
            );
            break;
          case 7:
            if (rnd(4) === 0) await subject.flush();
            assert.equal(subject.get(Buffer.from(key), start), reference.get(Buffer.from(key), start), `get ${i}`);
            break;
          default:
            assert.equal(subject.getByText(key, start), reference.get(Buffer.from(key), start), `getByText ${i}`);
        }
      }
      const all = (w: WindowStore<number>) => [...w.fetchAll(0, time + 100)].map((e) => `${Buffer.from(e.key)}@${e.start}=${e.value}`).sort();
      assert.deepEqual(all(subject), all(reference));
      await subject.flush();
      const reopened = new WindowStore<number>(new MeteredStore(env.store<unknown>('q/w')), opts);
      assert.deepEqual(all(reopened), all(reference));
    } finally {
      await env.close();
      cleanup();
    }
  });
});
