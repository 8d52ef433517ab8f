/**
 * Embedded log throughput: appends 1M records of ~170 bytes (16-byte key, ~150-byte value) in
 * sends of 1000, then reads them all back with a consumer (polls of 1000). Several rounds, each
 * on a fresh topic; prints every round, then the median and best (machines shared with other
 * work are noisy). Run: `node bench/log.bench.ts`
 * Options: --records N, --batch N, --partitions N, --poll N, --rounds N, --fsync.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProducerRecord } from '../src/log/log.ts';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const RECORDS = arg('records', 1_000_000);
const BATCH = arg('batch', 1000);
const PARTITIONS = arg('partitions', 1);
const POLL = arg('poll', 1000);
const ROUNDS = arg('rounds', 3);
const FSYNC = process.argv.includes('--fsync');

const fmt = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')} records/s`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Keys and values are encoded up front (the benchmark measures the log, not data generation)
// into one contiguous buffer, as views used in sequence: like the fresh, cache-warm output of a
// serializer. (65,536 separately allocated arrays picked at random would mostly measure cache
// misses and the GC's ArrayBuffer bookkeeping of the benchmark's own data.) Record objects are
// created per send, as a query does.
const POOL = 65_536;
const keys: Uint8Array[] = [];
const values: Uint8Array[] = [];
{
  const parts: Buffer[] = [];
  const note = 'x'.repeat(100);
  for (let n = 0; n < POOL; n++) {
    parts.push(Buffer.from(`key-${String(n).padStart(12, '0')}`));
    parts.push(Buffer.from(`{"id":${n},"device":"d-${n % 977}","reading":${(n % 1000) / 10},"note":"${note}"}`));
  }
  const all = Buffer.concat(parts);
  let pos = 0;
  for (let n = 0; n < POOL; n++) {
    keys.push(all.subarray(pos, (pos += parts[2 * n].length)));
    values.push(all.subarray(pos, (pos += parts[2 * n + 1].length)));
  }
}
const t0 = Date.now();
function makeBatch(b: number): ProducerRecord[] {
  const batch: ProducerRecord[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    batch[i] = { key: keys[n % POOL], value: values[n % POOL], timestamp: t0 + n };
  }
  return batch;
}

async function main(): Promise<void> {
  let bytes = 0;
  for (const r of makeBatch(0)) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
  console.log(
    `${RECORDS.toLocaleString('en-US')} records of ~${Math.round(bytes / BATCH)} bytes, sends of ${BATCH}, ` +
      `polls of ${POLL}, ${PARTITIONS} partition(s)${FSYNC ? ', fsync per send' : ''}, ${ROUNDS} rounds`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riffle-log-bench-'));
  const appendRates: number[] = [];
  const readRates: number[] = [];
  try {
    const log = await openEmbeddedLog(dir, { fsync: FSYNC });
    const producer = log.producer();
    for (let round = 0; round < ROUNDS; round++) {
      const topic = `bench-${round}`;
      await log.createTopic(topic, { partitions: PARTITIONS });

      let start = performance.now();
      for (let b = 0; b < RECORDS / BATCH; b++) await producer.send(topic, makeBatch(b));
      const appendMs = performance.now() - start;

      const consumer = log.consumer({ groupId: 'bench', topics: [topic], fromBeginning: true });
      start = performance.now();
      let read = 0;
      let checksum = 0;
      while (read < RECORDS) {
        const records = await consumer.poll(POLL, 1000);
        if (records.length === 0) throw new Error(`stalled after ${read} records`);
        read += records.length;
        // Touch every record so that nothing can be skipped.
        for (const r of records) checksum += r.value!.length + r.offset;
      }
      const readMs = performance.now() - start;
      await consumer.close();
      await log.deleteTopic(topic);

      appendRates.push(RECORDS / (appendMs / 1000));
      readRates.push(read / (readMs / 1000));
      console.log(
        `round ${round + 1}: append ${fmt(appendRates[round])} (${appendMs.toFixed(0)} ms), ` +
          `read ${fmt(readRates[round])} (${readMs.toFixed(0)} ms, checksum ${checksum})`,
      );
    }
    await log.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`append: median ${fmt(median(appendRates))}, best ${fmt(Math.max(...appendRates))}`);
  console.log(`read:   median ${fmt(median(readRates))}, best ${fmt(Math.max(...readRates))}`);
}

await main();
