/**
 * What one persistent query costs in resident memory and file descriptors, on the embedded log
 * with the engine running queries in the background (as `riffle run` does).
 *
 *   node bench/query-cost.ts [queries] [records] [partitions] [every n-th a GROUP BY; 0: none] [maxOpenSegments]
 *   (npm run measure:query-cost)
 *
 * One input stream (1 partition, `records` JSON rows over 50 keys); then `queries` persistent
 * queries over it, one in four a GROUP BY (a CTAS with an LMDB store and a changelog), the rest
 * filter/project CSAS. Waits until every query has processed the whole input, lets the process
 * sit idle as `riffle run` would (the engine gives unused heap back when idle; no forced GC), and
 * prints one JSON line: RSS and open file descriptors before the queries (engine and input
 * ready) and after, and the difference per query. RIFFLE_IDLE_RELEASE_MS sets the engine's idle
 * memory release interval (default 10 s), SETTLE_MS how long to sit idle (default 25 s).
 * Run it in its own process: RSS is the whole process's.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { idleMemoryReleaseStats } from '../src/engine/memory-release.ts';

export interface QueryCost {
  readonly queries: number;
  readonly groupBy: number;
  readonly records: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly fdsBefore: number;
  readonly fdsAfter: number;
  readonly rssPerQueryMiB: number;
  readonly fdsPerQuery: number;
  readonly seconds: number;
  /** process.memoryUsage() after, in MiB: where the memory is. */
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly arrayBuffersMiB: number;
  /**
   * V8's young and old generation as committed after (physical MiB): V8 sizes the young
   * generation from its heap limit (from the machine's memory), not from the number of queries
   * (on a 24 GB machine it grows to 128 MiB once busy); the old generation is let grow to a
   * multiple of what is live, plus the young generation's capacity, before a full GC.
   */
  readonly youngGenerationMiB: number;
  readonly oldGenerationMiB: number;
  /** RssAnon, RssFile, Threads from /proc/self/status. */
  readonly status: string;
  /** Memory-reducing collections the engine's idle memory release ran (before + after). */
  readonly idleReleases: number;
  /** Highest heapUsed and RSS sampled (every 50 ms) while the queries processed the input. */
  readonly peakHeapUsedMiB: number;
  readonly peakRssMiB: number;
}

function procStatus(): string {
  try {
    const text = fs.readFileSync('/proc/self/status', 'utf8');
    return ['RssAnon', 'RssFile', 'Threads'].map((k) => (new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(text)?.[1] ?? '?').replace(/\s+/g, ' ')).join(', ');
  } catch {
    return '';
  }
}

const MiB = 1024 * 1024;

function spaceMiB(name: string): number {
  return (v8.getHeapSpaceStatistics().find((s) => s.space_name === name)?.physical_space_size ?? 0) / MiB;
}
const round = (n: number) => Math.round(n * 100) / 100;

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/**
 * Waits as `riffle run` would sit idle (no forced GC here): the engine's idle memory release
 * (src/engine/memory-release.ts, every 10 s by default) gives V8's unused heap back once the
 * process has gone idle. Returns the RSS then.
 */
async function settle(): Promise<number> {
  await sleep(Number(process.env.SETTLE_MS ?? 25_000));
  return process.memoryUsage().rss / MiB;
}

