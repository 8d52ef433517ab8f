import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodedRun, pooledSegments } from '../../../src/log/kafka/encoded-run.ts';
import { KafkaOutputBuffer, type RunSender } from '../../../src/log/kafka/output-buffer.ts';
import { createProduceRequestV11, type BatchMessage } from '../../../src/log/kafka/record-batch.ts';
import { recordRun, RunSequences } from '../../../src/log/kafka/record-runs.ts';
import { partitionForKey } from '../../../src/log/partitioner.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';

const sequences = (entries: Record<string, number>) => ({ getWithDefault: (key: string, fallback: number) => entries[key] ?? fallback });

/** Records with every shape the format has: null and empty keys, large values (2-3 byte varints), headers, timestamps going back. */
function records(n: number, seed = 0): BatchMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    topic: 't',
    key: i % 3 === 0 ? null : i % 3 === 1 ? Buffer.alloc(0) : Buffer.from(`k${i + seed}`),
    value: i % 7 === 0 ? null : Buffer.from(`value-${i + seed}`.repeat(1 + ((i * 37) % 5000))),
    timestamp: 1_700_000_000_000 + ((i * 7919) % 5000) - 2500,
    headers: i % 5 === 0 ? [{ key: 'h', value: Buffer.from('x') }, { key: 'ü', value: null }] : undefined,
  }));
}

function encode(list: readonly BatchMessage[]): EncodedRun {
  const run = new EncodedRun();
  for (const r of list) run.add(r, 0);
  return run;
}

test('a request of encoded runs is byte for byte the request built from the same records (sequences, CRC, segments)', () => {
  // Enough bytes for several segments (values up to ~50 KB), so records are written across them.
  const p0 = records(300, 0);
  const p3 = records(9, 1000);
  const options = { producerId: 12n, producerEpoch: 3, transactionalId: null };
  const runs = new RunSequences();
  const encodedP0 = encode(p0);
  assert.ok(encodedP0.segments.length > 2, `${encodedP0.segments.length} segments`);
  const got = createProduceRequestV11(-1, 30000, [{ topic: 't', partition: 0, value: encodedP0 as never }, { topic: 't', partition: 3, value: encode(p3) as never }], { ...options, sequences: sequences({}) }, runs);
  const expected = createProduceRequestV11(-1, 30000, [...p0.map((r) => ({ ...r, partition: 0 })), ...p3.map((r) => ({ ...r, partition: 3 }))], { ...options, sequences: sequences({ 't:0': 0, 't:3': 0 }) });
  assert.deepEqual(Buffer.from(got.buffer), Buffer.from(expected.buffer));
  // The next request continues the real sequences as record runs do.
  const more = records(4, 5000);
  const second = createProduceRequestV11(-1, 30000, [{ topic: 't', partition: 0, value: encode(more) as never }], { ...options, sequences: sequences({ 't:0': 1 }) }, runs);
  const expectedSecond = createProduceRequestV11(-1, 30000, more.map((r) => ({ ...r, partition: 0 })), { ...options, sequences: sequences({ 't:0': 300 }) });
  assert.deepEqual(Buffer.from(second.buffer), Buffer.from(expectedSecond.buffer));
});

test('an encoded run never shares its partition\'s batch with other records', () => {
  const run = encode(records(2));
  assert.throws(
    () => createProduceRequestV11(-1, 30000, [{ topic: 't', partition: 0, value: run as never }, { topic: 't', partition: 0, value: recordRun(records(1)) as never }], {}, new RunSequences()),
    /an encoded run and other records for t-0/,
  );
});

/** A sender recording requests (what KafkaProducer's core does on the wire is covered by it/kafka). */
function recordingSender(maxRequestBytes: number, partitions = 4): RunSender & { requests: { topic: string; runs: Map<number, EncodedRun> }[] } {
  const requests: { topic: string; runs: Map<number, EncodedRun> }[] = [];
  let rr = 0;
  return {
    requests,
    maxRequestBytes,
    partitionCount: () => partitions,
    nextRoundRobin: (_topic, n) => rr++ % n,
    async sendRuns(topic, runs) {
      requests.push({ topic, runs: new Map(runs) });
    },
  };
}

const record = (key: string | null, value: string, partition?: number): ProducerRecord => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(value), timestamp: 1000, partition });

