/**
 * The idle memory release gives V8's unused heap back once no engine consumes records, and never
 * while one does. Each case runs in a process of its own: the monitor is per process and RSS is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const MODULE = new URL('../../src/engine/memory-release.ts', import.meta.url).href;

/** Grows the heap (young generation to its maximum, a large old generation), then drops it all. */
const CHURN = `
  let keep = [];
  for (let round = 0; round < 40; round++) {
    const batch = [];
    for (let i = 0; i < 100_000; i++) batch.push({ i, text: 'row ' + i + ' of ' + round });
    keep.push(batch);
    if (keep.length > 8) keep.shift();
  }
  keep = null;
`;

function runChild(body: string): Record<string, number> {
  const script = `
    import v8 from 'node:v8';
    import { setTimeout as sleep } from 'node:timers/promises';
    import { holdIdleMemoryRelease, idleMemoryReleaseStats } from '${MODULE}';
    const committed = () => v8.getHeapStatistics().total_heap_size / 1048576;
    ${body}
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

test('once idle, the committed heap a busy phase left behind is given back, once', () => {
  const r = runChild(`
    let consumed = 0;
    const release = holdIdleMemoryRelease(200, () => consumed);
    ${CHURN}
    consumed = 1_000;
    const before = committed();
    await sleep(1_500);
    const after = committed();
    const releases = idleMemoryReleaseStats().releases;
    await sleep(1_000);
    release();
    console.log(JSON.stringify({ before, after, releases, later: idleMemoryReleaseStats().releases }));
  `);
  assert.ok(r.before - r.after >= 32, `committed heap ${r.before} MiB -> ${r.after} MiB`);
  assert.equal(r.releases, 1);
  assert.equal(r.later, 1, 'no second collection without work in between');
});

test('a process that keeps consuming is never collected by it', () => {
  const r = runChild(`
    let consumed = 0;
    const release = holdIdleMemoryRelease(200, () => consumed);
    ${CHURN}
    for (let i = 0; i < 12; i++) {
      consumed++;
      await sleep(100);
    }
    const releases = idleMemoryReleaseStats().releases;
    release();
    console.log(JSON.stringify({ releases }));
  `);
  assert.equal(r.releases, 0);
});

test('interval 0 turns it off', () => {
  const r = runChild(`
    const release = holdIdleMemoryRelease(0, () => 0);
    ${CHURN}
    await sleep(600);
    release();
    console.log(JSON.stringify({ releases: idleMemoryReleaseStats().releases }));
  `);
  assert.equal(r.releases, 0);
});
