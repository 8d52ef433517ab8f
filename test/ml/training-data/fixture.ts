/**
 * A query whose rows become training data: readings (every column type the files store, nulls,
 * text needing CSV quoting, non-ASCII) filtered and projected by a persistent query into FEATURES.
 */
import type { Engine } from '../../../src/engine/engine.ts';
import type { Log } from '../../../src/log/log.ts';

export const T0 = Date.UTC(2026, 10, 1);

export async function readingsQuery(engine: Engine, log: Log, n: number, partitions = 2): Promise<void> {
  await engine.execute(`CREATE STREAM readings (device STRING KEY, seq BIGINT, temp DOUBLE, ok BOOLEAN, note STRING, big BIGINT, at TIMESTAMP, n INT)
    WITH (KAFKA_TOPIC = 'readings', VALUE_FORMAT = 'JSON', PARTITIONS = ${partitions}, TIMESTAMP = 'at');`);
  await engine.execute(`CREATE STREAM features AS SELECT device, seq, temp * 2 AS temp2, ok, note, big, at, n, temp > 20 AS label FROM readings WHERE seq % 7 <> 3 EMIT CHANGES;`);
  const p = log.producer();
  const records = [];
  for (let i = 0; i < n; i++) {
    const value = {
      seq: i,
      temp: i % 11 === 0 ? null : 15 + ((i * 7919) % 1000) / 73.3,
      ok: i % 5 === 0 ? null : i % 2 === 0,
      note: i % 13 === 0 ? null : i % 3 === 0 ? `a "quoted", line\nbreak ${i}` : i % 3 === 1 ? `grüße ✓ ${i}` : '',
      big: i % 4 === 0 ? 9007199254740000 + i : -i,
      at: T0 + i * 1000,
      n: i % 17 === 0 ? null : (i * 31) % 1000,
    };
    records.push({ key: Buffer.from(`dev-${i % 5}`), value: Buffer.from(JSON.stringify(value)), timestamp: T0 + i * 1000 });
  }
  await p.send('readings', records);
  await p.close();
}
