/**
 * Training-data files read back in Python with pyarrow (the kfp venv, scripts/ml/setup-kfp.sh):
 * for Parquet, CSV and JSONL, the row count and the rows checksum (riffle-rows-v1, recomputed by
 * scripts/ml/training_data_check.py) equal the query's rows and the manifest; the file checksum
 * equals the manifest's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEngine, removeDir, readTopic } from '../../../test/engine/helpers.ts';
import { readingsQuery } from '../../../test/ml/training-data/fixture.ts';
import { TrainingDataExport } from '../../../src/engine/training-data-export.ts';
import { RowChecksum, storedKind, storedValue } from '../../../src/ml/training-data/format.ts';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, TIMESTAMP } from '../../../src/types/sql-type.ts';
import type { TrainingDataManifest } from '../../../src/ml/training-data/writer.ts';

const scripts = join(import.meta.dirname, '../../../scripts/ml');
const python = execFileSync('bash', [join(scripts, 'setup-kfp.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;

for (const format of ['parquet', 'csv', 'jsonl'] as const) {
  test(`${format} files read back with pyarrow equal the query's rows (count and checksum)`, { timeout: 120_000 }, async () => {
    const t = await testEngine();
    const out = join(t.dir, 'training');
    try {
      await readingsQuery(t.engine, t.log, 3000, 1);
      await t.engine.runUntilIdle();
      const topicRows = await readTopic(t.log, 'FEATURES');
      const exp = await TrainingDataExport.start(t.engine, { source: 'FEATURES', dir: out, format, rollRows: 1000, rollIntervalMs: 0 });
      const end = Date.now() + 30_000;
      while (exp.manifests.reduce((a, m) => a + m.rowCount, 0) < 2000 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await exp.flush();
      await exp.stop();
      const names = readdirSync(out).filter((n) => n.endsWith('.manifest.json')).sort();
      assert.equal(names.length, Math.ceil(topicRows.length / 1000));
      // the query's rows, in topic order, in the canonical form, split as the files are
      const types = [STRING, BIGINT, DOUBLE, BOOLEAN, STRING, BIGINT, TIMESTAMP, INTEGER, BOOLEAN];
      let total = 0;
      for (const [i, name] of names.entries()) {
        const m = JSON.parse(readFileSync(join(out, name), 'utf8')) as TrainingDataManifest;
        const theirs = JSON.parse(execFileSync(python, [join(scripts, 'training_data_check.py'), join(out, name)], { encoding: 'utf8' })) as { rows: number; rowsChecksum: string; fileSha256: string; arrowTypes: string[] };
        const slice = topicRows.slice(i * 1000, (i + 1) * 1000);
        const sum = new RowChecksum(types.map(storedKind));
        for (const r of slice) {
          const v = JSON.parse(Buffer.from(r.value!).toString('utf8'));
          const cols = [Buffer.from(r.key!).toString('utf8'), v.SEQ, v.TEMP2, v.OK, v.NOTE, v.BIG, v.AT, v.N, v.LABEL];
          sum.add(cols.map((c, j) => storedValue(c ?? null, types[j]!)));
        }
        assert.equal(theirs.rows, slice.length);
        assert.equal(theirs.rows, m.rowCount);
        assert.equal(theirs.rowsChecksum, sum.digest(), `${m.file}: pyarrow's rows differ from the query's`);
        assert.equal(theirs.rowsChecksum, m.rowsChecksum.value);
        assert.equal(theirs.fileSha256, m.fileSha256);
        if (format === 'parquet') assert.deepEqual(theirs.arrowTypes, ['string', 'int64', 'double', 'bool', 'string', 'int64', 'timestamp[ms, tz=UTC]', 'int32', 'bool']);
        total += theirs.rows;
      }
      assert.equal(total, topicRows.length);
      console.log(`${format}: ${names.length} files, ${total} rows read back with pyarrow, checksums equal`);
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  });
}
