/**
 * Restarting stream-stream joins mid-stream (scenario and model: ./fixtures/pairs.ts): an INNER
 * join J (WITHIN 10 SECONDS) and a LEFT join LJ (WITHIN 10 SECONDS GRACE PERIOD 5 MINUTES) over
 * two interleaved streams of 3000 records each, keys k0..k99, increasing times.
 * - graceful stop (Engine.close) with input still unprocessed, reopen on the same directory (local
 *   state kept, or deleted and rebuilt from the changelogs), produce the rest: the same pairs as an
 *   uninterrupted run, none repeated; LJ's padded rows exactly once, only once their window has
 *   closed;
 * - kill -9 of a child process (at an arbitrary point while records arrive, or on either side of
 *   a batch's state flush), then restart: no pair lost, nothing made up, nothing repeated (the
 *   embedded log's exactly-once outputs: the interrupted batch is processed again without
 *   writing its outputs twice, src/exec/delivery-idempotent.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { RestoreSummary } from '../../../src/state/registry.ts';
import { testEngine, readTopic, removeDir } from '../../engine/helpers.ts';
import { startChild, type TestChild } from '../../helpers/child.ts';
import {
  DDL,
  decode,
  duplicates,
  GRACE_MS,
  groupOf,
  INNER_QUERY,
  INNER_SQL,
  LEFT_QUERY,
  LEFT_SQL,
  LEFT_TOTAL,
  leftRec,
  model,
  produce,
  RIGHT_TOTAL,
  rightRec,
  sortedKeys,
  tally,
  WITHIN_MS,
  type JoinOutput,
} from './fixtures/pairs.ts';

const WORKER = new URL('./fixtures/join-worker.ts', import.meta.url).pathname;
const EXPECTED = model();
const EXPECTED_PAIRS = [...EXPECTED.pairs].sort();
const EXPECTED_PADDED = [...EXPECTED.unmatched].sort();

async function readOutputs(dir: string, topics: string[]): Promise<Map<string, JoinOutput[]>> {
  const log = await openEmbeddedLog(dir);
  try {
    const out = new Map<string, JoinOutput[]>();
    for (const t of topics) out.set(t, decode(await readTopic(log, t)));
    return out;
  } finally {
    await log.close();
  }
}

/** The uninterrupted run (computed once). */
let baseline: Promise<{ j: JoinOutput[]; lj: JoinOutput[] }> | null = null;
function uninterrupted() {
  baseline ??= (async () => {
    const t = await testEngine();
    try {
      await t.engine.execute(DDL + INNER_SQL + LEFT_SQL);
      await produce(t.log, 0, LEFT_TOTAL, 0, RIGHT_TOTAL);
      await t.engine.runUntilIdle();
      return { j: decode(await readTopic(t.log, 'J')), lj: decode(await readTopic(t.log, 'LJ')) };
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  })();
  return baseline;
}

test('the scenario: the uninterrupted run equals the model', { timeout: 120_000 }, async () => {
  assert.ok(EXPECTED.pairs.size > 2500 && EXPECTED.unmatched.size > 500, `${EXPECTED.pairs.size} pairs, ${EXPECTED.unmatched.size} unmatched`);
  const { j, lj } = await uninterrupted();
  const jt = tally(j);
  assert.equal(j.length, EXPECTED.pairs.size, 'each pair once');
  assert.deepEqual(sortedKeys(jt.pairs), EXPECTED_PAIRS);
  // A joined row carries the later of the two times.
  for (const o of j) assert.equal(o.ts, Math.max(leftRec(o.lid).ts, rightRec(o.rid!).ts));
  const lt = tally(lj);
  assert.equal(lj.length, EXPECTED.pairs.size + EXPECTED.unmatched.size, 'each pair and each padded row once');
  assert.deepEqual(sortedKeys(lt.pairs), EXPECTED_PAIRS);
  assert.deepEqual(sortedKeys(lt.padded), EXPECTED_PADDED);
  for (const o of lj) if (o.rid === null) assert.equal(o.ts, leftRec(o.lid).ts, 'a padded row carries the left time');
});

for (const keepLocalState of [true, false]) {
  test(
    `graceful stop mid-stream and reopen (${keepLocalState ? 'local state kept' : 'local state deleted: rebuilt from the changelogs'}): same pairs, none repeated; padded rows once, after their window closed`,
    { timeout: 120_000 },
    async () => {
      const PROCESSED = 2200; // both sides [0, 2200) processed before the stop
      const PRODUCED = 2600; // [2200, 2600) produced but not yet processed at the stop
      const t1 = await testEngine();
      const dir = t1.dir;
      try {
        await t1.engine.execute(DDL + INNER_SQL + LEFT_SQL);
        await produce(t1.log, 0, PROCESSED, 0, PROCESSED);
        await t1.engine.runUntilIdle();
        await produce(t1.log, PROCESSED, PRODUCED, PROCESSED, PRODUCED);
        const atStop = tally(decode(await readTopic(t1.log, 'LJ')));
        await t1.close();

        // Before the stop: exactly the unmatched left records whose window + grace had closed.
        const streamTime = Math.max(leftRec(PROCESSED - 1).ts, rightRec(PROCESSED - 1).ts);
        const due = [...model(PROCESSED, PROCESSED).unmatched].filter((i) => leftRec(i).ts + WITHIN_MS + GRACE_MS <= streamTime);
        assert.ok(due.length > 100, `${due.length} padded rows due before the stop`);
        assert.deepEqual(sortedKeys(atStop.padded), due.sort(), 'padded rows before the stop: those whose window closed, and only those');
        assert.equal(duplicates(atStop.padded), 0);

        if (!keepLocalState) rmSync(join(dir, 'state'), { recursive: true });
        const t2 = await testEngine({}, dir);
        try {
          assert.deepEqual([...t2.engine.tasks.keys()].sort(), [INNER_QUERY, LEFT_QUERY], 'the queries were restored');
          await produce(t2.log, PRODUCED, LEFT_TOTAL, PRODUCED, RIGHT_TOTAL);
          await t2.engine.runUntilIdle();
          const stats = t2.engine.stores.stats();
          assert.ok(stats.length >= 5, `the join stores were opened: ${stats.map((s) => s.name).join(', ')}`);
          for (const s of stats) {
            const r: RestoreSummary = s.restore;
            if (keepLocalState) assert.equal(r.mode, 'partial', `${s.name}: restored from its checkpoint (${r.reason})`);
            else assert.equal(r.mode, 'full', `${s.name}: rebuilt from the changelog`);
          }
          if (!keepLocalState) {
            const replayed = stats.filter((s) => s.queryId === INNER_QUERY).reduce((n, s) => n + s.restore.records, 0);
            assert.ok(replayed >= 2 * PROCESSED, `J's buffers replayed ${replayed} changelog records`);
          }
          const j = decode(await readTopic(t2.log, 'J'));
          const lj = decode(await readTopic(t2.log, 'LJ'));
          const jt = tally(j);
          assert.deepEqual(sortedKeys(jt.pairs), EXPECTED_PAIRS, 'J: the pairs of the uninterrupted run');
          assert.equal(duplicates(jt.pairs), 0, 'J: no pair repeated');
          // Pairs across the stop (one side before it, one after) need the restored buffers.
          const across = [...jt.pairs.keys()].filter((p) => {
            const [l, r] = p.split(':').map(Number);
            return (l < PRODUCED) !== (r < PRODUCED);
          });
          assert.ok(across.length >= 10, `${across.length} pairs join a record from before the stop with one from after it`);
          const lt = tally(lj);
          assert.deepEqual(sortedKeys(lt.pairs), EXPECTED_PAIRS, 'LJ: the pairs of the uninterrupted run');
          assert.deepEqual(sortedKeys(lt.padded), EXPECTED_PADDED, 'LJ: every unmatched left record padded');
          assert.equal(duplicates(lt.pairs) + duplicates(lt.padded), 0, 'LJ: nothing repeated, padded rows exactly once');
          const { j: bj, lj: blj } = await uninterrupted(); // (already checked against the model)
          assert.deepEqual(sortedKeys(jt.pairs), sortedKeys(tally(bj).pairs));
          assert.deepEqual(sortedKeys(lt.padded), sortedKeys(tally(blj).padded));
        } finally {
          await t2.close();
        }
      } finally {
        removeDir(dir);
      }
    },
  );
}

// ---- kill -9 ----

const runWorker = (dir: string, ...args: string[]): TestChild => startChild(WORKER, [dir, ...args]);

interface Position {
  /** Committed input offsets of a query (= the next left / right id to process). */
  readonly l: number;
  readonly r: number;
}

/** Where the killed run left the log: committed offsets per query, input ends. */
async function positions(dir: string, queries: string[]) {
  const log = await openEmbeddedLog(dir);
  try {
    const committed = new Map<string, Position>();
    for (const q of queries) {
      committed.set(q, {
        l: (await log.committed(groupOf(q), 'l'))[0]?.offset ?? 0,
        r: (await log.committed(groupOf(q), 'r'))[0]?.offset ?? 0,
      });
    }
    return { committed, inputEnd: { l: (await log.offsets('l'))[0].end, r: (await log.offsets('r'))[0].end } };
  } finally {
    await log.close();
  }
}

/** Restarts on `dir` and finishes the input; the restored state was used. */
async function finish(dir: string): Promise<void> {
  const f = runWorker(dir, 'finish');
  const done = JSON.parse((await f.line((l) => l.startsWith('done '))).slice(5)) as { restores: ({ store: string } & RestoreSummary)[] };
  assert.equal((await f.exited).code, 0);
  assert.ok(done.restores.length > 0 && done.restores.every((r) => r.mode !== 'none'), `state restored: ${JSON.stringify(done.restores)}`);
}

/** Exactly-once across a kill: every pair of the model and nothing else, none repeated. */
function assertEachPairOnce(name: string, outputs: readonly JoinOutput[]): void {
  const { pairs } = tally(outputs);
  assert.deepEqual(sortedKeys(pairs), EXPECTED_PAIRS, `${name}: no pair lost, none made up`);
  const repeated = [...pairs].filter(([, n]) => n !== 1);
  assert.deepEqual(repeated.slice(0, 10), [], `${name}: ${repeated.length} pairs written more than once`);
}

/** The arbitrary-point kill, run once for the two tests below. */
let killedMidStream: Promise<{ j: JoinOutput[]; lj: JoinOutput[]; at: Map<string, Position> }> | null = null;
function killMidStream() {
  killedMidStream ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riffle-join-kill-'));
    try {
      const w = runWorker(dir, 'run');
      await w.line((l) => l.startsWith('committed ') && Number(l.slice(10)) >= 1200);
      w.kill();
      assert.equal((await w.exited).signal, 'SIGKILL');
      const at = await positions(dir, [INNER_QUERY, LEFT_QUERY]);
      assert.ok(
        at.committed.get(INNER_QUERY)!.l >= 1200 && at.inputEnd.l < LEFT_TOTAL,
        `killed mid-stream: ${JSON.stringify({ ...at, committed: Object.fromEntries(at.committed) })}`,
      );
      await finish(dir);
      const out = await readOutputs(dir, ['J', 'LJ']);
      return { j: out.get('J')!, lj: out.get('LJ')!, at: at.committed };
    } finally {
      removeDir(dir);
    }
  })();
  return killedMidStream;
}

