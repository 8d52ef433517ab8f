import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ProducerRecord } from '../../src/log/log.ts';
import type { KafkaLog } from '../../src/log/kafka/index.ts';
import { byPartitionOffset, dec, enc, openTestLog, pollCount, pollFor, unique } from './helpers.ts';

describe('produce and consume', { timeout: 120_000 }, () => {
  let log: KafkaLog;
  before(async () => {
    log = await openTestLog();
  });
  after(async () => {
    await log?.close();
  });

  test('keys, values, headers and timestamps survive the round trip', async () => {
    const topic = unique('roundtrip');
    await log.createTopic(topic, { partitions: 3 });
    const base = Date.UTC(2024, 0, 1);
    const records: ProducerRecord[] = [
      { key: enc('alpha'), value: enc('{"n":1}'), timestamp: base, headers: [{ key: 'trace', value: enc('t-1') }] },
      // Repeated header names and null header values are legal in Kafka and must survive.
      { key: enc('beta'), value: enc('two'), timestamp: base + 1, headers: [{ key: 'h', value: enc('a') }, { key: 'h', value: null }, { key: 'ünï', value: new Uint8Array([0, 255]) }] },
      { key: null, value: enc('no key'), timestamp: base + 2 },
      { key: enc('tomb'), value: null, timestamp: base + 3 },
      { key: new Uint8Array(0), value: new Uint8Array(0), timestamp: base + 4 },
      { key: enc('gamma'), value: enc('pinned'), timestamp: base - 86_400_000, partition: 2 },
    ];
    const producer = log.producer();
    const sent = await producer.send(topic, records);
    assert.equal(sent.length, records.length);
    assert.equal(sent[5].partition, 2);
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    const got = await pollCount(consumer, records.length);
    for (let i = 0; i < records.length; i++) {
      const r = got.find((g) => g.partition === sent[i].partition && g.offset === sent[i].offset);
      assert.ok(r, `record ${i} at ${sent[i].partition}@${sent[i].offset} was consumed`);
      assert.equal(r.topic, topic);
      assert.deepEqual(r.key === null ? null : Buffer.from(r.key), records[i].key === null ? null : Buffer.from(records[i].key!));
      assert.deepEqual(r.value === null ? null : Buffer.from(r.value), records[i].value === null ? null : Buffer.from(records[i].value!));
      assert.equal(r.timestamp, records[i].timestamp);
      assert.deepEqual(
        r.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value)]),
        (records[i].headers ?? []).map((h) => [h.key, h.value === null ? null : Buffer.from(h.value)]),
      );
    }
    assert.deepEqual(await pollFor(consumer, 300), [], 'nothing else arrives');
    await consumer.close();
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('compressed batches (gzip, snappy, lz4, zstd) and large responses decode record for record', async () => {
    const topic = unique('compressed');
    await log.createTopic(topic, { partitions: 2 });
    const expected = new Map<string, string>();
    for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const producer = log.producer({ compression });
      // Values of varied sizes, some larger than a socket read, so records straddle chunks.
      const records = Array.from({ length: 300 }, (_, i) => ({
        key: enc(`${compression}-${i}`),
        value: enc(`${compression}:${i}:${'v'.repeat((i * 997) % 90_000)}`),
        timestamp: 1_700_000_000_000 + i,
        headers: i % 5 === 0 ? [{ key: 'c', value: enc(compression) }] : undefined,
      }));
      await producer.send(topic, records);
      for (const r of records) expected.set(dec(r.key)!, dec(r.value)!);
      await producer.close();
    }
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    const got = await pollCount(consumer, expected.size);
    assert.equal(got.length, expected.size);
    for (const r of got) {
      const k = dec(r.key)!;
      assert.equal(dec(r.value), expected.get(k), `value of ${k}`);
      const i = Number(k.split('-')[1]);
      assert.equal(r.timestamp, 1_700_000_000_000 + i);
      assert.deepEqual(r.headers.map((h) => h.key), i % 5 === 0 ? ['c'] : []);
    }
    // Offsets per partition are consecutive (no record lost or repeated while decoding).
    for (const p of [0, 1]) {
      const offsets = got.filter((r) => r.partition === p).map((r) => r.offset).sort((a, b) => a - b);
      assert.deepEqual(offsets, offsets.map((_, j) => offsets[0] + j));
    }
    await consumer.close();
    await log.deleteTopic(topic);
  });

  test('per-record offsets, partition order, chunked large sends', async () => {
    const topic = unique('order');
    await log.createTopic(topic, { partitions: 4 });
    const producer = log.producer({ maxRequestBytes: 64 * 1024 }); // forces many requests per send
    const value = Buffer.alloc(1000, 'x');
    const records = Array.from({ length: 2000 }, (_, i) => ({ key: enc(`key-${i % 37}`), value: Buffer.concat([enc(`${i}:`), value]), timestamp: Date.now() }));
    const sent = await producer.send(topic, records);
    // Per partition, offsets are 0..n-1 in send order.
    const perPartition = new Map<number, number[]>();
    sent.forEach((s, i) => perPartition.set(s.partition, [...(perPartition.get(s.partition) ?? []), i]));
    for (const [partition, indexes] of perPartition) {
      assert.deepEqual(indexes.map((i) => sent[i].offset), indexes.map((_, n) => n), `partition ${partition} offsets`);
    }
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true, maxBufferedRecords: 300 });
    const got = await pollCount(consumer, records.length);
    const lastOffset = new Map<number, number>();
    for (const r of got) {
      const previous = lastOffset.get(r.partition) ?? -1;
      assert.ok(r.offset > previous, 'offsets increase within a partition');
      lastOffset.set(r.partition, r.offset);
      const index = Number(dec(r.value)!.split(':')[0]);
      assert.equal(sent[index].partition, r.partition);
      assert.equal(sent[index].offset, r.offset);
    }
    await consumer.close();
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('seek, poll limits and fromBeginning=false', async () => {
    const topic = unique('seek');
    await log.createTopic(topic, { partitions: 1 });
    const producer = log.producer();
    await producer.send(topic, Array.from({ length: 10 }, (_, i) => ({ key: null, value: enc(`v${i}`), timestamp: Date.now() })));
    const latest = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: false });
    assert.deepEqual(await pollFor(latest, 1000), [], 'a new group without commits starts at the end');
    await producer.send(topic, [{ key: null, value: enc('v10'), timestamp: Date.now() }]);
    const [fresh] = await pollCount(latest, 1);
    assert.equal(fresh.offset, 10);
    await latest.close();

    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    const firstThree = await pollCount(consumer, 3);
    assert.deepEqual(firstThree.map((r) => r.offset), [0, 1, 2]);
    const limited = await consumer.poll(2, 5000);
    assert.ok(limited.length <= 2, 'poll returns at most maxRecords');
    consumer.seek({ topic, partition: 0, offset: 7 });
    const afterSeek = await pollCount(consumer, 4);
    assert.deepEqual(afterSeek.map((r) => r.offset), [7, 8, 9, 10]);
    consumer.seek({ topic, partition: 0, offset: 1 });
    assert.deepEqual((await pollCount(consumer, 2)).map((r) => r.offset), [1, 2], 'seeking backwards re-reads');
    assert.throws(() => consumer.seek({ topic, partition: 5, offset: 0 }), /not assigned/);
    // Past the end: the consumer resets (fromBeginning → earliest).
    consumer.seek({ topic, partition: 0, offset: 1000 });
    assert.equal((await pollCount(consumer, 1))[0].offset, 0);
    await consumer.close();
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('an empty poll waits about timeoutMs; records arriving meanwhile end the wait', async () => {
    const topic = unique('wait');
    await log.createTopic(topic, { partitions: 1 });
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    await consumer.poll(10, 100); // join
    const t0 = Date.now();
    assert.deepEqual(await consumer.poll(10, 700), []);
    const waited = Date.now() - t0;
    assert.ok(waited >= 650 && waited < 3000, `waited ${waited} ms`);
    const producer = log.producer();
    setTimeout(() => void producer.send(topic, [{ key: null, value: enc('late'), timestamp: Date.now() }]), 300);
    const t1 = Date.now();
    const got = await consumer.poll(10, 10_000);
    assert.equal(got.length, 1);
    assert.ok(Date.now() - t1 < 5000, 'returned when the record arrived');
    await assert.rejects(Promise.all([consumer.poll(1, 200), consumer.poll(1, 200)]), /already running/);
    await consumer.close();
    await assert.rejects(consumer.poll(1, 10), /closed/);
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('backpressure: fetching pauses while the buffer is full', async () => {
    const topic = unique('backpressure');
    await log.createTopic(topic, { partitions: 1 });
    const producer = log.producer();
    // 50 batches of 100 records (~2 KiB each): a Fetch returns whole batches, so a 4 KiB response
    // carries at most ~200 records beyond the 100-record bound.
    for (let b = 0; b < 50; b++) {
      await producer.send(topic, Array.from({ length: 100 }, (_, i) => ({ key: null, value: enc(`record-${b * 100 + i}`), timestamp: Date.now() })));
    }
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true, maxBufferedRecords: 100, maxPartitionFetchBytes: 4096 });
    const first = await pollCount(consumer, 1);
    assert.equal(first[0].offset, 0);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(consumer.buffered >= 100 && consumer.buffered < 400, `buffered ${consumer.buffered} records`);
    const rest = await pollCount(consumer, 4999);
    assert.equal(rest.at(-1)!.offset, 4999);
    assert.equal(consumer.buffered, 0);
    await consumer.close();
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('null keys go to one partition per send, spread across sends', async () => {
    const topic = unique('nullkey');
    await log.createTopic(topic, { partitions: 4 });
    const producer = log.producer();
    const used = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const sent = await producer.send(topic, Array.from({ length: 5 }, () => ({ key: null, value: enc('x'), timestamp: Date.now() })));
      assert.equal(new Set(sent.map((s) => s.partition)).size, 1);
      used.add(sent[0].partition);
    }
    assert.equal(used.size, 4);
    await assert.rejects(producer.send(topic, [{ key: null, value: enc('x'), timestamp: 0, partition: 4 }]), RangeError);
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('records in one partition stay ordered across concurrent polls and sends', async () => {
    const topic = unique('stream');
    await log.createTopic(topic, { partitions: 2 });
    const producer = log.producer();
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true, maxBufferedRecords: 50 });
    const sending = (async () => {
      for (let b = 0; b < 20; b++) {
        await producer.send(topic, Array.from({ length: 50 }, (_, i) => ({ key: enc(`k${i % 2}`), value: enc(String(b * 50 + i)), timestamp: Date.now() })));
      }
    })();
    const got = await pollCount(consumer, 1000);
    await sending;
    for (const partition of [0, 1]) {
      const values = byPartitionOffset(got).filter((r) => r.partition === partition);
      const inOrder = got.filter((r) => r.partition === partition);
      assert.deepEqual(inOrder.map((r) => r.offset), values.map((r) => r.offset));
    }
    await consumer.close();
    await producer.close();
    await log.deleteTopic(topic);
  });
});
