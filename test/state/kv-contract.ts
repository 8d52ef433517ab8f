/**
 * The KeyValueStore contract (src/state/store.ts), as a suite run against every implementation
 * and decorator stack (./kv-contract.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from '../../src/types/decimal.ts';
import type { KeyValueStore } from '../../src/state/store.ts';
import { bytes, k, pairs, rng } from './helpers.ts';

export interface Fixture {
  readonly store: KeyValueStore<unknown>;
  /** Closes the store and opens it again on the same persisted data (durable stores only). */
  readonly reopen?: () => Promise<KeyValueStore<unknown>>;
  readonly close: () => Promise<void>;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** A reference model: a Map of latin1 keys, sorted on demand. */
class Model {
  readonly m = new Map<string, unknown>();
  range(from: string | null, to: string | null, reverse = false, limit = Infinity): [string, unknown][] {
    const out = [...this.m.entries()]
      .filter(([key]) => (from === null || key >= from) && (to === null || key < to))
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (reverse) out.reverse();
    return out.slice(0, limit);
  }
}

export function runKvContract(label: string, open: () => Promise<Fixture>): void {
  describe(`KeyValueStore contract: ${label}`, () => {
    const withStore = (name: string, body: (f: Fixture) => Promise<void>): void => {
      it(name, async () => {
        const f = await open();
        try {
          await body(f);
        } finally {
          await f.close();
        }
      });
    };

    withStore('get, put, overwrite and delete, before and after flush', async ({ store }) => {
      assert.equal(store.get(k('a')), undefined);
      store.put(k('a'), 1);
      store.put(k('b'), { n: 2 });
      assert.equal(store.get(k('a')), 1);
      store.put(k('a'), 3);
      assert.equal(store.get(k('a')), 3);
      await store.flush();
      assert.equal(store.get(k('a')), 3);
      assert.deepEqual(store.get(k('b')), { n: 2 });
      store.delete(k('a'));
      assert.equal(store.get(k('a')), undefined);
      await store.flush();
      assert.equal(store.get(k('a')), undefined);
      store.delete(k('never')); // deleting an absent key is fine
      store.put(k('a'), 'again');
      assert.equal(store.get(k('a')), 'again');
      await store.flush();
      assert.equal(store.get(k('a')), 'again');
    });

    withStore('rejects null/undefined values and empty keys', async ({ store }) => {
      assert.throws(() => store.put(k('x'), null), TypeError);
      assert.throws(() => store.put(k('x'), undefined), TypeError);
      assert.throws(() => store.put(new Uint8Array(0), 1), RangeError);
      assert.equal(store.get(k('x')), undefined);
      assert.equal(store.get(new Uint8Array(0)), undefined);
    });

    withStore('values round-trip: bigint, Decimal, bytes, nested structures', async (f) => {
      const values: Record<string, unknown> = {
        big: 2n ** 100n,
        small: 5n,
        neg: -(2n ** 70n),
        dec: new Decimal(-12345678901234567890123n, 7),
        dec0: new Decimal(0n, 2),
        bytes: bytes(0, 1, 255),
        nested: { a: [1, 2.5, 'x', null, true, { b: 7n, d: new Decimal(1230n, 2), u: bytes(9) }], s: 'é€😀' },
        float: 0.1 + 0.2,
        large: 2 ** 60,
        arr: [[], {}, ''],
      };
      for (const [key, v] of Object.entries(values)) f.store.put(k(key), v);
      const check = (s: KeyValueStore<unknown>): void => {
        for (const [key, v] of Object.entries(values)) {
          const got = s.get(k(key));
          if (v instanceof Uint8Array) assert.deepEqual(new Uint8Array(got as Uint8Array), v, key);
          else assert.deepEqual(normalize(got), normalize(v), key);
        }
      };
      check(f.store);
      await f.store.flush();
      check(f.store);
      if (f.reopen) check(await f.reopen());
    });

    withStore('range, prefix and reverse follow unsigned byte order, across flushed and pending writes', async ({ store }) => {
      const keys = [
        bytes(0),
        bytes(0, 0),
        bytes(1),
        bytes(0x7f),
        bytes(0x80),
        bytes(0xff),
        bytes(0xff, 0),
        bytes(0xff, 0xff),
        k('a'),
        k('ab'),
        k('abc'),
        k('b'),
        k('ba'),
      ];
      const model = new Model();
      keys.forEach((key, i) => {
        store.put(key, i);
        model.m.set(latin1(key), i);
      });
      await store.flush();
      // Pending changes on top of flushed data: an update, a delete, a new key.
      store.put(k('ab'), 'updated');
      model.m.set('ab', 'updated');
      store.delete(bytes(0x80));
      model.m.delete('\x80');
      store.put(k('aa'), 'new');
      model.m.set('aa', 'new');
      const bounds: (Uint8Array | null)[] = [null, bytes(0), bytes(0, 0), k('a'), k('ab'), k('ac'), bytes(0xff), bytes(0xff, 0xff, 0)];
      for (const from of bounds) {
        for (const to of bounds) {
          for (const reverse of [false, true]) {
            const want = model.range(from && latin1(from), to && latin1(to), reverse);
            assert.deepEqual(pairs(store.range(from, to, { reverse })), want, `range ${from} ${to} ${reverse}`);
          }
        }
      }
      assert.deepEqual(pairs(store.range(null, null, { limit: 3 })), model.range(null, null, false, 3));
      assert.deepEqual(pairs(store.range(null, null, { reverse: true, limit: 2 })), model.range(null, null, true, 2));
      assert.deepEqual(pairs(store.prefix(k('a'))), model.range('a', 'b'));
      assert.deepEqual(pairs(store.prefix(k('a'), { reverse: true })), model.range('a', 'b', true));
      assert.deepEqual(pairs(store.prefix(bytes(0xff))), model.range('\xff', null));
      await store.flush();
      assert.deepEqual(pairs(store.range(null, null)), model.range(null, null));
    });

    withStore('deleteRange removes a key range; deleteRange(null, null) empties the store', async ({ store }) => {
      for (const s of ['a1', 'a2', 'a3', 'b1', 'b2', 'c1']) store.put(k(s), s);
      await store.flush();
      store.put(k('a4'), 'a4'); // pending
      store.deleteRange(k('a2'), k('b2'));
      assert.deepEqual(pairs(store.range(null, null)).map(([key]) => key), ['a1', 'b2', 'c1']);
      await store.flush();
      assert.deepEqual(pairs(store.range(null, null)).map(([key]) => key), ['a1', 'b2', 'c1']);
      assert.equal(store.approximateCount(), 3);
      store.deleteRange(null, null);
      assert.deepEqual(pairs(store.range(null, null)), []);
      assert.equal(store.get(k('a1')), undefined);
      store.put(k('z'), 1);
      assert.deepEqual(pairs(store.range(null, null)), [['z', 1]]);
      await store.flush();
      assert.deepEqual(pairs(store.range(null, null)), [['z', 1]]);
      assert.equal(store.approximateCount(), 1);
    });

    withStore('writing while iterating never throws, and unaffected keys are each seen once', async ({ store }) => {
      for (let i = 0; i < 50; i++) store.put(k(`k${String(i).padStart(2, '0')}`), i);
      await store.flush();
      const seen: string[] = [];
      for (const { key } of store.range(null, null)) {
        const s = Buffer.from(key).toString();
        seen.push(s);
        if (s.endsWith('-x')) continue;
        store.put(k(`${s}-x`), 0); // just after the current key: may or may not be seen
        store.delete(key);
      }
      const originals = seen.filter((s) => !s.endsWith('-x'));
      assert.equal(new Set(originals).size, originals.length);
      assert.equal(originals.length, 50);
    });

    withStore('randomized operations match a reference model', async ({ store }) => {
      const rand = rng(42);
      const model = new Model();
      const key = (): Uint8Array => {
        const n = 1 + Math.floor(rand() * 3);
        return Uint8Array.from({ length: n }, () => [0, 1, 0x61, 0x62, 0xfe, 0xff][Math.floor(rand() * 6)]);
      };
      for (let step = 0; step < 3000; step++) {
        const r = rand();
        if (r < 0.5) {
          const kk = key();
          store.put(kk, step);
          model.m.set(latin1(kk), step);
        } else if (r < 0.75) {
          const kk = key();
          store.delete(kk);
          model.m.delete(latin1(kk));
        } else if (r < 0.78) {
          let [a, b] = [key(), key()];
          if (latin1(a) > latin1(b)) [a, b] = [b, a];
          // expireRange reads like deleteRange (only the changelog differs)
          if (r < 0.765) store.deleteRange(a, b);
          else store.expireRange(a, b);
          for (const [mk] of model.range(latin1(a), latin1(b))) model.m.delete(mk);
        } else if (r < 0.83) {
          await store.flush();
        } else if (r < 0.93) {
          const kk = key();
          assert.equal(store.get(kk), model.m.get(latin1(kk)), `get at step ${step}`);
        } else {
          let [a, b] = [key(), key()];
          if (latin1(a) > latin1(b)) [a, b] = [b, a];
          const reverse = rand() < 0.5;
          assert.deepEqual(pairs(store.range(a, b, { reverse })), model.range(latin1(a), latin1(b), reverse), `range at step ${step}`);
        }
      }
      assert.deepEqual(pairs(store.range(null, null)), model.range(null, null));
      await store.flush();
      assert.deepEqual(pairs(store.range(null, null)), model.range(null, null));
      assert.equal(store.approximateCount(), model.m.size);
    });
  });
}

/** Deep values with Buffers turned into plain Uint8Arrays, for deepEqual. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Decimal) return { decimal: v.unscaled, scale: v.scale };
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([kk, x]) => [kk, normalize(x)]));
  }
  return v;
}
