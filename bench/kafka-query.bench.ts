/**
 * The filter + projection query of filter-project.bench.ts (same bids, same SQL) on Apache Kafka
 * and on the embedded log in the same run: records/s of the query for each (input produced
 * first, then the query consumes it from the beginning to the end), and the ratio.
 *
 *   bash scripts/kafka/with-broker.sh node bench/kafka-query.bench.ts [records]
 *
 * Default 500,000 records. On Kafka the engine runs on a namespace of its own
 * (NamespacedKafkaLog), so a broker shared with other runs is fine; the namespace is deleted at
 * the end. The broker shares the machine's two cores with the engine: figures are end to end on
 * one small machine, not a broker benchmark. RIFFLE_BENCH_GUARANTEE=exactly_once_v2 runs the
 * Kafka side with transactions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { kafkaConfigFromEnv, NamespacedKafkaLog, openKafkaLog } from '../src/log/kafka/index.ts';
import type { Log } from '../src/log/log.ts';
import { freshPrefix } from '../src/testing/kafka-runner.ts';
import { bidBuffers } from './bids.ts';

const N = Number(process.argv[2] ?? 500_000);
const guarantee = process.env.RIFFLE_BENCH_GUARANTEE ?? 'at_least_once';
const config = kafkaConfigFromEnv(process.env);
if (config.bootstrapServers.length === 0) {
  console.error('RIFFLE_BOOTSTRAP_SERVERS is not set: run via scripts/kafka/with-broker.sh node bench/kafka-query.bench.ts');
  process.exit(2);
}
const buffers = bidBuffers(N);

interface Run {
  readonly produceRecordsPerS: number;
  readonly queryRecordsPerS: number;
  readonly queryRecordsPerCpuS: number;
  readonly outputRecords: number;
}

async function measure(log: Log, stateDir: string, properties: Record<string, string>): Promise<Run> {
  const engine = await Engine.open({ log, background: false, stateDir, properties: { 'auto.offset.reset': 'earliest', ...properties } });
  await engine.execute(`CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime BIGINT, extra STRING)
    WITH (KAFKA_TOPIC='bids', VALUE_FORMAT='JSON', PARTITIONS=1);`);
  const producer = log.producer();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 5000); j++) batch.push({ key: null, value: buffers[j], timestamp: 1_700_000_000_000 + j });
    await producer.send('bids', batch);
  }
  const produceMs = performance.now() - t0;
  await producer.close();

  await engine.execute(`CREATE STREAM out AS SELECT auction, bidder, price * 0.908 AS price_eur, channel, dateTime
    FROM bids WHERE auction % 2 = 0 AND channel <> 'Apple';`);
  const task = engine.tasks.get('CSAS_OUT_0')!;
  // The first step joins the group (Kafka); it is part of the run, as it is for a real query.
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  let idle = 0;
  while (task.consumed < N) {
    if ((await task.step(1000)) === 0 && ++idle > 30) throw new Error(`stalled at ${task.consumed} of ${N}`);
  }
  const queryMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  // Rows written (the topic's offsets would count transaction markers too under exactly-once).
  const outputRecords = task.emitted;
  await engine.close();
  return {
    produceRecordsPerS: Math.round(N / (produceMs / 1000)),
    queryRecordsPerS: Math.round(N / (queryMs / 1000)),
    queryRecordsPerCpuS: Math.round(N / ((cpu.user + cpu.system) / 1e6)),
    outputRecords,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-'));
const embeddedLog = await openEmbeddedLog(join(dir, 'log'));
const embedded = await measure(embeddedLog, join(dir, 'state-embedded'), {});
await embeddedLog.close();

const shared = await openKafkaLog({ ...config, clientId: 'riffle-bench' });
const ns = new NamespacedKafkaLog(shared, freshPrefix('bench'));
let kafka: Run;
try {
  kafka = await measure(ns, join(dir, 'state-kafka'), { 'processing.guarantee': guarantee });
} finally {
  await ns.destroy().catch(() => undefined);
  await shared.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  JSON.stringify(
    {
      records: N,
      avgRecordBytes: Math.round(buffers.reduce((n, b) => n + b.length, 0) / N),
      kafkaGuarantee: guarantee,
      embedded,
      kafka,
      ratioKafkaToEmbeddedQuery: +(kafka.queryRecordsPerS / embedded.queryRecordsPerS).toFixed(3),
      ratioKafkaToEmbeddedProduce: +(kafka.produceRecordsPerS / embedded.produceRecordsPerS).toFixed(3),
    },
    null,
    2,
  ),
);
if (kafka.outputRecords !== embedded.outputRecords) throw new Error(`outputs differ: Kafka ${kafka.outputRecords}, embedded ${embedded.outputRecords}`);
