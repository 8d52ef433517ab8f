/**
 * The consume path alone, per CPU-second: N Nexmark-like bids (~150 B JSON, 4 partitions, null
 * keys) are written once to Kafka and to an embedded log, then read to the end with a consumer
 * group polling 2000 records at a time (as a query task does), several times, alternating:
 *
 *   embedded  the embedded log (the yardstick: what a query pays to read its input there)
 *   library   Kafka, @platformatic/kafka's Fetch parser and record decoding
 *   riffle    Kafka, Riffle's (src/log/kafka/fetch-response.ts, record-batch-reader.ts)
 *
 *   bash scripts/kafka/with-broker.sh node bench/kafka-consume.bench.ts
 *
 * Env: RIFFLE_BENCH_RECORDS (default 500000), RIFFLE_BENCH_ROUNDS (default 3), RIFFLE_BENCH_MODES
 * (default embedded,library,riffle). CPU is this
 * process's user + system time (the broker runs elsewhere on the same cores: compare the ratios
 * of one run, not absolute figures across runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { kafkaConfigFromEnv, openKafkaLog } from '../src/log/kafka/index.ts';
import type { Consumer, Log, ProducerRecord } from '../src/log/log.ts';
import { bidJson } from './bids.ts';

const total = Number(process.env.RIFFLE_BENCH_RECORDS ?? 500_000);
const rounds = Number(process.env.RIFFLE_BENCH_ROUNDS ?? 3);
const modes = (process.env.RIFFLE_BENCH_MODES ?? 'embedded,library,riffle').split(',') as Mode[];
const PARTITIONS = 4;
const POLL = 2000;

const config = kafkaConfigFromEnv(process.env);
if (config.bootstrapServers.length === 0) {
  console.error('RIFFLE_BOOTSTRAP_SERVERS is not set: run via scripts/kafka/with-broker.sh node bench/kafka-consume.bench.ts');
  process.exit(2);
}
const kafka = await openKafkaLog({ ...config, clientId: 'riffle-consume-bench' });
const dir = mkdtempSync(join(tmpdir(), 'riffle-consume-bench-'));
const embedded = await openEmbeddedLog(join(dir, 'log'));
const topic = `consume-bench-${Date.now().toString(36)}`;

async function fill(log: Log): Promise<void> {
  await log.createTopic(topic, { partitions: PARTITIONS });
  const producer = log.producer();
  const now = Date.now();
  for (let start = 0; start < total; start += 10_000) {
    const byPartition: ProducerRecord[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = start; i < Math.min(total, start + 10_000); i++) byPartition[i % PARTITIONS].push({ key: null, value: Buffer.from(bidJson(i)), timestamp: now + i, partition: i % PARTITIONS });
    await Promise.all(byPartition.map((records) => producer.send(topic, records)));
  }
  await producer.close();
}

async function consumeAll(consumer: Consumer): Promise<{ cpuS: number; userS: number; wallS: number }> {
  // The first poll joins the group: not timed.
  let count = (await consumer.poll(POLL, 10_000)).length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let checksum = 0;
  while (count < total) {
    const records = await consumer.poll(POLL, 5000);
    if (records.length === 0) throw new Error(`stalled after ${count} records`);
    for (const r of records) checksum += r.value!.length;
    count += records.length;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (checksum <= 0) throw new Error('no bytes read');
  await consumer.close();
  return { cpuS: (cpu.user + cpu.system) / 1e6, userS: cpu.user / 1e6, wallS };
}

await fill(kafka);
await fill(embedded);
type Mode = 'embedded' | 'library' | 'riffle';
const results = new Map<Mode, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const groupId = `${topic}-${mode}-${round}`;
    const consumer =
      mode === 'embedded'
        ? embedded.consumer({ groupId, topics: [topic], fromBeginning: true })
        : kafka.consumer({ groupId, topics: [topic], fromBeginning: true, batchDecoder: mode });
    const r = await consumeAll(consumer);
    const perCpuS = total / r.cpuS;
    results.set(mode, [...(results.get(mode) ?? []), perCpuS]);
    console.log(
      `round ${round + 1} ${mode.padEnd(8)} ${Math.round(perCpuS).toLocaleString('en-US').padStart(10)} records/CPU-s  (${r.cpuS.toFixed(2)} CPU-s, user ${r.userS.toFixed(2)}, wall ${r.wallS.toFixed(2)} s)`,
    );
  }
}
const best = (m: Mode) => Math.max(...(results.get(m) ?? [NaN]));
console.log(
  `best of ${rounds}: riffle/library ${(best('riffle') / best('library')).toFixed(2)}x, riffle/embedded ${(best('riffle') / best('embedded')).toFixed(2)}, ` +
    `library/embedded ${(best('library') / best('embedded')).toFixed(2)}; Kafka consume cost per record above embedded: ` +
    `riffle ${((1 / best('riffle') - 1 / best('embedded')) * 1e9).toFixed(0)} ns, library ${((1 / best('library') - 1 / best('embedded')) * 1e9).toFixed(0)} ns`,
);
await kafka.deleteTopic(topic);
await kafka.close();
await embedded.close();
rmSync(dir, { recursive: true, force: true });
