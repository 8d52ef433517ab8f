import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BIGINT, DOUBLE, INTEGER, array } from '../../src/types/sql-type.ts';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { PropertyValue } from '../../src/ml/spec.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { linearModelOnnx } from './onnx-builder.ts';
import type { LinearModel } from './onnx-builder.ts';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'riffle-onnx-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function modelFile(name: string, m: LinearModel): string {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, linearModelOnnx(m));
  return path;
}

const spec = (path: string, props: Record<string, PropertyValue> = {}, ins?: { name: string; type: typeof DOUBLE }[], outs?: { name: string; type: typeof DOUBLE }[]) =>
  modelSpecFromProperties({ PROVIDER: 'onnx', MODEL_PATH: path, ...props }, ins ?? null, outs ?? null);

const W = [0.8, -1.2, 0.05, 2.0];
const rows = [
  [1, 2, 3, 4],
  [0.5, -0.5, 10, 0],
  [-3, 0.25, 7.5, 1.5],
];

async function direct(path: string, feeds: Record<string, ort.Tensor>): Promise<number[]> {
  const s = await ort.InferenceSession.create(path);
  const r = await s.run(feeds);
  await s.release();
  return Array.from(r.score.data as Float32Array | Float64Array);
}

test('ONNX float32 matrix model: discovered schema, outputs equal onnxruntime called directly', async () => {
  const path = modelFile('lr32', { weights: W, bias: -0.3, kind: 'float32', layout: 'matrix', sigmoid: true });
  const inv = await ModelInvoker.open(spec(path, { BATCH_SIZE: 2 }));
  assert.deepEqual(inv.schema.inputs.map((c) => [c.name, c.type.kind]), [['X_0', 'DOUBLE'], ['X_1', 'DOUBLE'], ['X_2', 'DOUBLE'], ['X_3', 'DOUBLE']]);
  assert.deepEqual(inv.schema.inputTensors, [{ name: 'X', datatype: 'FP32', columns: [0, 1, 2, 3], rank: 2 }]);
  assert.deepEqual(inv.schema.outputs, [{ name: 'score', type: DOUBLE }]);
  const out = await inv.invoke(rows);
  const want = await direct(path, { X: new ort.Tensor('float32', Float32Array.from(rows.flat()), [3, 4]) });
  assert.deepEqual(out.map((o) => (o.kind === 'ok' ? o.outputs[0] : o)), want);
  // And both agree with the formula (to float32 precision).
  rows.forEach((r, i) => assert.ok(Math.abs(want[i] - 1 / (1 + Math.exp(-(r.reduce((s, x, j) => s + x * W[j], 0) - 0.3)))) < 1e-6));
  assert.equal(inv.stats().requests, 2);
  assert.equal((await inv.health()).kind, 'ready');
  await inv.close();
});

test('ONNX float64 columns model with declared INPUT/OUTPUT; integer SQL inputs are converted', async () => {
  const path = modelFile('lin64', { weights: [1, 2, 3], bias: 0.5, kind: 'float64', layout: 'columns', columnNames: ['age', 'visits', 'score_in'], sigmoid: false });
  const ins = [{ name: 'age', type: INTEGER }, { name: 'visits', type: BIGINT }, { name: 'score_in', type: DOUBLE }];
  const inv = await ModelInvoker.open(spec(path, {}, ins, [{ name: 'y', type: DOUBLE }]));
  assert.equal(inv.schema.layout, 'columns');
  assert.deepEqual(inv.schema.inputTensors.map((t) => [t.name, t.datatype]), [['age', 'FP64'], ['visits', 'FP64'], ['score_in', 'FP64']]);
  const out = await inv.invoke([[30, 4, 0.25], [41, 0, -1], [1, null, 1]]);
  const want = await direct(path, {
    age: new ort.Tensor('float64', Float64Array.from([30, 41]), [2, 1]),
    visits: new ort.Tensor('float64', Float64Array.from([4, 0]), [2, 1]),
    score_in: new ort.Tensor('float64', Float64Array.from([0.25, -1]), [2, 1]),
  });
  assert.deepEqual(out.slice(0, 2).map((o) => (o.kind === 'ok' ? o.outputs[0] : o)), want);
  assert.deepEqual(want, [30 + 8 + 0.75 + 0.5, 41 - 3 + 0.5]);
  assert.deepEqual(out[2], { kind: 'error', reason: 'input visits: NULL feature value', attempts: 0, code: 'input' });
  await inv.close();
});

test('ONNX output as ARRAY column; fixed batch dimension 1 runs row by row', async () => {
  const path = modelFile('fixed', { weights: [1, 1], bias: 0, kind: 'float32', layout: 'matrix', sigmoid: false, batch: 1 });
  const inv = await ModelInvoker.open(spec(path, {}, undefined, [{ name: 'score', type: array(DOUBLE) }]));
  const out = await inv.invoke([[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(out.map((o) => (o.kind === 'ok' ? o.outputs[0] : o)), [[3], [7], [11]]);
  await inv.close();
});

test('ONNX errors: missing file, mismatched INPUT, unknown output name', async () => {
  await assert.rejects(() => ModelInvoker.open(spec(join(dir, 'nope.onnx'))), /cannot load model/);
  const path = modelFile('lr', { weights: W, bias: 0, kind: 'float32', layout: 'matrix', sigmoid: true });
  await assert.rejects(
    () => ModelInvoker.open(spec(path, {}, [{ name: 'a', type: DOUBLE }], undefined)),
    (e: unknown) => e instanceof SqlError && /tensor X takes 4 features per row, but INPUT declares 1 columns/.test(e.message),
  );
  const two = [{ name: 'p', type: DOUBLE }, { name: 'q', type: DOUBLE }];
  await assert.rejects(() => ModelInvoker.open(spec(path, {}, undefined, two)), /no output named p, q \(it has: score\)/);
});
