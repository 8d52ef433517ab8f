/**
 * Committed offsets of consumer groups (src/log/embedded/groups.ts, offsets-file.ts): a commit is
 * an append of fixed-size entries; reopening reads them back; a torn or damaged tail loses at most
 * the commit it belongs to, a damaged byte elsewhere at most its entry's commit, and every repair
 * is reported once; group files of earlier releases are read and replaced.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GroupStore } from '../../../src/log/embedded/groups.ts';
import { ENTRY_BYTES, REWRITE_AFTER_ENTRIES } from '../../../src/log/embedded/offsets-file.ts';
import type { Recovery } from '../../../src/log/embedded/partition.ts';
import type { PartitionOffset } from '../../../src/log/log.ts';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import { tempDir } from './helpers.ts';

const po = (topic: string, partition: number, offset: number): PartitionOffset => ({ topic, partition, offset });

/** Every committed offset of group `g` as `topic-partition: offset`. */
function state(store: GroupStore, topics = ['a', 'b']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of topics) for (const o of store.committed('g', t)) out[`${t}-${o.partition}`] = o.offset;
  return out;
}

function open(dir: string): { store: GroupStore; recoveries: Recovery[] } {
  const recoveries: Recovery[] = [];
  return { store: new GroupStore(dir, false, recoveries), recoveries };
}

/** Where the entries of an offsets file start. */
const entriesStart = (file: string): number => 16 + fs.readFileSync(file).readUInt32LE(8);

/** The commits used by the damage tests, and the state after each. */
const COMMITS: PartitionOffset[][] = [
  [po('a', 0, 10), po('a', 1, 11)],
  [po('b', 0, 20)],
  [po('a', 0, 30), po('a', 1, 31), po('b', 0, 32)],
  [po('a', 1, 41)],
  [po('b', 0, 50), po('a', 0, 51)],
];

/** The state after COMMITS except those in `skip`. */
function expected(skip: ReadonlySet<number>): Record<string, number> {
  const out: Record<string, number> = {};
  COMMITS.forEach((c, i) => {
    if (!skip.has(i)) for (const o of c) out[`${o.topic}-${o.partition}`] = o.offset;
  });
  return Object.fromEntries(Object.entries(out).sort());
}

/**
 * A groups directory whose offsets file holds COMMITS as entries after a header that already
 * knows both topics (an open rewrote it), so every commit is one append.
 */
function writeCommits(dir: string): string {
  let { store } = open(dir);
  store.commit('g', [po('a', 9, 1), po('b', 9, 1)]);
  store.close();
  ({ store } = open(dir));
  for (const c of COMMITS) store.commit('g', c);
  store.close();
  return path.join(dir, 'g.offsets');
}

const sorted = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith('-9')).sort());

test('a commit is one append of fixed-size entries; offsets read back after reopening', (t) => {
  const dir = tempDir(t);
  const file = writeCommits(dir);
  const entries = COMMITS.reduce((n, c) => n + c.length, 0);
  assert.equal(fs.statSync(file).size, entriesStart(file) + entries * ENTRY_BYTES);
  const { store, recoveries } = open(dir);
  t.after(() => store.close());
  assert.deepEqual(recoveries, []);
  assert.deepEqual(sorted(state(store)), expected(new Set()));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['g.offsets', 'g.offsets.prev']);
});

test('a torn tail loses only the commit it cuts, whole (a commit stays atomic); reported once', (t) => {
  const lastCommit = COMMITS.length - 1;
  for (const cut of [1, ENTRY_BYTES - 1, ENTRY_BYTES, ENTRY_BYTES + 5]) {
    const dir = tempDir(t);
    const file = writeCommits(dir);
    fs.truncateSync(file, fs.statSync(file).size - cut);
    let { store, recoveries } = open(dir);
    assert.deepEqual(sorted(state(store)), expected(new Set([lastCommit])), `cut ${cut}`);
    assert.equal(recoveries.length, 1);
    assert.ok(recoveries[0].kind === 'metadata');
    assert.match(recoveries[0].reason, /incomplete commit|partial entry/);
    store.close();
    ({ store, recoveries } = open(dir));
    assert.deepEqual(recoveries, [], 'the repair is not reported again');
    assert.deepEqual(sorted(state(store)), expected(new Set([lastCommit])));
    // And commits append again.
    store.commit('g', [po('a', 0, 99)]);
    store.close();
    ({ store } = open(dir));
    assert.equal(store.get('g', 'a', 0), 99);
    store.close();
  }
});

