/**
 * Scale-out on a real broker: a windowed aggregation (TUMBLING 10 s, COUNT + SUM per key; `events`
 * keyed by the GROUP BY key, 4 partitions, so each key's state lives in one input partition) run by
 * TWO Riffle instances (child processes, scale-out-child.ts: same service id, so the same consumer
 * group; own state directories; one cluster namespace) while input is produced (5000 records over
 * 50 keys, increasing times). Both instances get partitions and process them. One is killed with
 * kill -9 mid-stream; after the (shortened) session timeout the survivor is assigned its
 * partitions, restores their window stores from the changelogs the killed instance wrote, and
 * goes on. The rest of the input is produced meanwhile. Final aggregates (last value per (key,
 * window) in the output topic, read once the group has committed the whole input) are compared
 * with a single-instance run over the same input in a namespace of its own, and with a reference
 * model.
 *
 * - at-least-once, kill at an arbitrary point: exact, unless the kill landed between the killed
 *   instance's state flush (its changelog writes) and its offset commit (markers say where it
 *   landed); then that one batch is applied twice (see the next case).
 * - at-least-once, kill right after a state flush, before the offset commit: nothing is lost, and
 *   the survivor, whose restored state already holds that batch, applies it again: the counts
 *   and sums of exactly that batch's windows are inflated by exactly that batch (at-least-once).
 * - exactly_once_v2, kill at an arbitrary point: should be exact; `todo` (engine bug): every
 *   instance of a service uses the same transactional id per query, so the second instance fences
 *   the first, whose query stops in ERROR while its consumer stays in the group.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type KafkaLog, NamespacedKafkaLog } from '../../src/log/kafka/index.ts';
import type { ConsumedRecord, Log, PartitionOffset } from '../../src/log/log.ts';
import { freshPrefix } from '../../src/testing/kafka-runner.ts';
import { DDL, GROUP, markersFile, PARTITIONS } from './scale-out-child.ts';
import { kafkaTestEngine, openTestLog, readAll, removeNamespace } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./scale-out-child.ts', import.meta.url));
const N = 5000;
const KEYS = 50;
const WINDOW_MS = 10_000;
const T0 = 1_700_000_000_000; // a multiple of the window size
const SESSION_TIMEOUT_MS = 6000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- input and reference model ----

interface Rec {
  readonly key: string;
  readonly v: number;
  readonly ts: number;
}
interface Agg {
  readonly N: number;
  readonly TOTAL: number;
}
/** Record i: key k<i mod 50>, times 20 ms apart (each key gets 10 records per window, 10 windows). */
const record = (i: number): Rec => ({ key: `k${i % KEYS}`, v: (i * 7) % 101, ts: T0 + i * 20 });
const windowOf = (r: Rec): string => `${r.key}@${Math.floor(r.ts / WINDOW_MS) * WINDOW_MS}`;

function model(recs: Iterable<Rec>): Map<string, Agg> {
  const out = new Map<string, Agg>();
  for (const r of recs) {
    const cur = out.get(windowOf(r)) ?? { N: 0, TOTAL: 0 };
    out.set(windowOf(r), { N: cur.N + 1, TOTAL: cur.TOTAL + r.v });
  }
  return out;
}

/** Where each produced record landed: `partition:offset` → record index. */
type Placement = Map<string, number>;

async function produce(log: Log, from: number, to: number, placement: Placement, chunk = to - from, pauseMs = 0): Promise<void> {
  const producer = log.producer();
  try {
    for (let i = from; i < to; i += chunk) {
      const idx = Array.from({ length: Math.min(chunk, to - i) }, (_, j) => i + j);
      const results = await producer.send(
        'events',
        idx.map((k) => {
          const r = record(k);
          return { key: Buffer.from(r.key), value: Buffer.from(JSON.stringify({ V: r.v })), timestamp: r.ts };
        }),
      );
      results.forEach((res, j) => placement.set(`${res.partition}:${res.offset}`, idx[j]));
      if (pauseMs) await sleep(pauseMs);
    }
  } finally {
    await producer.close();
  }
}

/** The output topic as a table: last value per (key, window start), in partition and offset order. */
function finalTable(records: readonly ConsumedRecord[]): Map<string, Agg> {
  const out = new Map<string, Agg>();
  for (const r of records) {
    const key = Buffer.from(r.key!);
    const id = `${key.subarray(0, key.length - 8).toString('utf8')}@${Number(key.readBigInt64BE(key.length - 8))}`;
    if (r.value === null) out.delete(id);
    else out.set(id, JSON.parse(Buffer.from(r.value).toString('utf8')) as Agg);
  }
  return out;
}

