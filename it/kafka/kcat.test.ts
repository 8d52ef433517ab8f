/**
 * Interop with an independent client: kcat (librdkafka). Records written by either side must read
 * back identically on the other: key, value, headers, timestamp, partition.
 * kcat is required (scripts/kafka/ensure-kcat.sh installs it); its absence fails these tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type KafkaLog, partitionForKey } from '../../src/log/kafka/index.ts';
import { dec, enc, kcat, kcatConsume, openTestLog, pollCount, unique } from './helpers.ts';


describe('interop with kcat (librdkafka)', { timeout: 120_000 }, () => {
  let log: KafkaLog;
  before(async () => {
    log = await openTestLog();
  });
  after(async () => {
    await log?.close();
  });

  test('records produced by kcat -P are read by the KafkaLog consumer', async () => {
    const topic = unique('kcat-in');
    await log.createTopic(topic, { partitions: 3 });
    const before = Date.now();
    // -K: key delimiter, -Z: empty key = NULL, -H: headers on every record, murmur2_random:
    // librdkafka's Java-compatible partitioner (its default, consistent_random, is CRC32).
    await kcat(['-P', '-t', topic, '-K', ':', '-Z', '-H', 'source=kcat', '-H', 'source=second', '-H', 'empty=', '-X', 'partitioner=murmur2_random'], 'user-1:{"a":1}\nuser-2:{"a":2}\nuser-1:{"a":3}\n:keyless\n');
    const afterSend = Date.now();
    const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
    const got = await pollCount(consumer, 4);
    const sorted = [...got].sort((a, b) => dec(a.value)!.localeCompare(dec(b.value)!));
    assert.deepEqual(
      sorted.map((r) => [dec(r.key), dec(r.value)]),
      [
        ['user-1', '{"a":1}'],
        ['user-2', '{"a":2}'],
        ['user-1', '{"a":3}'],
        [null, 'keyless'],
      ],
    );
    for (const r of got) {
      assert.deepEqual(
        r.headers.map((h) => [h.key, dec(h.value)]),
        [
          ['source', 'kcat'],
          ['source', 'second'],
          ['empty', ''],
        ],
      );
      assert.ok(r.timestamp >= before - 1000 && r.timestamp <= afterSend + 1000, `timestamp ${r.timestamp} is the produce time`);
      if (r.key !== null) assert.equal(r.partition, partitionForKey(r.key, 3), 'same partition as our partitioner');
    }
    // Both user-1 records share a partition and keep their order.
    const user1 = got.filter((r) => dec(r.key) === 'user-1');
    assert.equal(user1[0].partition, user1[1].partition);
    assert.ok(user1[0].offset < user1[1].offset);
    assert.equal(dec(user1[0].value), '{"a":1}');
    await consumer.close();
    await log.deleteTopic(topic);
  });

  test('records produced by KafkaLog read back identically by kcat -C', async () => {
    const topic = unique('kcat-out');
    await log.createTopic(topic, { partitions: 4 });
    const producer = log.producer();
    const ts = Date.UTC(2023, 5, 15, 12, 0, 0);
    const records = Array.from({ length: 12 }, (_, i) => ({
      key: i === 11 ? null : enc(`key-${i % 5}`),
      value: enc(`value ${i} ✓`),
      timestamp: ts + i,
      headers: [
        { key: 'i', value: enc(String(i)) },
        { key: 'kind', value: enc(i % 2 ? 'odd' : 'even') },
      ],
    }));
    const sent = await producer.send(topic, records);
    const read = await kcatConsume(topic);
    assert.equal(read.length, records.length);
    for (const r of read) {
      const i = Number(r.headers![1]);
      assert.equal(r.payload, `value ${i} ✓`);
      assert.equal(r.key, records[i].key === null ? null : `key-${i % 5}`);
      assert.equal(r.tstype, 'create');
      assert.equal(r.ts, ts + i);
      assert.deepEqual(r.headers, ['i', String(i), 'kind', i % 2 ? 'odd' : 'even']);
      assert.equal(r.partition, sent[i].partition);
      assert.equal(r.offset, sent[i].offset);
    }
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('KafkaLog and kcat (murmur2_random) put every key on the same partition', async () => {
    const topic = unique('kcat-part');
    const partitions = 7;
    await log.createTopic(topic, { partitions });
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}-${(i * 7919).toString(36)}`);
    await kcat(['-P', '-t', topic, '-K', '\t', '-X', 'partitioner=murmur2_random'], keys.map((k) => `${k}\tfrom-kcat`).join('\n') + '\n');
    const producer = log.producer();
    const sent = await producer.send(topic, keys.map((k) => ({ key: enc(k), value: enc('from-riffle'), timestamp: Date.now() })));
    const ours = new Map(keys.map((k, i) => [k, sent[i].partition]));
    const theirs = new Map((await kcatConsume(topic)).filter((r) => r.payload === 'from-kcat').map((r) => [r.key!, r.partition]));
    assert.equal(theirs.size, keys.length);
    for (const k of keys) assert.equal(ours.get(k), theirs.get(k), `key ${k}`);
    assert.ok(new Set(ours.values()).size === partitions, 'keys spread over all partitions');
    await producer.close();
    await log.deleteTopic(topic);
  });
});
