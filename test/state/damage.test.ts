/**
 * Damage to a query's LMDB file between runs (flipped bytes in a data page, a cut): detected when
 * the store is opened, the store rebuilt from its changelog with the same contents, and reported.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import type { Log } from '../../src/log/log.ts';
import { StoreRegistry, type StateDamage } from '../../src/state/registry.ts';
import type { KeyValueStore } from '../../src/state/store.ts';
import { k, pairs, tempDir } from './helpers.ts';

async function withLog(body: (log: Log, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir('damage');
  const log = await openEmbeddedLog(path.join(dir, 'log'));
  try {
    await body(log, dir);
  } finally {
    await log.close();
    cleanup();
  }
}

const snapshot = (s: KeyValueStore<unknown>): string => JSON.stringify(pairs(s.range(null, null)));

const MARK = 'distinctive-value-';

/** A store with 3000 keys, closed cleanly; returns its contents and its LMDB file. */
async function prepare(log: Log, dir: string): Promise<{ contents: string; file: string }> {
  const reg = new StoreRegistry({ dataDir: path.join(dir, 'data'), serviceId: 'svc', log, cacheMaxEntries: 50 });
  const s = await reg.keyValueStore<unknown>('Q', 'Aggregate/state');
  for (let i = 0; i < 3000; i++) s.put(k(`key-${i}`), `${MARK}${i}`);
  await s.flush();
  const contents = snapshot(s);
  await reg.closeAll();
  return { contents, file: path.join(reg.stateDir('Q'), 'state.mdb') };
}

async function reopen(log: Log, dir: string) {
  const damage: StateDamage[] = [];
  const reg = new StoreRegistry({ dataDir: path.join(dir, 'data'), serviceId: 'svc', log, cacheMaxEntries: 50, onDamagedState: (d) => damage.push(d) });
  const s = await reg.keyValueStore<unknown>('Q', 'Aggregate/state');
  return { reg, s, damage };
}

describe('damaged local state', () => {
  it('an undamaged store after a clean close is reused (partial restore)', () =>
    withLog(async (log, dir) => {
      const { contents } = await prepare(log, dir);
      const { reg, s, damage } = await reopen(log, dir);
      assert.equal(reg.stats()[0].restore.mode, 'partial');
      assert.deepEqual(damage, []);
      assert.equal(snapshot(s), contents);
      await reg.closeAll();
    }));

  it('a flipped byte inside a data page is detected and the store rebuilt from the changelog', () =>
    withLog(async (log, dir) => {
      const { contents, file } = await prepare(log, dir);
      const data = fs.readFileSync(file);
      const at = data.indexOf(Buffer.from(`${MARK}1500`));
      assert.ok(at > 0);
      data[at + 3] ^= 0x01; // a value byte: LMDB itself would hand it out silently
      fs.writeFileSync(file, data);

      const { reg, s, damage } = await reopen(log, dir);
      assert.equal(damage.length, 1);
      assert.match(damage[0].problem, /checksum mismatch/);
      assert.equal(reg.damaged.length, 1);
      const info = reg.stats()[0];
      assert.equal(info.restore.mode, 'full');
      assert.match(info.restore.reason ?? '', /damaged.*rebuilt from the changelog/);
      assert.equal(snapshot(s), contents);
      await reg.closeAll();
    }));

  it('a truncated file is detected and the store rebuilt from the changelog', () =>
    withLog(async (log, dir) => {
      const { contents, file } = await prepare(log, dir);
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
      const { reg, s, damage } = await reopen(log, dir);
      assert.equal(damage.length, 1);
      assert.equal(reg.stats()[0].restore.mode, 'full');
      assert.equal(snapshot(s), contents);
      await reg.closeAll();
    }));
});
