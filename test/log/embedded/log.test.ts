import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { InvalidTopicError, openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import { TopicExistsError, UnknownTopicError, type ProducerRecord } from '../../../src/log/log.ts';
import { partitionForKey } from '../../../src/log/partitioner.ts';
import { bytes, pollN, tempDir, text } from './helpers.ts';

test('append and read back: key, value, timestamp, headers, nulls', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.equal(log.kind, 'embedded');
  await log.createTopic('events', { partitions: 1 });
  const records: ProducerRecord[] = [
    { key: bytes('k1'), value: bytes('v1'), timestamp: 1000 },
    { key: null, value: bytes('no key'), timestamp: 1001 },
    { key: bytes('tombstone'), value: null, timestamp: 1002 },
    { key: null, value: null, timestamp: 1003 },
    {
      key: bytes(''),
      value: bytes(''),
      timestamp: 1_700_000_000_123,
      headers: [
        { key: 'trace', value: bytes('abc') },
        { key: 'ünïcode', value: null },
        { key: 'empty', value: new Uint8Array(0) },
      ],
    },
  ];
  const results = await log.producer().send('events', records);
  assert.deepEqual(
    results,
    records.map((_, i) => ({ topic: 'events', partition: 0, offset: i })),
  );
  const consumer = log.consumer({ groupId: 'g', topics: ['events'], fromBeginning: true });
  const got = await pollN(consumer, 5);
  assert.equal(got.length, 5);
  assert.deepEqual(
    got.map((r) => [r.topic, r.partition, r.offset, text(r.key), text(r.value), r.timestamp]),
    [
      ['events', 0, 0, 'k1', 'v1', 1000],
      ['events', 0, 1, null, 'no key', 1001],
      ['events', 0, 2, 'tombstone', null, 1002],
      ['events', 0, 3, null, null, 1003],
      ['events', 0, 4, '', '', 1_700_000_000_123],
    ],
  );
  assert.deepEqual(got[0].headers, []);
  assert.deepEqual(
    got[4].headers.map((h) => [h.key, text(h.value)]),
    [
      ['trace', 'abc'],
      ['ünïcode', null],
      ['empty', ''],
    ],
  );
  // Records stay valid after more reads (they are views of buffers that are never reused).
  await log.producer().send('events', [{ key: null, value: bytes('later'), timestamp: 2000 }]);
  assert.equal(text((await pollN(consumer, 1))[0].value), 'later');
  assert.equal(text(got[0].value), 'v1');
  assert.deepEqual(await log.offsets('events'), [{ partition: 0, start: 0, end: 6 }]);
});

test('an empty send appends nothing', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('t', { partitions: 2 });
  assert.deepEqual(await log.producer().send('t', []), []);
  assert.deepEqual(await log.offsets('t'), [
    { partition: 0, start: 0, end: 0 },
    { partition: 1, start: 0, end: 0 },
  ]);
});

test('partitioning: explicit partition, Kafka key hash, sticky null keys', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('p', { partitions: 4 });
  const producer = log.producer();

  const keyed: ProducerRecord[] = Array.from({ length: 200 }, (_, i) => ({
    key: bytes(`user-${i}`),
    value: bytes(String(i)),
    timestamp: i,
  }));
  const res = await producer.send('p', keyed);
  for (let i = 0; i < keyed.length; i++) {
    assert.equal(res[i].partition, partitionForKey(keyed[i].key!, 4), `record ${i}`);
  }
  // Offsets per partition follow the call order.
  const next = [0, 0, 0, 0];
  for (const r of res) assert.equal(r.offset, next[r.partition]++);
  assert.ok(next.every((n) => n > 20), `keys spread over partitions: ${next}`);

  const explicit = await producer.send('p', [
    { key: bytes('user-1'), value: null, timestamp: 0, partition: 3 },
    { key: null, value: null, timestamp: 0, partition: 0 },
  ]);
  assert.deepEqual(
    explicit.map((r) => r.partition),
    [3, 0],
  );

  // Null keys: one partition per send call, moving on from call to call.
  const used = new Set<number>();
  for (let call = 0; call < 8; call++) {
    const r = await producer.send(
      'p',
      Array.from({ length: 5 }, () => ({ key: null, value: bytes('x'), timestamp: 0 })),
    );
    assert.equal(new Set(r.map((x) => x.partition)).size, 1);
    used.add(r[0].partition);
  }
  assert.equal(used.size, 4);

  // Records read back per partition in offset order, with their keys in the right partition.
  const consumer = log.consumer({ groupId: 'g', topics: ['p'], fromBeginning: true });
  const all = await pollN(consumer, 242);
  assert.equal(all.length, 242);
  const lastOffset = [-1, -1, -1, -1];
  for (const r of all) {
    assert.equal(r.offset, lastOffset[r.partition] + 1);
    lastOffset[r.partition] = r.offset;
  }
});

