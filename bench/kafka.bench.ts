/**
 * Kafka throughput through the Log interface: produce N records of ~150 bytes (10-byte key,
 * 140-byte value) to a 1-partition topic in batches, then consume them all with one consumer.
 *
 *   bash scripts/kafka/with-broker.sh node bench/kafka.bench.ts
 *
 * Env: RIFFLE_BENCH_RECORDS (default 1000000), RIFFLE_BENCH_BATCH (records per send, default
 * 5000), RIFFLE_BENCH_INFLIGHT (concurrent sends, default 4), RIFFLE_BENCH_ENCODERS (default
 * `library,riffle,library,riffle`: the produce phase once per entry, each into a topic of its own,
 * with @platformatic/kafka's record-batch encoder or Riffle's (src/log/kafka/record-batch.ts), so
 * before and after are measured in one run, alternating against drift; the consume phase reads
 * the last topic). The broker runs on the same two cores as the client: figures are end-to-end
 * on one small machine, noisy, not a broker benchmark; the CPU time per record is the client's.
 */
import { kafkaConfigFromEnv, openKafkaLog } from '../src/log/kafka/index.ts';
import type { ProducerRecord } from '../src/log/log.ts';

const total = Number(process.env.RIFFLE_BENCH_RECORDS ?? 1_000_000);
const batchSize = Number(process.env.RIFFLE_BENCH_BATCH ?? 5000);
const inflight = Number(process.env.RIFFLE_BENCH_INFLIGHT ?? 4);
const encoders = (process.env.RIFFLE_BENCH_ENCODERS ?? 'library,riffle,library,riffle').split(',') as ('library' | 'riffle')[];

const config = kafkaConfigFromEnv(process.env);
if (config.bootstrapServers.length === 0) {
  console.error('RIFFLE_BOOTSTRAP_SERVERS is not set: run via scripts/kafka/with-broker.sh node bench/kafka.bench.ts');
  process.exit(2);
}
const log = await openKafkaLog({ ...config, clientId: 'riffle-bench' });
const stamp = Date.now().toString(36);

const value = Buffer.alloc(140, 'v');
function batch(start: number): ProducerRecord[] {
  const n = Math.min(batchSize, total - start);
  const now = Date.now();
  const out: ProducerRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = String(start + i).padStart(10, '0');
    out[i] = { key: Buffer.from(id, 'latin1'), value, timestamp: now };
  }
  return out;
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} records/s, ${((n * 150) / 1024 / 1024 / (ms / 1000)).toFixed(1)} MiB/s`;

// Produce: `inflight` sends in flight at once, each a batch of `batchSize`.
async function produce(topic: string, encoder: 'library' | 'riffle'): Promise<{ recordsPerS: number; recordsPerCpuS: number }> {
  await log.createTopic(topic, { partitions: 1 });
  const producer = log.producer({ batchEncoder: encoder });
  let next = 0;
  let lastOffset = -1;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  async function worker(): Promise<void> {
    while (next < total) {
      const start = next;
      next += batchSize;
      const results = await producer.send(topic, batch(start));
      lastOffset = Math.max(lastOffset, results.at(-1)!.offset);
    }
  }
  await Promise.all(Array.from({ length: inflight }, worker));
  const produceMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`produce (${encoder} encoder): ${total.toLocaleString('en-US')} records in ${(produceMs / 1000).toFixed(2)} s = ${rate(total, produceMs)}, ${Math.round(total / cpuS).toLocaleString('en-US')} records/CPU-s of the client (batch ${batchSize}, ${inflight} in flight, acks=all, idempotent)`);
  const [{ end }] = await log.offsets(topic);
  if (end !== total || lastOffset !== total - 1) throw new Error(`expected ${total} records, log end ${end}, last offset ${lastOffset}`);
  await producer.close();
  return { recordsPerS: total / (produceMs / 1000), recordsPerCpuS: total / cpuS };
}

const runs: { encoder: string; recordsPerS: number; recordsPerCpuS: number }[] = [];
let topic = '';
for (const [i, encoder] of encoders.entries()) {
  if (topic) await log.deleteTopic(topic);
  topic = `bench-${stamp}-${i}`;
  runs.push({ encoder, ...(await produce(topic, encoder)) });
}
const best = (e: string, k: 'recordsPerS' | 'recordsPerCpuS') => Math.max(0, ...runs.filter((r) => r.encoder === e).map((r) => r[k]));
if (best('library', 'recordsPerS') && best('riffle', 'recordsPerS')) {
  console.log(
    `riffle/library encoder (best of each): ${(best('riffle', 'recordsPerS') / best('library', 'recordsPerS')).toFixed(2)}x records/s, ` +
      `${(best('riffle', 'recordsPerCpuS') / best('library', 'recordsPerCpuS')).toFixed(2)}x records/CPU-s`,
  );
}

// Consume everything from the beginning.
const consumer = log.consumer({ groupId: `${topic}-g`, topics: [topic], fromBeginning: true });
await consumer.poll(1, 10_000); // join the group before timing (the first poll includes the join)
consumer.seek({ topic, partition: 0, offset: 0 });
let count = 0;
let expectedOffset = 0;
const t1 = performance.now();
while (count < total) {
  const records = await consumer.poll(10_000, 5000);
  if (records.length === 0) throw new Error(`stalled after ${count} records`);
  for (const r of records) {
    if (r.offset !== expectedOffset) throw new Error(`offset ${r.offset}, expected ${expectedOffset}`);
    expectedOffset++;
  }
  count += records.length;
}
const consumeMs = performance.now() - t1;
console.log(`consume: ${count.toLocaleString('en-US')} records in ${(consumeMs / 1000).toFixed(2)} s = ${rate(count, consumeMs)} (poll 10000, read_committed)`);
await consumer.close();
await log.deleteTopic(topic);
await log.close();
