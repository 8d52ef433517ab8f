/** Restoration from changelogs, checkpoints, and the registry's open/delete paths. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import type { Log } from '../../src/log/log.ts';
import { ChangeLoggingStore } from '../../src/state/change-logging-store.ts';
import { msgpackCodec } from '../../src/state/codec.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { LmdbEnv } from '../../src/state/lmdb-env.ts';
import { StoreRegistry } from '../../src/state/registry.ts';
import { restoreFromChangelog, type RestoreProgress } from '../../src/state/restore.ts';
import type { KeyValueStore } from '../../src/state/store.ts';
import { Decimal } from '../../src/types/decimal.ts';
import { k, pairs, tempDir } from './helpers.ts';

async function withLog(body: (log: Log, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir('restore');
  const log = await openEmbeddedLog(path.join(dir, 'log'));
  try {
    await body(log, dir);
  } finally {
    await log.close();
    cleanup();
  }
}

/** Puts, updates and deletes across several flushes; returns nothing (compare by snapshot). */
async function fill(store: KeyValueStore<unknown>, n: number, salt = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    store.put(k(`key-${i}`), { i, salt, big: BigInt(i) * 10n ** 20n, d: new Decimal(BigInt(i), 2), b: Uint8Array.of(i & 255) });
    if (i % 7 === 0) store.put(k(`key-${i}`), { i, salt, updated: true });
    if (i % 11 === 0) store.delete(k(`key-${i}`));
    if (i % 1000 === 999) await store.flush();
  }
  store.deleteRange(k('key-5'), k('key-6'));
  await store.flush();
}

/** JSON of a value; bytes as a list whether Buffer (read back from LMDB) or Uint8Array (as written). */
const json = (x: unknown): string =>
  JSON.stringify(x, (_, v) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return Array.from(v);
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return v.data;
    return v;
  });

const snapshot = (s: KeyValueStore<unknown>): string => json(pairs(s.range(null, null)));

describe('restoreFromChangelog', () => {
  it('rebuilds a dropped LMDB store with the same contents, reporting progress', () =>
    withLog(async (log, dir) => {
      await log.createTopic('cl', { partitions: 1, cleanupPolicy: 'compact' });
      let env = LmdbEnv.open(path.join(dir, 'state'));
      const store = new ChangeLoggingStore(env.store('q/agg'), { producer: log.producer(), topic: 'cl' });
      await fill(store, 5000);
      const before = snapshot(store);
      assert.ok(store.approximateCount() > 3000);
      await store.close();
      await env.close();
      fs.rmSync(path.join(dir, 'state'), { recursive: true }); // lose the local store

      env = LmdbEnv.open(path.join(dir, 'state'));
      const base = env.store('q/agg');
      assert.equal(snapshot(base), '[]');
      const progress: RestoreProgress[] = [];
      const r = await restoreFromChangelog(base, log, 'cl', 0, {
        onProgress: (p) => progress.push(p),
        progressIntervalMs: 0,
        pollRecords: 1000,
        flushEveryRecords: 2000,
      });
      const [{ end }] = await log.offsets('cl');
      assert.equal(r.records, end);
      assert.equal(r.endOffset, end);
      assert.ok(r.ms >= 0);
      assert.equal(snapshot(base), before);
      assert.ok(progress.length > 2, 'progress is reported while restoring');
      assert.ok(progress.at(-1)!.done);
      assert.equal(progress.at(-1)!.records, end);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i].records >= progress[i - 1].records);
      await env.close();
    }));

  it('rebuilds an in-memory store and resumes from a given offset', () =>
    withLog(async (log) => {
      await log.createTopic('cl', { partitions: 1 });
      const store = new ChangeLoggingStore(new InMemoryStore<unknown>('s'), { producer: log.producer(), topic: 'cl' });
      await fill(store, 2000);
      const before = snapshot(store);
      const fresh = new InMemoryStore<unknown>('s');
      const r = await restoreFromChangelog(fresh, log, 'cl', 0);
      assert.equal(snapshot(fresh), before);
      const again = await restoreFromChangelog(fresh, log, 'cl', 0, { fromOffset: r.endOffset });
      assert.equal(again.records, 0);
      assert.equal(snapshot(fresh), before);
    }));
});

