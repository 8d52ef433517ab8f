import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LogLockedError, openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';
import { expectedValue } from './crash-writer.ts';
import { bytes, pollN, segmentFiles, tempDir, text } from './helpers.ts';

const recs = (from: number, n: number): ProducerRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    key: bytes(`k${from + i}`),
    value: bytes(`value-${from + i}`),
    timestamp: from + i,
    headers: [{ key: 'h', value: bytes(String(from + i)) }],
  }));

async function readAll(dir: string, topic: string): Promise<string[]> {
  const log = await openEmbeddedLog(dir);
  try {
    const c = log.consumer({ groupId: 'check', topics: [topic], fromBeginning: true });
    const got = await pollN(c, 1_000_000, 50);
    got.forEach((r, i) => assert.equal(r.offset, i));
    return got.map((r) => text(r.value)!);
  } finally {
    await log.close();
  }
}

test('data and committed offsets survive reopening', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('t', { partitions: 2, retentionMs: 1234 });
  await log.producer().send('t', recs(0, 10));
  const c = log.consumer({ groupId: 'my group/with:odd chars', topics: ['t'], fromBeginning: true });
  await c.commit([
    { topic: 't', partition: 0, offset: 3 },
    { topic: 't', partition: 1, offset: 1 },
  ]);
  const offsets = await log.offsets('t');
  await log.close();

  log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.deepEqual(log.recoveries, []);
  assert.deepEqual(await log.offsets('t'), offsets);
  assert.equal((await log.describeTopic('t'))?.config.retentionMs, 1234);
  assert.deepEqual(await log.committed('my group/with:odd chars', 't'), [
    { topic: 't', partition: 0, offset: 3 },
    { topic: 't', partition: 1, offset: 1 },
  ]);
  // Only the group's offsets file (and the one before its last rewrite): no temp files left.
  assert.deepEqual(fs.readdirSync(path.join(dir, 'groups')).sort(), ['my%20group%2Fwith%3Aodd%20chars.offsets', 'my%20group%2Fwith%3Aodd%20chars.offsets.prev']);
  const c2 = log.consumer({ groupId: 'my group/with:odd chars', topics: ['t'], fromBeginning: true });
  const got = await pollN(c2, 1000, 50);
  assert.equal(got.length, offsets[0].end - 3 + offsets[1].end - 1);
  assert.equal(text(got[0].headers[0].value), text(got[0].value)!.slice('value-'.length));
});

for (const [name, damage] of [
  ['garbage bytes', (file: string) => fs.appendFileSync(file, Buffer.from('this is not a frame at all, just noise'))],
  ['a partial frame header', (file: string) => fs.appendFileSync(file, Buffer.from([200, 0, 0, 0, 1, 2, 3]))],
  ['zero bytes (pre-allocated, never written)', (file: string) => fs.appendFileSync(file, Buffer.alloc(4096))],
] as const) {
  test(`torn tail: ${name} after complete records is cut off`, async (t) => {
    const dir = tempDir(t);
    let log = await openEmbeddedLog(dir);
    await log.createTopic('t', { partitions: 1 });
    await log.producer().send('t', recs(0, 20));
    await log.producer().send('t', recs(20, 5));
    await log.close();
    const [file] = segmentFiles(dir, 't', 0);
    const goodSize = fs.statSync(file).size;
    damage(file);
    const damagedSize = fs.statSync(file).size;

    log = await openEmbeddedLog(dir);
    assert.equal(log.recoveries.length, 1);
    assert.equal(log.recoveries[0].kind, 'torn-tail');
    assert.equal(log.recoveries[0].kind === 'torn-tail' && log.recoveries[0].bytes, damagedSize - goodSize);
    assert.equal(fs.statSync(file).size, goodSize);
    assert.deepEqual(await log.offsets('t'), [{ partition: 0, start: 0, end: 25 }]);
    const res = await log.producer().send('t', recs(25, 3));
    assert.deepEqual(
      res.map((r) => r.offset),
      [25, 26, 27],
    );
    await log.close();
    assert.deepEqual(
      await readAll(dir, 't'),
      Array.from({ length: 28 }, (_, i) => `value-${i}`),
    );
  });
}

test('torn tail: a frame cut in the middle of its write is dropped whole', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('t', { partitions: 1 });
  await log.producer().send('t', recs(0, 10));
  const [file] = segmentFiles(dir, 't', 0);
  const before = fs.statSync(file).size;
  await log.producer().send('t', recs(10, 10));
  await log.close();
  const after = fs.statSync(file).size;
  fs.truncateSync(file, before + Math.floor((after - before) / 2));

  log = await openEmbeddedLog(dir);
  assert.match(log.recoveries[0].reason, /partial frame/);
  assert.deepEqual(await log.offsets('t'), [{ partition: 0, start: 0, end: 10 }]);
  await log.close();
  assert.deepEqual(
    await readAll(dir, 't'),
    Array.from({ length: 10 }, (_, i) => `value-${i}`),
  );
});