export async function measureQueryCost(queries: number, records: number, partitions = 1, groupByEvery = 4, maxOpenSegments?: number): Promise<QueryCost> {
  const t0 = performance.now();
  const dir = fs.mkdtempSync(join(tmpdir(), 'riffle-query-cost-'));
  const log = await openEmbeddedLog(dir, { retentionCheckIntervalMs: 0, ...(maxOpenSegments ? { maxOpenSegments } : {}) });
  const idleMemoryReleaseMs = process.env.RIFFLE_IDLE_RELEASE_MS ? Number(process.env.RIFFLE_IDLE_RELEASE_MS) : undefined;
  const engine = await Engine.open({ log, background: true, idleMemoryReleaseMs, properties: { 'auto.offset.reset': 'earliest', ...(process.env.RIFFLE_BENCH_GUARANTEE ? { 'processing.guarantee': process.env.RIFFLE_BENCH_GUARANTEE } : {}) } });
  try {
    await engine.execute(
      `CREATE STREAM input (id STRING KEY, n BIGINT, v DOUBLE, s STRING) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON', PARTITIONS=${partitions});`,
    );
    const producer = log.producer();
    for (let i = 0; i < records; i += 1000) {
      const batch = [];
      for (let j = i; j < Math.min(records, i + 1000); j++) {
        batch.push({
          key: Buffer.from(`k${j % 50}`),
          value: Buffer.from(JSON.stringify({ N: j, V: j / 3, S: `s${j % 7}` })),
          timestamp: 1_700_000_000_000 + j,
        });
      }
      await producer.send('input', batch);
    }
    await producer.close();
    const rssBefore = await settle();
    const fdsBefore = openFds();
    let groupBy = 0;
    let peakHeapUsed = 0;
    let peakRss = 0;
    const sinks: { topic: string; min: number }[] = [];
    for (let q = 0; q < queries; q++) {
      if (groupByEvery > 0 && q % groupByEvery === groupByEvery - 1) {
        groupBy++;
        await engine.execute(`CREATE TABLE t${q} AS SELECT s, COUNT(*) AS c, SUM(v) AS total FROM input GROUP BY s EMIT CHANGES;`);
        sinks.push({ topic: `T${q}`, min: 1 });
      } else {
        await engine.execute(`CREATE STREAM s${q} AS SELECT id, n * 2 AS n2, UCASE(s) AS s FROM input WHERE n % ${(q % 5) + 1} = 0 EMIT CHANGES;`);
        sinks.push({ topic: `S${q}`, min: Math.floor((records - 1) / ((q % 5) + 1)) + 1 });
      }
    }
    // Every query has read the whole input (its sink holds all its rows), and no task has
    // consumed anything for a second (GROUP BY queries also read their repartition topics).
    const deadline = Date.now() + 600_000;
    const peak = setInterval(() => {
      const m = process.memoryUsage();
      peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 50);
    let lastConsumed = -1;
    for (;;) {
      let done = true;
      for (const s of sinks) {
        const offs = await log.offsets(s.topic);
        if (offs.reduce((a, o) => a + o.end - o.start, 0) < s.min) done = false;
      }
      const tasks = [...engine.tasks.values()];
      const consumed = tasks.reduce((a, t) => a + t.consumed, 0);
      if (tasks.some((t) => t.consumed < records)) done = false;
      if (done && consumed === lastConsumed) break;
      lastConsumed = consumed;
      if (Date.now() > deadline) throw new Error('queries did not finish within 10 minutes');
      await sleep(1000);
    }
    clearInterval(peak);
    const rssAfter = await settle();
    const fdsAfter = openFds();
    return {
      queries,
      groupBy,
      records,
      rssBeforeMiB: round(rssBefore),
      rssAfterMiB: round(rssAfter),
      fdsBefore,
      fdsAfter,
      rssPerQueryMiB: round((rssAfter - rssBefore) / queries),
      fdsPerQuery: round((fdsAfter - fdsBefore) / queries),
      seconds: round((performance.now() - t0) / 1000),
      heapUsedMiB: round(process.memoryUsage().heapUsed / MiB),
      heapTotalMiB: round(process.memoryUsage().heapTotal / MiB),
      arrayBuffersMiB: round(process.memoryUsage().arrayBuffers / MiB),
      youngGenerationMiB: round(spaceMiB('new_space')),
      oldGenerationMiB: round(spaceMiB('old_space')),
      status: procStatus(),
      idleReleases: idleMemoryReleaseStats().releases,
      peakHeapUsedMiB: round(peakHeapUsed / MiB),
      peakRssMiB: round(peakRss / MiB),
      ...(process.env.SMAPS ? { smaps: fs.writeFileSync(process.env.SMAPS, fs.readFileSync("/proc/self/smaps")) } : {}),
    };
  } finally {
    await engine.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const queries = Number(process.argv[2] ?? 100);
  const records = Number(process.argv[3] ?? 2000);
  const partitions = Number(process.argv[4] ?? 1);
  const groupByEvery = Number(process.argv[5] ?? 4);
  const maxOpenSegments = process.argv[6] ? Number(process.argv[6]) : undefined;
  console.log(JSON.stringify(await measureQueryCost(queries, records, partitions, groupByEvery, maxOpenSegments)));
}
