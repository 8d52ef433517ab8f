import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';
import { bytes, pollN, segmentFiles, tempDir, text } from './helpers.ts';

/** 10 records of ~100 bytes each per call: frames of ~1.2 KB. */
const batch = (from: number, timestamp: number): ProducerRecord[] =>
  Array.from({ length: 10 }, (_, i) => ({
    key: null,
    value: bytes(`r${from + i}`.padEnd(100, '.')),
    timestamp,
  }));

const baseOf = (file: string): number => Number(path.basename(file, '.log'));

test('segments roll at segmentBytes and reads cross segment boundaries', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir, { segmentBytes: 4096, indexIntervalBytes: 1024 });
  await log.createTopic('r', { partitions: 1 });
  for (let i = 0; i < 20; i++) await log.producer().send('r', batch(i * 10, 0));
  const files = segmentFiles(dir, 'r', 0);
  assert.ok(files.length >= 5, `${files.length} segments`);
  // Segment names are 20-digit base offsets; each starts where the previous ended.
  assert.equal(path.basename(files[0]), '00000000000000000000.log');
  for (const f of files.slice(0, -1)) assert.ok(fs.statSync(f).size >= 4096);
  const bases = files.map(baseOf);
  assert.ok(bases.every((b, i) => i === 0 || b > bases[i - 1]));
  assert.ok(bases.every((b) => b % 10 === 0), 'a send is never split across segments');

  const check = async (): Promise<void> => {
    const c = log.consumer({ groupId: `g${Math.random()}`, topics: ['r'], fromBeginning: true });
    const all = await pollN(c, 200, 50);
    assert.equal(all.length, 200);
    all.forEach((r, i) => assert.equal(text(r.value)!.replace(/\.+$/, ''), `r${i}`));
    // Seek into every segment, at and around its base offset.
    for (const b of bases) {
      for (const o of [b - 1, b, b + 3]) {
        if (o < 0) continue;
        c.seek({ topic: 'r', partition: 0, offset: o });
        assert.equal((await c.poll(1, 100))[0].offset, o);
      }
    }
    await c.close();
  };
  await check();
  await log.close();
  log = await openEmbeddedLog(dir, { segmentBytes: 4096, indexIntervalBytes: 1024 });
  t.after(() => log.close());
  await check(); // same after rebuilding the indexes on open
});

test('retention by size deletes the oldest segments, never the active one', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir, { segmentBytes: 4096, retentionCheckIntervalMs: 0 });
  t.after(() => log.close());
  await log.createTopic('s', { partitions: 1, retentionBytes: 10_000 });
  const c = log.consumer({ groupId: 'g', topics: ['s'], fromBeginning: true });
  const c2 = log.consumer({ groupId: 'g2', topics: ['s'], fromBeginning: true });
  for (let i = 0; i < 30; i++) await log.producer().send('s', batch(i * 10, Date.now()));
  // Both positioned in the first segment.
  assert.equal((await c.poll(5, 100)).length, 5);
  assert.equal((await c2.poll(5, 100)).length, 5);

  const before = segmentFiles(dir, 's', 0);
  const deleted = log.runRetention();
  const after = segmentFiles(dir, 's', 0);
  assert.ok(deleted > 0);
  assert.equal(after.length, before.length - deleted);
  assert.deepEqual(after, before.slice(deleted));
  const size = after.reduce((n, f) => n + fs.statSync(f).size, 0);
  assert.ok(size >= 10_000 && size - fs.statSync(after[0]).size < 10_000, `kept ${size} bytes`);

  const [{ start, end }] = await log.offsets('s');
  assert.equal(start, baseOf(after[0]));
  assert.equal(end, 300);
  // A position below the new start continues at the start, no error.
  c.seek({ topic: 's', partition: 0, offset: 5 });
  const rest = await pollN(c, 300, 50);
  assert.equal(rest[0].offset, start);
  assert.equal(rest.length, 300 - start);
  // A consumer with records of the deleted segment already read into memory returns those,
  // then continues at the start.
  const rest2 = await pollN(c2, 300, 50);
  assert.equal(rest2[0].offset, 5);
  assert.ok(rest2.every((r, i) => i === 0 || r.offset > rest2[i - 1].offset));
  assert.equal(rest2.at(-1)!.offset, 299);
  assert.ok(rest2.some((r) => r.offset === start));

  // A tiny limit keeps just the active segment.
  const tiny = await openEmbeddedLog(tempDir(t), { segmentBytes: 2048, defaultRetentionBytes: 0 });
  t.after(() => tiny.close());
  await tiny.createTopic('x', { partitions: 1 });
  for (let i = 0; i < 10; i++) await tiny.producer().send('x', batch(i * 10, 0));
  tiny.runRetention();
  const [o] = await tiny.offsets('x');
  assert.ok(o.start > 0 && o.start < o.end);
});

