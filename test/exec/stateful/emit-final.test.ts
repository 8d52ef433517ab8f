/**
 * EMIT FINAL: each window is emitted exactly once, once stream time has passed its end + grace
 * (no earlier, and no later than the batch that moves stream time there), with its final value.
 * Records are fed one per batch, so "when" is exact: after each record the new outputs are read
 * and checked against the stream time so far and against the reference model of the whole input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, removeDir, type TestEngine } from '../../engine/helpers.ts';
import type { Consumer } from '../../../src/log/log.ts';
import type { WindowInfo } from '../../../src/types/window.ts';
import {
  aggregateSql,
  decodeOutputs,
  lateDrops,
  maxLateness,
  produce,
  rng,
  sessionModel,
  shuffleWithin,
  STREAM_DDL,
  timeWindowModel,
  windowId,
  type Agg,
  type ModelResult,
  type Rec,
  type WindowedOutput,
} from './fixtures/windows.ts';

const BASE = 1_600_000_000_000;
const GRACE = 5000;

/** Like the out-of-order test's input, smaller: five of 20 keys active per 8 s phase. */
function bursty(n: number, seed: number): Rec[] {
  const random = rng(seed);
  const out: Rec[] = [];
  let ts = BASE;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(random() * 200);
    const phase = Math.floor((ts - BASE) / 8000);
    out.push({ key: `k${(phase * 7 + Math.floor(random() * 5) * 3) % 20}`, v: 1 + Math.floor(random() * 100), ts });
  }
  return out;
}

/** Feeds records one batch each; calls `check` with the outputs each one released. */
class Feeder {
  readonly t: TestEngine;
  readonly info: WindowInfo;
  private readonly reader: Consumer;
  private readonly producer;

  private constructor(t: TestEngine, info: WindowInfo, reader: Consumer) {
    this.t = t;
    this.info = info;
    this.reader = reader;
    this.producer = t.log.producer();
  }

  static async open(window: string, info: WindowInfo): Promise<Feeder> {
    const t = await testEngine();
    await t.engine.execute(STREAM_DDL + aggregateSql('aggf', window, 'FINAL'));
    const reader = t.log.consumer({ groupId: 'emit-final-reader', topics: ['AGGF'], fromBeginning: true });
    return new Feeder(t, info, reader);
  }

  async feed(r: Rec): Promise<WindowedOutput[]> {
    await this.producer.send('ev', [{ key: Buffer.from(r.key), value: Buffer.from(JSON.stringify({ V: r.v })), timestamp: r.ts }]);
    await this.t.engine.runUntilIdle();
    const task = this.t.engine.tasks.get('CTAS_AGGF_0')!;
    assert.equal(task.state === 'ERROR' ? task.error : null, null);
    return decodeOutputs(await this.reader.poll(10_000, 0), this.info);
  }

  async close(): Promise<void> {
    await this.reader.close();
    await this.producer.close();
    await this.t.close();
    removeDir(this.t.dir);
  }
}

/**
 * Feeds `recs` one by one and checks every emission: a window of the model, not emitted before,
 * with the model's final value, only once stream time >= end + grace; and that after each record
 * every window with closesAt(window) <= stream time has been emitted.
 */
async function checkEmitFinal(window: string, info: WindowInfo, recs: readonly Rec[], model: ModelResult, closesAt: (end: number) => number) {
  const f = await Feeder.open(window, info);
  try {
    const emitted = new Map<string, Agg>();
    const ends = new Map<string, number>();
    for (const [id] of model.windows) ends.set(id, Number(id.slice(id.lastIndexOf('..') + 2)));
    let st = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < recs.length; i++) {
      st = Math.max(st, recs[i].ts);
      for (const o of await f.feed(recs[i])) {
        assert.ok(o.value !== null, `no tombstones with EMIT FINAL (${o.id})`);
        assert.ok(!emitted.has(o.id), `${o.id} emitted a second time, after record ${i}`);
        assert.ok(o.end + GRACE <= st, `${o.id} emitted at stream time ${st}, before its end + grace`);
        assert.deepEqual(o.value, model.windows.get(o.id), `${o.id}: the final value`);
        emitted.set(o.id, o.value!);
      }
      for (const [id, end] of ends) {
        if (closesAt(end) <= st) assert.ok(emitted.has(id), `${id} not emitted by stream time ${st} (record ${i})`);
      }
    }
    for (const [id, end] of ends) {
      if (closesAt(end) <= st) assert.ok(emitted.has(id), id);
      if (end + GRACE > st) assert.ok(!emitted.has(id), `${id} is still open`);
    }
    return { emitted, drops: await lateDrops(f.t.log, readTopic, 'CTAS_AGGF_0') };
  } finally {
    await f.close();
  }
}

