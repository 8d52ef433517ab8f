/**
 * Restarting a windowed aggregation (TUMBLING 10 s, COUNT + SUM per key, 50 keys, 6000 records
 * with increasing times and some out of order within grace) mid-stream gives the same final
 * results (last value per windowed key) as an uninterrupted run, which equal the reference model:
 * - graceful stop (Engine.close) and reopen on the same directory, with the local state kept
 *   (restored from the checkpoint) or deleted (restored from the changelog);
 * - kill -9 of a child process mid-stream, then restart: outputs exactly once (the embedded log's
 *   default, src/exec/delivery-idempotent.ts): no update repeated.
 * The restored state is checked directly: after the restart, each window's first update counts
 * on from the records committed before the stop (not from zero).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import { testEngine, readTopic, removeDir } from '../../engine/helpers.ts';
import {
  aggregateSql,
  decodeOutputs,
  finalTable,
  lateDrops,
  markersFile,
  produce,
  RESTART_GROUP,
  RESTART_INFO,
  RESTART_TOTAL,
  RESTART_WINDOW,
  restartRecords,
  sorted,
  STREAM_DDL,
  timeWindowModel,
  type Agg,
  type WindowedOutput,
} from './fixtures/windows.ts';
import type { RestoreSummary } from '../../../src/state/registry.ts';
import { startChild, type TestChild } from '../../helpers/child.ts';

const WORKER = new URL('./fixtures/restart-worker.ts', import.meta.url).pathname;
const model = (from: number, to: number) => timeWindowModel(restartRecords(from, to), 10_000, 10_000, 5000);
const EXPECTED = model(0, RESTART_TOTAL);

/** The uninterrupted run (computed once): the AGG and AGGF (EMIT FINAL) outputs. */
let baseline: Promise<{ table: Map<string, Agg>; finals: WindowedOutput[] }> | null = null;
function uninterrupted() {
  baseline ??= (async () => {
    const t = await testEngine();
    try {
      await t.engine.execute(STREAM_DDL + aggregateSql('agg', RESTART_WINDOW) + aggregateSql('aggf', RESTART_WINDOW, 'FINAL'));
      await produce(t.log, restartRecords(0, RESTART_TOTAL));
      await t.engine.runUntilIdle();
      const outputs = decodeOutputs(await readTopic(t.log, 'AGG'), RESTART_INFO);
      assert.equal(outputs.length, RESTART_TOTAL, 'one update per record');
      return { table: finalTable(outputs), finals: decodeOutputs(await readTopic(t.log, 'AGGF'), RESTART_INFO) };
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  })();
  return baseline;
}

test('the scenario: out of order within grace, nothing late; the uninterrupted run matches the model', async () => {
  assert.equal(EXPECTED.late, 0);
  assert.ok(EXPECTED.windows.size >= 600, `${EXPECTED.windows.size} windows`);
  const { table, finals } = await uninterrupted();
  assert.deepEqual(sorted(table), sorted(EXPECTED.windows));
  // EMIT FINAL: every window whose end + grace the stream passed, once, with its final value.
  const last = restartRecords(RESTART_TOTAL - 1, RESTART_TOTAL)[0].ts;
  const closed = [...EXPECTED.windows].filter(([id]) => Number(id.slice(id.lastIndexOf('..') + 2)) + 5000 <= last);
  assert.deepEqual(
    finals.map((o) => [o.id, o.value]).sort(),
    closed.sort(),
  );
});

/**
 * After a restart that resumed at input offset `resumedAt`, each window's first update has the
 * count of its records before `resumedAt` (the restored state) plus one.
 */
function assertCountsOnFromRestoredState(outputs: readonly WindowedOutput[], firstOutputAfterRestart: number, resumedAt: number): void {
  const before = model(0, resumedAt).windows;
  const firsts = new Map<string, Agg>();
  for (const o of outputs) if (o.offset >= firstOutputAfterRestart && !firsts.has(o.id)) firsts.set(o.id, o.value!);
  for (const [id, first] of firsts) {
    const c0 = before.get(id)?.C ?? 0;
    assert.equal(first.C, c0 + 1, `${id}: first update after the restart counts on from the ${c0} records before it`);
  }
  // Windows with records on both sides of the restart: each one's state was carried over.
  const straddling = [...model(resumedAt, RESTART_TOTAL).windows.keys()].filter((id) => before.has(id));
  assert.ok(straddling.length >= 10, `${straddling.length} windows straddle the restart`);
  for (const id of straddling) assert.ok(firsts.has(id), id);
}

for (const keepLocalState of [true, false]) {
  test(`graceful stop and reopen (${keepLocalState ? 'local state kept' : 'local state deleted: restored from the changelog'}): same final results`, { timeout: 120_000 }, async () => {
    const { table, finals } = await uninterrupted();
    const STOP = 2600;
    const t1 = await testEngine();
    const dir = t1.dir;
    try {
      await t1.engine.execute(STREAM_DDL + aggregateSql('agg', RESTART_WINDOW) + aggregateSql('aggf', RESTART_WINDOW, 'FINAL'));
      await produce(t1.log, restartRecords(0, STOP));
      await t1.engine.runUntilIdle();
      await t1.close();
      const before = decodeOutputs(await (async () => {
        const log = await openEmbeddedLog(dir);
        try {
          return await readTopic(log, 'AGG');
        } finally {
          await log.close();
        }
      })(), RESTART_INFO);
      assert.equal(before.length, STOP);
      if (!keepLocalState) rmSync(join(dir, 'state'), { recursive: true });

      const t2 = await testEngine({}, dir);
      try {
        assert.deepEqual([...t2.engine.tasks.keys()].sort(), ['CTAS_AGGF_1', 'CTAS_AGG_0'], 'the queries were restored');
        await produce(t2.log, restartRecords(STOP, RESTART_TOTAL));
        await t2.engine.runUntilIdle();
        for (const s of t2.engine.stores.stats()) {
          const r: RestoreSummary = s.restore;
          if (keepLocalState) assert.equal(r.mode, 'partial', `${s.name}: restored from its checkpoint (${r.reason})`);
          else {
            assert.equal(r.mode, 'full', `${s.name}: rebuilt from the changelog`);
            if (s.queryId === 'CTAS_AGG_0') assert.ok(r.records >= model(0, STOP).windows.size, `${s.name}: ${r.records} changelog records replayed`);
          }
        }
        const outputs = decodeOutputs(await readTopic(t2.log, 'AGG'), RESTART_INFO);
        assert.equal(outputs.length, RESTART_TOTAL, 'graceful: no update repeated or lost');
        assert.deepEqual(sorted(finalTable(outputs)), sorted(table));
        assert.deepEqual(sorted(finalTable(outputs)), sorted(EXPECTED.windows));
        assertCountsOnFromRestoredState(outputs, STOP, STOP);
        // EMIT FINAL across the restart: each closed window exactly once, as in the uninterrupted run.
        const f = decodeOutputs(await readTopic(t2.log, 'AGGF'), RESTART_INFO);
        assert.deepEqual(f.map((o) => [o.id, o.value]).sort(), finals.map((o) => [o.id, o.value]).sort());
      } finally {
        await t2.close();
      }
    } finally {
      removeDir(dir);
    }
  });
}

// ---- kill -9 ----

const runWorker = (dir: string, ...args: string[]): TestChild => startChild(WORKER, [dir, ...args]);

/** Where the killed run left the log: committed input offset, input end, outputs written. */
async function positions(dir: string) {
  const log = await openEmbeddedLog(dir);
  try {
    return {
      committed: (await log.committed(RESTART_GROUP, 'ev'))[0]?.offset ?? 0,
      inputEnd: (await log.offsets('ev'))[0].end,
      outputEnd: (await log.offsets('AGG'))[0].end,
    };
  } finally {
    await log.close();
  }
}

/** Restarts on `dir`, finishes the input, and checks the results against the uninterrupted run. */
async function finishAndCheck(dir: string, at: { committed: number; outputEnd: number }) {
  const f = runWorker(dir, 'finish');
  const done = JSON.parse((await f.line((l) => l.startsWith('done '))).slice(5)) as { restores: ({ store: string } & RestoreSummary)[] };
  assert.equal((await f.exited).code, 0);
  assert.ok(done.restores.length === 1 && done.restores[0].mode !== 'none', `state restored: ${JSON.stringify(done.restores)}`);

  const log = await openEmbeddedLog(dir);
  const outputs = decodeOutputs(await readTopic(log, 'AGG'), RESTART_INFO);
  const drops = await lateDrops(log, readTopic);
  await log.close();
  const { table } = await uninterrupted();
  // One update per input record, exactly once: the batch a kill interrupted was processed again
  // without writing its updates twice, so the restart resumed where the outputs end.
  assert.equal(outputs.length, RESTART_TOTAL, 'one update per input record, none repeated');
  const resumed = RESTART_TOTAL - (outputs.length - at.outputEnd);
  assert.ok(resumed >= at.committed && resumed <= at.outputEnd, `resumed at input ${resumed}; committed ${at.committed}, outputs written ${at.outputEnd}`);
  assert.deepEqual(sorted(finalTable(outputs)), sorted(table), 'final value per (key, window) = uninterrupted run');
  assert.deepEqual(sorted(finalTable(outputs)), sorted(EXPECTED.windows));
  assert.equal(drops.length, 0, 'no record is late in this scenario, replayed or not');
  assertCountsOnFromRestoredState(outputs, at.outputEnd, resumed);
  return outputs;
}

test('kill -9 after a batch wrote its outputs, before its state was flushed: restart processes the batch again without writing its outputs twice, same final results', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-restart-'));
  try {
    const w = runWorker(dir, 'kill-before-flush', '2');
    assert.equal((await w.exited).signal, 'SIGKILL');
    const at = await positions(dir);
    assert.equal(at.committed, 2000, 'the first batch was committed');
    assert.equal(at.outputEnd, 4000, 'the second batch had written its outputs');
    const outputs = await finishAndCheck(dir, at);
    // Exactly-once outputs (the embedded log's default): the batch ran again, its updates were not written again.
    assert.equal(outputs.length, RESTART_TOTAL, 'no update repeated');
  } finally {
    removeDir(dir);
  }
});

test(
  'kill -9 after a batch flushed its state, before its offsets were committed: same final results',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riffle-restart-'));
    try {
      const w = runWorker(dir, 'kill-after-flush', '2');
      assert.equal((await w.exited).signal, 'SIGKILL');
      const at = await positions(dir);
      assert.equal(at.committed, 2000);
      assert.equal(at.outputEnd, 4000);
      await finishAndCheck(dir, at);
    } finally {
      removeDir(dir);
    }
  },
);

test('kill -9 at an arbitrary point mid-stream (records still arriving), then restart: same final results', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-restart-'));
  try {
    const w = runWorker(dir, 'run');
    await w.line((l) => l.startsWith('committed ') && Number(l.slice(10)) >= 1500);
    w.kill();
    assert.equal((await w.exited).signal, 'SIGKILL');
    const at = await positions(dir);
    assert.ok(at.committed >= 1500 && at.inputEnd < RESTART_TOTAL, `killed mid-stream: ${JSON.stringify(at)}`);
    // Wherever the kill lands (about one in eight between a batch's state commit and its offset
    // commit), the results must be exact.
    await finishAndCheck(dir, at);
  } finally {
    removeDir(dir);
    rmSync(markersFile(dir), { force: true });
  }
});
