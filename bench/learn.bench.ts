/**
 * Online learning speed, Riffle beside River in one run (same data, same models, same protocol:
 * predict, score, learn per row, data in memory):
 *   in-process: progressiveStep per row (no serde) vs River's predict_proba_one/metric/learn_one
 *     (target >= 10x River's rows/s per model type). Both sides are timed in CPU time of their
 *     thread (Node: process.threadCpuUsage, Python: time.thread_time), best of N runs of at least
 *     ~0.3 s each: on a loaded machine wall time measures the scheduler, CPU time the code;
 *   SQL: CREATE MODEL ... AS SELECT over N JSON rows (10 features, logistic regression) on the
 *     embedded log, until every row is learned (target >= 100K rows/s), beside, in the same run,
 *     the same rows through a plain CREATE STREAM AS SELECT * (the engine's own cost) and the
 *     JSON parse ceiling (UTF-8 decode + JSON.parse of the same values, nothing else). Reported as
 *     wall rate and as rows per CPU-second of the process (process.cpuUsage: every thread, LMDB
 *     and GC included), which is what the query would reach on a quiet machine.
 * Run: `npm run bench:learn [-- --rows 200000] [--only sql|in-process] [--commit-interval MS]` (installs River via
 * scripts/ml/setup-river.sh).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { trainedRegistry } from '../src/engine/model-train.ts';
import { denseVector } from '../src/ml/learn/features.ts';
import { DEFAULT_OPTIONS, newModel, progressiveStep, type ModelType } from '../src/ml/learn/model.ts';
import { loadCsv, ML_DATA } from '../test/ml/learn/data.ts';
import { PyRandom } from '../src/ml/learn/random.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const ROWS = Number(arg('rows', '200000'));
const ONLY = arg('only', 'all');
/** commit.interval.ms of the SQL runs (default: the engine's, a commit per batch). */
const COMMIT_INTERVAL = arg('commit-interval', '');
const fmt = (r: number): string => `${Math.round(r).toLocaleString('en-US')} rows/s`;
/** CPU seconds of this thread (main thread only: no GC helper or LMDB threads). */
const threadCpu = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1e6;
};
/** CPU seconds of the whole process. */
const processCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Rows per CPU-second of progressive validation of one model type, best of `runs`. */
function inProcess(type: ModelType, file: string, runs = 5): number {
  const d = loadCsv(file);
  // At least ~200K rows per run (the data repeated), so that a run is long enough to time.
  const repeat = Math.max(1, Math.ceil(200_000 / d.x.length));
  const xs = Array.from({ length: repeat }, () => d.x.map((x) => denseVector(x))).flat();
  const ys = Array.from({ length: repeat }, () => d.y).flat();
  let best = 0;
  for (let run = 0; run < runs; run++) {
    const o = DEFAULT_OPTIONS(type);
    const m = newModel(o);
    const t0 = threadCpu();
    for (let i = 0; i < xs.length; i++) progressiveStep(m, o, xs[i], ys[i]);
    best = Math.max(best, xs.length / (threadCpu() - t0));
  }
  return best;
}

interface SqlRate {
  readonly wall: number;
  /** Rows per CPU-second of the process. */
  readonly cpu: number;
  /** Rows per CPU-second of the main thread. */
  readonly thread: number;
}

function featureRows(): Uint8Array[] {
  const rng = new PyRandom(1);
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  for (let i = 0; i < ROWS; i++) {
    const row: Record<string, number> = {};
    let z = 0;
    for (let j = 0; j < 10; j++) {
      row[`F${j}`] = rng.random();
      z += (j % 2 ? 1 : -1) * row[`F${j}`];
    }
    row.Y = z > 0 ? 1 : 0;
    out.push(enc.encode(JSON.stringify(row)));
  }
  return out;
}

/** The JSON parse ceiling: decode and parse every value, nothing else (best of 3). */
function parseCeiling(values: readonly Uint8Array[]): SqlRate {
  const dec = new TextDecoder();
  let best: SqlRate = { wall: 0, cpu: 0, thread: 0 };
  let sink = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const c0 = processCpu();
    const th0 = threadCpu();
    for (const v of values) sink += (JSON.parse(dec.decode(v)) as { Y: number }).Y;
    const r = { wall: values.length / ((performance.now() - t0) / 1000), cpu: values.length / (processCpu() - c0), thread: values.length / (threadCpu() - th0) };
    if (r.thread > best.thread) best = r;
  }
  if (sink < 0) console.log(sink);
  return best;
}

