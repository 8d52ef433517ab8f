/**
 * Five kill -9 during SQL training: the final model equals an uninterrupted run's (to 1e-12; in
 * fact bit for bit), because each model remembers the offset of the last row it learned and a
 * row delivered again after a crash is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../../engine/helpers.ts';

const WORKER = new URL('./fixtures/train-worker.ts', import.meta.url).pathname;
const ROWS = Number(process.env.RIFFLE_TRAIN_CRASH_ROWS ?? 200_000);

function run(dir: string, mode: string): { child: ReturnType<typeof spawn>; said: (w: string) => Promise<string> } {
  const child = spawn(process.execPath, [WORKER, dir, mode, String(ROWS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const said = (word: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.includes(word)) resolve(out);
      };
      child.stdout!.on('data', check);
      child.on('exit', (code) => (out.includes(word) ? resolve(out) : reject(new Error(`worker ${mode} exited ${code} before '${word}': ${out}`))));
      check();
    });
  return { child, said };
}

async function finish(dir: string, mode = 'finish'): Promise<{ rows: number; learner: { weights: number[]; intercept: number } }> {
  const f = run(dir, mode);
  const out = await f.said('}\n');
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('five kill -9 during training: final weights equal an uninterrupted run', { timeout: 300_000 }, async () => {
  const clean = mkdtempSync(join(tmpdir(), 'riffle-train-clean-'));
  const crashed = mkdtempSync(join(tmpdir(), 'riffle-train-crash-'));
  try {
    const expected = await finish(clean, 'all');

    let kills = 0;
    const progress: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = run(crashed, i === 0 ? 'setup' : 'resume');
      const said = await w.said('ready');
      const start = Number(/ready (\d+)/.exec(said)?.[1] ?? 0);
      progress.push(start);
      // Kill only once this run has committed training progress of its own, at a varying point.
      await new Promise<void>((resolve) => {
        const check = (d: Buffer): void => {
          const seen = [...d.toString().matchAll(/progress (\d+)/g)].map((m) => Number(m[1]));
          if (seen.some((n) => n > start)) {
            w.child.stdout!.off('data', check);
            setTimeout(resolve, 30 * i);
          }
        };
        w.child.stdout!.on('data', check);
      });
      w.child.kill('SIGKILL');
      await new Promise((r) => w.child.on('exit', r));
      kills++;
    }
    const actual = await finish(crashed);
    assert.equal(kills, 5);
    // The kills landed during training: each restart found more committed, never all of it.
    assert.ok(progress.slice(1).every((p, i) => p < ROWS && p > progress[i]), `committed offsets at each restart: ${progress}`);
    assert.equal(actual.rows, ROWS);
    assert.equal(expected.rows, ROWS);
    assert.equal(actual.learner.weights.length, expected.learner.weights.length);
    actual.learner.weights.forEach((w, i) => assert.ok(Math.abs(w - expected.learner.weights[i]) <= 1e-12, `weight ${i}: ${w} vs ${expected.learner.weights[i]}`));
    assert.ok(Math.abs(actual.learner.intercept - expected.learner.intercept) <= 1e-12);
    console.log(`train crash test: ${ROWS} rows, 5 kills (committed at restarts: ${progress.join(', ')}), max weight difference ${Math.max(...actual.learner.weights.map((w, i) => Math.abs(w - expected.learner.weights[i])))}`);
  } finally {
    removeDir(clean);
    removeDir(crashed);
  }
});
