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

/**
 * A busy stateful query's shape: a live set, and objects that live a while (promoted) and then
 * die, as a commit interval's changes do. Returns the most old space V8 committed meanwhile.
 */
function oldSpacePeak(percent: number): number {
  const r = runChild(`
    const { setHeapGrowingPercent, heapGrowingPercent } = await import('${MODULE}');
    setHeapGrowingPercent(${percent});
    const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').physical_space_size / 1048576;
    const live = Array.from({ length: 400_000 }, (_, i) => ({ i, text: 'live ' + i }));
    let peak = 0;
    let pending = [];
    for (let round = 0; round < 100; round++) {
      const batch = [];
      for (let i = 0; i < 50_000; i++) batch.push({ i, text: 'change ' + i + ' of ' + round });
      pending.push(batch);
      if (pending.length > 4) pending.shift();
      await sleep(1); // lets the young generation promote what survives
      peak = Math.max(peak, oldSpace());
    }
    console.log(JSON.stringify({ peak, live: live.length, set: heapGrowingPercent() }));
  `);
  assert.equal(r.set, percent);
  return r.peak;
}

test('riffle.memory.heap.growing.percent: the old generation grows to about (100 + percent) % of the live heap, not V8\'s up to 400 %', () => {
  const bounded = oldSpacePeak(100);
  const v8Own = oldSpacePeak(0);
  assert.ok(bounded < v8Own * 0.9, `old space peak ${bounded.toFixed(0)} MiB at 100 %, ${v8Own.toFixed(0)} MiB with V8's own factor`);
});

test('riffle.memory.heap.growing.percent defaults to 100, or to the --heap-growing-percent the process was started with', () => {
  const probe = (execArgv: string[]): number => {
    const script = `import { defaultHeapGrowingPercent } from '${MODULE}'; console.log(defaultHeapGrowingPercent());`;
    const run = spawnSync(process.execPath, [...execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return Number(run.stdout.trim());
  };
  assert.equal(probe([]), 100);
  assert.equal(probe(['--heap-growing-percent=50']), 50);
  assert.equal(probe(['--heap_growing_percent=0']), 0);
});