test('send validates before writing anything', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('v', { partitions: 2 });
  const producer = log.producer();
  await assert.rejects(producer.send('missing', [{ key: null, value: null, timestamp: 0 }]), UnknownTopicError);
  await assert.rejects(
    producer.send('v', [
      { key: null, value: bytes('ok'), timestamp: 0, partition: 0 },
      { key: null, value: bytes('bad'), timestamp: 0, partition: 2 },
    ]),
    /partition 2 out of range/,
  );
  await assert.rejects(
    producer.send('v', [{ key: null, value: null, timestamp: Number.NaN }]),
    /invalid timestamp/,
  );
  assert.deepEqual(
    (await log.offsets('v')).map((o) => o.end),
    [0, 0],
  );
  await producer.close();
  await assert.rejects(producer.send('v', []), /closed/);
});

test('topic operations', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir);
  t.after(() => log.close());

  await log.createTopic('b-topic', { partitions: 3, retentionMs: 60_000, replicationFactor: 3 });
  await assert.rejects(log.createTopic('b-topic', { partitions: 1 }), TopicExistsError);
  const ensured = await log.ensureTopic('b-topic', { partitions: 9 });
  assert.deepEqual(ensured, {
    name: 'b-topic',
    partitions: 3,
    replicationFactor: 1,
    config: { partitions: 3, replicationFactor: 3, retentionMs: 60_000 },
  });
  const created = await log.ensureTopic('a.topic_1', { partitions: 1, cleanupPolicy: 'compact' });
  assert.equal(created.partitions, 1);
  assert.deepEqual(
    (await log.listTopics()).map((d) => d.name),
    ['a.topic_1', 'b-topic'],
  );
  assert.equal(await log.describeTopic('nope'), null);
  assert.equal((await log.describeTopic('b-topic'))?.partitions, 3);

  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'topics', 'b-topic', 'topic.json'), 'utf8'));
  assert.equal(meta.config.partitions, 3);
  for (let p = 0; p < 3; p++) {
    assert.ok(fs.existsSync(path.join(dir, 'topics', 'b-topic', String(p), '00000000000000000000.log')));
  }

  await log.producer().send('b-topic', [{ key: bytes('k'), value: bytes('v'), timestamp: 1 }]);
  await log.deleteTopic('b-topic');
  assert.equal(fs.existsSync(path.join(dir, 'topics', 'b-topic')), false);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'trash')), []);
  assert.equal(await log.describeTopic('b-topic'), null);
  await assert.rejects(log.deleteTopic('b-topic'), UnknownTopicError);
  await assert.rejects(log.offsets('b-topic'), UnknownTopicError);

  // Re-created: empty, offsets from 0.
  await log.createTopic('b-topic', { partitions: 1 });
  assert.deepEqual(await log.offsets('b-topic'), [{ partition: 0, start: 0, end: 0 }]);
});

test('topic names are validated like Kafka', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  for (const bad of ['', '.', '..', 'has space', 'slash/name', 'ümlaut', 'x'.repeat(250)]) {
    await assert.rejects(log.createTopic(bad, { partitions: 1 }), InvalidTopicError, JSON.stringify(bad));
  }
  await assert.rejects(log.createTopic('a b', { partitions: 1 }), /may only contain ASCII letters, digits/);
  await log.createTopic('x'.repeat(249), { partitions: 1 });
  await log.createTopic('Aa.-_09', { partitions: 1 });
  await assert.rejects(log.createTopic('zero', { partitions: 0 }), /partitions must be an integer/);
  await assert.rejects(log.createTopic('frac', { partitions: 1.5 }), /partitions must be an integer/);
  assert.throws(
    () => log.consumer({ groupId: 'g', topics: ['bad name'], fromBeginning: true }),
    InvalidTopicError,
  );
});

