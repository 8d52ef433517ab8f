import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';
import { bytes, pollN, tempDir, text } from './helpers.ts';

const rec = (v: string, partition?: number): ProducerRecord => ({ key: null, value: bytes(v), timestamp: 0, partition });

test('poll waits for an append and wakes on it', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('w', { partitions: 2 });
  const consumer = log.consumer({ groupId: 'g', topics: ['w'], fromBeginning: true });

  const started = performance.now();
  const pending = consumer.poll(10, 5000);
  setTimeout(() => void log.producer().send('w', [rec('hello', 1)]), 50);
  const got = await pending;
  const waited = performance.now() - started;
  assert.deepEqual(
    got.map((r) => [r.partition, r.offset, text(r.value)]),
    [[1, 0, 'hello']],
  );
  assert.ok(waited >= 40 && waited < 2000, `woke after ${waited} ms`);
});

test('poll returns empty after the timeout when nothing comes', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('idle', { partitions: 1 });
  const consumer = log.consumer({ groupId: 'g', topics: ['idle'], fromBeginning: true });
  const started = performance.now();
  assert.deepEqual(await consumer.poll(10, 80), []);
  const waited = performance.now() - started;
  assert.ok(waited >= 70 && waited < 1000, `waited ${waited} ms`);
  assert.deepEqual(await consumer.poll(10, 0), []);
  // An append to another topic does not end the wait early with records.
  await log.createTopic('other', { partitions: 1 });
  const pending = consumer.poll(10, 80);
  await log.producer().send('other', [rec('x')]);
  assert.deepEqual(await pending, []);
});

test('poll is fair across partitions and keeps offset order within each', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('f', { partitions: 3 });
  const producer = log.producer();
  for (let p = 0; p < 3; p++) {
    await producer.send(
      'f',
      Array.from({ length: 100 }, (_, i) => rec(`${p}:${i}`, p)),
    );
  }
  const consumer = log.consumer({ groupId: 'g', topics: ['f'], fromBeginning: true });
  const first = await consumer.poll(30, 100);
  assert.equal(first.length, 30);
  const perPartition = [0, 0, 0];
  for (const r of first) perPartition[r.partition]++;
  assert.deepEqual(perPartition, [10, 10, 10]);

  const rest = await pollN(consumer, 270);
  const all = [...first, ...rest];
  assert.equal(all.length, 300);
  const next = [0, 0, 0];
  for (const r of all) {
    assert.equal(r.offset, next[r.partition]);
    assert.equal(text(r.value), `${r.partition}:${r.offset}`);
    next[r.partition]++;
  }
  // Partitions that run dry leave their share to the others.
  await producer.send('f', Array.from({ length: 20 }, (_, i) => rec(`2:${100 + i}`, 2)));
  assert.equal((await consumer.poll(30, 100)).length, 20);
});

test('fromBeginning false starts at the end; committed offsets win over both', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('s', { partitions: 1 });
  const producer = log.producer();
  await producer.send('s', [rec('a'), rec('b'), rec('c')]);

  const latest = log.consumer({ groupId: 'late', topics: ['s'], fromBeginning: false });
  assert.deepEqual(await latest.poll(10, 20), []);
  await producer.send('s', [rec('d')]);
  assert.deepEqual(
    (await latest.poll(10, 100)).map((r) => text(r.value)),
    ['d'],
  );

  const first = log.consumer({ groupId: 'grp', topics: ['s'], fromBeginning: true });
  assert.equal((await pollN(first, 2)).length, 2);
  await first.commit([{ topic: 's', partition: 0, offset: 2 }]);
  await first.close();
  assert.deepEqual(await log.committed('grp', 's'), [{ topic: 's', partition: 0, offset: 2 }]);
  assert.deepEqual(await log.committed('grp', 'unknown'), []);
  assert.deepEqual(await log.committed('nobody', 's'), []);

  for (const fromBeginning of [true, false]) {
    const again = log.consumer({ groupId: 'grp', topics: ['s'], fromBeginning });
    assert.deepEqual(
      (await pollN(again, 2)).map((r) => text(r.value)),
      ['c', 'd'],
    );
    await again.close();
  }
  await log.deleteGroup('grp');
  assert.deepEqual(await log.committed('grp', 's'), []);
});

test('seek moves the position, also into the middle of a batch', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('k', { partitions: 2 });
  await log.producer().send(
    'k',
    Array.from({ length: 50 }, (_, i) => rec(String(i), 0)),
  );
  const consumer = log.consumer({ groupId: 'g', topics: ['k'], fromBeginning: true });
  assert.equal((await consumer.poll(5, 100)).length, 5);
  consumer.seek({ topic: 'k', partition: 0, offset: 37 });
  assert.deepEqual(
    (await pollN(consumer, 3)).map((r) => r.offset),
    [37, 38, 39],
  );
  consumer.seek({ topic: 'k', partition: 0, offset: 0 });
  assert.equal((await pollN(consumer, 50)).length, 50);
  // Past the end: reset per fromBeginning (here: to the start).
  consumer.seek({ topic: 'k', partition: 0, offset: 1000 });
  assert.equal((await pollN(consumer, 50))[0].offset, 0);
  assert.throws(() => consumer.seek({ topic: 'k', partition: 7, offset: 0 }), /not assigned/);
  assert.throws(() => consumer.seek({ topic: 'k', partition: 0, offset: -1 }), /Invalid seek offset/);
  assert.deepEqual(consumer.assignment(), [
    { topic: 'k', partition: 0 },
    { topic: 'k', partition: 1 },
  ]);
});

