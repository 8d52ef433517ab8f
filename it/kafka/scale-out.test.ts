/**
 * Scale-out on a real broker: a windowed aggregation (TUMBLING 10 s, COUNT + SUM per key; `events`
 * keyed by the GROUP BY key, 4 partitions, so each key's state lives in one input partition) run by
 * TWO Riffle instances (child processes, scale-out-child.ts: same service id, so the same consumer
 * group; own state directories; one cluster namespace) while input is produced (5000 records over
 * 50 keys, increasing times). Both instances get partitions and process them. One (B) is killed
 * with kill -9 mid-stream; after the (shortened) session timeout the survivor (A) is assigned its
 * partitions, restores their window stores from the changelogs B wrote, and goes on, while the
 * rest of the input is produced. The final aggregates (last value per (key, window) in the output
 * topic, read once the whole input is processed and committed) are compared with a
 * single-instance run over the same input in a namespace of its own (itself checked against a
 * reference model).
 *
 * Markers B writes (scale-out-child.ts) say where in its commit cycle it died: state changelogs
 * sent, then the applied-offset changelogs (src/exec/applied-offsets.ts) and the local commit,
 * then the offset commit.
 * - exactly_once_v2, killed at an arbitrary moment: exact, always (changelogs, outputs and input
 *   offsets are one transaction; the survivor restores the committed changelogs only);
 * - at-least-once, killed right after the flush, before the commit: the survivor restores state
 *   that holds B's uncommitted records and skips them (applied offsets): exact;
 * - at-least-once, killed between the state changelogs and the applied-offset changelogs (a few
 *   ms of each commit cycle): on a shared log without transactions the two writes are not atomic,
 *   so the restored state holds B's uncommitted records while the restored applied offsets do
 *   not: at-least-once's promise (nothing lost; no window above exact + those records) is
 *   asserted, and the measured excess reported. Exactness on Kafka is what exactly_once_v2 is for.
 * - at-least-once, killed at an arbitrary moment: exact when B died outside that window, else as
 *   in the previous case.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
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
import { startChild, type ChildExit, type TestChild } from '../../test/helpers/child.ts';

const CHILD = fileURLToPath(new URL('./scale-out-child.ts', import.meta.url));
const N = 5000;
const KEYS = 50;
const WINDOW_MS = 10_000;
// An hour ago, on a window boundary: record times must be recent, or the broker's time-based
// retention (7 days by default, checked 30 s after it starts) deletes the input and output.
const T0 = Math.floor((Date.now() - 3_600_000) / 10_000) * 10_000;
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
  /** Next offset to fetch per partition (null: not known yet). */
  readonly positions: Record<string, number | null>;
  readonly buffered: number;
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
  readonly child: TestChild;
  readonly ready: Promise<void>;
  status: Status | null = null;
  readonly restores: RestoreEvent[] = [];

  constructor(name: string, env: NodeJS.ProcessEnv) {
    this.name = name;
    this.stateDir = env.RIFFLE_IT_STATE_DIR!;
    this.child = startChild(CHILD, [], { env, stderr: 'pipe' });
    this.ready = this.child.line((l) => l.startsWith('READY')).then(
      () => undefined,
      () => {
        throw new Error(`instance ${name} exited before READY: ${this.child.stderr().slice(-3000)}`);
      },
    );
    this.ready.catch(() => undefined);
    this.child.onLine((line) => {
      if (!line.startsWith('{')) return;
      const o = JSON.parse(line) as { t: string };
      if (o.t === 'status') this.status = o as unknown as Status;
      else if (o.t === 'restore') this.restores.push(o as unknown as RestoreEvent);
    });
  }

  get process(): ChildProcess {
    return this.child.process;
  }

  get exited(): Promise<ChildExit> {
    return this.child.exited;
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
    return this.child.stderr().slice(-2000);
  }

  async stop(): Promise<void> {
    await this.child.stop(15_000);
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
/** How B dies: killed by the test at an arbitrary moment, or by itself right after a marker. */
type Kill = 'arbitrary' | 'flushed' | 'fenced';

/**
 * Where in its commit cycle B died (its last marker), which decides what the survivor restores:
 * - 'clean': not inside a flush, or after the applied-offset stores were flushed too: the survivor
 *   resumes at B's committed offsets and skips what B's state already holds; exact;
 * - 'flushing': during the state stores' flush: some changelogs hold B's uncommitted records;
 * - 'flushed': after the state stores' flush, before the applied-offset stores' flush: every
 *   changelog holds B's uncommitted records, the applied offsets do not say so;
 * - 'fencing': during the applied-offset stores' flush.
 * In the last three the survivor re-applies (some of) B's records after its last commit.
 */
type Landing = 'clean' | 'flushing' | 'flushed' | 'fencing';

interface Outcome {
  /** Assignment of each instance while both ran. */
  readonly before: { A: number[]; B: number[] };
  /** Records each instance had consumed when B was killed. */
  readonly consumedAtKill: { A: number; B: number };
  readonly producedAtKill: number;
  /** B's last markers. */
  readonly lastMarkers: string[];
  readonly landed: Landing;
  /** Per partition of B, the last offset B had taken before its last state flush began. */
  readonly flushedUpTo: Map<number, number>;
  /** Where A started reading each of B's partitions after the takeover (B's last commit). */
  readonly resumedAt: Map<number, number>;
  /** From the kill until A was assigned every partition (null: never). */
  readonly takeoverMs: number | null;
  /** From the kill until A had read B's partitions to the end of the input. */
  readonly caughtUpMs: number | null;
  /** A's store openings after the kill. */
  readonly restores: RestoreEvent[];
  /** The group committed the whole input (after A's graceful stop at the end, at the latest). */
  readonly completed: boolean;
  readonly committedEnd: number;
  /** A's query at the end. */
  readonly aState: string;
  readonly errors: string[];
  readonly finals: Map<string, Agg>;
  readonly placement: Placement;
}

function landing(markers: readonly string[]): Landing {
  const last = markers.findLast((m) => m.startsWith('poll ') || m.startsWith('committed') || ['flush', 'flushed', 'fence', 'fenced'].includes(m));
  return last === 'flush' ? 'flushing' : last === 'flushed' ? 'flushed' : last === 'fence' ? 'fencing' : 'clean';
}

async function scaleOut(shared: KafkaLog, guarantee: Guarantee, kill: Kill): Promise<Outcome> {
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
    const B = new Child('B', env(dirs[1], kill === 'arbitrary' ? {} : { RIFFLE_IT_KILL_AT: kill, RIFFLE_IT_KILL_AFTER: '400' }));
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

    // Input flows in chunks of 50 (about 5 s for all of it). Past 60 % it slows to a trickle until
    // B is dead, so that B dies with input still coming.
    let produced = 0;
    let dead = false;
    const producing = (async () => {
      while (produced < N) {
        const to = Math.min(N, produced + 50);
        await produce(ns, produced, to, placement);
        produced = to;
        await sleep(produced >= 0.6 * N && !dead ? 500 : 40);
      }
    })();
    producing.catch(() => undefined);
    if (kill === 'arbitrary') {
      // Mid-stream: both have processed records, B has committed offsets, input still coming.
      await until(
        'both instances to process input',
        60_000,
        () => produced >= N / 2 && (A.status?.consumed ?? 0) > 0 && (B.status?.consumed ?? 0) > 0 && B.markers().some((m) => m.startsWith('committed')),
        both,
      );
      B.child.kill();
    }
    const exit = await Promise.race([B.exited, sleep(60_000).then(() => null)]);
    if (exit === null) throw new Error(`B did not die: ${both()}`);
    const killAt = Date.now();
    dead = true;
    assert.equal(exit.signal, 'SIGKILL');
    const consumedAtKill = { A: A.status!.consumed, B: B.status!.consumed };
    const producedAtKill = produced;
    const markers = B.markers();
    const landed = landing(markers);
    // What B had taken before its last state flush began (its changelogs may hold it).
    const flushedUpTo = new Map<number, number>();
    for (const m of markers.slice(0, markers.lastIndexOf('flush') + 1)) {
      if (!m.startsWith('poll ')) continue;
      for (const [p, [, last]] of Object.entries(JSON.parse(m.slice(5)) as Record<string, [number, number]>)) {
        flushedUpTo.set(Number(p), Math.max(flushedUpTo.get(Number(p)) ?? -1, last));
      }
    }
    await producing;

    // The survivor takes B's partitions over (after the session timeout) and catches up.
    const inputEnds = new Map((await ns.offsets('events')).map((o) => [o.partition, o.end]));
    const inputEnd = [...inputEnds.values()].reduce((a, b) => a + b, 0);
    const takeover = await until('A to own every partition', 4 * SESSION_TIMEOUT_MS + 20_000, () =>
      A.status?.assigned.length === PARTITIONS ? Date.now() : A.status?.state === 'ERROR' ? -1 : undefined,
    ).catch(() => -1);
    // Caught up: A's consumer has fetched every partition to its end and handed everything over
    // (seen in two status reports in a row, so the batch in hand is processed).
    let seen = 0;
    const caughtUp = await until('A to read the whole input', 60_000, () => {
      const st = A.status;
      if (!st || st.state === 'ERROR') return -1;
      const atEnd = st.buffered === 0 && [...inputEnds].every(([p, end]) => (st.positions[p] ?? -1) >= end);
      seen = atEnd ? seen + 1 : 0;
      return seen >= 3 ? Date.now() : undefined;
    }).catch(() => -1);
    // Stop A gracefully: it commits what it processed (with commit.interval.ms an idle query may
    // hold processed offsets until then).
    const aState = A.status?.state ?? 'unknown';
    const errors = children.filter((c) => c.status?.error).map((c) => `${c.name}: ${c.status!.error}`);
    await A.stop();
    const committedEnd = (await Promise.race([ns.committed(GROUP, 'events'), sleep(20_000).then(() => [] as PartitionOffset[])])).reduce((n, o) => n + o.offset, 0);
    // read_committed: a transaction B left open holds the output back until the broker aborts it
    // (transaction timeout 30 s, checked every 10 s).
    const finals = finalTable(await readAll(ns, 'COUNTS', 90_000));
    const resumedAt = new Map<number, number>();
    for (const m of A.markers()) {
      if (!m.startsWith('poll ')) continue;
      for (const [p, [first]] of Object.entries(JSON.parse(m.slice(5)) as Record<string, [number, number]>)) {
        if (split.B.includes(Number(p)) && !resumedAt.has(Number(p))) resumedAt.set(Number(p), first);
      }
    }
    return {
      before: split,
      consumedAtKill,
      producedAtKill,
      lastMarkers: markers.slice(-5),
      landed,
      flushedUpTo,
      resumedAt,
      takeoverMs: takeover > 0 ? takeover - killAt : null,
      caughtUpMs: caughtUp > 0 ? caughtUp - killAt : null,
      restores: A.restores.filter((r) => r.at >= killAt),
      completed: committedEnd >= inputEnd,
      committedEnd,
      aState,
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

/**
 * The records the survivor may apply a second time: those B had taken, after its last commit
 * (where A resumed), before its last state flush began.
 */
function replayable(o: Outcome): Rec[] {
  const out: Rec[] = [];
  for (const [p, last] of o.flushedUpTo) {
    for (let off = o.resumedAt.get(p) ?? Infinity; off <= last; off++) {
      const i = o.placement.get(`${p}:${off}`);
      if (i !== undefined) out.push(record(i));
    }
  }
  return out;
}

/** `expected` plus `extra` counted a second time. */
function plus(expected: ReadonlyMap<string, Agg>, extra: readonly Rec[]): Map<string, Agg> {
  const out = new Map(expected);
  for (const [id, more] of model(extra)) {
    const e = out.get(id)!;
    out.set(id, { N: e.N + more.N, TOTAL: e.TOTAL + more.TOTAL });
  }
  return out;
}

const LANDINGS: Record<Landing, string> = {
  clean: 'outside a flush (or after it)',
  flushing: 'WHILE sending its state changelogs',
  flushed: 'AFTER its state changelogs, BEFORE its applied-offset changelogs',
  fencing: 'WHILE sending its applied-offset changelogs / committing locally',
};

function report(t: TestContext, label: string, o: Outcome, expected: ReadonlyMap<string, Agg>): Diff {
  const d = diff(o.finals, expected);
  const restores = o.restores.map((r) => `${r.store} ${r.mode} ${r.records} records ${r.ms?.toFixed(0)} ms${r.reason ? ` (${r.reason})` : ''}`).join('; ');
  t.diagnostic(
    `${label}: A owned [${o.before.A}], B owned [${o.before.B}]; at the kill ${o.producedAtKill} of ${N} produced, A had consumed ${o.consumedAtKill.A}, B ${o.consumedAtKill.B}; ` +
      `B died ${LANDINGS[o.landed]} (last markers: ${o.lastMarkers.join(' | ')}); A resumed B's partitions at ${JSON.stringify([...o.resumedAt])}; ` +
      `A owned every partition ${o.takeoverMs === null ? 'never' : `${o.takeoverMs} ms after the kill`}, had read everything ${o.caughtUpMs === null ? 'never' : `${o.caughtUpMs} ms after it`}; ` +
      `A restored after the kill: ${restores || 'nothing'}; whole input committed: ${o.completed} (${o.committedEnd} of ${N}); A's query ${o.aState}${o.errors.length ? `; errors: ${o.errors.join(' / ')}` : ''}; ` +
      `final aggregates vs single instance: ${show(d)}`,
  );
  return d;
}

describe('scale-out: two instances share a windowed aggregation, one is killed, the other takes over', { timeout: 900_000 }, () => {
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

  /** What holds whatever the guarantee and wherever the kill landed. */
  const checkScaleOut = (o: Outcome) => {
    // Both instances got partitions and processed records before the kill.
    assert.ok(o.before.A.length > 0 && o.before.B.length > 0, 'both instances own partitions');
    assert.ok(o.consumedAtKill.A > 0 && o.consumedAtKill.B > 0, 'both instances processed records');
    assert.ok(o.producedAtKill < N, 'killed while input was still being produced');
    assert.deepEqual(o.errors, [], 'no query failed');
    // The survivor took over and restored the killed instance's state from the changelogs.
    assert.notEqual(o.takeoverMs, null, 'the survivor was assigned every partition');
    for (const p of o.before.B) {
      const r = o.restores.find((x) => x.store.endsWith(`/p${p}`));
      assert.ok(r, `the survivor opened the window store of partition ${p}`);
      // Whole ('full'), or from the survivor's own checkpoint ('partial'): it opened every partition
      // at its first assignment, before B joined and took these (as Kafka Streams restores at assignment).
      assert.ok(r.mode === 'full' || r.mode === 'partial', `partition ${p}: restored from its changelog (${r.mode})`);
      assert.ok((r.records ?? 0) > 0, `partition ${p}: the changelog held the killed instance's state`);
    }
    assert.notEqual(o.caughtUpMs, null, 'the survivor read the whole input');
    assert.ok(o.completed, `the group committed the whole input (${o.committedEnd} of ${N})`);
    // No window lost, none invented.
    const d = diff(o.finals, single);
    assert.deepEqual(d.missing, [], 'no window lost');
    assert.deepEqual(d.extra, [], 'no window invented');
  };

  /**
   * At-least-once: nothing lost; a window may count B's records between its last commit and its
   * last state flush a second time only when B died inside a flush (see Landing). Returns them.
   */
  const checkAtLeastOnce = (o: Outcome): Rec[] => {
    const replay = o.landed === 'clean' ? [] : replayable(o);
    const upper = plus(single, replay);
    for (const [id, g] of o.finals) {
      const lo = single.get(id)!;
      const hi = upper.get(id)!;
      assert.ok(g.N >= lo.N && g.N <= hi.N && g.TOTAL >= lo.TOTAL && g.TOTAL <= hi.TOTAL, `${id}: n=${g.N} total=${g.TOTAL} outside [${lo.N}, ${hi.N}] / [${lo.TOTAL}, ${hi.TOTAL}]`);
    }
    return replay;
  };

  test('at-least-once, kill -9 at an arbitrary point mid-stream: same final aggregates as one instance', async (t) => {
    assert.ok(single, 'needs the single-instance run');
    const o = await scaleOut(shared, 'at_least_once', 'arbitrary');
    const d = report(t, 'at_least_once, arbitrary kill', o, single);
    checkScaleOut(o);
    checkAtLeastOnce(o);
    // Inside the flush the at-least-once bounds above are the promise (see the header).
    if (o.landed === 'clean') assert.deepEqual(sorted(o.finals), sorted(single), 'exactly the single-instance aggregates');
    else t.diagnostic(`B died ${LANDINGS[o.landed]}: ${d.differing.size} windows above exact, within at-least-once bounds`);
  });

  test('at-least-once, kill -9 after the state and applied-offset flushes, before the offset commit: the survivor skips what the state holds; exact', async (t) => {
    assert.ok(single, 'needs the single-instance run');
    const o = await scaleOut(shared, 'at_least_once', 'fenced');
    report(t, 'at_least_once, killed after the applied-offset flush', o, single);
    checkScaleOut(o);
    assert.equal(o.landed, 'clean');
    assert.ok(replayable(o).length > 0, 'B had processed records it had not committed');
    assert.deepEqual(sorted(o.finals), sorted(single), 'exactly the single-instance aggregates');
  });

  test(
    'at-least-once, kill -9 after the state changelogs, before the applied-offset changelogs: nothing lost, no window above exact + the uncommitted records',
    async (t) => {
      assert.ok(single, 'needs the single-instance run');
      const o = await scaleOut(shared, 'at_least_once', 'flushed');
      const d = report(t, 'at_least_once, killed between the state flush and the applied-offset flush', o, single);
      checkScaleOut(o);
      assert.equal(o.landed, 'flushed');
      const replay = checkAtLeastOnce(o);
      const twice = diff(o.finals, plus(single, replay)).differing.size === 0;
      t.diagnostic(`${replay.length} records of B (after its last commit, before its last state flush) could be applied twice; ${d.differing.size} windows inflated${twice && d.differing.size ? ', by exactly those records applied twice' : ''}`);
    },
  );

  test('exactly_once_v2, kill -9 at an arbitrary point mid-stream: same final aggregates as one instance', async (t) => {
    assert.ok(single, 'needs the single-instance run');
    const o = await scaleOut(shared, 'exactly_once_v2', 'arbitrary');
    const d = report(t, 'exactly_once_v2, arbitrary kill', o, single);
    checkScaleOut(o);
    t.diagnostic(`B died ${LANDINGS[o.landed]}; ${d.differing.size} windows differ`);
    assert.deepEqual(sorted(o.finals), sorted(single), 'exactly the single-instance aggregates');
  });
});
