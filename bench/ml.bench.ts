/**
 * Model invocation throughput against the real local V2 servers (KServe's `failure` model:
 * scikit-learn StandardScaler + LogisticRegression, 4 FP64 features -> FP64 score; MLServer's
 * `failure`: the same model, INT64 label), in one run:
 *   batched:  BATCH_SIZE 256, MAX_IN_FLIGHT 4, rows handed over 1024 at a time (as the engine does)
 *   per-row:  BATCH_SIZE 1 (one HTTP request per row), MAX_IN_FLIGHT 4, and MAX_IN_FLIGHT 1
 * Prints rows/s for each and the batched / per-row ratio (target >= 10x).
 * Run: `bash scripts/ml/with-servers.sh node bench/ml.bench.ts`
 * Options: --rows N (batched, default 100000), --single-rows N (per row, default 1000),
 *          --server kserve|mlserver|both (default both).
 */
import { DOUBLE } from '../src/types/sql-type.ts';
import { ModelInvoker } from '../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../src/ml/spec.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const ROWS = Number(arg('rows', '100000'));
const SINGLE_ROWS = Number(arg('single-rows', '1000'));
const SERVER = arg('server', 'both');
const HANDOVER = 1024;

const servers: [string, string | undefined][] = [
  ['KServe', process.env.RIFFLE_KSERVE_URL],
  ['MLServer', process.env.RIFFLE_MLSERVER_URL],
];
if (servers.some(([, url]) => !url)) {
  console.error('RIFFLE_KSERVE_URL / RIFFLE_MLSERVER_URL not set: run `bash scripts/ml/with-servers.sh node bench/ml.bench.ts`');
  process.exit(2);
}

/** Deterministic device telemetry like train.py's: temp_mean, temp_max, vibration, event_count. */
function rows(n: number): number[][] {
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = 50 + ((i * 37) % 200) / 10;
    out[i] = [t, t + 5 + ((i * 13) % 100) / 10, ((i * 7) % 300) / 100, 10 + ((i * 11) % 20)];
  }
  return out;
}

const fmt = (r: number): string => `${Math.round(r).toLocaleString('en-US')} rows/s`;

async function measure(url: string, batchSize: number, inFlight: number, data: number[][]): Promise<number> {
  const inv = await ModelInvoker.open(
    modelSpecFromProperties(
      { PROVIDER: 'kserve-v2', ENDPOINT: url, MODEL_NAME: 'failure', BATCH_SIZE: batchSize, MAX_IN_FLIGHT: inFlight, TIMEOUT: '30s', ORDERED: false },
      ['temp_mean', 'temp_max', 'vibration', 'event_count'].map((name) => ({ name, type: DOUBLE })),
      [{ name: 'y', type: DOUBLE }],
    ),
  );
  await inv.invoke(data.slice(0, Math.min(data.length, batchSize * 8, 256))); // warm up connections and the server
  const t0 = performance.now();
  // Hand rows over in chunks with several chunks outstanding, so MAX_IN_FLIGHT is what limits.
  const chunk = Math.max(HANDOVER, batchSize);
  const pending: Promise<unknown>[] = [];
  let failed = 0;
  for (let s = 0; s < data.length; s += chunk) {
    pending.push(inv.invoke(data.slice(s, s + chunk)).then((out) => (failed += out.filter((o) => o.kind !== 'ok').length)));
    if (pending.length >= inFlight + 1) await pending.shift();
  }
  await Promise.all(pending);
  const secs = (performance.now() - t0) / 1000;
  const st = inv.stats();
  await inv.close();
  if (failed > 0) throw new Error(`${failed} rows failed: ${st.lastError}`);
  console.log(
    `  batch ${String(batchSize).padStart(3)}, ${inFlight} in flight: ${fmt(data.length / secs).padStart(16)}  ` +
      `(${data.length} rows, ${st.requests} requests, p50 ${st.latencyMs.p50?.toFixed(1)} ms, p99 ${st.latencyMs.p99?.toFixed(1)} ms)`,
  );
  return data.length / secs;
}

for (const [name, url] of servers) {
  if (SERVER !== 'both' && SERVER !== name.toLowerCase()) continue;
  console.log(`${name} V2 at ${url}, model failure`);
  const batched = await measure(url!, 256, 4, rows(ROWS));
  const single4 = await measure(url!, 1, 4, rows(SINGLE_ROWS));
  const single1 = await measure(url!, 1, 1, rows(Math.ceil(SINGLE_ROWS / 2)));
  console.log(`  batched / per-row: ${(batched / single4).toFixed(1)}x (same 4 in flight), ${(batched / single1).toFixed(1)}x (vs 1 in flight)`);
}
