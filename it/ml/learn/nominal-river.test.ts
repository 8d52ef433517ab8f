/**
 * Hoeffding trees with string features against River itself (River's venv, installed by
 * scripts/ml/setup-river.sh): the fixture the unit test uses is what River answers today, and on
 * other draws of the data (another seed, three classes) Riffle's probabilities before each row
 * equal River's row by row. Run: `npm run test:learn`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureEncoder, FeatureSpace } from '../../../src/ml/learn/features.ts';
import { DEFAULT_OPTIONS, newModel, predict, progressiveStep } from '../../../src/ml/learn/model.ts';
import { metricValues } from '../../../src/ml/learn/metrics.ts';
import { nominalRows, type NominalRow } from '../../../test/ml/learn/nominal-data.ts';

const scripts = join(import.meta.dirname, '../../../scripts/ml');
const python = execFileSync('bash', [join(scripts, 'setup-river.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;

function river(rows: readonly NominalRow[]): { proba: Record<string, number>[]; accuracy: number } {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-nominal-'));
  try {
    writeFileSync(join(dir, 'rows.json'), JSON.stringify(rows));
    return JSON.parse(execFileSync(python, [join(scripts, 'river_nominal.py'), join(dir, 'rows.json')], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(rows: readonly NominalRow[]): void {
  const theirs = river(rows);
  const o = DEFAULT_OPTIONS('HOEFFDING_TREE');
  const m = newModel(o);
  const space = new FeatureSpace();
  const cols = ['COLOR', 'SHAPE', 'SIZE'];
  const enc = new FeatureEncoder(space, cols, cols.map((c) => space.indexOf(c)), true);
  rows.forEach((r, i) => {
    const x = enc.encode([r.COLOR, r.SHAPE, r.SIZE]);
    const p = predict(m, x);
    const expected = theirs.proba[i];
    if (Object.keys(expected).length === 0) assert.equal(p, null, `row ${i}`);
    else {
      assert.ok(p !== null && p.kind === 'class', `row ${i}`);
      for (const [label, q] of Object.entries(expected)) {
        const ours = p.proba[m.labels.indexOf(label)] ?? 0;
        assert.ok(Math.abs(ours - q) <= 1e-9, `row ${i}: P(${label}) ${ours} vs River ${q}`);
      }
    }
    progressiveStep(m, o, x, r.LABEL);
  });
  assert.equal(Object.fromEntries(metricValues(m.metrics)).ACCURACY, theirs.accuracy);
}

test('the unit test fixture is what River answers', { timeout: 120_000 }, () => {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/ml/learn/fixtures/hoeffding-nominal-river.json'), 'utf8'));
  const theirs = river(nominalRows());
  assert.equal(theirs.accuracy, fixture.accuracy);
  assert.deepEqual(
    theirs.proba.map((p) => (Object.keys(p).length ? (p['1'] ?? 0) : null)),
    fixture.p1,
  );
});

test('another draw: row by row as River', { timeout: 120_000 }, () => compare(nominalRows(5000, 17)));

test('three classes: row by row as River', { timeout: 120_000 }, () => {
  const rows = nominalRows(5000, 23).map((r, i) => ({ ...r, LABEL: r.SHAPE === 'square' && i % 3 === 0 ? 'b' : r.LABEL === '1' ? 'c' : 'a' }));
  compare(rows);
});