test('any one flipped byte among the entries loses at most the commit of that entry, and is reported', (t) => {
  const dir = tempDir(t);
  const pristine = fs.readFileSync(writeCommits(dir));
  const start = entriesStart(path.join(dir, 'g.offsets'));
  const commitOfEntry = COMMITS.flatMap((c, i) => c.map(() => i));
  for (let at = start; at < pristine.length; at++) {
    const d = tempDir(t);
    const damaged = Buffer.from(pristine);
    damaged[at] ^= 0x10;
    fs.writeFileSync(path.join(d, 'g.offsets'), damaged);
    const { store, recoveries } = open(d);
    const commit = commitOfEntry[Math.floor((at - start) / ENTRY_BYTES)];
    assert.deepEqual(sorted(state(store)), expected(new Set([commit])), `byte ${at - start} of the entries`);
    assert.equal(recoveries.length, 1, `byte ${at - start}`);
    assert.match(recoveries[0].reason, /1 damaged entry/);
    store.close();
  }
});

test('a damaged header falls back to the file before the last rewrite; no usable file drops the group', (t) => {
  const dir = tempDir(t);
  let { store } = open(dir);
  store.commit('g', [po('a', 0, 5)]);
  store.close();
  ({ store } = open(dir)); // rewrites: .prev holds the commit above
  store.commit('g', [po('a', 0, 6)]);
  store.close();
  const file = path.join(dir, 'g.offsets');
  const bytes = fs.readFileSync(file);
  bytes[20] ^= 0xff;
  fs.writeFileSync(file, bytes);
  let recoveries: Recovery[];
  ({ store, recoveries } = open(dir));
  assert.equal(store.get('g', 'a', 0), 5);
  assert.equal(recoveries.length, 1);
  assert.ok(recoveries[0].kind === 'metadata');
  assert.match(recoveries[0].action, /restored from the file before its last rewrite/);
  assert.ok(fs.existsSync(file + '.corrupt'));
  store.close();

  fs.writeFileSync(file, 'garbage');
  fs.writeFileSync(file + '.prev', 'RFLOFS02 also garbage');
  ({ store, recoveries } = open(dir));
  assert.equal(store.get('g', 'a', 0), undefined);
  assert.equal(recoveries.length, 1);
  assert.ok(recoveries[0].kind === 'metadata');
  assert.match(recoveries[0].action, /committed offsets dropped/);
  store.commit('g', [po('a', 0, 1)]);
  store.close();
  ({ store, recoveries } = open(dir));
  assert.deepEqual(recoveries, []);
  assert.equal(store.get('g', 'a', 0), 1);
  store.close();
});

test('a rewrite cut between its renames (only .prev left) loses nothing and is not a repair', (t) => {
  const dir = tempDir(t);
  const file = writeCommits(dir);
  fs.renameSync(file, file + '.prev');
  const { store, recoveries } = open(dir);
  t.after(() => store.close());
  assert.deepEqual(recoveries, []);
  assert.deepEqual(sorted(state(store)), expected(new Set()));
});

test('the file is rewritten as a snapshot now and then: its size stays bounded', (t) => {
  const dir = tempDir(t);
  let { store } = open(dir);
  const file = path.join(dir, 'g.offsets');
  let largest = 0;
  for (let i = 1; i <= REWRITE_AFTER_ENTRIES * 2 + 7; i++) {
    store.commit('g', [po('a', 0, i), po('a', 1, i * 2)]);
    largest = Math.max(largest, fs.statSync(file).size);
  }
  assert.ok(largest < 1024 + REWRITE_AFTER_ENTRIES * ENTRY_BYTES, `largest ${largest}`);
  store.close();
  let recoveries: Recovery[];
  ({ store, recoveries } = open(dir));
  t.after(() => store.close());
  assert.deepEqual(recoveries, []);
  assert.deepEqual(state(store, ['a']), { 'a-0': REWRITE_AFTER_ENTRIES * 2 + 7, 'a-1': (REWRITE_AFTER_ENTRIES * 2 + 7) * 2 });
});

