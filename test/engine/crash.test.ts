import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { readTopic, removeDir } from './helpers.ts';
import { startChild } from '../helpers/child.ts';

const WORKER = new URL('./fixtures/crash-worker.ts', import.meta.url).pathname;

const runWorker = (dir: string, mode: string) => startChild(WORKER, [dir, mode]);

test('kill -9 of a running persistent query: after restart, no gap, duplicates only from the last batch', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-crash-'));
  try {
    const w = runWorker(dir, 'produce');
    await w.line((l) => l === 'ready');
    await new Promise((r) => setTimeout(r, 1500));
    w.kill();
    await w.exited;

    const f = runWorker(dir, 'finish');
    await f.line((l) => l === 'done');

    const log = await openEmbeddedLog(dir);
    const input = await readTopic(log, 'events');
    const output = await readTopic(log, 'COPIED');
    await log.close();
    assert.ok(input.length > 1000, `the worker produced ${input.length} records before the kill`);
    const ids = output.map((r) => Number(Buffer.from(r.key!).toString()));
    // Every input appears, in order; a re-processed range may repeat right after the crash point.
    let expected = 0;
    let duplicates = 0;
    for (const id of ids) {
      if (id === expected) expected++;
      else if (id < expected) duplicates++;
      else assert.fail(`gap: expected id ${expected}, found ${id}`);
    }
    assert.equal(expected, input.length, 'every acknowledged input record reached the output');
    assert.ok(duplicates <= 2000, `duplicates (${duplicates}) are at most one batch`);
    console.log(`kill -9 test: ${input.length} inputs, ${output.length} outputs, ${duplicates} duplicates`);
  } finally {
    removeDir(dir);
  }
});