test('torn tail: a frame whose bytes do not match its CRC is dropped', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('t', { partitions: 1 });
  await log.producer().send('t', recs(0, 10));
  await log.producer().send('t', recs(10, 10));
  await log.close();
  const [file] = segmentFiles(dir, 't', 0);
  const data = fs.readFileSync(file);
  data[data.length - 3] ^= 0xff; // inside the last record of the last frame
  fs.writeFileSync(file, data);

  log = await openEmbeddedLog(dir);
  assert.match(log.recoveries[0].reason, /CRC mismatch/);
  assert.deepEqual(await log.offsets('t'), [{ partition: 0, start: 0, end: 10 }]);
  await log.close();
});

test('LOCK stops a second open; a stale lock of a dead process is taken over', async (t) => {
  const dir = tempDir(t);
  const log = await openEmbeddedLog(dir);
  assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim(), String(process.pid));
  await assert.rejects(openEmbeddedLog(dir), LogLockedError);
  await assert.rejects(openEmbeddedLog(path.join(dir, '.', '')), /already open in this process/);
  await log.close();
  assert.equal(fs.existsSync(path.join(dir, 'LOCK')), false);

  // Held by another live process (our parent, the test runner).
  fs.writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n`);
  await assert.rejects(openEmbeddedLog(dir), (e: unknown) => {
    assert.ok(e instanceof LogLockedError);
    assert.equal(e.pid, process.ppid);
    assert.match(e.message, new RegExp(`locked by process ${process.ppid}`));
    return true;
  });

  // Left behind by a process that is gone.
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  fs.writeFileSync(path.join(dir, 'LOCK'), `${dead}\n`);
  const again = await openEmbeddedLog(dir);
  assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim(), String(process.pid));
  await again.close();
});

test('kill -9 while appending: every acknowledged record survives', async (t) => {
  const dir = tempDir(t);
  const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
  const acked = [-1, -1, -1];
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    let lines = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('latin1');
        lines += chunk.toString('latin1').split('\n').length - 1;
        // Kill at a varying moment well into the run.
        if (lines > 300 + round * 150) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early with code ${code}`)));
    });
    child.kill('SIGKILL');
    await exited;
    // Only complete lines count: a line cut by the kill was not fully reported.
    for (const line of out.split('\n').slice(0, -1)) {
      if (line === 'ready') continue;
      const [p, o] = line.split(' ').map(Number);
      acked[p] = Math.max(acked[p], o);
    }
  }
  assert.ok(acked.every((o) => o > 100), `acknowledged: ${acked}`);

  const log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  t.diagnostic(`acknowledged up to ${acked}; recoveries: ${JSON.stringify(log.recoveries.map((r) => r.reason))}`);
  const ends = await log.offsets('crash');
  const consumer = log.consumer({ groupId: 'verify', topics: ['crash'], fromBeginning: true });
  const total = ends.reduce((n, o) => n + o.end, 0);
  const all = await pollN(consumer, total, 100);
  assert.equal(all.length, total);
  const next = [0, 0, 0];
  for (const r of all) {
    assert.equal(r.offset, next[r.partition]++, 'contiguous offsets');
    assert.equal(text(r.value), expectedValue(r.partition, r.offset));
  }
  for (let p = 0; p < 3; p++) {
    assert.ok(ends[p].end > acked[p], `partition ${p}: end ${ends[p].end}, acknowledged ${acked[p]}`);
  }
  // And the log takes appends again.
  const res = await log.producer().send('crash', [{ key: null, value: bytes('after'), timestamp: 0, partition: 0 }]);
  assert.equal(res[0].offset, ends[0].end);
});

test('fsync mode appends, commits and reopens the same way', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir, { fsync: true, segmentBytes: 1024 });
  await log.createTopic('f', { partitions: 2 });
  for (let i = 0; i < 5; i++) await log.producer().send('f', recs(i * 10, 10));
  await log.consumer({ groupId: 'g', topics: ['f'], fromBeginning: true }).commit([{ topic: 'f', partition: 1, offset: 4 }]);
  const offsets = await log.offsets('f');
  await log.close();
  log = await openEmbeddedLog(dir, { fsync: true });
  t.after(() => log.close());
  assert.deepEqual(await log.offsets('f'), offsets);
  assert.deepEqual(await log.committed('g', 'f'), [{ topic: 'f', partition: 1, offset: 4 }]);
});
