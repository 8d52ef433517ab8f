/**
 * ONNX in process (onnxruntime-node, CPU): a batch is one `session.run` with [rows, features]
 * (matrix) or per-column tensors. Inputs/outputs can be discovered from the file's metadata.
 * Errors from the runtime are the request's (`runtime`, not retried: same input, same error).
 */
import type * as Ort from 'onnxruntime-node';
import type { CallContext, Health, ModelClient } from './model-client.ts';
import { ModelCallError } from './errors.ts';
import type { OutputTensor } from './outputs.ts';
import { rowsFromTensors } from './outputs.ts';
import type { DiscoveredModel, TensorMeta } from './schema.ts';
import { bindOutputs, resolveSchema } from './schema.ts';
import type { ModelSpec, ProviderSpec } from './spec.ts';
import type { TensorDatatype, WireValue } from './tensor.ts';
import { DecodeError } from './tensor.ts';

type OnnxProvider = Extract<ProviderSpec, { kind: 'onnx' }>;

const ORT_TO_DATATYPE: Readonly<Record<string, TensorDatatype>> = {
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

function metaOf(m: Ort.InferenceSession.ValueMetadata, source: string): TensorMeta | null {
  if (!m.isTensor) return null;
  const datatype = ORT_TO_DATATYPE[m.type];
  if (datatype === undefined) throw new ModelCallError({ kind: 'runtime', why: `tensor ${m.name} has unsupported type ${m.type}` }, source);
  // Symbolic dimensions ('batch', 'N') are variable: -1, as in V2 metadata.
  return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
}

/** A typed array (or list) of `n` values of `dt`, as onnxruntime wants for a tensor. */
function tensorOf(ort: typeof Ort, dt: TensorDatatype, values: WireValue[], dims: number[]): Ort.Tensor {
  switch (dt) {
    case 'FP32':
      return new ort.Tensor('float32', Float32Array.from(values as number[]), dims);
    case 'FP64':
      return new ort.Tensor('float64', Float64Array.from(values as number[]), dims);
    case 'INT64':
      return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v as number | bigint)), dims);
    case 'UINT64':
      return new ort.Tensor('uint64', BigUint64Array.from(values, (v) => BigInt(v as number | bigint)), dims);
    case 'INT32':
      return new ort.Tensor('int32', Int32Array.from(values as number[]), dims);
    case 'INT16':
      return new ort.Tensor('int16', Int16Array.from(values as number[]), dims);
    case 'INT8':
      return new ort.Tensor('int8', Int8Array.from(values as number[]), dims);
    case 'UINT32':
      return new ort.Tensor('uint32', Uint32Array.from(values as number[]), dims);
    case 'UINT16':
      return new ort.Tensor('uint16', Uint16Array.from(values as number[]), dims);
    case 'UINT8':
      return new ort.Tensor('uint8', Uint8Array.from(values as number[]), dims);
    case 'BOOL':
      return new ort.Tensor('bool', Uint8Array.from(values, (v) => (v ? 1 : 0)), dims);
    case 'BYTES':
      return new ort.Tensor('string', values as string[], dims);
    case 'FP16':
      throw new ModelCallError({ kind: 'runtime', why: 'FP16 inputs are not supported; use INPUT_DATATYPE' }, 'onnx');
  }
}

/** Output tensor data as JS values: bools as booleans, 64-bit integers as bigint (decoded later). */
function outputData(t: Ort.Tensor): ArrayLike<unknown> {
  if (t.type === 'bool') return Array.from(t.data as Uint8Array, (b) => b !== 0);
  return t.data as ArrayLike<unknown>;
}

export async function openOnnx(spec: ModelSpec, p: OnnxProvider): Promise<ModelClient> {
  const ort = (await import('onnxruntime-node')) as typeof Ort;
  const source = `onnx ${p.path}`;
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(p.path, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    throw new ModelCallError({ kind: 'runtime', why: `cannot load model: ${(e as Error).message}` }, source);
  }
  const ins = session.inputMetadata.map((m) => metaOf(m, source));
  const outs = session.outputMetadata.map((m) => metaOf(m, source)).filter((m): m is TensorMeta => m !== null);
  if (ins.some((m) => m === null)) throw new ModelCallError({ kind: 'runtime', why: 'a model input is not a tensor' }, source);
  const discovered: DiscoveredModel = { inputs: ins as TensorMeta[], outputs: outs, source };
  const schema = resolveSchema(spec, discovered);
  const inputMeta = new Map(discovered.inputs.map((m) => [m.name, m]));
  for (const t of schema.inputTensors) {
    if (!inputMeta.has(t.name)) throw new ModelCallError({ kind: 'runtime', why: `model has no input ${t.name} (it has: ${session.inputNames.join(', ')})` }, source);
  }
  // Fetch only the outputs the columns read: sklearn-onnx graphs also emit non-tensor outputs (ZipMap).
  const fetchNames = bindOutputs(schema, outs.map((m) => m.name)).map((i) => outs[i].name);
  // A fixed batch dimension of 1 (exported without dynamic axes) is served row by row.
  const oneRowAtATime = schema.inputTensors.some((t) => inputMeta.get(t.name)!.shape[0] === 1);

  async function run(rows: readonly (readonly WireValue[])[]): Promise<unknown[][]> {
    const n = rows.length;
    const feeds: Record<string, Ort.Tensor> = {};
    for (const t of schema.inputTensors) {
      const k = t.columns.length;
      const values: WireValue[] = new Array(n * k);
      for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) values[r * k + j] = rows[r][t.columns[j]];
      const rank = inputMeta.get(t.name)!.shape.length;
      feeds[t.name] = tensorOf(ort, t.datatype, values, rank === 1 ? [n] : [n, k]);
    }
    let result: Ort.InferenceSession.ReturnType;
    try {
      result = await session.run(feeds, fetchNames);
    } catch (e) {
      throw new ModelCallError({ kind: 'runtime', why: (e as Error).message }, source);
    }
    const tensors: OutputTensor[] = fetchNames.map((name) => {
      const t = result[name] as Ort.Tensor;
      return { name, shape: t.dims, data: outputData(t) };
    });
    try {
      return rowsFromTensors(schema, tensors, n);
    } catch (e) {
      // In process the same input gives the same output: not worth retrying, unlike a server's.
      if (e instanceof DecodeError) throw new ModelCallError({ kind: 'runtime', why: e.message }, source);
      throw e;
    }
  }

  let closed = false;
  return {
    schema,
    target: source,
    async predict(rows: readonly (readonly WireValue[])[], ctx: CallContext): Promise<unknown[][]> {
      if (closed || ctx.signal.aborted) throw new ModelCallError({ kind: 'closed' }, source);
      if (!oneRowAtATime || rows.length === 1) return run(rows);
      const out: unknown[][] = [];
      for (const r of rows) out.push(...(await run([r])));
      return out;
    },
    async health(): Promise<Health> {
      return closed ? { kind: 'not-ready', reason: 'session released' } : { kind: 'ready' };
    },
    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        await session.release();
      }
    },
  };
}
