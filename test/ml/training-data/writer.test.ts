/** The training-data writer: rolls by time (injected clock), numbering continues after reopen, leftovers removed, all SQL types stored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingDataWriter } from '../../../src/ml/training-data/writer.ts';
import { RowChecksum, canonicalCell, storedKind, storedValue } from '../../../src/ml/training-data/format.ts';
import { BIGINT, DOUBLE, STRING, array, decimal, BYTES, DATE } from '../../../src/types/sql-type.ts';
import { Decimal } from '../../../src/types/decimal.ts';

const origin = (offset: number, ts = offset) => ({ topic: 't', partition: 0, offset, ts });

test('rolls when the open file is older than the interval; numbering continues after reopen; leftovers removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-td-'));
  try {
    let now = 1_000;
    const opts = { dir, prefix: 'x', format: 'jsonl' as const, columns: [{ name: 'A', type: BIGINT }, { name: 'B', type: STRING }], rollRows: 100, rollIntervalMs: 5_000, now: () => now };
    const w = await TrainingDataWriter.open(opts);
    assert.deepEqual(await w.append([{ cols: [1, 'a'], origin: origin(0) }]), []);
    now += 4_999;
    assert.equal(await w.tick(), null);
    now += 1;
    const m = await w.tick();
    assert.equal(m!.rowCount, 1);
    assert.equal(m!.file, 'x-000001.jsonl');
    assert.equal(readFileSync(join(dir, 'x-000001.jsonl'), 'utf8'), '{"A":1,"B":"a"}\n');
    // an unfinished roll (data without manifest, a .tmp) is removed on open; numbering continues
    writeFileSync(join(dir, 'x-000002.jsonl'), 'partial');
    writeFileSync(join(dir, 'x-000002.manifest.json.tmp'), '{');
    const w2 = await TrainingDataWriter.open(opts);
    assert.deepEqual(readdirSync(dir).sort(), ['x-000001.jsonl', 'x-000001.manifest.json']);
    const [m2] = await w2.append(Array.from({ length: 100 }, (_, i) => ({ cols: [i, null], origin: origin(10 + i, 500 + i) })));
    assert.equal(m2!.sequence, 2);
    assert.deepEqual(m2!.offsets, [{ topic: 't', partition: 0, from: 10, to: 109, rows: 100 }]);
    assert.deepEqual(m2!.eventTime, { min: 500, max: 599 });
    assert.equal(await w2.flush(), null, 'nothing open');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('types without a Parquet counterpart are stored as text; canonical cells', () => {
  assert.equal(storedValue(new Decimal(12345n, 2), decimal(7, 2)), '123.45');
  assert.equal(storedValue(new Uint8Array([1, 2, 255]), BYTES), 'AQL/');
  assert.equal(storedValue([1, 2n ** 70n], array(BIGINT)), '[1,"1180591620717411303424"]');
  assert.equal(storedKind(DATE), 'INT32');
  assert.equal(canonicalCell(1.5, 'DOUBLE'), '3ff8000000000000');
  assert.equal(canonicalCell(null, 'STRING'), '\\N');
  assert.equal(canonicalCell('é', 'STRING'), 'c3a9');
  assert.equal(canonicalCell(2n ** 63n - 1n, 'INT64'), '9223372036854775807');
  const a = new RowChecksum(['DOUBLE', 'STRING']);
  a.add([0.1, 'x']);
  const b = new RowChecksum([storedKind(DOUBLE), storedKind(STRING)]);
  b.add([0.1, 'x']);
  assert.equal(a.digest(), b.digest());
});
