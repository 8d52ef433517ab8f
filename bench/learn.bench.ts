/**
 * Online learning speed, Riffle beside River in one run (same data, same models, same protocol:
 * predict, score, learn per row, data in memory, best of 3):
 *   in-process: progressiveStep per row (no serde) vs River's predict_proba_one/metric/learn_one
 *     (target >= 10x River's rows/s per model type);
 *   SQL: CREATE MODEL ... AS SELECT over N JSON rows (10 features, logistic regression) on the
 *     embedded log, until every row is learned (target >= 100K rows/s), beside the same rows
 *     through a plain CREATE STREAM AS SELECT (the engine's own cost, same run).
 * Run: `npm run bench:learn [-- --rows 200000]` (installs River via scripts/ml/setup-river.sh).
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
const fmt = (r: number): string => `${Math.round(r).toLocaleString('en-US')} rows/s`;

function inProcess(type: ModelType, file: string, repeat = 1): number {
  const d = loadCsv(file);
  const xs = Array.from({ length: repeat }, () => d.x.map((x) => denseVector(x))).flat();
  const ys = Array.from({ length: repeat }, () => d.y).flat();
  let best = 0;
  for (let run = 0; run < 5; run++) {
    const o = DEFAULT_OPTIONS(type);
    const m = newModel(o);
    const t0 = performance.now();
    for (let i = 0; i < xs.length; i++) progressiveStep(m, o, xs[i], ys[i]);
    best = Math.max(best, xs.length / ((performance.now() - t0) / 1000));
  }
  return best;
}

async function sqlRun(withModel: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-learn-'));
  try {
    const log = await openEmbeddedLog(dir);
    const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' } });
    await log.ensureTopic('feats', { partitions: 1, replicationFactor: 1 });
    const rng = new PyRandom(1);
    const producer = log.producer();
    const enc = new TextEncoder();
    for (let start = 0; start < ROWS; start += 10_000) {
      const batch = [];
      for (let i = start; i < Math.min(ROWS, start + 10_000); i++) {
        const row: Record<string, number> = {};
        let z = 0;
        for (let j = 0; j < 10; j++) {
          row[`F${j}`] = rng.random();
          z += (j % 2 ? 1 : -1) * row[`F${j}`];
        }
        row.Y = z > 0 ? 1 : 0;
        batch.push({ key: null, value: enc.encode(JSON.stringify(row)), timestamp: i });
      }
      await producer.send('feats', batch);
    }
    await engine.execute(`CREATE STREAM feats (${Array.from({ length: 10 }, (_, j) => `F${j} DOUBLE`).join(', ')}, Y INTEGER) WITH (KAFKA_TOPIC='feats', VALUE_FORMAT='JSON');`);
    const t0 = performance.now();
    await engine.execute(withModel ? `CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'Y') AS SELECT * FROM feats;` : `CREATE STREAM copy AS SELECT * FROM feats;`);
    await engine.runUntilIdle();
    const secs = (performance.now() - t0) / 1000;
    if (withModel && trainedRegistry(engine).live.get('M')?.get('')?.state.rows !== ROWS) throw new Error('not every row was learned');
    await engine.close();
    await log.close();
    return ROWS / secs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const python = execFileSync('bash', [join(import.meta.dirname, '../scripts/ml/setup-river.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
const cases: [ModelType, string, number][] = [
  ['LOGISTIC_REGRESSION', 'shuttle.csv', 1],
  ['GAUSSIAN_NB', 'shuttle.csv', 1],
  ['HOEFFDING_TREE', 'shuttle.csv', 1],
  ['LINEAR_REGRESSION', 'trump_approval.csv', 50],
  ['HALF_SPACE_TREES', 'shuttle.csv', 1],
];
const ours = Object.fromEntries(cases.map(([t, f, r]) => [t, inProcess(t, f, r)]));
const river = JSON.parse(execFileSync(python, [join(import.meta.dirname, '../scripts/ml/river_bench.py'), ML_DATA], { encoding: 'utf8' })) as Record<string, number>;
console.log('in-process progressive validation (predict, score, learn), best of 5 (River best of 3):');
for (const [t] of cases) console.log(`  ${t.padEnd(20)} Riffle ${fmt(ours[t]).padStart(16)}  River ${fmt(river[t]).padStart(14)}  ratio ${(ours[t] / river[t]).toFixed(1)}x${ours[t] / river[t] >= 10 ? '' : '  (below the 10x target)'}`);
const copy = await sqlRun(false);
const train = await sqlRun(true);
console.log(`SQL on the embedded log, ${ROWS.toLocaleString('en-US')} JSON rows, 10 features:`);
console.log(`  CREATE MODEL (logistic regression) ${fmt(train)}${train >= 100_000 ? '' : '  (below the 100K target)'}`);
console.log(`  CREATE STREAM AS SELECT * (same rows, no model) ${fmt(copy)}; training costs ${((copy / train - 1) * 100).toFixed(0)}% over it`);
