/**
 * Damage to the files the embedded log wrote (flipped bytes, cuts, truncated metadata): exactly
 * the damaged frames are lost, everything else is read back, and every repair is reported (the
 * open's `recoveries`, its metrics, the journal that `riffle topic list` prints).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openEmbeddedLog, type EmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';
import { bytes, pollN, segmentFiles, tempDir, text } from './helpers.ts';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/riffle.js');

const recs = (from: number, n: number, value = (i: number) => bytes(`value-${i}`)): ProducerRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: bytes(`k${from + i}`), value: value(from + i), timestamp: from + i }));

/** Writes `frames` sends of 10 records each (one frame per send) and closes the log. */
async function writeFrames(dir: string, frames: number, segmentBytes?: number, value?: (i: number) => Uint8Array): Promise<void> {
  const log = await openEmbeddedLog(dir, segmentBytes ? { segmentBytes } : {});
  await log.createTopic('t', { partitions: 1 });
  for (let f = 0; f < frames; f++) await log.producer().send('t', recs(f * 10, 10, value));
  await log.close();
}

/** Offsets and values readable from the start. */
async function readAll(log: EmbeddedLog): Promise<{ offset: number; value: string }[]> {
  const c = log.consumer({ groupId: `read-${Math.random()}`, topics: ['t'], fromBeginning: true });
  const got = await pollN(c, 1_000_000, 100);
  await c.close();
  return got.map((r) => ({ offset: r.offset, value: text(r.value)! }));
}

const expectRecords = (offsets: number[]) => offsets.map((o) => ({ offset: o, value: `value-${o}` }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** File positions where the frames of a segment start (walking the length prefixes). */
function frameStarts(file: string): number[] {
  const data = fs.readFileSync(file);
  const out: number[] = [];
  for (let p = 0; p < data.length; p += 8 + data.readUInt32LE(p)) out.push(p);
  return out;
}

function flip(file: string, position: number): void {
  const data = fs.readFileSync(file);
  data[position] ^= 0x5a;
  fs.writeFileSync(file, data);
}

test('a flipped byte in the body of the first frame loses exactly that frame', async (t) => {
  const dir = tempDir(t);
  await writeFrames(dir, 10);
  const [file] = segmentFiles(dir, 't', 0);
  flip(file, 60); // inside the first record of frame 0

  let log = await openEmbeddedLog(dir);
  assert.equal(log.recoveries.length, 1);
  const r = log.recoveries[0];
  assert.equal(r.kind, 'lost-frames');
  assert.ok(r.kind === 'lost-frames');
  assert.deepEqual([r.fromOffset, r.toOffset, r.lostRecords], [0, 10, 10]);
  assert.match(r.reason, /CRC mismatch/);
  assert.equal(log.recoveryMetrics.lostRecords, 10);
  assert.deepEqual(await log.offsets('t'), [{ partition: 0, start: 0, end: 100 }]);
  assert.deepEqual(await readAll(log), expectRecords(range(10, 100)));
  // Appends go on after the repaired segment.
  assert.deepEqual((await log.producer().send('t', recs(100, 2))).map((x) => x.offset), [100, 101]);
  await log.close();

  // The repair is durable: reopening finds nothing new, reads the same; the journal keeps the note.
  log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.deepEqual(log.recoveries, []);
  assert.deepEqual(await readAll(log), expectRecords(range(10, 102)));
  assert.equal(log.recoveryHistory().length, 1);
  // A consumer positioned inside the lost range moves on to the next record.
  const c = log.consumer({ groupId: 'mid', topics: ['t'], fromBeginning: true });
  c.seek({ topic: 't', partition: 0, offset: 4 });
  assert.equal((await pollN(c, 1))[0].offset, 10);
});

test('a damaged frame header (its length) is resynchronised by scanning: only that frame is lost', async (t) => {
  const dir = tempDir(t);
  await writeFrames(dir, 10);
  const [file] = segmentFiles(dir, 't', 0);
  const starts = frameStarts(file);
  flip(file, starts[3] + 2); // the body length of frame 3 (offsets 30..39)

  const log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.equal(log.recoveries.length, 1);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'lost-frames');
  assert.deepEqual([r.fromOffset, r.toOffset], [30, 40]);
  assert.deepEqual(await readAll(log), expectRecords([...range(0, 30), ...range(40, 100)]));
});

test('values holding copies of frames are not mistaken for frames', async (t) => {
  const dir = tempDir(t);
  // Every record's value is a complete, valid frame (of another log), offsets included.
  const donor = tempDir(t);
  await writeFrames(donor, 3);
  const frames = fs.readFileSync(segmentFiles(donor, 't', 0)[0]);
  await writeFrames(dir, 6, undefined, (i) => Buffer.concat([bytes(`value-${i}`), frames]));
  const [file] = segmentFiles(dir, 't', 0);
  flip(file, frameStarts(file)[2] + 40); // the body of frame 2

  const log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  const r = log.recoveries[0];
  assert.equal(log.recoveries.length, 1);
  assert.ok(r.kind === 'lost-frames');
  assert.deepEqual([r.fromOffset, r.toOffset], [20, 30]);
  const got = await readAll(log);
  assert.deepEqual(
    got.map((g) => g.offset),
    [...range(0, 20), ...range(30, 60)],
  );
});

test('a flipped byte in the first frame of an older segment loses only that frame', async (t) => {
  const dir = tempDir(t);
  await writeFrames(dir, 12, 1024);
  const files = segmentFiles(dir, 't', 0);
  assert.ok(files.length >= 3);
  const secondBase = Number(path.basename(files[1], '.log'));
  flip(files[1], 50);

  const log = await openEmbeddedLog(dir, { segmentBytes: 1024 });
  t.after(() => log.close());
  assert.equal(log.recoveries.length, 1);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'lost-frames');
  assert.deepEqual([r.fromOffset, r.toOffset], [secondBase, secondBase + 10]);
  assert.deepEqual(await readAll(log), expectRecords([...range(0, secondBase), ...range(secondBase + 10, 120)]));
});