test('a closed log refuses work', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  await log.createTopic('t', { partitions: 1 });
  await log.close();
  await log.close(); // idempotent
  await assert.rejects(log.listTopics(), /closed/);
  assert.throws(() => log.producer(), /closed/);
});

test('large sends are split into frames; records larger than a read chunk are read whole', async (t) => {
  const dir = tempDir(t);
  const options = { readChunkBytes: 4096, maxFrameBytes: 2000, verifyChecksumsOnRead: true };
  let log = await openEmbeddedLog(dir, options);
  await log.createTopic('big', { partitions: 1 });
  const records: ProducerRecord[] = Array.from({ length: 500 }, (_, i) => ({
    key: bytes(`k${i}`),
    value: bytes(String(i).repeat(i % 7 === 0 ? 3000 : 10)),
    timestamp: i,
  }));
  const res = await log.producer().send('big', records);
  assert.equal(res.at(-1)!.offset, 499);
  const check = async (): Promise<void> => {
    const c = log.consumer({ groupId: `g${Math.random()}`, topics: ['big'], fromBeginning: true });
    const got = await pollN(c, 500, 50);
    assert.equal(got.length, 500);
    got.forEach((r, i) => {
      assert.equal(r.offset, i);
      assert.equal(text(r.value), String(i).repeat(i % 7 === 0 ? 3000 : 10));
    });
    c.seek({ topic: 'big', partition: 0, offset: 350 });
    assert.equal(text((await c.poll(1, 50))[0].key), 'k350');
  };
  await check();
  await log.close();
  log = await openEmbeddedLog(dir, options);
  t.after(() => log.close());
  assert.deepEqual(log.recoveries, []);
  await check();
});

test('a header key too long for the format is refused before anything is written', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('h', { partitions: 2 });
  await assert.rejects(
    log.producer().send('h', [
      { key: null, value: null, timestamp: 0, partition: 0 },
      { key: null, value: null, timestamp: 0, partition: 1, headers: [{ key: 'k'.repeat(70_000), value: null }] },
    ]),
    /Header key too long/,
  );
  assert.deepEqual(
    (await log.offsets('h')).map((o) => o.end),
    [0, 0],
  );
});

test('segment files open at once stay within maxOpenSegments; evicted ones reopen on use', async (t) => {
  const dir = tempDir(t);
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  const before = fds();
  const log = await openEmbeddedLog(dir, { maxOpenSegments: 4 });
  t.after(() => log.close());
  for (let i = 0; i < 12; i++) {
    await log.createTopic(`t${i}`, { partitions: 2 });
    await log.producer().send(`t${i}`, [{ key: bytes('k'), value: bytes(`v${i}`), timestamp: i, partition: i % 2 }]);
  }
  // 24 partitions written: at most 4 segment files (plus the LOCK file's) are open.
  assert.ok(fds() - before <= 6, `${fds() - before} descriptors opened`);
  for (let i = 0; i < 12; i++) {
    await log.producer().send(`t${i}`, [{ key: bytes('k'), value: bytes(`w${i}`), timestamp: i, partition: i % 2 }]);
    const c = log.consumer({ groupId: `g${i}`, topics: [`t${i}`], fromBeginning: true });
    const got = await pollN(c, 2, 100);
    assert.deepEqual(got.map((r) => text(r.value)), [`v${i}`, `w${i}`]);
    await c.close();
  }
  assert.ok(fds() - before <= 6);
});

test('setPaused: poll skips exactly the paused partitions, keeps their position, and resumes them', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('q', { partitions: 2 });
  const producer = log.producer();
  await producer.send('q', [0, 1, 0, 1].map((partition, i) => ({ key: null, value: bytes(`v${i}`), timestamp: i, partition })));
  const consumer = log.consumer({ groupId: 'g', topics: ['q'], fromBeginning: true });
  consumer.setPaused!([{ topic: 'q', partition: 0 }]);
  const first = await consumer.poll(10, 50);
  assert.deepEqual(first.map((r) => [r.partition, r.offset]), [[1, 0], [1, 1]]);
  assert.equal(consumer.hasUnfetched!({ topic: 'q', partition: 0 }), true);
  assert.deepEqual(await consumer.poll(10, 20), []);
  consumer.setPaused!([]);
  assert.deepEqual((await consumer.poll(10, 50)).map((r) => [r.partition, r.offset]), [[0, 0], [0, 1]]);
  await consumer.close();
});
