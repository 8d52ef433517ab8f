import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KafkaLog } from '../../src/log/kafka/index.ts';
import { dec, enc, openTestLog, pollCount, pollFor, unique } from './helpers.ts';

describe('transactions', { timeout: 120_000 }, () => {
  let log: KafkaLog;
  before(async () => {
    log = await openTestLog();
  });
  after(async () => {
    await log?.close();
  });

  test('aborted records are invisible to read_committed, visible to read_uncommitted', async () => {
    const topic = unique('txn');
    await log.createTopic(topic, { partitions: 2 });
    const txp = log.transactionalProducer(unique('tx'));
    const send = (values: string[]) => txp.send(topic, values.map((v, i) => ({ key: enc(`k${i}`), value: enc(v), timestamp: Date.now() })));

    await txp.beginTransaction();
    await send(['c1', 'c2']);
    await txp.commit();
    await txp.beginTransaction();
    await send(['a1', 'a2', 'a3']);
    await txp.abort();
    await txp.beginTransaction();
    await send(['c3']);
    await txp.commit();

    const committed = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true, isolationLevel: 'read_committed' });
    const got = await pollCount(committed, 3);
    assert.deepEqual(got.map((r) => dec(r.value)).sort(), ['c1', 'c2', 'c3']);
    assert.deepEqual(await pollFor(committed, 1000), [], 'aborted records never arrive');
    // Offsets have gaps where the transaction markers (and the aborted records) sit.
    const ends = await log.offsets(topic);
    assert.ok(ends.reduce((n, p) => n + p.end, 0) >= 6 + 3, 'each transaction wrote at least one marker');
    await committed.close();

    const uncommitted = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true, isolationLevel: 'read_uncommitted' });
    const all = await pollCount(uncommitted, 6);
    assert.deepEqual(all.map((r) => dec(r.value)).sort(), ['a1', 'a2', 'a3', 'c1', 'c2', 'c3']);
    await uncommitted.close();
    await txp.close();
    await log.deleteTopic(topic);
  });

  test('a large aborted transaction stays invisible when fetch responses cut it before its marker', async () => {
    const topic = unique('bigabort');
    await log.createTopic(topic, { partitions: 1 });
    const txp = log.transactionalProducer(unique('tx'));
    const big = Buffer.alloc(1024, 'a');
    await txp.beginTransaction();
    await txp.send(topic, Array.from({ length: 2000 }, () => ({ key: null, value: big, timestamp: Date.now() })));
    await txp.abort();
    await txp.beginTransaction();
    await txp.send(topic, [{ key: null, value: enc('after'), timestamp: Date.now() }]);
    await txp.commit();
    // 32 KiB per partition per fetch: ~60 responses, only the last one holds the abort marker.
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true, maxPartitionFetchBytes: 32 * 1024, fetchMaxBytes: 32 * 1024 });
    const got = await pollCount(consumer, 1);
    assert.deepEqual(got.map((r) => dec(r.value)), ['after']);
    assert.equal(got[0].offset, 2001, 'after 2000 aborted records and their marker');
    await consumer.close();
    await txp.close();
    await log.deleteTopic(topic);
  });

  test('an open transaction is invisible until it commits', async () => {
    const topic = unique('open');
    await log.createTopic(topic, { partitions: 1 });
    const txp = log.transactionalProducer(unique('tx'));
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    await txp.beginTransaction();
    await txp.send(topic, [{ key: null, value: enc('pending'), timestamp: Date.now() }]);
    assert.deepEqual(await pollFor(consumer, 1000), []);
    await txp.commit();
    assert.deepEqual((await pollCount(consumer, 1)).map((r) => dec(r.value)), ['pending']);
    await consumer.close();
    await txp.close();
    await log.deleteTopic(topic);
  });

  test('read-process-write: output and input offsets commit atomically (sendOffsets)', async () => {
    const input = unique('in');
    const output = unique('out');
    const group = unique('g');
    await log.createTopic(input, { partitions: 1 });
    await log.createTopic(output, { partitions: 1 });
    const producer = log.producer();
    await producer.send(input, ['x', 'y', 'z'].map((v) => ({ key: null, value: enc(v), timestamp: Date.now() })));

    const consumer = log.consumer({ groupId: group, topics: [input], fromBeginning: true });
    const txp = log.transactionalProducer(unique('tx'));
    const records = await pollCount(consumer, 3);

    // First attempt aborts: neither the output nor the offsets become visible.
    await txp.beginTransaction();
    await txp.send(output, records.map((r) => ({ key: null, value: enc(dec(r.value)!.toUpperCase()), timestamp: r.timestamp })));
    await txp.sendOffsets(group, [{ topic: input, partition: 0, offset: records.at(-1)!.offset + 1 }], consumer.groupMetadata());
    await txp.abort();
    assert.deepEqual(await log.committed(group, input), []);

    // Second attempt commits both.
    await txp.beginTransaction();
    await txp.send(output, records.map((r) => ({ key: null, value: enc(dec(r.value)!.toUpperCase()), timestamp: r.timestamp })));
    await txp.sendOffsets(group, [{ topic: input, partition: 0, offset: records.at(-1)!.offset + 1 }], consumer.groupMetadata());
    await txp.commit();
    assert.deepEqual(await log.committed(group, input), [{ topic: input, partition: 0, offset: 3 }]);

    const reader = log.consumer({ groupId: unique('g'), topics: [output], fromBeginning: true });
    assert.deepEqual((await pollCount(reader, 3)).map((r) => dec(r.value)), ['X', 'Y', 'Z']);
    assert.deepEqual(await pollFor(reader, 500), []);
    await Promise.all([reader.close(), consumer.close(), txp.close(), producer.close()]);
    await log.deleteTopic(input);
    await log.deleteTopic(output);
  });

  test('concurrent sends to several topics within one transaction all commit', async () => {
    const a = unique('conc-a');
    const b = unique('conc-b');
    await log.createTopic(a, { partitions: 3 });
    await log.createTopic(b, { partitions: 2 });
    const txp = log.transactionalProducer(unique('tx'));
    await txp.init();
    await txp.beginTransaction();
    const rec = (v: string, partition: number) => ({ key: null, value: enc(v), timestamp: Date.now(), partition });
    // Each send registers new partitions with the transaction; they must not fold into one another.
    await Promise.all([txp.send(a, [rec('a0', 0)]), txp.send(b, [rec('b1', 1)]), txp.send(a, [rec('a2', 2)]), txp.send(b, [rec('b0', 0)])]);
    await txp.commit();
    const ca = log.consumer({ groupId: unique('g'), topics: [a], fromBeginning: true });
    const cb = log.consumer({ groupId: unique('g'), topics: [b], fromBeginning: true });
    assert.deepEqual((await pollCount(ca, 2)).map((r) => dec(r.value)).sort(), ['a0', 'a2']);
    assert.deepEqual((await pollCount(cb, 2)).map((r) => dec(r.value)).sort(), ['b0', 'b1']);
    // An empty transaction ends locally (the coordinator would refuse EndTxn for it).
    await txp.beginTransaction();
    await txp.commit();
    await txp.beginTransaction();
    await txp.abort();
    await Promise.all([ca.close(), cb.close(), txp.close()]);
    await log.deleteTopic(a);
    await log.deleteTopic(b);
  });

  test('a restarted producer with the same transactional id fences the old one and aborts its open transaction', async () => {
    const topic = unique('fence');
    const id = unique('tx');
    await log.createTopic(topic, { partitions: 1 });
    const zombie = log.transactionalProducer(id);
    await zombie.beginTransaction();
    await zombie.send(topic, [{ key: null, value: enc('zombie'), timestamp: Date.now() }]);
    // The successor (a restart) registers the same id: the zombie's transaction is aborted.
    const successor = log.transactionalProducer(id);
    await successor.init();
    await successor.beginTransaction();
    await successor.send(topic, [{ key: null, value: enc('successor'), timestamp: Date.now() }]);
    await successor.commit();
    await assert.rejects(zombie.commit(), /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced/i);
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    assert.deepEqual((await pollCount(consumer, 1)).map((r) => dec(r.value)), ['successor']);
    assert.deepEqual(await pollFor(consumer, 500), []);
    await Promise.all([consumer.close(), zombie.close().catch(() => undefined), successor.close()]);
    await log.deleteTopic(topic);
  });

  test('misuse is reported', async () => {
    const topic = unique('misuse');
    await log.createTopic(topic, { partitions: 1 });
    const txp = log.transactionalProducer(unique('tx'));
    await assert.rejects(txp.send(topic, [{ key: null, value: enc('x'), timestamp: 0 }]), /no transaction in progress/);
    await assert.rejects(txp.commit(), /no transaction in progress/);
    await txp.beginTransaction();
    await assert.rejects(txp.beginTransaction(), /already in progress/);
    await txp.send(topic, [{ key: null, value: enc('x'), timestamp: Date.now() }]);
    await txp.close(); // aborts the open transaction
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    assert.deepEqual(await pollFor(consumer, 1000), []);
    await consumer.close();
    await log.deleteTopic(topic);
  });
});

