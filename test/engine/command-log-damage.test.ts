/**
 * Damage to the command log's segment on the embedded log: the engine starts with every intact
 * command, the damaged ones are lost and reported (the log's recoveries), nothing else.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { COMMAND_TOPIC } from '../../src/engine/command-log.ts';
import { removeDir, testEngine } from './helpers.ts';

const STATEMENTS = ['A', 'B', 'C', 'D'].map(
  (n) => `CREATE STREAM ${n} (id STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='${n.toLowerCase()}', VALUE_FORMAT='JSON', PARTITIONS=1);`,
);

async function writeCommands(t: import('node:test').TestContext): Promise<{ dir: string; file: string; starts: number[] }> {
  const first = await testEngine();
  t.after(() => removeDir(first.dir));
  for (const s of STATEMENTS) await first.engine.execute(s);
  await first.close();
  const file = path.join(first.dir, 'topics', COMMAND_TOPIC, '0', '00000000000000000000.log');
  const data = fs.readFileSync(file);
  const starts: number[] = [];
  for (let p = 0; p < data.length; p += 8 + data.readUInt32LE(p)) starts.push(p);
  assert.equal(starts.length, STATEMENTS.length); // one frame per command
  return { dir: first.dir, file, starts };
}

const sources = (e: Awaited<ReturnType<typeof testEngine>>) =>
  e.engine.catalog
    .listSources()
    .map((s) => s.name)
    .sort();

test('a command log cut in the middle of its last command keeps the commands before it', async (t) => {
  const { dir, file, starts } = await writeCommands(t);
  fs.truncateSync(file, starts[3] + 30);
  const second = await testEngine({}, dir);
  t.after(() => second.close());
  assert.deepEqual(sources(second), ['A', 'B', 'C']);
  const rec = (second.log as import('../../src/log/embedded/index.ts').EmbeddedLog).recoveries;
  assert.equal(rec.length, 1);
  assert.ok(rec[0].kind === 'torn-tail' && rec[0].topic === COMMAND_TOPIC);
});

test('a flipped byte in one command loses that command only, reported', async (t) => {
  const { dir, file, starts } = await writeCommands(t);
  const data = fs.readFileSync(file);
  data[starts[1] + 60] ^= 0x20;
  fs.writeFileSync(file, data);
  const second = await testEngine({}, dir);
  t.after(() => second.close());
  assert.deepEqual(sources(second), ['A', 'C', 'D']);
  const rec = (second.log as import('../../src/log/embedded/index.ts').EmbeddedLog).recoveries;
  assert.equal(rec.length, 1);
  assert.ok(rec[0].kind === 'lost-frames');
  assert.deepEqual([rec[0].topic, rec[0].fromOffset, rec[0].toOffset], [COMMAND_TOPIC, 1, 2]);
});
