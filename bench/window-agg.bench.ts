/**
 * Windowed aggregation benchmark: TUMBLING 10 s COUNT + SUM per key (10K auctions) over 1M JSON
 * bids (~150 B) on the embedded log, end to end (produce → query with LMDB state + changelog →
 * windowed output topic), against the JSON.parse + JSON.stringify ceiling of the same records
 * measured in the same run.
 *   node bench/window-agg.bench.ts [records] [records per event-time second]
 *
 * Record timestamps advance by 1000 / rate ms per record. Default rate 10000/s: each auction gets
 * ten bids per 10 s window (100K windowed keys over the run), an aggregation that aggregates. At
 * 1000/s each window holds one bid per auction, so every record creates, persists and later
 * expires a window state of its own and nothing is aggregated (1M windowed keys): the
 * state-churn stress case, reported next to the default (`node bench/window-agg.bench.ts 1000000 1000`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { bidBuffers, parseStringifyCeiling } from './bids.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const RATE = Number(process.argv[3] ?? 10_000);
const BASE = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-'));
const buffers = bidBuffers(N);
const avgBytes = buffers.reduce((n, b) => n + b.length, 0) / N;

parseStringifyCeiling(buffers.slice(0, 50_000)); // warm-up
const ceiling = parseStringifyCeiling(buffers);

const log = await openEmbeddedLog(dir);
// RIFFLE_BENCH_GUARANTEE=at_least_once: without the embedded log's exactly-once outputs (its default), for A/B.
const guarantee: Record<string, string> = process.env.RIFFLE_BENCH_GUARANTEE ? { 'processing.guarantee': process.env.RIFFLE_BENCH_GUARANTEE } : {};
const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest', 'commit.interval.ms': '2000', ...guarantee } });
await engine.execute(`CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime BIGINT, extra STRING)
  WITH (KAFKA_TOPIC='bids', VALUE_FORMAT='JSON', PARTITIONS=1);`);

const producer = log.producer();
const t0 = performance.now();
for (let i = 0; i < N; i += 5000) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + 5000); j++) batch.push({ key: null, value: buffers[j], timestamp: BASE + Math.floor((j * 1000) / RATE) });
  await producer.send('bids', batch);
}
const produceMs = performance.now() - t0;

await engine.execute(`CREATE TABLE agg AS SELECT auction, COUNT(*) AS bids, SUM(price) AS volume
  FROM bids WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY auction EMIT CHANGES;`);
const task = engine.tasks.get('CTAS_AGG_0')!;
const cpu0 = process.cpuUsage();
const t1 = performance.now();
while (task.consumed < N) {
  if ((await task.step(100)) === 0) break;
}
await task.commitPending(); // the last state flush and offset commit are part of the work
const queryMs = performance.now() - t1;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const [{ end: outCount }] = await log.offsets('AGG');
const [store] = engine.stores.stats('CTAS_AGG_0');

// Sanity (not timed): the last COUNT per windowed key adds up to the input (in order: no drops).
const last = new Map<string, number>();
const reader = log.consumer({ groupId: 'bench-reader', topics: ['AGG'], fromBeginning: true });
for (let read = 0; read < outCount; ) {
  const batch = await reader.poll(50_000, 1000);
  if (!batch.length) break;
  read += batch.length;
  for (const r of batch) last.set(Buffer.from(r.key!).toString('latin1'), (JSON.parse(Buffer.from(r.value!).toString()) as { BIDS: number }).BIDS);
}
await reader.close();
let counted = 0;
for (const c of last.values()) counted += c;
if (counted !== N) throw new Error(`final counts add up to ${counted}, expected ${N}`);

const queryRate = N / (queryMs / 1000);
const e2eRate = N / ((produceMs + queryMs) / 1000);
const result = {
  records: N,
  eventRatePerS: RATE,
  avgRecordBytes: Math.round(avgBytes),
  outputRecords: outCount,
  windowedKeys: last.size,
  ceilingParseStringifyPerS: Math.round(ceiling),
  produceRecordsPerS: Math.round(N / (produceMs / 1000)),
  queryRecordsPerS: Math.round(queryRate),
  queryRecordsPerCpuS: Math.round(N / cpuS),
  endToEndRecordsPerS: Math.round(e2eRate),
  ratioQueryToCeiling: +(queryRate / ceiling).toFixed(3),
  ratioEndToEndToCeiling: +(e2eRate / ceiling).toFixed(3),
  store: {
    entries: store.approximateCount,
    gets: store.gets,
    puts: store.puts,
    cacheHitRate: store.cache ? +(store.cache.hits / Math.max(1, store.cache.hits + store.cache.misses)).toFixed(3) : null,
    changelogRecords: store.changelog?.sentRecords ?? null,
    flushP99Us: Math.round(store.flushLatency.p99Us),
  },
};
console.log(JSON.stringify(result, null, 2));
await engine.close();
await log.close();
rmSync(dir, { recursive: true, force: true });
