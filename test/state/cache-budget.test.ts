/** The byte budget shared by the caches of a registry (src/state/cache-budget.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CacheBudget, POINTER_BYTES, approximateEntrySize, approximateSize } from '../../src/state/cache-budget.ts';
import { OpenWindows } from '../../src/state/open-windows.ts';
import { CachingStore } from '../../src/state/caching-store.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { k } from './helpers.ts';

const value = (n: number) => ({ states: [n, n * 2], maxTs: 1_700_000_000_000 + n });

describe('CacheBudget', () => {
  it('keeps the caches sharing it within the budget; the growing store evicts from itself, dirty entries written through', async () => {
    const budget = new CacheBudget(20_000);
    const innerA = new InMemoryStore<ReturnType<typeof value>>('a');
    const innerB = new InMemoryStore<ReturnType<typeof value>>('b');
    const a = new CachingStore(innerA, { maxEntries: 1_000_000, budget });
    const b = new CachingStore(innerB, { maxEntries: 1_000_000, budget });
    for (let i = 0; i < 40; i++) b.put(k(`b${i}`), value(i));
    const bBytes = b.stats().bytes;
    assert.ok(bBytes > 0 && bBytes < 20_000);
    for (let i = 0; i < 5_000; i++) {
      a.put(k(`key-${i}`), value(i));
      assert.ok(budget.usedBytes <= budget.maxBytes, `over budget after ${i}: ${budget.usedBytes}`);
    }
    // B did not grow, so it kept its entries; A held what was left and wrote its evictees through.
    assert.equal(b.stats().bytes, bBytes);
    assert.equal(b.stats().entries, 40);
    assert.equal(budget.usedBytes, a.stats().bytes + b.stats().bytes);
    assert.ok(a.stats().evictions > 4_000 && a.stats().dirtyEvictions === a.stats().evictions);
    assert.ok(innerA.approximateCount() > 4_000);
    for (let i = 0; i < 5_000; i += 97) assert.deepEqual(a.get(k(`key-${i}`)), value(i));
    await a.flush();
    assert.equal(innerA.approximateCount(), 5_000);
    for (let i = 0; i < 5_000; i += 101) assert.deepEqual(innerA.get(k(`key-${i}`)), value(i));
  });

  it('charges a value that grows on every write (an aggregate whose state grows)', () => {
    const budget = new CacheBudget(10_000);
    const store = new CachingStore(new InMemoryStore<number[]>('list'), { budget });
    let list: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      list = [...list, i];
      store.put(k('the-one-key'), list);
    }
    // One entry far beyond the budget is evicted (written through) rather than kept.
    assert.ok(budget.usedBytes <= budget.maxBytes);
    assert.deepEqual(store.get(k('the-one-key'))?.length, 2_000);
  });

  it('gives the bytes back on delete-all, eviction and close', async () => {
    const budget = new CacheBudget(1_000_000);
    const s1 = new CachingStore(new InMemoryStore<unknown>('s1'), { budget });
    const s2 = new CachingStore(new InMemoryStore<unknown>('s2'), { budget });
    for (let i = 0; i < 100; i++) {
      s1.put(k(`x${i}`), value(i));
      s2.put(k(`y${i}`), value(i));
      s2.get(k(`missing${i}`)); // misses are cached too, and charged
    }
    assert.equal(budget.usedBytes, s1.stats().bytes + s2.stats().bytes);
    s1.deleteRange(null, null);
    assert.equal(budget.usedBytes, s2.stats().bytes);
    s2.deleteRange(k('y'), k('z'));
    assert.equal(budget.usedBytes, s2.stats().bytes);
    assert.equal(s2.stats().entries, 100); // the cached misses
    await s2.close();
    await s1.close();
    assert.equal(budget.usedBytes, 0);
  });

  it('a budget of 0 caches nothing: every write goes through at once', () => {
    const budget = new CacheBudget(0);
    const inner = new InMemoryStore<unknown>('z');
    const store = new CachingStore(inner, { budget });
    store.put(k('a'), value(1));
    assert.deepEqual(inner.get(k('a')), value(1));
    assert.equal(store.stats().entries, 0);
    assert.equal(budget.usedBytes, 0);
  });

  it('refuses a budget that is not a non-negative integer', () => {
    assert.throws(() => new CacheBudget(-1), /non-negative integer/);
    assert.throws(() => new CacheBudget(1.5), /non-negative integer/);
  });

  it('estimates sizes that grow with the content', () => {
    assert.ok(approximateSize('x'.repeat(1000)) > 1000);
    assert.ok(approximateSize(new Uint8Array(5000)) > 5000);
    assert.ok(approximateSize(Array.from({ length: 1000 }, (_, i) => i)) > 1000 * POINTER_BYTES);
    assert.ok(approximateSize({ states: [1, 2, 3], maxTs: 5 }) < approximateSize({ states: [1, 2, 3, 4, 5, 6], maxTs: 5 }));
    assert.ok(approximateEntrySize('k'.repeat(300), 1) > 300);
  });

  /** Heap bytes retained by what `fill` builds (measured between two full collections). */
  function retainedBy(fill: () => unknown): number {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = fill();
    gc();
    const after = process.memoryUsage().heapUsed;
    assert.ok(kept);
    return after - before;
  }

  // The estimates are what bounds the caches' memory (statestore.cache.max.bytes): an estimate
  // far below the real heap lets the caches hold a multiple of their budget.
  it('estimates within 25% the heap that cached windows of an aggregation retain (CachingStore)', () => {
    const budget = new CacheBudget(Number.MAX_SAFE_INTEGER);
    let cache: CachingStore<ReturnType<typeof value>> | null = null;
    const measured = retainedBy(() => {
      cache = new CachingStore(new InMemoryStore<ReturnType<typeof value>>('m'), { maxEntries: 1_000_000, budget });
      const c = cache;
      // Window store keys (segment, start, record key) with a one-count aggregate, as q5's.
      for (let i = 0; i < 60_000; i++) {
        const ks = `\x00\x00\x00\x00\x00\x00\x01\x02\x80\x00\x01\x8b\xcf\xe5${String.fromCharCode(i & 0xff)}\x00[${100_000 + i}]`;
        c.getLatin(ks, null);
        c.putLatin(ks, { states: [1], maxTs: 1_700_000_000_000 + i });
      }
      return c;
    });
    const ratio = budget.usedBytes / measured;
    assert.ok(ratio > 0.75 && ratio < 1.25, `estimated ${budget.usedBytes} B, measured ${measured} B (${ratio.toFixed(2)})`);
  });

  it('estimates within 25% the heap that open windows retain (OpenWindows)', () => {
    const budget = new CacheBudget(Number.MAX_SAFE_INTEGER);
    const measured = retainedBy(() => {
      const open = new OpenWindows<ReturnType<typeof value>>(budget);
      for (let i = 0; i < 60_000; i++) open.insert(1_700_000_000_000 + (i % 5) * 2000, `[${100_000 + i}]`, { states: [i % 3, i], maxTs: 1_700_000_000_000 + i }, true, true);
      return open;
    });
    const ratio = budget.usedBytes / measured;
    assert.ok(ratio > 0.75 && ratio < 1.25, `estimated ${budget.usedBytes} B, measured ${measured} B (${ratio.toFixed(2)})`);
  });
});
