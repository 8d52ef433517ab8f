import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkLmdbFile } from '../../src/state/lmdb-file-check.ts';
import { CorruptLocalStateError, LmdbEnv } from '../../src/state/lmdb-env.ts';
import { k, tempDir } from './helpers.ts';

test('real LMDB files pass the check (guards against a layout change in an lmdb upgrade)', async () => {
  const { dir, cleanup } = tempDir('lmdbcheck');
  try {
    const file = path.join(dir, 'state.mdb');
    assert.equal(checkLmdbFile(file), null, 'absent file');
    const env = LmdbEnv.open(dir);
    assert.equal(checkLmdbFile(file), null, 'fresh file');
    const s = env.store('s');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) s.put(k(`k${i}`), 'v'.repeat(50 + round * 500));
      await s.flush();
      assert.equal(checkLmdbFile(file), null, `round ${round}`);
      s.deleteRange(k('k1'), k('k5'));
      await s.flush();
      assert.equal(checkLmdbFile(file), null, `round ${round} after deletes`);
    }
    await env.close();
    assert.equal(checkLmdbFile(file), null, 'closed');

    const bytes = fs.readFileSync(file);
    const bad = path.join(dir, 'bad.mdb');
    const cases: [string, Buffer][] = [
      ['a few bytes', Buffer.from('hello')],
      ['zeros', Buffer.alloc(65536)],
      ['garbage', Buffer.alloc(65536, 0x5a)],
      ['one page', bytes.subarray(0, 4096)],
      ['truncated', bytes.subarray(0, bytes.length - 4096)],
    ];
    for (const [name, content] of cases) {
      fs.writeFileSync(bad, content);
      assert.notEqual(checkLmdbFile(bad), null, name);
    }
    fs.writeFileSync(file, bytes.subarray(0, 8192));
    assert.throws(() => LmdbEnv.open(dir), CorruptLocalStateError);
  } finally {
    cleanup();
  }
});
