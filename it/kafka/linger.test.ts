/**
 * At-least-once outputs on Kafka linger between commit points as encoded runs (the producer's
 * OutputBuffer: src/log/kafka/output-buffer.ts, src/exec/delivery.ts): every output reaches the
 * sink once, in its key's partition (Java's murmur2), in input order per key, with its timestamp,
 * also when a flush spans several produce requests and a run several segments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionForKey } from '../../src/log/partitioner.ts';
import { runUntilIdleOnKafka } from '../../src/testing/kafka-runner.ts';
import { dec, readAll, useTestBroker } from './helpers.ts';

const broker = useTestBroker();

test('lingering outputs (commit.interval.ms > 0): all written once, keyed into their partition, in order per key', { timeout: 120_000 }, async () => {
  const t = await broker.engine({ properties: { 'auto.offset.reset': 'earliest', 'commit.interval.ms': '60000', 'processing.guarantee': 'at_least_once' } });
  try {
    await t.engine.execute(`CREATE STREAM events (id STRING KEY, seq INT, pad STRING) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON', PARTITIONS=4);`);
    await t.engine.execute(`CREATE STREAM copy AS SELECT id, seq, pad FROM events;`);
    // ~4.6 MB of output: runs of more than one segment (256 KB) and of more than one request (900 KB per batch).
    const total = 4500;
    const pad = 'x'.repeat(1000);
    const p = t.log.producer();
    for (let start = 0; start < total; start += 500) {
      await p.send(
        'events',
        Array.from({ length: 500 }, (_, j) => {
          const seq = start + j;
          return { key: Buffer.from(`k${seq % 97}`), value: Buffer.from(JSON.stringify({ SEQ: seq, PAD: pad })), timestamp: 1_000_000 + seq };
        }),
      );
    }
    await p.close();
    await runUntilIdleOnKafka(t.engine);
    const out = await readAll(t.log, 'COPY');
    assert.equal(out.length, total);
    const lastSeq = new Map<string, number>();
    const seen = new Set<number>();
    for (const r of out) {
      const key = dec(r.key)!;
      const value = JSON.parse(dec(r.value)!);
      assert.equal(r.partition, partitionForKey(Buffer.from(key), 4), `${key} in its murmur2 partition`);
      assert.equal(r.timestamp, 1_000_000 + value.SEQ, 'the input timestamp carries over');
      assert.equal(value.PAD, pad);
      assert.equal(`k${value.SEQ % 97}`, key);
      assert.ok(value.SEQ > (lastSeq.get(key) ?? -1), `${key}: ${value.SEQ} after ${lastSeq.get(key)}`);
      lastSeq.set(key, value.SEQ);
      seen.add(value.SEQ);
    }
    assert.equal(seen.size, total, 'no duplicates, no gaps');
  } finally {
    await t.close();
  }
});