test('the output buffer partitions as send does, splits requests by size, and flush/clear take what is buffered', async () => {
  const sender = recordingSender(200);
  const buffer = new KafkaOutputBuffer(sender);
  await buffer.add('a', [record('k1', 'v'.repeat(50)), record(null, 'n1'), record(null, 'n2'), record('x', 'y', 3)]);
  await buffer.add('b', [record(null, 'n3')]);
  assert.equal(buffer.records, 5);
  await buffer.flush();
  assert.equal(buffer.records, 0);
  const a = sender.requests.filter((r) => r.topic === 'a');
  assert.equal(a.length, 1);
  const k1 = partitionForKey(Buffer.from('k1'), 4);
  assert.equal(a[0].runs.get(k1)?.count ?? 0, k1 === 0 ? 3 : 1, 'k1 goes to its murmur2 partition');
  assert.equal(a[0].runs.get(0)?.count ?? 0, (k1 === 0 ? 1 : 0) + 2, 'null keys of one add() share a partition (round-robin starts at 0)');
  assert.equal(a[0].runs.get(3)?.count ?? 0, (k1 === 3 ? 1 : 0) + 1, 'an explicit partition is kept');
  const b = sender.requests.filter((r) => r.topic === 'b');
  assert.equal(b[0].runs.get(1)?.count, 1, 'the next add() takes the next partition for its null keys');
  // Size: records of ~124 estimated bytes in batches of at most 200 bytes: one per request.
  await buffer.add('c', [record(null, 'z'.repeat(100)), record(null, 'z'.repeat(100)), record(null, 'z'.repeat(100))]);
  await buffer.flush();
  assert.equal(sender.requests.filter((r) => r.topic === 'c').length, 3);
  // Batches of at most 300 bytes (2 records), requests of at most 8 x 300 bytes (19 records).
  const wide = recordingSender(300, 16);
  const perRequest = (requests: typeof wide.requests) => requests.map((r) => [...r.runs.values()].reduce((n, run) => n + run.count, 0));
  const wideBuffer = new KafkaOutputBuffer(wide);
  await wideBuffer.add('s', Array.from({ length: 40 }, (_, i) => record(null, 'z'.repeat(100), i % 16)));
  await wideBuffer.flush();
  assert.deepEqual(perRequest(wide.requests), [19, 19, 2]);
  assert.ok(wide.requests.every((r) => [...r.runs.values()].every((run) => run.count <= 2)));
  // clear() drops what was not flushed.
  await buffer.add('d', [record(null, 'gone')]);
  buffer.clear();
  await buffer.flush();
  assert.equal(sender.requests.filter((r) => r.topic === 'd').length, 0);
  // A bad partition adds nothing of the call.
  assert.throws(() => buffer.add('e', [record(null, 'ok'), record(null, 'bad', 4)]), /partition 4 out of range: topic 'e' has 4/);
  assert.equal(buffer.records, 0);
});

test('segments of answered runs are reused by later runs, whose requests stay byte for byte right; a failed send keeps its own', async () => {
  const big = (n: number, seed: number) => Array.from({ length: n }, (_, i) => record(`k${i}`, `v${seed}-${i}-`.repeat(400), 0));
  const requests: Buffer[] = [];
  let fail = false;
  const sender: RunSender = {
    maxRequestBytes: 1024 * 1024,
    partitionCount: () => 1,
    nextRoundRobin: () => 0,
    async sendRuns(topic, runs) {
      // As the producer does: the request is built (and copied by the connection) before the answer.
      const request = createProduceRequestV11(-1, 30000, [...runs].map(([partition, run]) => ({ topic, partition, value: run as never })), {}, new RunSequences());
      requests.push(Buffer.from(request.buffer));
      if (fail) throw new Error('broker down');
    },
  };
  const buffer = new KafkaOutputBuffer(sender);
  const before = pooledSegments();
  await buffer.add('t', big(300, 1)); // ~1.2 MB: several full-size segments
  await buffer.flush();
  const pooled = pooledSegments();
  assert.ok(pooled > before, `segments pooled after the answer: ${before} -> ${pooled}`);
  // A later run takes them, and writes over their old bytes: its request equals one built from records.
  const second = big(300, 2);
  await buffer.add('t', second);
  await buffer.flush();
  const expected = createProduceRequestV11(-1, 30000, second.map((r) => ({ ...r, topic: 't', partition: 0 }) as BatchMessage), { sequences: sequences({}) });
  assert.deepEqual(requests[1], Buffer.from(expected.buffer));
  assert.ok(pooledSegments() >= pooled, 'given back again');
  fail = true;
  const taken = pooledSegments();
  await buffer.add('t', big(300, 3));
  await assert.rejects(buffer.flush(), /broker down/);
  assert.ok(pooledSegments() < taken, 'a failed send does not give its segments back');
});