test('group files of earlier releases are read, replaced by an offsets file, and their repairs still made', (t) => {
  const dir = tempDir(t);
  const legacy = (group: string, offsets: Record<string, Record<string, number>>) => JSON.stringify({ version: 1, group, offsets });
  fs.writeFileSync(path.join(dir, 'g.json'), legacy('g', { a: { 0: 3, 1: 4 }, b: { 2: 7 } }));
  fs.writeFileSync(path.join(dir, 'g.json.prev'), legacy('g', { a: { 0: 1 } }));
  fs.writeFileSync(path.join(dir, 'odd%20name.json'), legacy('odd name', { a: { 0: 8 } }));
  // A truncated file with a good previous copy, and one with no usable copy at all.
  fs.writeFileSync(path.join(dir, 'cut.json'), '{"version":1,"gro');
  fs.writeFileSync(path.join(dir, 'cut.json.prev'), legacy('cut', { a: { 0: 2 } }));
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"version":1,"gro');
  let { store, recoveries } = open(dir);
  assert.deepEqual(state(store), { 'a-0': 3, 'a-1': 4, 'b-2': 7 });
  assert.equal(store.get('odd name', 'a', 0), 8);
  assert.equal(store.get('cut', 'a', 0), 2);
  assert.equal(store.get('bad', 'a', 0), undefined);
  assert.deepEqual(
    recoveries.map((r) => (r.kind === 'metadata' ? [path.basename(r.file), r.action.replace(/ \(.*/, '').slice(0, 30)] : r.kind)),
    [
      ['bad.json', 'committed offsets dropped'],
      ['cut.json', "offsets of group 'cut' restore"],
    ],
  );
  assert.deepEqual(fs.readdirSync(dir).sort(), ['bad.json.corrupt', 'cut.offsets', 'g.offsets', 'odd%20name.offsets']);
  store.close();
  ({ store, recoveries } = open(dir));
  t.after(() => store.close());
  assert.deepEqual(recoveries, []);
  assert.deepEqual(state(store), { 'a-0': 3, 'a-1': 4, 'b-2': 7 });
});

test('an upgrade cut short (legacy file still there beside the new one): the new file wins, the old one goes', (t) => {
  const dir = tempDir(t);
  let { store } = open(dir);
  store.commit('g', [po('a', 0, 9)]);
  store.close();
  fs.writeFileSync(path.join(dir, 'g.json'), JSON.stringify({ version: 1, group: 'g', offsets: { a: { 0: 1 } } }));
  let recoveries: Recovery[];
  ({ store, recoveries } = open(dir));
  t.after(() => store.close());
  assert.deepEqual(recoveries, []);
  assert.equal(store.get('g', 'a', 0), 9);
  assert.ok(!fs.existsSync(path.join(dir, 'g.json')));
});

test('deleting a group removes its files; deleting a topic forgets its offsets in every group', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('a', { partitions: 2 });
  await log.createTopic('b', { partitions: 1 });
  await log.consumer({ groupId: 'g', topics: ['a', 'b'], fromBeginning: true }).commit([po('a', 0, 0), po('a', 1, 0), po('b', 0, 0)]);
  await log.consumer({ groupId: 'h', topics: ['a'], fromBeginning: true }).commit([po('a', 1, 0)]);
  await log.deleteTopic('a');
  await log.deleteGroup('h');
  await log.close();
  log = await openEmbeddedLog(dir);
  t.after(() => log.close());
  assert.deepEqual(log.recoveries, []);
  assert.deepEqual(await log.committed('g', 'a'), []);
  assert.deepEqual(await log.committed('g', 'b'), [po('b', 0, 0)]);
  assert.deepEqual(await log.committed('h', 'a'), []);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'groups')).filter((f) => f.startsWith('h.')), []);
});

test('kill -9 while committing: the last acknowledged commit or a later one is read back, never a part of one', async (t) => {
  const dir = tempDir(t);
  const writer = fileURLToPath(new URL('./commit-writer.ts', import.meta.url));
  let acked = 0;
  for (let round = 0; round < 4; round++) {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('latin1');
        if (out.split('\n').length > 2000 + round * 1500) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early with code ${code}`)));
    });
    child.kill('SIGKILL');
    await exited;
    for (const line of out.split('\n').slice(0, -1)) if (line !== 'ready') acked = Math.max(acked, Number(line));
    const { store, recoveries } = open(dir);
    const values = new Set(Object.values(state(store)));
    t.diagnostic(`round ${round}: acknowledged ${acked}, read back ${[...values]}, repairs ${recoveries.length}`);
    assert.equal(values.size, 1, `all partitions from one commit: ${JSON.stringify(state(store))}`);
    assert.ok([...values][0] >= acked, `read back ${[...values][0]} < acknowledged ${acked}`);
    assert.equal(Object.keys(state(store)).length, 8);
    store.close();
  }
});

test('a commit whose write fails changes nothing: the cache keeps the committed offsets, the next commit writes', (t) => {
  const dir = tempDir(t);
  let { store } = open(dir);
  store.commit('g', [po('a', 0, 5)]);
  // A directory where the rewrite's temp file goes: the commit of a new topic (a rewrite) fails.
  const blockers = ['g', 'h'].map((g) => path.join(dir, `${g}.offsets.tmp-${process.pid}`));
  for (const b of blockers) fs.mkdirSync(b);
  assert.throws(() => store.commit('g', [po('a', 0, 6), po('b', 0, 1)]));
  assert.deepEqual(state(store), { 'a-0': 5 });
  assert.throws(() => store.commit('h', [po('a', 0, 1)]));
  assert.equal(store.get('h', 'a', 0), undefined);
  for (const b of blockers) fs.rmdirSync(b);
  store.commit('g', [po('a', 0, 7)]);
  store.close();
  let recoveries: Recovery[];
  ({ store, recoveries } = open(dir));
  t.after(() => store.close());
  assert.deepEqual(recoveries, []);
  assert.deepEqual(state(store), { 'a-0': 7 });
  assert.equal(store.get('h', 'a', 0), undefined);
});