async function sqlRun(values: readonly Uint8Array[], withModel: boolean): Promise<SqlRate> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-learn-'));
  try {
    const log = await openEmbeddedLog(dir);
    const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest', ...(COMMIT_INTERVAL ? { 'commit.interval.ms': COMMIT_INTERVAL } : {}) } });
    await log.ensureTopic('feats', { partitions: 1, replicationFactor: 1 });
    const producer = log.producer();
    for (let start = 0; start < values.length; start += 10_000) {
      await producer.send('feats', values.slice(start, start + 10_000).map((value, i) => ({ key: null, value, timestamp: start + i })));
    }
    await engine.execute(`CREATE STREAM feats (${Array.from({ length: 10 }, (_, j) => `F${j} DOUBLE`).join(', ')}, Y INTEGER) WITH (KAFKA_TOPIC='feats', VALUE_FORMAT='JSON');`);
    const t0 = performance.now();
    const c0 = processCpu();
    const th0 = threadCpu();
    await engine.execute(withModel ? `CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'Y') AS SELECT * FROM feats;` : `CREATE STREAM copy AS SELECT * FROM feats;`);
    await engine.runUntilIdle();
    const rate = { wall: ROWS / ((performance.now() - t0) / 1000), cpu: ROWS / (processCpu() - c0), thread: ROWS / (threadCpu() - th0) };
    if (withModel && trainedRegistry(engine).live.get('M')?.get('')?.state.rows !== ROWS) throw new Error('not every row was learned');
    await engine.close();
    await log.close();
    return rate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (ONLY !== 'sql') {
  const python = execFileSync('bash', [join(import.meta.dirname, '../scripts/ml/setup-river.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const cases: [ModelType, string][] = [
    ['LOGISTIC_REGRESSION', 'shuttle.csv'],
    ['GAUSSIAN_NB', 'shuttle.csv'],
    ['HOEFFDING_TREE', 'shuttle.csv'],
    ['LINEAR_REGRESSION', 'trump_approval.csv'],
    ['HALF_SPACE_TREES', 'shuttle.csv'],
  ];
  const ours = Object.fromEntries(cases.map(([t, f]) => [t, inProcess(t, f)]));
  const river = JSON.parse(execFileSync(python, [join(import.meta.dirname, '../scripts/ml/river_bench.py'), ML_DATA], { encoding: 'utf8' })) as Record<string, number>;
  console.log('in-process progressive validation (predict, score, learn), rows per CPU-second of the thread, best of 5 (River best of 3):');
  for (const [t] of cases) {
    const ratio = ours[t] / river[t];
    console.log(`  ${t.padEnd(20)} Riffle ${fmt(ours[t]).padStart(16)}  River ${fmt(river[t]).padStart(14)}  ratio ${ratio.toFixed(1)}x${ratio >= 10 ? '' : '  (below the 10x target)'}`);
  }
}
if (ONLY !== 'in-process') {
  const values = featureRows();
  const ceiling = parseCeiling(values);
  const copy = await sqlRun(values, false);
  const train = await sqlRun(values, true);
  const line = (name: string, r: SqlRate): string => `  ${name.padEnd(42)} ${fmt(r.wall).padStart(16)} wall  ${fmt(r.cpu).padStart(16)} per process CPU-s  ${fmt(r.thread).padStart(16)} per main-thread CPU-s`;
  console.log(`SQL on the embedded log, ${ROWS.toLocaleString('en-US')} JSON rows, 10 features:`);
  console.log(line('JSON parse ceiling (decode + JSON.parse)', ceiling));
  console.log(line('CREATE STREAM AS SELECT * (no model)', copy));
  console.log(line('CREATE MODEL (logistic regression)', train));
  console.log(
    `  training query: ${fmt(train.cpu)} per process CPU-second (the quiet-machine estimate)${train.cpu >= 100_000 ? '' : '  (below the 100K target)'}; ` +
      `vs the plain CSAS ${(train.cpu / copy.cpu).toFixed(2)}x, vs the JSON parse ceiling ${(train.cpu / ceiling.cpu).toFixed(2)}x (process CPU); ` +
      `wall ${(train.wall / copy.wall).toFixed(2)}x the CSAS`,
  );
}
