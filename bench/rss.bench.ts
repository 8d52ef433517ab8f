/**
 * Memory under a long windowed aggregation: TUMBLING 10 s (RETENTION 1 MINUTE, GRACE 5 s) COUNT +
 * SUM per auction (10K keys) over up to 10M JSON bids on the embedded log, generated in chunks
 * (produce a chunk, process it, repeat: the records are never all in memory). RSS and heap are
 * sampled after every chunk; the input and output topics keep only ~256 MiB (consumed input is
 * deleted by retention), the data dir stays on disk. Stops early after a time budget.
 *   node bench/rss.bench.ts [records] [chunk] [budget minutes] [records per event-time second]
 *
 * Verdict "flat": after warm-up (the first 20% of the records processed), the highest RSS of the
 * last third of the samples is within 20% of the highest RSS of the first third.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { bidJson } from './bids.ts';

const N = Number(process.argv[2] ?? 10_000_000);
const CHUNK = Number(process.argv[3] ?? 500_000);
const BUDGET_MS = Number(process.argv[4] ?? 10) * 60_000;
const RATE = Number(process.argv[5] ?? 1000);
const BASE = 1_700_000_000_000;
const MiB = 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'riffle-rss-'));
const log = await openEmbeddedLog(dir, { retentionCheckIntervalMs: 0 });
const keep = { partitions: 1, retentionBytes: 256 * MiB };
await log.createTopic('bids', keep);
await log.createTopic('AGG', keep);
const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' } });
await engine.execute(`CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime BIGINT, extra STRING)
    WITH (KAFKA_TOPIC='bids', VALUE_FORMAT='JSON');
  CREATE TABLE agg AS SELECT auction, COUNT(*) AS bids, SUM(price) AS volume
    FROM bids WINDOW TUMBLING (SIZE 10 SECONDS, RETENTION 1 MINUTE, GRACE PERIOD 5 SECONDS) GROUP BY auction EMIT CHANGES;`);
const task = engine.tasks.get('CTAS_AGG_0')!;
const producer = log.producer();

interface Sample {
  records: number;
  seconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  storeEntries: number;
  diskMiB: number;
}
const samples: Sample[] = [];
const mib = (n: number) => Math.round((n / MiB) * 10) / 10;
const du = () => Number(execFileSync('du', ['-sm', dir]).toString().split('\t')[0]);

const t0 = performance.now();
const cpu0 = process.cpuUsage();
let produced = 0;
while (produced < N && performance.now() - t0 < BUDGET_MS) {
  const end = Math.min(N, produced + CHUNK);
  for (let i = produced; i < end; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(end, i + 5000); j++) batch.push({ key: null, value: Buffer.from(bidJson(j)), timestamp: BASE + Math.floor((j * 1000) / RATE) });
    await producer.send('bids', batch);
  }
  produced = end;
  while (task.consumed < produced) {
    if ((await task.step(100)) === 0) throw new Error(`query stalled at ${task.consumed} of ${produced}`);
  }
  log.runRetention();
  const m = process.memoryUsage();
  const [store] = engine.stores.stats('CTAS_AGG_0');
  samples.push({
    records: produced,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    rssMiB: mib(m.rss),
    heapUsedMiB: mib(m.heapUsed),
    heapTotalMiB: mib(m.heapTotal),
    externalMiB: mib(m.external),
    storeEntries: store.approximateCount,
    diskMiB: du(),
  });
  console.error(JSON.stringify(samples[samples.length - 1]));
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);

const afterWarmUp = samples.filter((s) => s.records > 0.2 * produced);
const third = Math.max(1, Math.floor(afterWarmUp.length / 3));
const maxOf = (xs: Sample[], f: (s: Sample) => number) => Math.max(...xs.map(f));
const firstRss = maxOf(afterWarmUp.slice(0, third), (s) => s.rssMiB);
const lastRss = maxOf(afterWarmUp.slice(-third), (s) => s.rssMiB);
const firstHeap = maxOf(afterWarmUp.slice(0, third), (s) => s.heapUsedMiB);
const lastHeap = maxOf(afterWarmUp.slice(-third), (s) => s.heapUsedMiB);
const result = {
  records: produced,
  requested: N,
  completed: produced === N,
  eventRatePerS: RATE,
  seconds: Math.round(seconds),
  recordsPerS: Math.round(produced / seconds),
  recordsPerCpuS: Math.round(produced / ((cpu.user + cpu.system) / 1e6)),
  outputRecords: task.emitted,
  samples,
  rss: { firstThirdMaxMiB: firstRss, lastThirdMaxMiB: lastRss, growth: +(lastRss / firstRss - 1).toFixed(3), flat: afterWarmUp.length >= 3 && lastRss <= firstRss * 1.2 },
  heapUsed: { firstThirdMaxMiB: firstHeap, lastThirdMaxMiB: lastHeap, growth: +(lastHeap / firstHeap - 1).toFixed(3) },
};
console.log(JSON.stringify(result, null, 2));
await producer.close();
await engine.close();
await log.close();
rmSync(dir, { recursive: true, force: true });
