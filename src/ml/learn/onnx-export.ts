/**
 * EXPORT MODEL to ONNX (opset 13, IR 8), in DOUBLE so the file answers as Riffle does (to ~1e-15):
 * - linear models: X[N,F] → (X − mean) · invStd (StandardScaler, 0 where σ = 0) → MatMul W[F,1]
 *   → Add b → Sigmoid (LOGISTIC_REGRESSION: output `probability`, P(positive)) or identity
 *   (LINEAR_REGRESSION: output `prediction`). The input is the model's feature vector: the numeric
 *   feature columns, then one column per one-hot category in the order DESCRIBE MODEL lists weights.
 * - GAUSSIAN_NB: per class c, log prior + Σ_f log(1e-9 + N(x_f; μ_cf, σ²_cf)) from basic ops
 *   (population variance; σ² = 0 gives density 0, as River), Softmax over classes: output `probabilities`
 *   [N, classes] in DESCRIBE's label order.
 * Hoeffding trees (naive Bayes leaves) and half-space trees have no ONNX-ML operator that computes
 * what they compute; exporting them is refused with that reason.
 */
import type { ModelState } from './model.ts';
import { pb, type ProtoWriter } from './protobuf.ts';

const DOUBLE = 11;

function tensorDouble(name: string, dims: number[], values: readonly number[]): ProtoWriter {
  const t = pb();
  for (const d of dims) t.int(1, d);
  t.int(2, DOUBLE).string(8, name);
  const raw = new Uint8Array(values.length * 8);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  return t.bytes(9, raw);
}

function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = pb();
  for (const d of dims) shape.message(1, typeof d === 'number' ? pb().int(1, d) : pb().string(2, d));
  return pb().string(1, name).message(2, pb().message(1, pb().int(1, DOUBLE).message(2, shape)));
}

function node(op: string, inputs: string[], outputs: string[], attrs: ProtoWriter[] = []): ProtoWriter {
  const n = pb();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${op}_${outputs[0]}`).string(4, op);
  for (const a of attrs) n.message(5, a);
  return n;
}

const intAttr = (name: string, v: number): ProtoWriter => pb().string(1, name).int(3, v).int(20, 2);

/** The ONNX file of a model state over `features` (its feature-vector columns). Throws Error when the model type has no ONNX form. */
export function exportOnnx(state: ModelState, features: readonly string[], modelName: string): Uint8Array {
  const l = state.learner;
  const nodes: ProtoWriter[] = [];
  const inits: ProtoWriter[] = [];
  let output: ProtoWriter;
  const F = features.length;
  switch (l.kind) {
    case 'linear': {
      const mean = features.map((_, i) => (l.options.scale ? (l.scaler.mean[i] ?? 0) : 0));
      const inv = features.map((_, i) => (l.options.scale ? ((l.scaler.variance[i] ?? 0) > 0 ? 1 / Math.sqrt(l.scaler.variance[i]) : 0) : 1));
      inits.push(tensorDouble('mean', [F], mean), tensorDouble('inv_std', [F], inv));
      inits.push(tensorDouble('weights', [F, 1], features.map((_, i) => l.weights[i] ?? 0)), tensorDouble('intercept', [1], [l.intercept]));
      nodes.push(node('Sub', ['X', 'mean'], ['centered']), node('Mul', ['centered', 'inv_std'], ['scaled']), node('MatMul', ['scaled', 'weights'], ['dot']));
      const out = l.loss === 'log' ? 'probability' : 'prediction';
      if (l.loss === 'log') nodes.push(node('Add', ['dot', 'intercept'], ['raw']), node('Sigmoid', ['raw'], [out]));
      else nodes.push(node('Add', ['dot', 'intercept'], [out]));
      output = valueInfo(out, ['N', 1]);
      break;
    }
    case 'gaussian_nb': {
      const C = l.classCounts.length;
      const total = l.classCounts.reduce((a, b) => a + b, 0);
      const mu: number[] = [];
      const halfInvVar: number[] = [];
      const logNorm: number[] = [];
      const valid: number[] = [];
      for (let c = 0; c < C; c++) {
        for (let f = 0; f < F; f++) {
          const n = l.n[c]?.[f] ?? 0;
          const variance = n > 0 ? l.s[c][f] / n : 0;
          const ok = variance > 0;
          mu.push(ok ? l.mean[c][f] : 0);
          halfInvVar.push(ok ? 0.5 / variance : 0);
          logNorm.push(ok ? -0.5 * Math.log(2 * Math.PI * variance) : 0);
          valid.push(ok ? 1 : 0);
        }
      }
      const prior = l.classCounts.map((k) => Math.log(k / total));
      inits.push(
        tensorDouble('mu', [C, F], mu),
        tensorDouble('half_inv_var', [C, F], halfInvVar),
        tensorDouble('log_norm', [C, F], logNorm),
        tensorDouble('valid', [C, F], valid),
        tensorDouble('log_prior', [C], prior),
        tensorDouble('eps', [1], [1e-9]),
      );
      // X[N,F] → [N,1,F] − mu[C,F] → [N,C,F] → per-class log-likelihoods [N,C]
      nodes.push(
        node('Unsqueeze', ['X', 'axis1'], ['X3']),
        node('Sub', ['X3', 'mu'], ['d']),
        node('Mul', ['d', 'd'], ['d2']),
        node('Mul', ['d2', 'half_inv_var'], ['q']),
        node('Sub', ['log_norm', 'q'], ['logpdf']),
        node('Exp', ['logpdf'], ['pdf0']),
        node('Mul', ['pdf0', 'valid'], ['pdf']),
        node('Add', ['pdf', 'eps'], ['pdf_eps']),
        node('Log', ['pdf_eps'], ['ll']),
        node('ReduceSum', ['ll', 'axis2'], ['llsum'], [intAttr('keepdims', 0)]),
        node('Add', ['llsum', 'log_prior'], ['jll']),
        node('Softmax', ['jll'], ['probabilities'], [intAttr('axis', 1)]),
      );
      const axis = (name: string, v: number): ProtoWriter => {
        const t = pb().int(1, 1).int(2, 7).string(8, name);
        const raw = new Uint8Array(8);
        new DataView(raw.buffer).setBigInt64(0, BigInt(v), true);
        return t.bytes(9, raw);
      };
      inits.push(axis('axis1', 1), axis('axis2', 2));
      output = valueInfo('probabilities', ['N', C]);
      break;
    }
    case 'hoeffding':
      throw new Error('a Hoeffding tree predicts with naive Bayes in its leaves, which no ONNX-ML operator computes; export a LOGISTIC_REGRESSION or GAUSSIAN_NB model');
    case 'hst':
      throw new Error('half-space tree scores (mass-weighted depth) have no ONNX-ML operator; they cannot be exported');
  }
  const graph = pb();
  for (const n of nodes) graph.message(1, n);
  graph.string(2, modelName);
  for (const i of inits) graph.message(5, i);
  graph.message(11, valueInfo('X', ['N', F]));
  graph.message(12, output);
  return pb()
    .int(1, 8)
    .string(2, 'riffle')
    .string(3, '1')
    .string(6, `Riffle ${state.type}; input X columns: ${features.join(', ')}`)
    .message(7, graph)
    .message(8, pb().string(1, '').int(2, 13))
    .finish();
}
