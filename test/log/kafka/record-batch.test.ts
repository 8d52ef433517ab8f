import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordsBatch, produceV11, readRecordsBatch, Reader } from '@platformatic/kafka';
import { createProduceRequestV11, encodeRecordBatch, type BatchMessage } from '../../../src/log/kafka/record-batch.ts';

/** Sequences as the library keeps them (a NumericMap keyed "topic:partition"). */
function sequences(entries: Record<string, number>) {
  return { getWithDefault: (key: string, fallback: number) => entries[key] ?? fallback };
}

function messages(n: number, topic = 't', partition = 0): BatchMessage[] {
  const out: BatchMessage[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      topic,
      partition,
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 7 === 6 ? null : Buffer.alloc(i * 13, i & 0xff),
      // Out of order on purpose: negative deltas, a max that is not the last one.
      timestamp: BigInt(1_700_000_000_000 + ((i * 7919) % 5000) - 2500),
      headers: i % 4 === 1 ? new Map([[Buffer.from('h1'), Buffer.from('v1')], [Buffer.from('h2'), null as unknown as Buffer]]) : undefined,
    });
  }
  return out;
}

const copy = (ms: BatchMessage[]) => ms.map((m) => ({ ...m })); // the library mutates timestamps

test('a record batch is byte for byte the library encoding (keys, nulls, headers, large values, negative deltas)', () => {
  for (const n of [1, 2, 50, 300]) {
    const ms = messages(n);
    const options = { producerId: 4242n, producerEpoch: 3, sequences: sequences({ 't:0': 17 }), transactionalId: 'tx' };
    const theirs = createRecordsBatch(copy(ms) as never, options as never).buffer;
    const ours = encodeRecordBatch(ms, { producerId: 4242n, producerEpoch: 3, firstSequence: 17, transactional: true });
    assert.equal(ours.toString('hex'), Buffer.from(theirs).toString('hex'), `batch of ${n}`);
  }
  // Non-idempotent defaults: producer id -1, epoch 0, sequence 0, not transactional.
  const ms = messages(5);
  assert.deepEqual(encodeRecordBatch(ms), Buffer.from(createRecordsBatch(copy(ms) as never, {} as never).buffer));
});

test('the library reads our batch back: offsets, timestamps, keys, values and headers', () => {
  const ms = messages(40);
  const batch = readRecordsBatch(Reader.from(encodeRecordBatch(ms, { producerId: 7n })));
  assert.equal(batch.records.length, 40);
  assert.equal(batch.lastOffsetDelta, 39);
  assert.equal(batch.producerId, 7n);
  for (let i = 0; i < 40; i++) {
    const r = batch.records[i];
    assert.equal(r.offsetDelta, i);
    assert.equal(batch.firstTimestamp + r.timestampDelta, ms[i].timestamp);
    assert.equal(r.key?.length ? r.key.toString() : null, ms[i].key ? ms[i].key!.toString() : null);
    assert.equal(r.value?.length ?? 0, ms[i].value?.length ?? 0);
    assert.equal(r.headers.length, (ms[i].headers as Map<Buffer, Buffer> | undefined)?.size ?? 0);
  }
});

test('a produce v11 request is byte for byte the library request (several topics and partitions)', () => {
  const ms = [...messages(10, 'a', 0), ...messages(3, 'b', 2), ...messages(4, 'a', 1)];
  const options = { producerId: 9n, producerEpoch: 1, sequences: sequences({ 'a:0': 5, 'a:1': 0, 'b:2': 100 }), transactionalId: undefined };
  const theirs = produceV11.createRequest(-1, 30_000, copy(ms) as never, options as never).buffer;
  const ours = createProduceRequestV11(-1, 30_000, ms, options).buffer;
  assert.equal(Buffer.from(ours).toString('hex'), Buffer.from(theirs).toString('hex'));
  const txn = { ...options, transactionalId: 'riffle-tx' };
  assert.deepEqual(createProduceRequestV11(-1, 5000, ms, txn).buffer, produceV11.createRequest(-1, 5000, copy(ms) as never, txn as never).buffer);
});