describe('StoreRegistry: checkpoints and restoration on open', () => {
  const open = (log: Log, dir: string): StoreRegistry =>
    new StoreRegistry({ dataDir: path.join(dir, 'data'), serviceId: 'svc', log, cacheMaxEntries: 100 });

  it('on a log this process owns, a changelog tail beyond the checkpoint is uncommitted: it is overwritten with the committed values', () =>
    withLog(async (log, dir) => {
      const reg1 = open(log, dir);
      const s1 = await reg1.keyValueStore<unknown>('CTAS_T_1', 'Aggregate/state');
      assert.equal(reg1.stats()[0].restore.mode, 'full');
      await fill(s1, 3000);
      const key1 = s1.get(k('key-1'));
      const key2 = s1.get(k('key-2'));
      assert.ok(key1 !== undefined && key2 !== undefined);
      await reg1.closeAll();

      // Changes logged but never committed locally (a crash between the send and the commit).
      const topic = reg1.changelogTopic('CTAS_T_1', 'Aggregate/state');
      await log.producer().send(topic, [
        { key: k('key-1'), value: msgpackCodec.encode('from the tail'), timestamp: 0, partition: 0 },
        { key: k('key-2'), value: null, timestamp: 0, partition: 0 },
        { key: k('tail-new'), value: msgpackCodec.encode(42n), timestamp: 0, partition: 0 },
      ]);

      const reg2 = open(log, dir);
      const s2 = await reg2.keyValueStore<unknown>('CTAS_T_1', 'Aggregate/state');
      const info = reg2.stats()[0];
      assert.equal(info.restore.mode, 'partial');
      assert.equal(info.restore.records, 0);
      assert.match(info.restore.reason ?? '', /3 uncommitted changelog keys overwritten/);
      assert.equal(json(s2.get(k('key-1'))), json(key1));
      assert.equal(json(s2.get(k('key-2'))), json(key2));
      assert.equal(s2.get(k('tail-new')), undefined);
      const committed = snapshot(s2);
      await reg2.closeAll();

      // The changelog now says the same: rebuilt from it alone, the committed contents.
      fs.rmSync(reg2.stateDir('CTAS_T_1'), { recursive: true });
      const reg3 = open(log, dir);
      const s3 = await reg3.keyValueStore<unknown>('CTAS_T_1', 'Aggregate/state');
      assert.equal(reg3.stats()[0].restore.mode, 'full');
      assert.equal(snapshot(s3), committed);
      await reg3.closeAll();
    }));

  it('a store that never reached a commit point: what its first batch logged is uncommitted too, and repaired', () =>
    withLog(async (log, dir) => {
      const reg1 = open(log, dir);
      const s1 = await reg1.keyValueStore<unknown>('CSAS_J_1', 'Join/left');
      assert.equal(reg1.stats()[0].restore.mode, 'full');
      // The first batch's changes reach the changelog, then the process dies before the commit
      // point (the registry is dropped without flushAll; the environment is not committed).
      s1.put(k('first-batch'), 'logged, never committed');
      const topic = reg1.changelogTopic('CSAS_J_1', 'Join/left');
      await log.producer().send(topic, [{ key: k('first-batch'), value: msgpackCodec.encode('logged, never committed'), timestamp: 0, partition: 0 }]);
      await reg1.abandon('CSAS_J_1');

      const reg2 = open(log, dir);
      const s2 = await reg2.keyValueStore<unknown>('CSAS_J_1', 'Join/left');
      const info = reg2.stats()[0];
      assert.equal(info.restore.mode, 'partial', 'the open before the first batch left a checkpoint');
      assert.match(info.restore.reason ?? '', /1 uncommitted changelog keys overwritten/);
      assert.equal(s2.get(k('first-batch')), undefined);
      await reg2.closeAll();
    }));

  it('on a shared log (another instance may have written since), the changelog tail after the checkpoint is restored', () =>
    withLog(async (embedded, dir) => {
      // The embedded log seen as a shared one: same topics, no local ownership.
      const log: Log = Object.create(embedded, { capabilities: { value: { ...embedded.capabilities, localDirectory: null } } });
      const reg1 = open(log, dir);
      const s1 = await reg1.keyValueStore<unknown>('CTAS_T_1', 'Aggregate/state');
      await fill(s1, 3000);
      await reg1.closeAll();
      const topic = reg1.changelogTopic('CTAS_T_1', 'Aggregate/state');
      await log.producer().send(topic, [
        { key: k('key-1'), value: msgpackCodec.encode('from the tail'), timestamp: 0, partition: 0 },
        { key: k('key-2'), value: null, timestamp: 0, partition: 0 },
        { key: k('tail-new'), value: msgpackCodec.encode(42n), timestamp: 0, partition: 0 },
      ]);
      const reg2 = open(log, dir);
      const s2 = await reg2.keyValueStore<unknown>('CTAS_T_1', 'Aggregate/state');
      const info = reg2.stats()[0];
      assert.equal(info.restore.mode, 'partial');
      assert.equal(info.restore.records, 3);
      assert.equal(s2.get(k('key-1')), 'from the tail');
      assert.equal(s2.get(k('key-2')), undefined);
      assert.equal(s2.get(k('tail-new')), 42n);
      assert.deepEqual(s2.get(k('key-3')), { i: 3, salt: 0, big: 3n * 10n ** 20n, d: new Decimal(3n, 2), b: Buffer.of(3) });
      await reg2.closeAll();
    }));

  it('a corrupt checkpoint or a corrupt LMDB file means a full rebuild from the changelog', () =>
    withLog(async (log, dir) => {
      const reg1 = open(log, dir);
      const s1 = await reg1.keyValueStore<unknown>('Q', 'Join/left');
      await fill(s1, 1500);
      const contents = snapshot(s1);
      await reg1.closeAll();
      const stateDir = reg1.stateDir('Q');

      // The checkpoint lives in the environment, committed with the state.
      const env = LmdbEnv.open(stateDir);
      await env.commit(new Map([['checkpoint:Join/left', { version: 1, offset: 'x' }]]));
      await env.close();
      const reg2 = open(log, dir);
      const s2 = await reg2.keyValueStore<unknown>('Q', 'Join/left');
      assert.equal(reg2.stats()[0].restore.mode, 'full');
      assert.equal(reg2.stats()[0].restore.reason, 'no valid checkpoint');
      assert.equal(snapshot(s2), contents);
      await reg2.closeAll();

      fs.writeFileSync(path.join(stateDir, 'state.mdb'), Buffer.alloc(64 * 1024, 0x5a));
      const reg3 = open(log, dir);
      const s3 = await reg3.keyValueStore<unknown>('Q', 'Join/left');
      assert.equal(reg3.stats()[0].restore.mode, 'full');
      assert.equal(snapshot(s3), contents);
      await reg3.closeAll();
    }));

  it('a checkpoint beyond a re-created changelog voids the local store', () =>
    withLog(async (log, dir) => {
      const reg1 = open(log, dir);
      const s1 = await reg1.keyValueStore<unknown>('Q', 'Aggregate/state');
      await fill(s1, 500);
      await reg1.closeAll();
      const topic = reg1.changelogTopic('Q', 'Aggregate/state');
      await log.deleteTopic(topic);
      const reg2 = open(log, dir);
      const s2 = await reg2.keyValueStore<unknown>('Q', 'Aggregate/state');
      assert.equal(reg2.stats()[0].restore.mode, 'full');
      assert.match(reg2.stats()[0].restore.reason ?? '', /outside the changelog/);
      assert.equal(snapshot(s2), '[]');
      await reg2.closeAll();
    }));
});
