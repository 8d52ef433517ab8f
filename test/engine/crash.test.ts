import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { readTopic, removeDir } from './helpers.ts';

const WORKER = new URL('./fixtures/crash-worker.ts', import.meta.url).pathname;

function runWorker(dir: string, mode: string) {
  const child = spawn(process.execPath, [WORKER, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const said = (word: string) =>
    new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes(word)) resolve();
      });
      child.on('exit', (code) => (out.includes(word) ? resolve() : reject(new Error(`worker exited ${code} before '${word}'`))));
    });
  return { child, said };
}

test('kill -9 of a running persistent query: after restart, no gap, duplicates only from the last batch', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-crash-'));
  try {
    const w = runWorker(dir, 'produce');
    await w.said('ready');
    await new Promise((r) => setTimeout(r, 1500));
    w.child.kill('SIGKILL');
    await new Promise((r) => w.child.on('exit', r));

    const f = runWorker(dir, 'finish');
    await f.said('done');

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