/**
 * Moves stream time 30 s past the last record, a second per record (key 'zz'), so every other
 * window closes (the per-record checks then see each close; single jumps have tests of their own).
 */
function closing(recs: Rec[]): void {
  const last = recs.reduce((m, r) => Math.max(m, r.ts), 0);
  for (let t = 1000; t <= 30_000; t += 1000) recs.push({ key: 'zz', v: 1, ts: last + t });
}

/** A shuffled-within-grace input with three late records, then closing(). */
function input(seed: number): { recs: Rec[]; late: number } {
  const recs = shuffleWithin(bursty(400, seed), GRACE, rng(seed + 1));
  assert.ok(maxLateness(recs) < GRACE);
  for (const at of [150, 250, 350]) {
    const st = recs.slice(0, at).reduce((m, r) => Math.max(m, r.ts), 0);
    recs.splice(at, 0, { key: recs[at - 100].key, v: 10_000, ts: st - GRACE - 12_000 });
  }
  closing(recs);
  return { recs, late: 3 };
}

/** Windows of keys other than 'zz' (all closed by closing()). */
const notZz = (emitted: Map<string, Agg>) => [...emitted.keys()].filter((id) => !id.startsWith('zz@')).length;
const modelNotZz = (model: ModelResult) => [...model.windows.keys()].filter((id) => !id.startsWith('zz@')).length;

test('EMIT FINAL, TUMBLING: each window once, at end + grace, with its final value; late records dropped', { timeout: 120_000 }, async () => {
  const { recs, late } = input(3);
  const model = timeWindowModel(recs, 10_000, 10_000, GRACE);
  assert.equal(model.late, late);
  const { emitted, drops } = await checkEmitFinal(`TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)`, { kind: 'TUMBLING', sizeMs: 10_000 }, recs, model, (end) => end + GRACE);
  assert.equal(notZz(emitted), modelNotZz(model));
  assert.equal(drops.length, late);
});

test('EMIT FINAL, HOPPING: each window once, at end + grace, with its final value; late records dropped', { timeout: 120_000 }, async () => {
  const { recs, late } = input(5);
  const model = timeWindowModel(recs, 10_000, 5000, GRACE);
  assert.equal(model.late, late * 2);
  const { emitted, drops } = await checkEmitFinal(
    `HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS, GRACE PERIOD 5 SECONDS)`,
    { kind: 'HOPPING', sizeMs: 10_000, advanceMs: 5000 },
    recs,
    model,
    (end) => end + GRACE,
  );
  assert.equal(notZz(emitted), modelNotZz(model));
  assert.equal(drops.length, late * 2);
});

test('EMIT FINAL, SESSION (in order): each session once, after end + grace, with its final value', { timeout: 120_000 }, async () => {
  // In order and gap <= grace: no record can reach a session once its end + grace has passed.
  const recs = bursty(400, 11);
  closing(recs);
  const model = sessionModel(recs, 5000, GRACE);
  // Closing at end + grace (as now) or at end + gap + grace (Kafka Streams' rule for sessions) both pass.
  const { emitted } = await checkEmitFinal(`SESSION (5 SECONDS, GRACE PERIOD 5 SECONDS)`, { kind: 'SESSION', gapMs: 5000 }, recs, model, (end) => end + 5000 + GRACE);
  assert.equal(notZz(emitted), modelNotZz(model));
  assert.ok(notZz(emitted) > 20, `${notZz(emitted)} sessions`);
});

