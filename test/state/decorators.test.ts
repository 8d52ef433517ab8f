/** CachingStore, ChangeLoggingStore and MeteredStore beyond the shared contract. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import type { ConsumedRecord, Log } from '../../src/log/log.ts';
import { CachingStore } from '../../src/state/caching-store.ts';
import { ChangeLoggingStore } from '../../src/state/change-logging-store.ts';
import { msgpackCodec } from '../../src/state/codec.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { MeteredStore } from '../../src/state/metered-store.ts';
import { RecordingProducer, k, pairs, tempDir } from './helpers.ts';

/** An InMemoryStore that counts the calls reaching it. */
class CountingStore extends InMemoryStore<unknown> {
  puts = 0;
  deletes = 0;
  gets = 0;
  flushes = 0;
  override get(key: Uint8Array): unknown {
    this.gets++;
    return super.get(key);
  }
  override put(key: Uint8Array, value: unknown): void {
    this.puts++;
    super.put(key, value);
  }
  override delete(key: Uint8Array): void {
    this.deletes++;
    super.delete(key);
  }
  override async flush(): Promise<void> {
    this.flushes++;
  }
}

describe('CachingStore', () => {
  it('coalesces updates: the store beneath sees one write per key per flush', async () => {
    const inner = new CountingStore('c');
    const cache = new CachingStore(inner, { maxEntries: 100 });
    for (let i = 0; i < 1000; i++) cache.put(k(`key${i % 10}`), i);
    cache.delete(k('key3'));
    assert.equal(inner.puts, 0);
    await cache.flush();
    assert.equal(inner.puts, 9);
    assert.equal(inner.deletes, 1);
    assert.equal(inner.get(k('key9')), 999);
    assert.equal(inner.get(k('key3')), undefined);
    await cache.flush(); // nothing dirty: nothing written
    assert.equal(inner.puts, 9);
  });

  it('stays bounded; evicted dirty entries are written through; reads of hot keys stay in memory', async () => {
    const inner = new CountingStore('c');
    const cache = new CachingStore(inner, { maxEntries: 50 });
    for (let i = 0; i < 500; i++) cache.put(k(`key${i}`), i);
    const s = cache.stats();
    assert.equal(s.entries, 50);
    assert.equal(s.evictions, 450);
    assert.equal(s.dirtyEvictions, 450);
    assert.equal(inner.puts, 450);
    for (let i = 0; i < 500; i++) assert.equal(cache.get(k(`key${i}`)), i);
    const gets = inner.gets;
    for (let r = 0; r < 100; r++) cache.get(k('key499'));
    assert.equal(inner.gets, gets, 'a hot key is served from the cache');
    await cache.flush();
    assert.equal(inner.approximateCount(), 500);
  });

  it('caches misses (an absent key costs one read beneath until written)', () => {
    const inner = new CountingStore('c');
    const cache = new CachingStore(inner);
    assert.equal(cache.get(k('x')), undefined);
    assert.equal(cache.get(k('x')), undefined);
    assert.equal(inner.gets, 1);
    cache.put(k('x'), 1);
    assert.equal(cache.get(k('x')), 1);
    assert.equal(cache.stats().hits, 2);
  });
});

async function withLog(body: (log: Log) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir('decor');
  const log = await openEmbeddedLog(path.join(dir, 'log'));
  try {
    await body(log);
  } finally {
    await log.close();
    cleanup();
  }
}

async function readAll(log: Log, topic: string): Promise<ConsumedRecord[]> {
  const c = log.consumer({ groupId: `read-${Math.random()}`, topics: [topic], fromBeginning: true });
  const out: ConsumedRecord[] = [];
  for (;;) {
    const batch = await c.poll(1000, 50);
    if (batch.length === 0) break;
    out.push(...batch);
  }
  await c.close();
  return out;
}

