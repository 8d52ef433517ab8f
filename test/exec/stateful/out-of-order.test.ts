/**
 * Windowed aggregations under out-of-order input: records shuffled within the grace period give
 * the same final windows as ordered input; records beyond it are dropped, each dropped
 * (record, window) reported once as LATE_RECORD_DROPPED (WARN) in the processing log, and they
 * change no window. TUMBLING, HOPPING and SESSION, checked against reference models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, removeDir } from '../../engine/helpers.ts';
import type { WindowInfo } from '../../../src/types/window.ts';
import {
  aggregateSql,
  decodeOutputs,
  finalTable,
  lateDrops,
  maxLateness,
  produce,
  rng,
  sessionModel,
  shuffleWithin,
  sorted,
  STREAM_DDL,
  timeWindowModel,
  type ModelResult,
  type Rec,
} from './fixtures/windows.ts';

const BASE = 1_600_000_000_000;
const GRACE = 5000;

/**
 * Bursty input: time advances 0-79 ms per record; in each 8 s phase five of the 20 keys are
 * active, so keys go quiet for 8 s and more (several sessions per key with a 5 s gap).
 */
function bursty(n: number, seed: number): Rec[] {
  const random = rng(seed);
  const out: Rec[] = [];
  let ts = BASE;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(random() * 80);
    const phase = Math.floor((ts - BASE) / 8000);
    out.push({ key: `k${(phase * 7 + Math.floor(random() * 5) * 3) % 20}`, v: 1 + Math.floor(random() * 100), ts });
  }
  return out;
}

/**
 * Inserts `count` late records, evenly after the first quarter: each at least grace + 20 s behind
 * the stream time at its position (outside every window and session still open), for a random key.
 * Returns the sequence and the positions of the late records in it.
 */
function withLate(recs: readonly Rec[], count: number, seed: number): { recs: Rec[]; late: number[] } {
  const random = rng(seed);
  const out: Rec[] = [];
  const late: number[] = [];
  const every = Math.floor((recs.length * 3) / 4 / count);
  let st = Number.NEGATIVE_INFINITY;
  recs.forEach((r, i) => {
    out.push(r);
    st = Math.max(st, r.ts);
    if (i >= recs.length / 4 && late.length < count && (i - Math.ceil(recs.length / 4)) % every === 0) {
      late.push(out.length);
      out.push({ key: `k${Math.floor(random() * 20)}`, v: 1000 + Math.floor(random() * 1000), ts: st - GRACE - 20_000 - Math.floor(random() * 5000) });
    }
  });
  return { recs: out, late };
}

interface Kind {
  readonly name: string;
  readonly window: string;
  readonly info: WindowInfo;
  readonly model: (recs: readonly Rec[]) => ModelResult;
  /** Windows a record falls in (what one late record counts as drops). */
  readonly windowsPerRecord: number;
}

const KINDS: Kind[] = [
  {
    name: 'TUMBLING',
    window: `TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)`,
    info: { kind: 'TUMBLING', sizeMs: 10_000 },
    model: (r) => timeWindowModel(r, 10_000, 10_000, GRACE),
    windowsPerRecord: 1,
  },
  {
    name: 'HOPPING',
    window: `HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS, GRACE PERIOD 5 SECONDS)`,
    info: { kind: 'HOPPING', sizeMs: 10_000, advanceMs: 5000 },
    model: (r) => timeWindowModel(r, 10_000, 5000, GRACE),
    windowsPerRecord: 2,
  },
  {
    name: 'SESSION',
    window: `SESSION (5 SECONDS, GRACE PERIOD 5 SECONDS)`,
    info: { kind: 'SESSION', gapMs: 5000 },
    model: (r) => sessionModel(r, 5000, GRACE),
    windowsPerRecord: 1,
  },
];

/** Runs the aggregation over `recs` on a fresh engine; returns its outputs and late drops. */
async function run(kind: Kind, recs: readonly Rec[]) {
  const t = await testEngine();
  try {
    await t.engine.execute(STREAM_DDL + aggregateSql('agg', kind.window));
    await produce(t.log, recs);
    await t.engine.runUntilIdle();
    const task = t.engine.tasks.get('CTAS_AGG_0')!;
    assert.equal(task.state === 'ERROR' ? task.error : null, null);
    assert.equal(task.consumed, recs.length);
    const outputs = decodeOutputs(await readTopic(t.log, 'AGG'), kind.info);
    const drops = await lateDrops(t.log, readTopic, 'CTAS_AGG_0');
    return { outputs, drops };
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

for (const kind of KINDS) {
  test(`${kind.name}: shuffled within grace = ordered input; late records dropped, counted, and change no window`, { timeout: 120_000 }, async () => {
    const ordered = bursty(3000, 42);
    const shuffled = shuffleWithin(ordered, GRACE, rng(7));
    const { recs: mixed, late } = withLate(shuffled, 12, 99);

    // The data is what the test says it is.
    const expected = kind.model(ordered);
    assert.ok(maxLateness(shuffled) > 1000 && maxLateness(shuffled) < GRACE, `lateness ${maxLateness(shuffled)} within grace`);
    assert.notDeepEqual(shuffled, ordered);
    assert.equal(expected.late, 0);
    assert.deepEqual(sorted(kind.model(shuffled).windows), sorted(expected.windows), 'model: shuffling within grace changes nothing');
    const mixedModel = kind.model(mixed);
    assert.deepEqual([...mixedModel.lateRecords].sort((a, b) => a - b), late, 'model: exactly the inserted records are late');
    assert.equal(mixedModel.late, late.length * kind.windowsPerRecord);
    assert.ok(expected.windows.size > 40, `${expected.windows.size} windows`);

    const a = await run(kind, ordered);
    const b = await run(kind, mixed);

    // Ordered input: every window as the model says, nothing dropped.
    assert.deepEqual(sorted(finalTable(a.outputs)), sorted(expected.windows));
    assert.equal(a.drops.length, 0);
    // Shuffled within grace + late records: the same final windows (the late records changed none).
    assert.deepEqual(sorted(finalTable(b.outputs)), sorted(expected.windows));
    // Each dropped (record, window) reported once, as a WARN, for the late records' offsets.
    assert.equal(b.drops.length, late.length * kind.windowsPerRecord);
    for (const d of b.drops) {
      assert.equal(d.level, 'WARN');
      assert.equal(d.partition, 0);
    }
    const droppedOffsets = [...new Set(b.drops.map((d) => d.offset!))].sort((x, y) => x - y);
    assert.deepEqual(droppedOffsets, late, 'the drops are the late records (input offsets)');
    if (kind.info.kind !== 'SESSION') {
      // EMIT CHANGES: one update per accepted (record, window), none for a dropped one.
      assert.equal(a.outputs.length, expected.updates);
      assert.equal(b.outputs.length, mixedModel.updates);
    } else {
      // Sessions: merged-away sessions end as tombstones; no late record produced an output.
      assert.equal(b.outputs.filter((o) => o.value !== null).length, mixedModel.updates);
    }
  });
}