test('retention by time deletes segments whose newest record is older than retentionMs', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir, { segmentBytes: 2048 });
  t.after(() => log.close());
  const hour = 3_600_000;
  const now = Date.now();
  await log.createTopic('tm', { partitions: 2, retentionMs: hour });
  const producer = log.producer();
  // Partition 0: old data, then new data; partition 1: new data only.
  for (let i = 0; i < 6; i++) {
    await producer.send('tm', batch(i * 10, now - 3 * hour).map((r) => ({ ...r, partition: 0 })));
  }
  for (let i = 6; i < 12; i++) {
    await producer.send('tm', batch(i * 10, now - 60_000).map((r) => ({ ...r, partition: 0 })));
    await producer.send('tm', batch(i * 10, now).map((r) => ({ ...r, partition: 1 })));
  }
  const seg1 = segmentFiles(dir, 'tm', 1);
  const deleted = log.runRetention(now);
  assert.ok(deleted > 0);
  assert.deepEqual(segmentFiles(dir, 'tm', 1), seg1, 'recent data is kept');
  const [p0, p1] = await log.offsets('tm');
  assert.equal(p1.start, 0);
  // Every old record is gone from partition 0, and every recent one is kept.
  assert.ok(p0.start > 0 && p0.start <= 60, `start ${p0.start}`);
  const c = log.consumer({ groupId: 'g', topics: ['tm'], fromBeginning: true });
  const all = await pollN(c, 1000, 50);
  assert.ok(all.filter((r) => r.partition === 0).every((r) => r.offset >= p0.start));
  assert.equal(all.filter((r) => r.partition === 0 && r.timestamp === now - 60_000).length, 60);

  // Everything old: all but the active segment go; the active one always stays.
  assert.ok(log.runRetention(now + 10 * hour) > 0);
  for (const p of [0, 1]) assert.equal(segmentFiles(dir, 'tm', p).length, 1);
  const [q0] = await log.offsets('tm');
  assert.equal(q0.end, 120);
  assert.ok(q0.start > 0);
});

test('compacted and unlimited topics are left alone by retention', async (t) => {
  const log = await openEmbeddedLog(tempDir(t), { segmentBytes: 1024 });
  t.after(() => log.close());
  await log.createTopic('forever', { partitions: 1 });
  await log.createTopic('compacted', { partitions: 1, cleanupPolicy: 'compact', retentionMs: 0, retentionBytes: 0 });
  for (let i = 0; i < 10; i++) {
    await log.producer().send('forever', batch(i * 10, 0));
    await log.producer().send('compacted', batch(i * 10, 0));
  }
  assert.equal(log.runRetention(), 0);
  assert.equal((await log.offsets('forever'))[0].start, 0);
  assert.equal((await log.offsets('compacted'))[0].start, 0);
});

test('retention also runs on its timer', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir, { segmentBytes: 1024, retentionCheckIntervalMs: 20 });
  t.after(() => log.close());
  await log.createTopic('timed', { partitions: 1, retentionMs: 1000 });
  for (let i = 0; i < 10; i++) await log.producer().send('timed', batch(i * 10, 0));
  const deadline = Date.now() + 5000;
  while ((await log.offsets('timed'))[0].start === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok((await log.offsets('timed'))[0].start > 0);
  assert.equal(segmentFiles(dir, 'timed', 0).length, 1);
});

test('deleteRecords drops the segments wholly below the offset, never the active one', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir, { segmentBytes: 4096, indexIntervalBytes: 1024 });
  await log.createTopic('r', { partitions: 1 });
  for (let i = 0; i < 20; i++) await log.producer().send('r', batch(i * 10, 0));
  const bases = segmentFiles(dir, 'r', 0).map(baseOf);
  // An offset inside the third segment: the first two go, the third (holding records >= offset) stays.
  await log.deleteRecords('r', [{ partition: 0, offset: bases[2] + 5 }]);
  assert.deepEqual(segmentFiles(dir, 'r', 0).map(baseOf), bases.slice(2));
  assert.deepEqual(await log.offsets('r'), [{ partition: 0, start: bases[2], end: 200 }]);
  const c = log.consumer({ groupId: 'after-purge', topics: ['r'], fromBeginning: true });
  const rest = await pollN(c, 200 - bases[2], 50);
  assert.equal(text(rest[0].value)!.replace(/\.+$/, ''), `r${bases[2]}`);
  await c.close();
  // Beyond the end: everything but the active segment.
  await log.deleteRecords('r', [{ partition: 0, offset: 10_000 }]);
  assert.equal(segmentFiles(dir, 'r', 0).length, 1);
  assert.equal((await log.offsets('r'))[0].end, 200);
  await log.close();
});
