/**
 * Child process for the kill -9 test: appends to the embedded log in `argv[2]` as fast as it
 * can and prints one line per acknowledged send: `<partition> <last offset>` for each partition
 * of the send. It prints with fs.writeSync, only after `send` resolved, so every printed offset
 * was acknowledged. The values are derived from partition and offset so the parent can check
 * every byte. Runs until killed.
 */
import fs from 'node:fs';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';

export function expectedValue(partition: number, offset: number): string {
  return `p${partition}-o${offset}-`.padEnd(40 + ((partition * 7 + offset) % 200), 'x');
}

if (process.argv[2] !== undefined) {
  const log = await openEmbeddedLog(process.argv[2], { segmentBytes: 256 * 1024 });
  await log.ensureTopic('crash', { partitions: 3 });
  const producer = log.producer();
  const enc = new TextEncoder();
  const next = (await log.offsets('crash')).map((o) => o.end);
  fs.writeSync(1, 'ready\n');
  for (let round = 0; ; round++) {
    const size = 1 + (round % 50);
    const records: ProducerRecord[] = [];
    for (let i = 0; i < size; i++) {
      const p = (round + i) % 3;
      records.push({
        key: enc.encode(`k${round}-${i}`),
        value: enc.encode(expectedValue(p, next[p]++)),
        timestamp: Date.now(),
        partition: p,
      });
    }
    const results = await producer.send('crash', records);
    const last = new Map<number, number>();
    for (const r of results) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset));
    fs.writeSync(1, [...last].map(([p, o]) => `${p} ${o}\n`).join(''));
  }
}
