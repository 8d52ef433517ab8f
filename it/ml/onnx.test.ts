/**
 * The ONNX provider in process, on a model built by the test: the scikit-learn failure model
 * (scaler folded into a logistic function by train.py) as a MatMul+Add+Sigmoid ONNX graph.
 * Its outputs must equal onnxruntime-node called directly, and agree with the same model served
 * by KServe (scikit-learn's predict_proba).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DOUBLE } from '../../src/types/sql-type.ts';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import { linearModelOnnx } from '../../test/ml/onnx-builder.ts';
import type { OnnxFloat } from '../../test/ml/onnx-builder.ts';
import { mlEnv } from './servers.ts';

const env = mlEnv();
const failure = env.expected.models.failure;
const dir = mkdtempSync(join(tmpdir(), 'riffle-it-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function build(kind: OnnxFloat): string {
  const path = join(dir, `failure-${kind}.onnx`);
  writeFileSync(path, linearModelOnnx({ weights: failure.linear!.weights, bias: failure.linear!.bias, kind, layout: 'matrix', sigmoid: true }));
  return path;
}

const scores = (out: Awaited<ReturnType<ModelInvoker['invoke']>>) =>
  out.map((o) => {
    if (o.kind !== 'ok') assert.fail(o.reason);
    return o.outputs[0] as number;
  });

for (const [kind, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
  test(`ONNX ${kind}: invoker equals onnxruntime direct, and matches scikit-learn via KServe`, async () => {
    const path = build(kind);
    const inv = await ModelInvoker.open(modelSpecFromProperties({ PROVIDER: 'onnx', MODEL_PATH: path, BATCH_SIZE: 8 }, failure.features.map((name) => ({ name, type: DOUBLE })), [{ name: 'p_failure', type: DOUBLE }]));
    const got = scores(await inv.invoke(failure.rows));

    const session = await ort.InferenceSession.create(path);
    const Arr = kind === 'float64' ? Float64Array : Float32Array;
    const res = await session.run({ X: new ort.Tensor(kind, Arr.from(failure.rows.flat()), [failure.rows.length, 4]) });
    await session.release();
    assert.deepEqual(got, Array.from(res.score.data as Float64Array), 'same batches, same runtime: bit-identical');

    const served = await ModelInvoker.open(modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: env.kserveUrl, MODEL_NAME: 'failure' }));
    const sk = scores(await served.invoke(failure.rows));
    got.forEach((p, i) => assert.ok(Math.abs(p - sk[i]) < tol, `row ${i}: onnx ${p} vs sklearn ${sk[i]}`));
    assert.equal(inv.stats().requests, Math.ceil(failure.rows.length / 8));
    await inv.close();
    await served.close();
  });
}
