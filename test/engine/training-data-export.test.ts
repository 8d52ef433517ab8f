/**
 * Training-data export of a query's rows: rolls by row count, manifests cover every offset exactly
 * once (also across a stop without flush and a restart: the unfinished file's rows are read again),
 * unfinished rolls are removed on open, and the rows checksum equals one computed from the topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEngine, removeDir, readTopic } from './helpers.ts';
import { readingsQuery } from '../ml/training-data/fixture.ts';
import { TrainingDataExport } from '../../src/engine/training-data-export.ts';
import { RowChecksum, storedKind, storedValue } from '../../src/ml/training-data/format.ts';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, TIMESTAMP } from '../../src/types/sql-type.ts';
import type { TrainingDataManifest } from '../../src/ml/training-data/writer.ts';

function manifests(dir: string): TrainingDataManifest[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.manifest.json'))
    .sort()
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as TrainingDataManifest);
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('export rolls by rows, covers each offset once across a restart, checksum equals the topic rows', async () => {
  const t = await testEngine();
  const out = join(t.dir, 'training');
  try {
    await readingsQuery(t.engine, t.log, 1000);
    await t.engine.runUntilIdle();
    const topicRows = await readTopic(t.log, 'FEATURES');
    assert.ok(topicRows.length > 800);
    // a leftover data file without manifest (an unfinished roll) must be removed on open
    const first = await TrainingDataExport.start(t.engine, { source: 'FEATURES', dir: out, format: 'jsonl', rollRows: 250, rollIntervalMs: 0 });
    writeFileSync(join(out, 'features-000099.jsonl'), 'garbage');
    await until(() => first.manifests.length >= 2);
    await first.stop(); // no flush: the open file's rows are not committed
    const second = await TrainingDataExport.start(t.engine, { source: 'FEATURES', dir: out, format: 'parquet', rollRows: 250, rollIntervalMs: 0 });
    assert.ok(!readdirSync(out).includes('features-000099.jsonl'));
    await until(() => second.manifests.reduce((a, m) => a + m.rowCount, 0) + first.manifests.reduce((a, m) => a + m.rowCount, 0) >= Math.floor(topicRows.length / 250) * 250);
    await second.flush();
    await second.stop();
    const all = manifests(out);
    assert.deepEqual(all.map((m) => m.sequence), all.map((_, i) => i + 1));
    assert.equal(all.reduce((a, m) => a + m.rowCount, 0), topicRows.length);
    // every (partition, offset) of the topic in exactly one file's ranges, ranges disjoint
    const covered = new Map<number, number>();
    for (const m of all) for (const r of m.offsets) {
      assert.equal(r.topic, 'FEATURES');
      covered.set(r.partition, (covered.get(r.partition) ?? 0) + r.rows);
      assert.equal(r.to - r.from + 1, r.rows, 'contiguous on the embedded log');
    }
    for (const p of [0, 1]) assert.equal(covered.get(p), topicRows.filter((r) => r.partition === p).length);
    assert.equal(all[0]!.schema.map((c) => c.name).join(','), 'DEVICE,SEQ,TEMP2,OK,NOTE,BIG,AT,N,LABEL');
    assert.deepEqual(all[0]!.schema.map((c) => c.stored), ['STRING', 'INT64', 'DOUBLE', 'BOOLEAN', 'STRING', 'INT64', 'TIMESTAMP_MS', 'INT32', 'BOOLEAN']);
    assert.ok(all[0]!.eventTime && all[0]!.eventTime.min <= all[0]!.eventTime.max);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('rows checksum of every file equals the canonical checksum of the topic records it names (csv)', async () => {
  const t = await testEngine();
  const out = join(t.dir, 'training');
  try {
    await readingsQuery(t.engine, t.log, 600, 1);
    await t.engine.runUntilIdle();
    const topicRows = await readTopic(t.log, 'FEATURES');
    const exp = await TrainingDataExport.start(t.engine, { source: 'FEATURES', dir: out, format: 'csv', rollRows: 200, rollIntervalMs: 0 });
    await until(() => exp.manifests.length >= Math.floor(topicRows.length / 200));
    await exp.flush();
    await exp.stop();
    const all = manifests(out);
    assert.equal(all.reduce((a, m) => a + m.rowCount, 0), topicRows.length);
    const types = [STRING, BIGINT, DOUBLE, BOOLEAN, STRING, BIGINT, TIMESTAMP, INTEGER, BOOLEAN];
    for (const m of all) {
      const [range] = m.offsets;
      const src = topicRows.filter((r) => r.offset >= range!.from && r.offset <= range!.to);
      assert.equal(src.length, m.rowCount);
      const sum = new RowChecksum(types.map(storedKind));
      for (const r of src) {
        const v = JSON.parse(Buffer.from(r.value!).toString('utf8'));
        const cols = [Buffer.from(r.key!).toString('utf8'), v.SEQ, v.TEMP2, v.OK, v.NOTE, v.BIG, v.AT, v.N, v.LABEL];
        sum.add(cols.map((c, i) => storedValue(c ?? null, types[i]!)));
      }
      assert.equal(sum.digest(), m.rowsChecksum.value, `file ${m.file}`);
      assert.deepEqual(m.eventTime, { min: Math.min(...src.map((r) => r.timestamp)), max: Math.max(...src.map((r) => r.timestamp)) });
    }
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