test('kill -9 at an arbitrary point mid-stream (records still arriving), then restart: every pair once, every padded row once', { timeout: 120_000 }, async () => {
  const { j, lj } = await killMidStream();
  assertEachPairOnce('J', j);
  assertEachPairOnce('LJ', lj);
  const { padded } = tally(lj);
  assert.deepEqual(sortedKeys(padded), EXPECTED_PADDED, 'LJ: every unmatched left record padded');
  assert.equal(duplicates(padded), 0, 'LJ: no padded row repeated');
  assert.equal(j.length, EXPECTED.pairs.size, 'J: as many outputs as pairs');
});

/**
 * Kill at J's 2nd batch (left and right [1000, 2000)), restart. Before its state commit: the batch
 * is processed again and what it had written is not written again. After it (state and applied
 * offsets committed together, input offsets not): the batch is not applied again. Nothing repeats.
 */
async function killAtBatch(mode: 'kill-before-flush' | 'kill-after-flush'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-join-kill-'));
  try {
    const w = runWorker(dir, mode, '2');
    assert.equal((await w.exited).signal, 'SIGKILL');
    const at = await positions(dir, [INNER_QUERY]);
    // Batches follow the record times across both sides (partition-group.ts), so where the first
    // one ends depends on the fetches; it was committed, the second one was not.
    const first = at.committed.get(INNER_QUERY)!;
    assert.ok(first.l > 0 && first.r > 0 && first.l <= 1000 && first.r <= 1000, `the first batch was committed: ${JSON.stringify(first)}`);
    const killed = JSON.parse(readFileSync(join(dir, 'kill.json'), 'utf8')) as { outputFrom: number; outputTo: number };
    assert.ok(killed.outputTo - killed.outputFrom > 500, `the killed batch wrote ${killed.outputTo - killed.outputFrom} outputs`);

    await finish(dir);
    const j = (await readOutputs(dir, ['J'])).get('J')!;
    assertEachPairOnce('J', j);
    assert.equal(j.length, EXPECTED.pairs.size, 'as many outputs as pairs');
  } finally {
    removeDir(dir);
  }
}

test('kill -9 after a batch wrote its outputs, before its state was flushed: restart processes it again, nothing repeated', { timeout: 120_000 }, async () => {
  await killAtBatch('kill-before-flush');
});

test('kill -9 after a batch committed its state, before its offsets were committed: the batch is not applied again, nothing repeats', { timeout: 120_000 }, async () => {
  await killAtBatch('kill-after-flush');
});
