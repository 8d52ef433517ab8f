/**
 * Stream-table enrichment join benchmark on the embedded log: a table of 100K users (JSON,
 * keyed by user id), then 1M click events (~150 B JSON) each joining one user row, end to end
 * (produce → query with the table in LMDB state + changelog → output topic), against the
 * JSON.parse + JSON.stringify ceiling of the same event records measured in the same run.
 *   node bench/join.bench.ts [events] [table rows]
 *
 * Phases: the table is produced and loaded into the join's state first (reported, not part of
 * the events' rate: the join does not order its two inputs by time within a batch, so events
 * consumed before their user row would find no match); then the events are produced (timed)
 * and joined (timed). Event i is for user (i · 7919) mod rows: every event finds its user,
 * every user is hit, and consecutive events hit scattered users (little locality for the cache).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { parseStringifyCeiling } from './bids.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const ROWS = Number(process.argv[3] ?? 100_000);
const BASE = 1_700_000_000_000;
const ACTIONS = ['view', 'click', 'add_to_cart', 'purchase'];
const TIERS = ['free', 'basic', 'pro', 'enterprise'];
const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR', 'IN', 'NG', 'CA'];

const userOf = (i: number): string => `u${(i * 7919) % ROWS}`;

function eventJson(i: number): string {
  return JSON.stringify({
    user: userOf(i),
    action: ACTIONS[i % 4],
    page: `https://shop.example.com/p/${(i % 9973).toString(36)}?ref=campaign`,
    amount: (i * 31) % 10_000,
    sessionId: `s-${(i >>> 3).toString(36)}`,
    ts: BASE + i,
  });
}

function userJson(u: number): string {
  return JSON.stringify({ name: `User number ${u}`, tier: TIERS[u % 4], country: COUNTRIES[u % 8], signup: BASE - u * 60_000 });
}

const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-'));
const events = new Array<Buffer>(N);
const keys = new Array<Buffer>(N);
for (let i = 0; i < N; i++) {
  events[i] = Buffer.from(eventJson(i));
  keys[i] = Buffer.from(userOf(i));
}
const avgBytes = events.reduce((n, b) => n + b.length, 0) / N;

parseStringifyCeiling(events.slice(0, 50_000)); // warm-up
const ceiling = parseStringifyCeiling(events);

const log = await openEmbeddedLog(dir);
// RIFFLE_BENCH_GUARANTEE=at_least_once: without the embedded log's exactly-once outputs (its default), for A/B.
const guarantee: Record<string, string> = process.env.RIFFLE_BENCH_GUARANTEE ? { 'processing.guarantee': process.env.RIFFLE_BENCH_GUARANTEE } : {};
const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest', 'commit.interval.ms': '2000', ...guarantee } });
await engine.execute(`CREATE TABLE users (id STRING PRIMARY KEY, name STRING, tier STRING, country STRING, signup BIGINT)
    WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
  CREATE STREAM clicks (user STRING KEY, action STRING, page STRING, amount BIGINT, sessionId STRING, ts BIGINT)
    WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);`);
const producer = log.producer();

// Phase 1: the table.
const tt0 = performance.now();
for (let u = 0; u < ROWS; u += 5000) {
  const batch = [];
  for (let v = u; v < Math.min(ROWS, u + 5000); v++) batch.push({ key: Buffer.from(`u${v}`), value: Buffer.from(userJson(v)), timestamp: BASE - 1 });
  await producer.send('users', batch);
}
await engine.execute(`CREATE STREAM enriched AS
  SELECT c.user AS user, c.action, c.amount, c.page, u.name, u.tier, u.country
  FROM clicks c JOIN users u ON c.user = u.id;`);
const task = engine.tasks.get('CSAS_ENRICHED_0')!;
while (task.consumed < ROWS) {
  if ((await task.step(100)) === 0) break;
}
const tableLoadMs = performance.now() - tt0;
if (task.consumed !== ROWS) throw new Error(`table load consumed ${task.consumed} of ${ROWS} rows`);

// Phase 2: the events, produced then joined.
const t0 = performance.now();
for (let i = 0; i < N; i += 5000) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + 5000); j++) batch.push({ key: keys[j], value: events[j], timestamp: BASE + j });
  await producer.send('clicks', batch);
}
const produceMs = performance.now() - t0;

const cpu0 = process.cpuUsage();
const t1 = performance.now();
while (task.consumed < ROWS + N) {
  if ((await task.step(100)) === 0) break;
}
await task.commitPending(); // the last state flush and offset commit are part of the work
const queryMs = performance.now() - t1;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const [{ end: outCount }] = await log.offsets('ENRICHED');
const store = engine.stores.stats('CSAS_ENRICHED_0');

// Sanity (not timed): every event was enriched with its own user's row.
const reader = log.consumer({ groupId: 'bench-reader', topics: ['ENRICHED'], fromBeginning: true });
let checked = 0;
for (let n = 0; n < outCount; ) {
  const batch = await reader.poll(50_000, 1000);
  if (!batch.length) break;
  for (const r of batch) {
    if (r.offset % 997 === 0) {
      const v = JSON.parse(Buffer.from(r.value!).toString('utf8')) as { NAME: string; AMOUNT: number };
      const u = Number(Buffer.from(r.key!).toString('utf8').slice(1));
      if (v.NAME !== `User number ${u}` || Buffer.from(r.key!).toString('utf8') !== userOf(r.offset) || v.AMOUNT !== (r.offset * 31) % 10_000) {
        throw new Error(`output ${r.offset} is wrong: ${Buffer.from(r.value!).toString('utf8')}`);
      }
      checked++;
    }
  }
  n += batch.length;
}
await reader.close();
if (outCount !== N) throw new Error(`${outCount} outputs for ${N} events: every event should join its user`);

const queryRate = N / (queryMs / 1000);
const e2eRate = N / ((produceMs + queryMs) / 1000);
const result = {
  events: N,
  tableRows: ROWS,
  avgEventBytes: Math.round(avgBytes),
  outputRecords: outCount,
  outputsChecked: checked,
  ceilingParseStringifyPerS: Math.round(ceiling),
  tableLoadRowsPerS: Math.round(ROWS / (tableLoadMs / 1000)),
  produceRecordsPerS: Math.round(N / (produceMs / 1000)),
  queryRecordsPerS: Math.round(queryRate),
  queryRecordsPerCpuS: Math.round(N / cpuS),
  endToEndRecordsPerS: Math.round(e2eRate),
  ratioQueryToCeiling: +(queryRate / ceiling).toFixed(3),
  ratioEndToEndToCeiling: +(e2eRate / ceiling).toFixed(3),
  target: 0.25,
  stores: store.map((s) => ({ name: s.name, ...Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'number')) })),
};
console.log(JSON.stringify(result, null, 2));
await producer.close();
await engine.close();
await log.close();
rmSync(dir, { recursive: true, force: true });
