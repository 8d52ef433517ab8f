/**
 * Exported ONNX files in Python's onnxruntime (River's venv, installed by scripts/ml/setup-river.sh):
 * on 10K rows their outputs equal the trained model's within 1e-6. Run: `npm run test:learn`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEngine, removeDir } from '../../../test/engine/helpers.ts';
import { hasData, loadCsv } from '../../../test/ml/learn/data.ts';
import { produceDataset } from '../../../test/ml/learn/sql-data.ts';
import { trainedRegistry } from '../../../src/engine/model-train.ts';
import { denseVector } from '../../../src/ml/learn/features.ts';
import { predict } from '../../../src/ml/learn/model.ts';

const scripts = join(import.meta.dirname, '../../../scripts/ml');
const python = execFileSync('bash', [join(scripts, 'setup-river.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;

for (const type of ['LOGISTIC_REGRESSION', 'LINEAR_REGRESSION', 'GAUSSIAN_NB'] as const) {
  test(`${type}: onnxruntime (Python) equals Riffle on 10K rows`, { timeout: 120_000, skip: !hasData('shuttle.csv') && 'ml-data not found' }, async () => {
    const t = await testEngine();
    try {
      const d = loadCsv('shuttle.csv');
      const rows = { ...d, x: d.x.slice(0, 10_000), y: d.y.slice(0, 10_000) };
      await produceDataset(t.engine, t.log, 'data', rows, type === 'LINEAR_REGRESSION' ? 'DOUBLE' : 'INTEGER');
      await t.engine.execute(`CREATE MODEL m WITH (TYPE = '${type}', LABEL = 'label') AS SELECT * FROM data;`);
      await t.engine.runUntilIdle();
      const file = join(t.dir, 'm.onnx');
      await t.engine.execute(`EXPORT MODEL m TO '${file}';`);
      const input = join(t.dir, 'x.json');
      writeFileSync(input, JSON.stringify(rows.x));
      const theirs = JSON.parse(execFileSync(python, [join(scripts, 'onnx_run.py'), file, input], { encoding: 'utf8', maxBuffer: 64 << 20 })) as number[][];
      const m = trainedRegistry(t.engine).live.get('M')!.get('')!.state;
      let worst = 0;
      rows.x.forEach((x, i) => {
        const p = predict(m, denseVector(x))!;
        const ours = p.kind === 'class' ? p.proba : p.kind === 'value' ? [p.value] : [p.score];
        // logistic regression's file outputs P(positive) only
        const cmp = type === 'LOGISTIC_REGRESSION' ? [ours[1]] : ours;
        // relative beyond 1: a regression's outputs can be large (no scale on the target)
        cmp.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - theirs[i][j]) / Math.max(1, Math.abs(v)))));
      });
      assert.ok(worst <= 1e-6, `max (relative beyond 1) difference ${worst}`);
      console.log(`onnxruntime (Python) vs Riffle, ${type}, 10K rows: max difference (relative beyond 1) ${worst}`);
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  });
}