describe('ChangeLoggingStore', () => {
  it('sends the latest value per key and tombstones for deletes, in one send per flush, before flushing beneath', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 3 });
      const producer = new RecordingProducer(log.producer());
      const order: string[] = [];
      const inner = new CountingStore('q/op');
      inner.flush = async () => {
        order.push(`inner flush after ${producer.calls.length} send(s)`);
      };
      const flushed: number[] = [];
      const store = new ChangeLoggingStore(inner, {
        producer,
        topic: 'cl',
        partition: 2,
        onFlushed: (next) => void flushed.push(next),
      });
      for (let i = 0; i < 100; i++) store.put(k(`k${i % 5}`), { n: i, big: BigInt(i) });
      store.delete(k('k1'));
      store.delete(k('absent'));
      store.put(k('k2'), 'last');
      await store.flush();
      assert.equal(producer.calls.length, 1);
      assert.deepEqual(order, ['inner flush after 1 send(s)']);
      const recs = await readAll(log, 'cl');
      assert.ok(recs.every((r) => r.partition === 2));
      const decoded = recs.map((r) => [Buffer.from(r.key!).toString(), r.value === null ? null : msgpackCodec.decode(r.value)]);
      // Records come in no particular key order (one partition: the last per key wins).
      assert.deepEqual(decoded.sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [
        ['absent', null],
        ['k0', { n: 95, big: 95n }],
        ['k1', null],
        ['k2', 'last'],
        ['k3', { n: 98, big: 98n }],
        ['k4', { n: 99, big: 99n }],
      ]);
      assert.deepEqual(flushed, [6]);
      await store.flush(); // nothing changed: no send
      assert.equal(producer.calls.length, 1);
      store.put(k('k0'), 1);
      await store.flush();
      assert.deepEqual(flushed, [6, 7]);
    }));

  it('a large flush goes out in chunks, in order, every key once; the next offset follows the last', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 1 });
      const producer = new RecordingProducer(log.producer());
      const flushed: number[] = [];
      const store = new ChangeLoggingStore(new InMemoryStore<unknown>('q/big'), { producer, topic: 'cl', partition: 0, onFlushed: (n) => void flushed.push(n) });
      for (let i = 0; i < 10_000; i++) store.put(k(`key${i}`), i);
      await store.flush();
      assert.ok(producer.calls.length >= 3, `${producer.calls.length} sends`);
      assert.ok(producer.calls.every((c) => c.records.length <= 4096));
      const recs = await readAll(log, 'cl');
      assert.equal(recs.length, 10_000);
      assert.deepEqual(recs.map((r) => msgpackCodec.decode(r.value!)), Array.from({ length: 10_000 }, (_, i) => i));
      assert.deepEqual(flushed, [10_000]);
    }));

  it('deleteRange logs a tombstone per deleted key', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 1 });
      const producer = new RecordingProducer(log.producer());
      const store = new ChangeLoggingStore(new InMemoryStore<unknown>('s'), { producer, topic: 'cl' });
      for (const s of ['a', 'b', 'c', 'd']) store.put(k(s), s);
      await store.flush();
      store.deleteRange(k('b'), k('d'));
      await store.flush();
      const last = producer.calls[1].records.map((r) => [Buffer.from(r.key!).toString(), r.value]);
      assert.deepEqual(last, [
        ['b', null],
        ['c', null],
      ]);
    }));

  it('expireRange: with unloggedExpiry no tombstones, and unsent changes in the range are dropped; else logged like deleteRange', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 1 });
      for (const unloggedExpiry of [true, false]) {
        const producer = new RecordingProducer(log.producer());
        const inner = new InMemoryStore<unknown>('s');
        const store = new ChangeLoggingStore(inner, { producer, topic: 'cl', unloggedExpiry });
        for (const s of ['a', 'b', 'c', 'd']) store.put(k(s), s);
        await store.flush();
        store.put(k('b2'), 'unsent');
        store.put(k('d'), 'd2');
        store.expireRange(k('b'), k('d'));
        assert.deepEqual(pairs(inner.range(null, null)).map(([key]) => key), ['a', 'd']);
        await store.flush();
        const last = producer.calls[1].records.map((r) => [Buffer.from(r.key!).toString(), r.value === null ? null : msgpackCodec.decode(r.value)]);
        assert.deepEqual(
          last.sort(),
          unloggedExpiry
            ? [['d', 'd2']]
            : [
                ['b', null],
                ['b2', null],
                ['c', null],
                ['d', 'd2'],
              ],
        );
      }
    }));

  it('a failed send keeps the changes (newer ones win) for the next flush', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 1 });
      const producer = new RecordingProducer(log.producer());
      const store = new ChangeLoggingStore(new InMemoryStore<unknown>('s'), { producer, topic: 'cl' });
      store.put(k('a'), 1);
      store.put(k('b'), 1);
      producer.failNext = true;
      await assert.rejects(store.flush(), /injected/);
      store.put(k('b'), 2);
      await store.flush();
      const sent = producer.calls[0].records.map((r) => [Buffer.from(r.key!).toString(), msgpackCodec.decode(r.value!)]);
      assert.deepEqual(sent, [
        ['a', 1],
        ['b', 2],
      ]);
    }));
});

describe('MeteredStore', () => {
  it('counts operations, samples latency and reports cache and changelog stats', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 1 });
      const logged = new ChangeLoggingStore(new InMemoryStore<unknown>('q/Aggregate/state'), { producer: log.producer(), topic: 'cl' });
      const store = new MeteredStore(new CachingStore(logged, { maxEntries: 10 }), { sampleEvery: 2 });
      for (let i = 0; i < 100; i++) {
        store.get(k(`k${i % 20}`));
        store.put(k(`k${i % 20}`), i);
      }
      store.delete(k('k0'));
      [...store.range(null, null)];
      await store.flush();
      const s = store.stats();
      assert.equal(s.name, 'q/Aggregate/state');
      assert.equal(s.gets, 100);
      assert.equal(s.puts, 100);
      assert.equal(s.deletes, 1);
      assert.equal(s.ranges, 1);
      assert.equal(s.flushes, 1);
      assert.equal(s.approximateCount, 19);
      assert.equal(s.getLatency.samples, 50);
      assert.ok(s.getLatency.p99Us >= s.getLatency.p50Us);
      assert.equal(s.flushLatency.samples, 1);
      assert.equal(s.cache?.maxEntries, 10);
      assert.equal(s.changelog?.topic, 'cl');
      assert.equal(s.changelog?.sentRecords, 20);
      assert.equal(s.changelog?.pendingChanges, 0);
      JSON.stringify(s); // plain data
      assert.deepEqual(pairs(store.range(k('k1'), k('k2'))).length, 11);
    }));
});

