import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TopicExistsError, UnknownTopicError } from '../../src/log/log.ts';
import { type KafkaLog, openKafkaLog } from '../../src/log/kafka/index.ts';
import { enc, openTestLog, unique } from './helpers.ts';

describe('KafkaLog topics and offsets', { timeout: 120_000 }, () => {
  let log: KafkaLog;
  before(async () => {
    log = await openTestLog();
  });
  after(async () => {
    await log?.close();
  });

  test('create, describe, list, delete', async () => {
    const name = unique('topic');
    await log.createTopic(name, { partitions: 3, replicationFactor: 1, retentionMs: 3_600_000, retentionBytes: 1 << 20 });
    const d = await log.describeTopic(name);
    assert.deepEqual(d, {
      name,
      partitions: 3,
      replicationFactor: 1,
      config: { partitions: 3, replicationFactor: 1, retentionMs: 3_600_000, retentionBytes: 1 << 20, cleanupPolicy: 'delete' },
    });
    const listed = await log.listTopics();
    assert.ok(listed.some((t) => t.name === name && t.partitions === 3));
    assert.ok(listed.every((t) => !t.name.startsWith('__')), 'internal topics are not listed');
    await log.deleteTopic(name);
    assert.equal(await log.describeTopic(name), null);
    assert.ok(!(await log.listTopics()).some((t) => t.name === name));
    // Deletion is complete: the name can be reused at once.
    await log.createTopic(name, { partitions: 1 });
    assert.equal((await log.describeTopic(name))?.partitions, 1);
    await log.deleteTopic(name);
  });

  test('compacted topic and broker-default settings', async () => {
    const name = unique('compact');
    await log.createTopic(name, { partitions: 2, cleanupPolicy: 'compact' });
    const d = await log.describeTopic(name);
    assert.equal(d?.config.cleanupPolicy, 'compact');
    assert.equal(d?.replicationFactor, 1, 'replication factor defaults to the broker default');
    // scripts/kafka/start.sh sets log.retention.ms=-1 (tests use old record timestamps).
    assert.equal(d?.config.retentionMs, -1, 'broker default retention');
    await log.deleteTopic(name);
  });

  test('errors: existing and unknown topics', async () => {
    const name = unique('dup');
    await log.createTopic(name, { partitions: 1 });
    await assert.rejects(log.createTopic(name, { partitions: 1 }), TopicExistsError);
    const missing = unique('missing');
    assert.equal(await log.describeTopic(missing), null);
    await assert.rejects(log.deleteTopic(missing), UnknownTopicError);
    await assert.rejects(log.offsets(missing), UnknownTopicError);
    await assert.rejects(log.producer().send(missing, [{ key: null, value: enc('x'), timestamp: Date.now() }]), UnknownTopicError);
    await log.deleteTopic(name);
  });

  test('ensureTopic creates once and returns the existing description after', async () => {
    const name = unique('ensure');
    const first = await log.ensureTopic(name, { partitions: 2 });
    assert.equal(first.partitions, 2);
    const second = await log.ensureTopic(name, { partitions: 5 });
    assert.equal(second.partitions, 2, 'an existing topic is not changed');
    await Promise.all([log.ensureTopic(unique('race'), { partitions: 1 }), log.ensureTopic(name, { partitions: 2 })]);
    await log.deleteTopic(name);
  });

  test('offsets: start and end per partition', async () => {
    const name = unique('offsets');
    await log.createTopic(name, { partitions: 2 });
    assert.deepEqual(await log.offsets(name), [
      { partition: 0, start: 0, end: 0 },
      { partition: 1, start: 0, end: 0 },
    ]);
    const producer = log.producer();
    await producer.send(name, [0, 1, 2].map((i) => ({ key: null, value: enc(`v${i}`), timestamp: Date.now(), partition: 1 })));
    assert.deepEqual(await log.offsets(name), [
      { partition: 0, start: 0, end: 0 },
      { partition: 1, start: 0, end: 3 },
    ]);
    await producer.close();
    await log.deleteTopic(name);
  });

  test('committed offsets of a group; deleteGroup', async () => {
    const name = unique('committed');
    const group = unique('group');
    await log.createTopic(name, { partitions: 3 });
    assert.deepEqual(await log.committed(group, name), []);
    const consumer = log.consumer({ groupId: group, topics: [name], fromBeginning: true });
    // A consumer that has not joined commits as a standalone member (the group is empty).
    await consumer.commit([
      { topic: name, partition: 0, offset: 5 },
      { topic: name, partition: 2, offset: 7 },
    ]);
    assert.deepEqual(await log.committed(group, name), [
      { topic: name, partition: 0, offset: 5 },
      { topic: name, partition: 2, offset: 7 },
    ]);
    await consumer.close();
    await log.deleteGroup(group);
    assert.deepEqual(await log.committed(group, name), []);
    await log.deleteGroup(unique('never-existed')); // no error
    await log.deleteTopic(name);
  });

  test('openKafkaLog fails clearly when no broker listens', async () => {
    await assert.rejects(
      openKafkaLog({ bootstrapServers: ['127.0.0.1:1'], requestTimeoutMs: 2000 }),
      /cannot reach Kafka at 127\.0\.0\.1:1/,
    );
    await assert.rejects(openKafkaLog({ bootstrapServers: [] }), /no bootstrap servers/);
  });
});