test('a topic deleted while a consumer reads does not crash it', async (t) => {
  const log = await openEmbeddedLog(tempDir(t), { segmentBytes: 1024 });
  t.after(() => log.close());
  await log.createTopic('gone', { partitions: 2 });
  await log.createTopic('stays', { partitions: 1 });
  const producer = log.producer();
  await producer.send(
    'gone',
    Array.from({ length: 100 }, (_, i) => rec(`r${i}`.padEnd(50, '.'), i % 2)),
  );
  const consumer = log.consumer({ groupId: 'g', topics: ['gone', 'stays'], fromBeginning: true });
  assert.equal((await consumer.poll(10, 100)).length, 10);
  await consumer.commit([{ topic: 'gone', partition: 0, offset: 5 }]);

  // Deleted between polls, with buffered data and open segments.
  await log.deleteTopic('gone');
  assert.deepEqual(await log.committed('g', 'gone'), []);
  assert.deepEqual(await consumer.poll(100, 20), []);
  assert.deepEqual(consumer.assignment(), [{ topic: 'stays', partition: 0 }]);
  // Commits for the vanished topic are ignored, not errors.
  await consumer.commit([{ topic: 'gone', partition: 0, offset: 9 }]);

  // Deleted while a poll waits: the poll ends quietly (empty, at its timeout).
  await log.createTopic('gone', { partitions: 1 });
  const waiting = consumer.poll(100, 150);
  await log.deleteTopic('gone');
  assert.deepEqual(await waiting, []);

  // Re-created later: picked up and read from its start.
  await log.createTopic('gone', { partitions: 1 });
  await producer.send('gone', [rec('new')]);
  assert.deepEqual(
    (await consumer.poll(10, 1000)).map((r) => text(r.value)),
    ['new'],
  );
});

test('closing the consumer or the log ends a waiting poll', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  await log.createTopic('c', { partitions: 1 });
  const a = log.consumer({ groupId: 'a', topics: ['c'], fromBeginning: true });
  const b = log.consumer({ groupId: 'b', topics: ['c'], fromBeginning: true });
  const started = performance.now();
  const pa = a.poll(10, 10_000);
  const pb = b.poll(10, 10_000);
  await a.close();
  assert.deepEqual(await pa, []);
  await assert.rejects(a.poll(1, 0), /closed/);
  await log.close();
  assert.deepEqual(await pb, []);
  assert.ok(performance.now() - started < 5000, 'the polls did not wait for their timeout');
});

test('a consumer of a topic that does not exist yet reads it once created', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  const consumer = log.consumer({ groupId: 'g', topics: ['future'], fromBeginning: false });
  assert.deepEqual(consumer.assignment(), []);
  const pending = consumer.poll(10, 5000);
  await log.createTopic('future', { partitions: 1 });
  await log.producer().send('future', [rec('first')]);
  const got = await pending;
  const more = got.length === 0 ? await consumer.poll(10, 1000) : got;
  assert.deepEqual(
    more.map((r) => text(r.value)),
    ['first'],
  );
});

test('consumers reading the same place share read chunks, which go once no cursor holds them', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  t.after(() => log.close());
  await log.createTopic('shared', { partitions: 1 });
  const values = Array.from({ length: 3000 }, (_, i) => `value-${i}-${'x'.repeat(40)}`);
  await log.producer().send('shared', values.map((v) => rec(v)));
  const a = log.consumer({ groupId: 'a', topics: ['shared'], fromBeginning: true });
  const b = log.consumer({ groupId: 'b', topics: ['shared'], fromBeginning: true });
  const chunks = log.topicState('shared')!.partitions[0].segments[0].chunks;
  const fromA = await a.poll(100, 1000);
  assert.equal(chunks.size, 1, 'a holds the chunk it read');
  const fromB = await b.poll(100, 1000);
  assert.equal(fromA[0].value!.buffer, fromB[0].value!.buffer, 'b took the chunk a holds');
  assert.deepEqual(fromB.map((r) => text(r.value)), values.slice(0, 100));
  // Both read to the end (a lagging reader reads its own chunks once the others let go).
  const restA = await pollN(a, 2900);
  const restB = await pollN(b, 2900);
  assert.deepEqual(restA.map((r) => text(r.value)), values.slice(100));
  assert.deepEqual(restB.map((r) => text(r.value)), values.slice(100));
  assert.equal(chunks.size, 0, 'chunks read to the end are let go');
  // A closed consumer lets go of what it held.
  const c = log.consumer({ groupId: 'c', topics: ['shared'], fromBeginning: true });
  await c.poll(10, 1000);
  assert.equal(chunks.size, 1);
  await c.close();
  assert.equal(chunks.size, 0);
});
