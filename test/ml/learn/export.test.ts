/**
 * EXPORT MODEL to ONNX, loaded back with PROVIDER = 'onnx': on 10K rows the file's outputs equal
 * the trained model's (1e-6) in Riffle's ONNX provider (onnxruntime-node).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';
import { hasData, loadCsv } from './data.ts';
import { produceDataset } from './sql-data.ts';
import { trainedRegistry } from '../../../src/engine/model-train.ts';

const skip = !hasData('shuttle.csv') && 'ml-data not found';
const FEATURES = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9'];

for (const [type, out] of [
  ['LOGISTIC_REGRESSION', 'probability'],
  ['GAUSSIAN_NB', 'probabilities'],
] as const) {
  test(`${type}: EXPORT MODEL, PROVIDER 'onnx' answers as the trained model on 10K rows (1e-6)`, { skip }, async () => {
    const t = await testEngine();
    try {
      const d = loadCsv('shuttle.csv');
      await produceDataset(t.engine, t.log, 'data', { ...d, x: d.x.slice(0, 10_000), y: d.y.slice(0, 10_000) });
      await t.engine.execute(`CREATE MODEL m WITH (TYPE = '${type}', LABEL = 'label') AS SELECT * FROM data;`);
      await t.engine.runUntilIdle();
      const file = join(t.dir, 'm.onnx');
      const [msg] = await t.engine.execute(`EXPORT MODEL m TO '${file}';`);
      assert.match((msg as { message: string }).message, /Exported model M/);
      const outputType = type === 'GAUSSIAN_NB' ? 'ARRAY<DOUBLE>' : 'DOUBLE';
      await t.engine.execute(`CREATE MODEL back INPUT (${FEATURES.map((f) => `${f} DOUBLE`).join(', ')}) OUTPUT (${out} ${outputType})
          WITH (PROVIDER = 'onnx', MODEL_PATH = '${file}', INPUT_TENSOR = 'X');
        CREATE STREAM both AS SELECT PREDICT(m, ${FEATURES.join(', ')}) AS live, PREDICT(back, ${FEATURES.join(', ')}) AS onnx FROM data;`);
      await t.engine.runUntilIdle();
      const rows = (await readTopic(t.log, 'BOTH')).map((r) => JSON.parse(text(r.value)!));
      assert.equal(rows.length, 10_000);
      // GaussianNB's probabilities are in label order of first appearance (DESCRIBE MODEL's order).
      const positive = trainedRegistry(t.engine).live.get('M')!.get('')!.state.labels.indexOf('1');
      let worst = 0;
      for (const r of rows) {
        const pPred = r.LIVE.PROBABILITY as number;
        const ours = r.LIVE.PREDICTION === '1' ? pPred : 1 - pPred;
        const theirs = type === 'GAUSSIAN_NB' ? (r.ONNX[out.toUpperCase()] as number[])[positive] : (r.ONNX[out.toUpperCase()] as number);
        worst = Math.max(worst, Math.abs(ours - theirs));
      }
      assert.ok(worst <= 1e-6, `max difference ${worst}`);
      console.log(`ONNX export ${type}: max |Riffle − onnxruntime-node| over 10K rows = ${worst}`);
      await assert.rejects(t.engine.execute(`EXPORT MODEL m VERSION 3 TO '${file}';`), /has no version 3/);
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  });
}
