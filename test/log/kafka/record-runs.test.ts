import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProduceRequestV11, type BatchMessage } from '../../../src/log/kafka/record-batch.ts';
import { recordRun, RunSequences } from '../../../src/log/kafka/record-runs.ts';

const sequences = (entries: Record<string, number>) => ({ getWithDefault: (key: string, fallback: number) => entries[key] ?? fallback });

function records(n: number, partition: number, seed = 0): BatchMessage[] {
  return Array.from({ length: n }, (_, i) => ({ topic: 't', partition, key: i % 2 ? Buffer.from(`k${i + seed}`) : null, value: Buffer.from(`value-${i + seed}`), timestamp: 1_700_000_000_000 + i }));
}

test('real sequences advance by the records of each request, while the library counts one per run', () => {
  const runs = new RunSequences();
  assert.equal(runs.firstSequence('t:0', 7n, 0, 0, 100), 0);
  assert.equal(runs.firstSequence('t:0', 7n, 0, 1, 30), 100);
  assert.equal(runs.firstSequence('t:0', 7n, 0, 2, 5), 130);
  // A retry of request 1 (same library sequence, same records): the same real sequence.
  assert.equal(runs.firstSequence('t:0', 7n, 0, 1, 30), 100);
  // Partitions are independent.
  assert.equal(runs.firstSequence('t:1', 7n, 0, 0, 9), 0);
  assert.equal(runs.firstSequence('t:0', 7n, 0, 3, 1), 135);
  // A new producer session (the library re-initialised it) starts over.
  assert.equal(runs.firstSequence('t:0', 7n, 1, 0, 4), 0);
  assert.equal(runs.firstSequence('t:0', 7n, 1, 1, 4), 4);
});

test('an unknown sequence throws instead of guessing (a wrong guess could drop records as duplicates)', () => {
  const runs = new RunSequences();
  assert.throws(() => runs.firstSequence('t:0', 7n, 0, 3, 10), /starts at library sequence 3/);
  runs.firstSequence('t:0', 7n, 0, 0, 10);
  assert.throws(() => runs.firstSequence('t:0', 7n, 0, 2, 10), /built before request 1/);
  assert.throws(() => runs.firstSequence('t:0', 7n, 0, 0, 11), /rebuilt with 11 records instead of 10/);
});

test('sequences wrap at 2^31 as Kafka\'s do', () => {
  const runs = new RunSequences();
  let library = 0;
  let real = 0;
  for (const n of [2 ** 30, 2 ** 30, 5]) {
    assert.equal(runs.firstSequence('t:0', 1n, 0, library++, n), real);
    real = (real + n) % 2 ** 31;
  }
  assert.equal(runs.firstSequence('t:0', 1n, 0, library, 1), 5);
});

test('a request of runs is byte for byte the request of the same records sent one message each, with the real sequences', () => {
  const p0 = records(40, 0);
  const p2 = records(7, 2, 100);
  const options = { producerId: 12n, producerEpoch: 3, transactionalId: 'tx' };
  const runs = new RunSequences();
  // First request: library sequences 0 for both partitions.
  const first = createProduceRequestV11(-1, 30000, [{ topic: 't', partition: 0, value: recordRun(p0) as never }, { topic: 't', partition: 2, value: recordRun(p2) as never }], { ...options, sequences: sequences({}) }, runs);
  const expectedFirst = createProduceRequestV11(-1, 30000, [...p0, ...p2], { ...options, sequences: sequences({ 't:0': 0, 't:2': 0 }) });
  assert.deepEqual(Buffer.from(first.buffer), Buffer.from(expectedFirst.buffer));
  // Second request: the library says 1 (one message before), the broker expects 40 and 7.
  const more = records(3, 0, 500);
  const second = createProduceRequestV11(-1, 30000, [{ topic: 't', partition: 0, value: recordRun(more) as never }], { ...options, sequences: sequences({ 't:0': 1 }) }, runs);
  const expectedSecond = createProduceRequestV11(-1, 30000, more, { ...options, sequences: sequences({ 't:0': 40 }) });
  assert.deepEqual(Buffer.from(second.buffer), Buffer.from(expectedSecond.buffer));
});

test('records as the log produces them (Uint8Array fields, header arrays with string keys) encode like the library messages', async () => {
  const { encodeRecordBatch } = await import('../../../src/log/kafka/record-batch.ts');
  const asLog = [
    { key: new Uint8Array([1, 2, 3]), value: new TextEncoder().encode('{"a":1}'), timestamp: 1_700_000_000_000.7, headers: [{ key: 'ünï', value: new Uint8Array([0, 255]) }, { key: 'h', value: null }] },
    { key: null, value: null, timestamp: 1_699_999_999_000 },
    { key: new Uint8Array(0), value: new Uint8Array(0), timestamp: 1_700_000_005_000, headers: [] },
  ];
  const asLibrary = [
    { topic: 't', key: Buffer.from([1, 2, 3]), value: Buffer.from('{"a":1}'), timestamp: 1_700_000_000_000n, headers: new Map([[Buffer.from('ünï'), Buffer.from([0, 255])], [Buffer.from('h'), null as unknown as Buffer]]) },
    { topic: 't', key: null, value: null, timestamp: 1_699_999_999_000n },
    { topic: 't', key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 1_700_000_005_000n, headers: new Map() },
  ];
  const options = { producerId: 5n, producerEpoch: 1, firstSequence: 9 };
  assert.deepEqual(encodeRecordBatch(asLog, options), encodeRecordBatch(asLibrary, options));
});