test('a cut in the middle of an older segment loses the rest of that segment only', async (t) => {
  const dir = tempDir(t);
  await writeFrames(dir, 12, 1024);
  const files = segmentFiles(dir, 't', 0);
  const firstEnd = Number(path.basename(files[1], '.log'));
  const starts = frameStarts(files[0]);
  fs.truncateSync(files[0], starts[1] + 20); // frame 0 whole, frame 1 cut

  const log = await openEmbeddedLog(dir, { segmentBytes: 1024 });
  t.after(() => log.close());
  assert.equal(log.recoveries.length, 1);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'lost-frames');
  assert.deepEqual([r.fromOffset, r.toOffset], [10, firstEnd]);
  assert.deepEqual(await readAll(log), expectRecords([...range(0, 10), ...range(firstEnd, 120)]));
});

test('a flipped byte in the last frame of the active segment loses that frame (torn tail), reported', async (t) => {
  const dir = tempDir(t);
  await writeFrames(dir, 10);
  const [file] = segmentFiles(dir, 't', 0);
  flip(file, fs.statSync(file).size - 5);

  const log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.equal(log.recoveries.length, 1);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'torn-tail');
  assert.deepEqual([r.fromOffset, r.lostRecords], [90, 10]);
  assert.deepEqual(await readAll(log), expectRecords(range(0, 90)));
});

test('a consumer-group file whose last commit was cut short keeps the commit before it, reported', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('t', { partitions: 1 });
  await log.producer().send('t', recs(0, 10));
  const c = log.consumer({ groupId: 'g', topics: ['t'], fromBeginning: true });
  await c.commit([{ topic: 't', partition: 0, offset: 4 }]);
  await c.commit([{ topic: 't', partition: 0, offset: 7 }]);
  await log.close();
  const file = path.join(dir, 'groups', 'g.offsets');
  fs.truncateSync(file, fs.statSync(file).size - 10);

  log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.deepEqual(await log.committed('g', 't'), [{ topic: 't', partition: 0, offset: 4 }]);
  assert.equal(log.recoveries.length, 1);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'metadata');
  assert.match(r.action, /commits with a damaged or missing entry ignored/);
});

test('a group file with no usable copy is dropped and reported, the log still opens', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('t', { partitions: 1 });
  await log.consumer({ groupId: 'g', topics: ['t'], fromBeginning: true }).commit([{ topic: 't', partition: 0, offset: 0 }]);
  await log.close();
  fs.writeFileSync(path.join(dir, 'groups', 'g.offsets'), 'RFLOFS02 cut');

  log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.deepEqual(await log.committed('g', 't'), []);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'metadata');
  assert.match(r.action, /committed offsets dropped/);
  assert.ok(fs.existsSync(path.join(dir, 'groups', 'g.offsets.corrupt')));
});

test('a truncated topic.json is rebuilt from the partition directories, data kept', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('t', { partitions: 3, retentionMs: 5000 });
  await log.producer().send('t', recs(0, 30));
  const offsets = await log.offsets('t');
  await log.close();
  fs.truncateSync(path.join(dir, 'topics', 't', 'topic.json'), 7);

  log = await openEmbeddedLog(dir);
  assert.equal((await log.describeTopic('t'))?.partitions, 3);
  assert.deepEqual(await log.offsets('t'), offsets);
  const r = log.recoveries[0];
  assert.ok(r.kind === 'metadata');
  assert.equal(r.topic, 't');
  await log.close();
  log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.deepEqual(log.recoveries, []);
});

test('riffle topic list and the start-up line report what was lost', async (t) => {
  const dir = tempDir(t);
  await writeFrames(dir, 5);
  flip(segmentFiles(dir, 't', 0)[0], 60);
  const run = () => spawnSync(process.execPath, [BIN, 'topic', 'list', '--data-dir', dir], { encoding: 'utf8' });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /^Embedded log recovered from damage: 1 repair\(s\), 10 record\(s\) lost\. t-0: .*lost offsets 0\.\.9/);
  assert.equal(first.stderr.trim().split('\n').length, 1);
  assert.match(first.stdout, /Lost to damage/);
  assert.match(first.stdout, /\| t +\| 1 +\| 50 +\| 10 record\(s\)/);
  // A later process, with nothing left to repair, still lists the loss.
  const second = run();
  assert.equal(second.stderr, '');
  assert.match(second.stdout, /lost offsets 0\.\.9 \(10 record\(s\)\)/);
});
