import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import type { Log } from '../../src/log/log.ts';
import { changelogTopicName, queryStateDir, storeName } from '../../src/state/naming.ts';
import { CHANGELOG_ADDITIONAL_RETENTION_MS, StoreRegistry, type StoreRegistryOptions } from '../../src/state/registry.ts';
import type { RestoreProgress } from '../../src/state/restore.ts';
import { k, tempDir } from './helpers.ts';

describe('state naming', () => {
  it('derives store names, changelog topics and directories from query id and operator', () => {
    assert.equal(storeName('CTAS_COUNTS_3', 'Aggregate/state'), 'CTAS_COUNTS_3/Aggregate/state');
    assert.equal(changelogTopicName('riffle', 'CTAS_COUNTS_3', 'Aggregate/state'), 'riffle-CTAS_COUNTS_3-Aggregate-state-changelog');
    assert.equal(changelogTopicName('my service', 'Q#1', 'Join/left$'), 'my_service-Q_1-Join-left_-changelog');
    assert.equal(queryStateDir('/data', 'CTAS_X_1'), path.join('/data', 'state', 'CTAS_X_1'));
    assert.throws(() => storeName('a/b', 'Aggregate'), RangeError);
    assert.throws(() => storeName('Q', ''), RangeError);
    assert.throws(() => storeName('Q', 'a//b'), RangeError);
  });

  it('keeps long changelog names within Kafka limits, stable and distinct', () => {
    const op = `Aggregate/${'x'.repeat(300)}`;
    const a = changelogTopicName('svc', 'Q1', op);
    const b = changelogTopicName('svc', 'Q1', `${op}y`);
    assert.ok(a.length <= 249 && b.length <= 249);
    assert.match(a, /^[a-zA-Z0-9._-]+-changelog$/);
    assert.notEqual(a, b);
    assert.equal(a, changelogTopicName('svc', 'Q1', op));
  });
});