test(
  'EMIT FINAL, SESSION: a session extended by an in-grace record after its end + grace is not emitted twice',
  { timeout: 60_000 },
  async () => {
    const f = await Feeder.open(`SESSION (5 SECONDS, GRACE PERIOD 5 SECONDS)`, { kind: 'SESSION', gapMs: 5000 });
    try {
      const outs: WindowedOutput[] = [];
      outs.push(...(await f.feed({ key: 'a', v: 1, ts: BASE })));
      outs.push(...(await f.feed({ key: 'b', v: 1, ts: BASE + 5000 }))); // stream time: a's end + grace
      // 4 s behind stream time (within grace) and 1 s after a's session: it joins the session.
      outs.push(...(await f.feed({ key: 'a', v: 10, ts: BASE + 1000 })));
      outs.push(...(await f.feed({ key: 'c', v: 1, ts: BASE + 60_000 })));
      assert.equal((await lateDrops(f.t.log, readTopic)).length, 0, 'the record was on time');
      const a = outs.filter((o) => o.key === 'a');
      // One final result for key a: the session [0, 1000] with both records.
      assert.deepEqual(
        a.map((o) => [o.id, o.value]),
        [[windowId('a', BASE, BASE + 1000), { C: 2, S: 11 }]],
      );
    } finally {
      await f.close();
    }
  },
);

test('EMIT FINAL, TUMBLING: as ksqlDB (Kafka Streams emit-on-window-close), a window the store expired before a record closed it is not emitted', { timeout: 60_000 }, async () => {
  const f = await Feeder.open(`TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)`, { kind: 'TUMBLING', sizeMs: 10_000 });
  try {
    const outs: WindowedOutput[] = [];
    outs.push(...(await f.feed({ key: 'a', v: 7, ts: BASE + 1000 })));
    outs.push(...(await f.feed({ key: 'a', v: 8, ts: BASE + 2000 })));
    // A quiet minute: the window [0 s, 10 s) is past its retention (size + grace) when the next record closes it.
    outs.push(...(await f.feed({ key: 'b', v: 1, ts: BASE + 60_000 })));
    assert.equal(outs.length, 0);
    // A window closed while still retained is emitted: [60 s, 70 s) closes at 75 s, and the store keeps windows from 75 s - 15 s.
    outs.push(...(await f.feed({ key: 'b', v: 2, ts: BASE + 75_000 })));
    assert.deepEqual(
      outs.map((o) => [o.id, o.value]),
      [[windowId('b', BASE + 60_000, BASE + 70_000), { C: 1, S: 1 }]],
    );
  } finally {
    await f.close();
  }
});

for (const [kind, window, info] of [
  ['SESSION', `SESSION (5 SECONDS, GRACE PERIOD 5 SECONDS)`, { kind: 'SESSION', gapMs: 5000 }],
] as const) {
  test(
    `EMIT FINAL, ${kind}: a window still pending when stream time jumps past its retention is emitted`,
    { timeout: 60_000 },
    async () => {
      const f = await Feeder.open(window, info);
      try {
        const outs: WindowedOutput[] = [];
        outs.push(...(await f.feed({ key: 'a', v: 7, ts: BASE + 1000 })));
        outs.push(...(await f.feed({ key: 'a', v: 8, ts: BASE + 2000 })));
        // A quiet minute, then the next record: a's window closed (and expired) on the way.
        outs.push(...(await f.feed({ key: 'b', v: 1, ts: BASE + 60_000 })));
        assert.deepEqual(
          outs.map((o) => [o.id, o.value]),
          [[windowId('a', BASE + 1000, BASE + 2000), { C: 2, S: 15 }]],
        );
      } finally {
        await f.close();
      }
    },
  );
}

test(
  'EMIT FINAL over a backlog: one batch spanning more event time than size + grace loses no window',
  { timeout: 60_000 },
  async () => {
    const t = await testEngine();
    try {
      await t.engine.execute(STREAM_DDL + aggregateSql('aggf', `TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)`, 'FINAL'));
      // 2000 records (one batch), 20 ms apart: 40 s of event time, four windows per key.
      const recs: Rec[] = [];
      for (let n = 0; n < 2000; n++) recs.push({ key: `k${n % 5}`, v: 1, ts: BASE + n * 20 });
      await produce(t.log, recs);
      await t.engine.runUntilIdle();
      const st = BASE + 1999 * 20;
      const model = timeWindowModel(recs, 10_000, 10_000, GRACE);
      const closed = [...model.windows].filter(([id]) => Number(id.slice(id.lastIndexOf('..') + 2)) + GRACE <= st);
      assert.equal(closed.length, 15);
      const outs = decodeOutputs(await readTopic(t.log, 'AGGF'), { kind: 'TUMBLING', sizeMs: 10_000 });
      assert.deepEqual(outs.map((o) => [o.id, o.value]).sort(), closed.sort());
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  },
);