const sorted = (m: ReadonlyMap<string, Agg>): [string, Agg][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

interface Diff {
  readonly missing: string[];
  readonly extra: string[];
  /** window → [got, expected] where the values differ. */
  readonly differing: Map<string, [Agg, Agg]>;
}
function diff(got: ReadonlyMap<string, Agg>, expected: ReadonlyMap<string, Agg>): Diff {
  const differing = new Map<string, [Agg, Agg]>();
  for (const [id, e] of expected) {
    const g = got.get(id);
    if (g && (g.N !== e.N || g.TOTAL !== e.TOTAL)) differing.set(id, [g, e]);
  }
  return {
    missing: [...expected.keys()].filter((id) => !got.has(id)),
    extra: [...got.keys()].filter((id) => !expected.has(id)),
    differing,
  };
}
const show = (d: Diff, max = 6): string =>
  `${d.missing.length} missing, ${d.extra.length} extra, ${d.differing.size} differing windows` +
  (d.differing.size ? `: ${[...d.differing].slice(0, max).map(([id, [g, e]]) => `${id} got n=${g.N} total=${g.TOTAL}, expected n=${e.N} total=${e.TOTAL}`).join('; ')}${d.differing.size > max ? '; ...' : ''}` : '');

// ---- child processes ----

interface Status {
  readonly at: number;
  readonly state: string;
  readonly error?: string;
  readonly consumed: number;
  readonly joined: boolean;
  readonly assigned: number[];
  readonly perPartition: Record<string, number>;
}
interface RestoreEvent {
  readonly at: number;
  readonly store: string;
  readonly mode?: string;
  readonly records?: number;
  readonly ms?: number;
  readonly reason?: string;
  readonly wallMs: number;
}

class Child {
  readonly name: string;
  readonly stateDir: string;
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  status: Status | null = null;
  readonly restores: RestoreEvent[] = [];
  #out = '';
  #err = '';

  constructor(name: string, env: NodeJS.ProcessEnv) {
    this.name = name;
    this.stateDir = env.RIFFLE_IT_STATE_DIR!;
    this.process = spawn(process.execPath, [CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let markReady!: () => void;
    let fail!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    this.ready.catch(() => undefined);
    let partial = '';
    this.process.stdout!.on('data', (d: Buffer) => {
      this.#out += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('READY')) markReady();
        if (!line.startsWith('{')) continue;
        const o = JSON.parse(line) as { t: string };
        if (o.t === 'status') this.status = o as unknown as Status;
        else if (o.t === 'restore') this.restores.push(o as unknown as RestoreEvent);
      }
    });
    this.process.stderr!.on('data', (d: Buffer) => (this.#err += d));
    this.exited = new Promise((resolve) =>
      this.process.on('exit', (code, signal) => {
        fail(new Error(`instance ${name} exited (${code ?? signal}) before READY: ${this.#err.slice(-3000)}`));
        resolve({ code, signal });
      }),
    );
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  markers(): string[] {
    try {
      return readFileSync(markersFile(this.stateDir), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  }

  /** The last lines of stderr (for failure messages). */
  stderr(): string {
    return this.#err.slice(-2000);
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGTERM');
    await Promise.race([this.exited, sleep(15_000).then(() => this.process.kill('SIGKILL'))]);
  }
}

async function until<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>, details = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${details() ? `: ${details()}` : ''}`);
    await sleep(100);
  }
}

// ---- the scenario ----

type Guarantee = 'at_least_once' | 'exactly_once_v2';

interface Outcome {
  /** Assignment of each instance while both ran. */
  readonly before: { A: number[]; B: number[] };
  /** Records each instance had consumed when B was killed. */
  readonly consumedAtKill: { A: number; B: number };
  readonly producedAtKill: number;
  /** The group's committed offsets right after the kill (B's partitions: B's last commits). */
  readonly committedAtKill: PartitionOffset[];
  /** B's last markers: where in its batch it died. */
  readonly lastMarkers: string[];
  /** The kill landed after B's last state flush began and before its offsets were committed. */
  readonly inFlushWindow: boolean;
  /** B's last batch (partition → [first, last] offset), from its last `poll` marker. */
  readonly lastBatch: Record<string, [number, number]> | null;
  /** From the kill until A was assigned every partition (null: never). */
  readonly takeoverMs: number | null;
  /** A's store openings after the kill. */
  readonly restores: RestoreEvent[];
  /** The group committed the whole input. */
  readonly completed: boolean;
  readonly committedEnd: number;
  /** A's query at the end (state and error). */
  readonly aState: string;
  readonly errors: string[];
  readonly finals: Map<string, Agg>;
  readonly placement: Placement;
}

async function scaleOut(shared: KafkaLog, guarantee: Guarantee, killMode: 'external' | 'after-flush'): Promise<Outcome> {
  const prefix = freshPrefix('scale');
  const ns = new NamespacedKafkaLog(shared, prefix);
  const dirs = ['A', 'B'].map((n) => mkdtempSync(join(tmpdir(), `riffle-scale-${n}-`)));
  const env = (dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    RIFFLE_IT_PREFIX: prefix,
    RIFFLE_IT_STATE_DIR: dir,
    RIFFLE_IT_GUARANTEE: guarantee,
    RIFFLE_KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    ...extra,
  });
  const children: Child[] = [];
  const placement: Placement = new Map();
  try {
    // A creates the stream and the query; B finds them in the command log.
    const A = new Child('A', env(dirs[0]));
    children.push(A);
    await A.ready;
    const B = new Child('B', env(dirs[1], killMode === 'after-flush' ? { RIFFLE_IT_KILL_AFTER_FLUSH: '600' } : {}));
    children.push(B);
    await B.ready;
    const both = () => `A ${JSON.stringify(A.status)}, B ${JSON.stringify(B.status)}\n${A.stderr()}\n${B.stderr()}`;
    const split = await until(
      'both instances to share the partitions',
      30_000,
      () => {
        const [a, b] = [A.status, B.status];
        if (!a?.joined || !b?.joined || a.assigned.length === 0 || b.assigned.length === 0) return undefined;
        const all = [...a.assigned, ...b.assigned].sort((x, y) => x - y);
        return all.length === PARTITIONS && all.every((p, i) => p === i) ? { A: a.assigned, B: b.assigned } : undefined;
      },
      both,
    );

    // Input flows in chunks of 50; B dies between 50% and 60% of it (production waits for that).
    let produced = 0;
    let killed!: () => void;
    const killedP = new Promise<void>((r) => (killed = r));
    let isKilled = false;
    const producing = (async () => {
      while (produced < N) {
        if (produced >= 0.6 * N && !isKilled) await killedP;
        const to = Math.min(N, produced + 50);
        await produce(ns, produced, to, placement);
        produced = to;
        await sleep(20);
      }
    })();
    producing.catch(() => undefined);
    let killAt: number;
    let consumedAtKill: { A: number; B: number };
    let producedAtKill: number;
    if (killMode === 'external') {
      // Mid-stream: both have processed records, B has committed a batch, input still coming.
      await until(
        'both instances to process input',
        60_000,
        () => produced >= N / 2 && (A.status?.consumed ?? 0) > 0 && (B.status?.consumed ?? 0) > 0 && B.markers().some((m) => m.startsWith('committed')),
        both,
      );
      consumedAtKill = { A: A.status!.consumed, B: B.status!.consumed };
      producedAtKill = produced;
      killAt = Date.now();
      B.process.kill('SIGKILL');
    } else {
      await Promise.race([B.exited, sleep(60_000).then(() => Promise.reject(new Error(`B did not kill itself: ${both()}`)))]);
      killAt = Date.now();
      consumedAtKill = { A: A.status!.consumed, B: B.status!.consumed };
      producedAtKill = produced;
    }
    assert.equal((await B.exited).signal, 'SIGKILL');
    isKilled = true;
    killed();
    const committedAtKill = await Promise.race([ns.committed(GROUP, 'events'), sleep(10_000).then(() => [] as PartitionOffset[])]);
    const markers = B.markers();
    const lastPoll = markers.findLastIndex((m) => m.startsWith('poll '));
    const lastFlush = markers.findLastIndex((m) => m === 'flush');
    const lastCommit = markers.findLastIndex((m) => m.startsWith('committed'));
    const inFlushWindow = lastFlush > lastCommit && lastFlush > lastPoll;
    const lastBatch = lastPoll >= 0 ? (JSON.parse(markers[lastPoll].slice(5)) as Record<string, [number, number]>) : null;
    await producing;

    // The survivor takes B's partitions over (after the session timeout) and catches up.
    const takeover = await until('A to own every partition', 4 * SESSION_TIMEOUT_MS + 20_000, () => (A.status?.assigned.length === PARTITIONS ? Date.now() : undefined) || (A.status?.state === 'ERROR' ? -1 : undefined)).catch(() => -1);
    const inputEnd = (await ns.offsets('events')).reduce((n, o) => n + o.end, 0);
    let committedEnd = 0;
    const completed = await until('the group to commit the whole input', 60_000, async () => {
      if (A.status?.state === 'ERROR') return 'error';
      committedEnd = (await ns.committed(GROUP, 'events')).reduce((n, o) => n + o.offset, 0);
      return committedEnd >= inputEnd ? 'done' : undefined;
    }).catch(() => 'timeout');
    const finals = finalTable(await readAll(ns, 'COUNTS'));
    const errors = children.filter((c) => c.status?.error).map((c) => `${c.name}: ${c.status!.error}`);
    return {
      before: split,
      consumedAtKill,
      producedAtKill,
      committedAtKill,
      lastMarkers: markers.slice(-4),
      inFlushWindow,
      lastBatch,
      takeoverMs: takeover > 0 ? takeover - killAt : null,
      restores: A.restores.filter((r) => r.at >= killAt),
      completed: completed === 'done',
      committedEnd,
      aState: A.status?.state ?? 'unknown',
      errors,
      finals,
      placement,
    };
  } finally {
    for (const c of children) await c.stop();
    await ns.destroy().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The records of B's last batch that the survivor processes again (at or after the committed offsets). */
function replayedBatch(o: Outcome): Rec[] {
  if (!o.lastBatch) return [];
  const committed = new Map(o.committedAtKill.map((c) => [c.partition, c.offset]));
  const out: Rec[] = [];
  for (const [p, [first, last]] of Object.entries(o.lastBatch)) {
    for (let off = Math.max(first, committed.get(Number(p)) ?? 0); off <= last; off++) {
      const i = o.placement.get(`${p}:${off}`);
      if (i !== undefined) out.push(record(i));
    }
  }
  return out;
}

/** `expected` plus the replayed records counted a second time. */
function withReplay(expected: ReadonlyMap<string, Agg>, replay: readonly Rec[]): Map<string, Agg> {
  const out = new Map(expected);
  for (const [id, extra] of model(replay)) {
    const e = out.get(id)!;
    out.set(id, { N: e.N + extra.N, TOTAL: e.TOTAL + extra.TOTAL });
  }
  return out;
}

function report(t: TestContext, label: string, o: Outcome, expected: ReadonlyMap<string, Agg>): Diff {
  const d = diff(o.finals, expected);
  const restores = o.restores.map((r) => `${r.store} ${r.mode} ${r.records} records ${r.ms?.toFixed(0)} ms${r.reason ? ` (${r.reason})` : ''}`).join('; ');
  t.diagnostic(
    `${label}: A owned [${o.before.A}], B owned [${o.before.B}]; at the kill ${o.producedAtKill} produced, A consumed ${o.consumedAtKill.A}, B ${o.consumedAtKill.B}; ` +
      `B died ${o.inFlushWindow ? 'BETWEEN its state flush and its offset commit' : 'outside the flush→commit window'} (last markers ${o.lastMarkers.join(' | ')}); ` +
      `A owned every partition ${o.takeoverMs === null ? 'never' : `${o.takeoverMs} ms after the kill`}; restores after the kill: ${restores || 'none'}; ` +
      `whole input committed: ${o.completed} (${o.committedEnd} of ${N}); A's query ${o.aState}${o.errors.length ? `; errors: ${o.errors.join(' / ')}` : ''}; ` +
      `final aggregates vs single instance: ${show(d)}`,
  );
  return d;
}

describe('scale-out: two instances share a windowed aggregation, one is killed, the other takes over', { timeout: 600_000 }, () => {
  let shared: KafkaLog;
  /** The single-instance run's final aggregates (the reference for the scale-out runs). */
  let single: Map<string, Agg>;
  before(async () => {
    shared = await openTestLog();
  });
  after(async () => {
    await shared?.close();
  });

  test('single instance over the same input: the reference model', async (t) => {
    const one = await kafkaTestEngine(shared);
    try {
      await one.engine.execute(DDL);
      await produce(one.log, 0, N, new Map(), 1000);
      await one.engine.runUntilIdle();
      single = finalTable(await readAll(one.log, 'COUNTS'));
      const expected = model(Array.from({ length: N }, (_, i) => record(i)));
      t.diagnostic(`${single.size} windows (${KEYS} keys x ${expected.size / KEYS} windows)`);
      assert.deepEqual(sorted(single), sorted(expected));
    } finally {
      await one.close();
      await removeNamespace(one.log);
    }
  });

  const checkCommon = (o: Outcome) => {
    // Both instances got partitions and processed records before the kill.
    assert.ok(o.before.A.length > 0 && o.before.B.length > 0, 'both instances own partitions');
    assert.ok(o.consumedAtKill.A > 0 && o.consumedAtKill.B > 0, 'both instances processed records');
    assert.ok(o.producedAtKill < N, 'killed while input was still being produced');
    // The survivor took over and restored the killed instance's state from the changelogs.
    assert.notEqual(o.takeoverMs, null, 'the survivor was assigned every partition');
    for (const p of o.before.B) {
      const r = o.restores.find((x) => x.store.endsWith(`/p${p}`));
      assert.ok(r, `the survivor opened the store of partition ${p}`);
      assert.equal(r.mode, 'full', `partition ${p}: restored from its changelog (the survivor never had it locally)`);
      assert.ok((r.records ?? 0) > 0, `partition ${p}: the changelog held the killed instance's state`);
    }
    assert.deepEqual(o.errors, []);
    assert.ok(o.completed, `the group committed the whole input (${o.committedEnd} of ${N})`);
    // No lost (and no invented) windows.
    const d = diff(o.finals, single);
    assert.deepEqual(d.missing, [], 'no window lost');
    assert.deepEqual(d.extra, [], 'no window invented');
  };

  test('at-least-once, kill -9 at an arbitrary point mid-stream: same final aggregates as one instance', async (t) => {
    assert.ok(single, 'needs the single-instance run');
    const o = await scaleOut(shared, 'at_least_once', 'external');
    const d = report(t, 'at_least_once', o, single);
    checkCommon(o);
    if (o.inFlushWindow) {
      // The batch B had flushed to its changelogs but not committed is applied again by A (next case).
      assert.deepEqual(sorted(o.finals), sorted(withReplay(single, replayedBatch(o))), 'inflated by exactly the replayed batch');
      t.todo(`the kill landed between B's state flush and its offset commit: ${d.differing.size} windows inflated by the replayed batch (at-least-once)`);
      assert.equal(d.differing.size, 0);
    } else {
      assert.deepEqual(sorted(o.finals), sorted(single), 'exactly the single-instance aggregates');
    }
  });

  test('at-least-once, kill -9 after a state flush, before the offset commit: nothing lost; that one batch is counted twice', async (t) => {
    assert.ok(single, 'needs the single-instance run');
    const o = await scaleOut(shared, 'at_least_once', 'after-flush');
    const d = report(t, 'at_least_once (killed after flush)', o, single);
    checkCommon(o);
    assert.ok(o.inFlushWindow, 'B died between its state flush and its offset commit');
    const replay = replayedBatch(o);
    t.diagnostic(`B's uncommitted batch: ${replay.length} records in partitions ${Object.keys(o.lastBatch ?? {})}; ${d.differing.size} windows inflated`);
    assert.ok(replay.length > 0);
    // The known limit of at-least-once with state: A restored the state with the batch in it and
    // re-processed the batch from the committed offsets. Every difference is that batch, once more.
    assert.deepEqual(sorted(o.finals), sorted(withReplay(single, replay)), 'inflated by exactly the replayed batch, nothing else');
    assert.ok(d.differing.size > 0);
  });

  test(
    'exactly_once_v2, kill -9 at an arbitrary point mid-stream: same final aggregates as one instance',
    { todo: 'engine bug: both instances use the transactional id riffle_<serviceId>_query_<queryId> (delivery-eos.ts transactionalIdFor), so the second fences the first, whose query stops in ERROR' },
    async (t) => {
      assert.ok(single, 'needs the single-instance run');
      const o = await scaleOut(shared, 'exactly_once_v2', 'external');
      const d = report(t, 'exactly_once_v2', o, single);
      checkCommon(o);
      assert.equal(d.differing.size, 0, 'exact aggregates');
    },
  );
});
