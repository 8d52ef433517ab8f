/**
 * A persistent query with PREDICT over N rows on the embedded log, against the local KServe V2
 * server (`failure`: scikit-learn StandardScaler + LogisticRegression, 4 FP64 features -> score):
 *   batched:  the model with BATCH_SIZE = 256 (MAX_IN_FLIGHT 4)
 *   per-row:  the same with BATCH_SIZE = 1 (one HTTP request per row, MAX_IN_FLIGHT 4)
 *   baseline: the same query without the model call (what the engine costs by itself)
 * The input is written before the query starts; the time is CREATE STREAM ... AS SELECT until
 * every row is in the sink topic. Prints rows/s for each and the batched / per-row ratio
 * (target >= 10x).
 * Run: `bash scripts/ml/with-servers.sh node bench/ml-sql.bench.ts [--rows 50000] [--single-rows 3000]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { closeModels } from '../src/engine/model-registry.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const ROWS = Number(arg('rows', '50000'));
const SINGLE_ROWS = Number(arg('single-rows', '3000'));
const URL = process.env.RIFFLE_KSERVE_URL;
if (!URL) {
  console.error('RIFFLE_KSERVE_URL not set: run `bash scripts/ml/with-servers.sh node bench/ml-sql.bench.ts`');
  process.exit(2);
}

const fmt = (r: number): string => `${Math.round(r).toLocaleString('en-US')} rows/s`;

/** Deterministic device telemetry like train.py's. */
function values(n: number): { key: Buffer; value: Buffer; timestamp: number; partition: number }[] {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = 50 + ((i * 37) % 200) / 10;
    const v = { TEMP_MEAN: t, TEMP_MAX: t + 5 + ((i * 13) % 100) / 10, VIBRATION: ((i * 7) % 300) / 100, EVENT_COUNT: 10 + ((i * 11) % 20) };
    out[i] = { key: Buffer.from(`d${i % 500}`), value: Buffer.from(JSON.stringify(v)), timestamp: 1_700_000_000_000 + i, partition: 0 };
  }
  return out;
}

/** rows/s of CSAS over `n` rows with `select` as the projection. */
async function measure(n: number, select: string, batchSize: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-ml-sql-'));
  const log = await openEmbeddedLog(dir);
  const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' } });
  try {
    await engine.execute(`
      CREATE STREAM telemetry (device STRING KEY, temp_mean DOUBLE, temp_max DOUBLE, vibration DOUBLE, event_count DOUBLE)
        WITH (KAFKA_TOPIC = 'telemetry', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE MODEL failure INPUT (temp_mean DOUBLE, temp_max DOUBLE, vibration DOUBLE, event_count DOUBLE) OUTPUT (score DOUBLE)
        WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${URL}', MODEL_NAME = 'failure', BATCH_SIZE = ${batchSize}, MAX_IN_FLIGHT = 4, TIMEOUT = '30s');`);
    const p = log.producer();
    const data = values(n);
    for (let i = 0; i < data.length; i += 5000) await p.send('telemetry', data.slice(i, i + 5000));
    await p.close();
    const t0 = performance.now();
    await engine.execute(`CREATE STREAM scored AS SELECT device, ${select} FROM telemetry;`);
    await engine.runUntilIdle();
    const secs = (performance.now() - t0) / 1000;
    const [{ end }] = await log.offsets('SCORED');
    if (end !== n) throw new Error(`${end} rows in the sink, expected ${n}`);
    const task = [...engine.tasks.values()][0];
    if (task.errors.count > 0) throw new Error(`${task.errors.count} processing errors`);
    return n / secs;
  } finally {
    await engine.close();
    await closeModels(engine);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PREDICT = 'PREDICT(failure, temp_mean, temp_max, vibration, event_count)->score AS p';
console.log(`PREDICT in a persistent query, KServe V2 at ${URL}`);
await measure(2000, PREDICT, 256); // warm up the server and the JIT
const baseline = await measure(ROWS, 'temp_mean + temp_max + vibration + event_count AS p', 256);
console.log(`  baseline (no model):        ${fmt(baseline)} (${ROWS} rows)`);
const batched = await measure(ROWS, PREDICT, 256);
console.log(`  PREDICT, BATCH_SIZE = 256:  ${fmt(batched)} (${ROWS} rows)`);
const single = await measure(SINGLE_ROWS, PREDICT, 1);
console.log(`  PREDICT, BATCH_SIZE = 1:    ${fmt(single)} (${SINGLE_ROWS} rows)`);
const ratio = batched / single;
console.log(`  batched / per-row: ${ratio.toFixed(1)}x (target >= 10x) ${ratio >= 10 ? 'OK' : 'BELOW TARGET'}`);