async function withLog(body: (log: Log, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir('registry');
  const log = await openEmbeddedLog(path.join(dir, 'log'));
  try {
    await body(log, dir);
  } finally {
    await log.close();
    cleanup();
  }
}

describe('StoreRegistry', () => {
  const make = (log: Log | null, dir: string, more: Partial<StoreRegistryOptions> = {}): StoreRegistry =>
    new StoreRegistry({ dataDir: path.join(dir, 'data'), serviceId: 'svc', log, cacheMaxEntries: 50, ...more });

  it('opens stacks with changelog topics, flushes per query and reports stats', () =>
    withLog(async (log, dir) => {
      const reg = make(log, dir);
      const agg = await reg.keyValueStore<number>('Q1', 'Aggregate/state');
      const other = await reg.keyValueStore<number>('Q2', 'Aggregate/state');
      await assert.rejects(reg.keyValueStore('Q1', 'Aggregate/state'), /already open/);
      for (let i = 0; i < 200; i++) agg.put(k(`k${i % 20}`), i);
      other.put(k('x'), 1);
      await reg.flushAll('Q1');
      const topic = reg.changelogTopic('Q1', 'Aggregate/state');
      assert.equal(topic, 'svc-Q1-Aggregate-state-changelog');
      const desc = await log.describeTopic(topic);
      assert.equal(desc?.config.cleanupPolicy, 'compact');
      assert.equal((await log.offsets(topic))[0].end, 20, 'latest per key only');
      assert.equal((await log.offsets(reg.changelogTopic('Q2', 'Aggregate/state')))[0].end, 0, 'Q2 not flushed');
      assert.ok(fs.existsSync(path.join(reg.stateDir('Q1'), 'state.mdb')));
      const [s] = reg.stats('Q1');
      assert.equal(s.name, 'Q1/Aggregate/state');
      assert.equal(s.kind, 'keyValue');
      assert.equal(s.puts, 200);
      assert.equal(s.approximateCount, 20);
      assert.equal(s.changelog?.topic, topic);
      assert.equal(s.cache?.maxEntries, 50);
      await reg.closeAll();
    }));

  it('window and session stores survive a restart with their contents and stream time', () =>
    withLog(async (log, dir) => {
      const reg1 = make(log, dir);
      const w = await reg1.windowStore<number>('Q', 'Aggregate/window', { windowSizeMs: 100, retentionMs: 1000, segmentIntervalMs: 500 });
      const s = await reg1.sessionStore<number>('Q', 'Aggregate/session', { retentionMs: 1000, segmentIntervalMs: 500 });
      for (let t = 0; t < 5000; t += 10) {
        w.put(k(`k${t % 3}`), t - (t % 100), t);
        s.put(k(`k${t % 3}`), t, t, t);
      }
      const windows = w.fetch(k('k1'), 0, 10_000);
      const sessions = s.fetch(k('k1'));
      assert.ok(windows.length > 0 && sessions.length > 0);
      await reg1.closeAll();

      for (const wipe of [false, true]) {
        if (wipe) fs.rmSync(reg1.stateDir('Q'), { recursive: true });
        const progress: string[] = [];
        const reg2 = make(log, dir, { onRestoreProgress: (name: string, p: RestoreProgress) => void progress.push(`${name}:${p.done}`) });
        const w2 = await reg2.windowStore<number>('Q', 'Aggregate/window', { windowSizeMs: 100, retentionMs: 1000, segmentIntervalMs: 500 });
        const s2 = await reg2.sessionStore<number>('Q', 'Aggregate/session', { retentionMs: 1000, segmentIntervalMs: 500 });
        assert.deepEqual(w2.fetch(k('k1'), 0, 10_000), windows);
        assert.deepEqual(s2.fetch(k('k1')), sessions);
        assert.equal(w2.streamTime(), w.streamTime());
        assert.deepEqual(
          reg2.stats().map((x) => [x.kind, x.restore.mode]),
          [
            ['window', wipe ? 'full' : 'partial'],
            ['session', wipe ? 'full' : 'partial'],
          ],
        );
        assert.deepEqual(progress, ['Q/Aggregate/window:true', 'Q/Aggregate/session:true']);
        await reg2.closeAll();
      }
    }));

  it('window changelogs delete by time instead of tombstoning expired windows; a restore does not resurrect them', () =>
    withLog(async (log, dir) => {
      const opts = { windowSizeMs: 100, retentionMs: 200, segmentIntervalMs: 100 };
      const reg = make(log, dir);
      const w = await reg.windowStore<number>('Q', 'Aggregate/window', opts);
      const topic = reg.changelogTopic('Q', 'Aggregate/window');
      const desc = await log.describeTopic(topic);
      assert.equal(desc?.config.cleanupPolicy, 'compact,delete');
      assert.equal(desc?.config.retentionMs, 200 + 100 + CHANGELOG_ADDITIONAL_RETENTION_MS);
      for (let i = 0; i < 10; i++) w.put(k(`k${i}`), 0, i);
      await reg.flushAll();
      const logged = (await log.offsets(topic))[0].end;
      assert.equal(logged, 11, 'ten windows and the stream time');
      w.put(k('gone'), 100, 1);
      w.put(k('x'), 400, 1); // window 0 expires (its end 100 < 400 - 200)
      w.advanceTime(500); // window 100 expires before it was sent
      assert.equal(w.get(k('k3'), 0), undefined);
      assert.equal(w.get(k('gone'), 100), undefined);
      await reg.flushAll();
      assert.equal((await log.offsets(topic))[0].end - logged, 2, 'the new window and the stream time; no tombstones');
      await reg.closeAll();

      fs.rmSync(reg.stateDir('Q'), { recursive: true }); // a full restore replays the expired windows
      const reg2 = make(log, dir);
      const w2 = await reg2.windowStore<number>('Q', 'Aggregate/window', opts);
      assert.equal(reg2.stats()[0].restore.mode, 'full');
      assert.equal(w2.streamTime(), 500);
      assert.equal(w2.get(k('k3'), 0), undefined, 'restored but expired: hidden');
      assert.deepEqual([...w2.fetchAll(0, 1000)].map((e) => [e.key.toString(), e.start, e.value]), [['x', 400, 1]]);
      assert.equal(w2.approximateCount(), 12, 'still in the local store');
      w2.advanceTime(501); // the first expiry after opening deletes them
      await reg2.flushAll();
      assert.equal(w2.approximateCount(), 2, 'the live window and the stream time');
      await reg2.closeAll();
    }));

  it('a window changelog created without time retention (older topic) gets tombstones for expired windows', () =>
    withLog(async (log, dir) => {
      const reg = make(log, dir);
      const topic = reg.changelogTopic('Q', 'Aggregate/window');
      await log.createTopic(topic, { partitions: 1, cleanupPolicy: 'compact' });
      const w = await reg.windowStore<number>('Q', 'Aggregate/window', { windowSizeMs: 100, retentionMs: 200, segmentIntervalMs: 100 });
      for (let i = 0; i < 10; i++) w.put(k(`k${i}`), 0, i);
      await reg.flushAll();
      const logged = (await log.offsets(topic))[0].end;
      w.advanceTime(400);
      await reg.flushAll();
      assert.equal((await log.offsets(topic))[0].end - logged, 11, 'ten tombstones and the stream time');
      await reg.closeAll();
    }));

  it('deleteQueryState removes the state directory and changelog topics of that query only', () =>
    withLog(async (log, dir) => {
      const reg = make(log, dir);
      const a = await reg.keyValueStore<number>('Q1', 'Aggregate/state');
      await reg.windowStore<number>('Q1', 'Join/left', { windowSizeMs: 10, retentionMs: 10 });
      const b = await reg.keyValueStore<number>('Q2', 'Aggregate/state');
      a.put(k('a'), 1);
      b.put(k('b'), 2);
      await reg.flushAll();
      await reg.deleteQueryState('Q1');
      assert.ok(!fs.existsSync(reg.stateDir('Q1')));
      assert.equal(await log.describeTopic('svc-Q1-Aggregate-state-changelog'), null);
      assert.equal(await log.describeTopic('svc-Q1-Join-left-changelog'), null);
      assert.notEqual(await log.describeTopic('svc-Q2-Aggregate-state-changelog'), null);
      assert.deepEqual(reg.stats().map((s) => s.name), ['Q2/Aggregate/state']);
      b.put(k('c'), 3);
      await reg.flushAll();
      await reg.closeAll();
      // A query that is not running (after a restart): found through its manifest.
      const reg2 = make(log, dir);
      await reg2.deleteQueryState('Q2');
      assert.ok(!fs.existsSync(reg2.stateDir('Q2')));
      assert.equal(await log.describeTopic('svc-Q2-Aggregate-state-changelog'), null);
    }));

  it('works without a log (local state only) and with the in-memory backend (restored from the changelog)', () =>
    withLog(async (log, dir) => {
      const local = make(null, path.join(dir, 'local'));
      fs.mkdirSync(path.join(dir, 'local'), { recursive: true });
      const s = await local.keyValueStore<string>('Q', 'Aggregate/state');
      s.put(k('a'), 'x');
      await local.closeAll();
      const local2 = make(null, path.join(dir, 'local'));
      assert.equal((await local2.keyValueStore<string>('Q', 'Aggregate/state')).get(k('a')), 'x');
      await local2.closeAll();

      const mem = make(log, dir, { backend: 'memory', cacheMaxEntries: 0 });
      const m = await mem.keyValueStore<string>('Q', 'Aggregate/state');
      m.put(k('a'), 'y');
      await mem.closeAll();
      const mem2 = make(log, dir, { backend: 'memory' });
      assert.equal((await mem2.keyValueStore<string>('Q', 'Aggregate/state')).get(k('a')), 'y');
      assert.equal(mem2.stats()[0].restore.mode, 'full');
      await mem2.closeAll();
    }));
});
