/**
 * Open Inference Protocol (KServe V2; Triton, MLServer): `POST /v2/models/{m}[/versions/{v}]/infer`
 * with one [rows, features] tensor (matrix layout) or one tensor per input column, metadata from
 * `GET /v2/models/{m}[/versions/{v}]`, health from `/v2/health/ready` and the model's `/ready`.
 *
 * Responses are checked strictly: a JSON object with an `outputs` list of well-formed tensors
 * whose first dimension is the number of rows sent, and an `id` (if any) equal to the request's.
 */
import type { CallContext, Health, ModelClient } from './model-client.ts';
import { ModelCallError } from './errors.ts';
import { requestJson, toJson } from './http.ts';
import type { OutputTensor } from './outputs.ts';
import { flatten, rowsFromTensors } from './outputs.ts';
import type { DiscoveredModel, ModelSchema, TensorMeta } from './schema.ts';
import { parseTensorMeta, resolveSchema } from './schema.ts';
import type { ModelSpec, ProviderSpec } from './spec.ts';
import type { WireValue } from './tensor.ts';
import { DecodeError, isTensorDatatype } from './tensor.ts';

type V2Provider = Extract<ProviderSpec, { kind: 'kserve-v2' }>;

export function v2ModelUrl(p: V2Provider): string {
  const base = `${p.endpoint}/v2/models/${encodeURIComponent(p.modelName)}`;
  return p.modelVersion === null ? base : `${base}/versions/${encodeURIComponent(p.modelVersion)}`;
}

/** Reads `GET /v2/models/{m}` into tensor descriptions. */
export function parseV2Metadata(body: unknown, source: string): DiscoveredModel {
  if (body === null || typeof body !== 'object') throw new DecodeError(`${source}: metadata is not a JSON object`);
  const read = (key: 'inputs' | 'outputs'): TensorMeta[] => {
    const xs = (body as Record<string, unknown>)[key] ?? [];
    if (!Array.isArray(xs)) throw new DecodeError(`${source}: metadata "${key}" is not a list`);
    return xs.map((x, i) => {
      const t = parseTensorMeta(x);
      if (t === null) throw new DecodeError(`${source}: metadata ${key}[${i}] is not a tensor description: ${JSON.stringify(x)}`);
      return t;
    });
  };
  return { inputs: read('inputs'), outputs: read('outputs'), source };
}

/** Strictly reads an infer response for `rows` rows. */
export function parseV2Response(schema: ModelSchema, body: unknown, rows: number, requestId: string): unknown[][] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new DecodeError('response is not a JSON object');
  const b = body as Record<string, unknown>;
  if (b.id !== undefined && b.id !== null && b.id !== '' && b.id !== requestId) {
    throw new DecodeError(`response id ${JSON.stringify(b.id)} does not match request id ${JSON.stringify(requestId)}`);
  }
  if (!Array.isArray(b.outputs)) throw new DecodeError('response has no "outputs" list');
  const tensors: OutputTensor[] = b.outputs.map((o: unknown, i: number) => {
    if (o === null || typeof o !== 'object') throw new DecodeError(`outputs[${i}] is not an object`);
    const { name, shape, datatype, data } = o as Record<string, unknown>;
    if (typeof name !== 'string') throw new DecodeError(`outputs[${i}] has no name`);
    if (!isTensorDatatype(datatype)) throw new DecodeError(`output ${name} has unknown datatype ${JSON.stringify(datatype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new DecodeError(`output ${name} has invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(data)) throw new DecodeError(`output ${name} has no "data" list (binary outputs are not supported)`);
    return { name, shape: shape as number[], data: flatten(data) };
  });
  return rowsFromTensors(schema, tensors, rows);
}

function buildRequest(spec: ModelSpec, schema: ModelSchema, rows: readonly (readonly WireValue[])[], id: string): string {
  const n = rows.length;
  const inputs = schema.inputTensors.map((t) => {
    const k = t.columns.length;
    const data: WireValue[] = new Array(n * k);
    for (let r = 0; r < n; r++) {
      const row = rows[r];
      for (let j = 0; j < k; j++) data[r * k + j] = row[t.columns[j]];
    }
    return { name: t.name, shape: t.rank === 1 ? [n] : [n, k], datatype: t.datatype, data };
  });
  const body: Record<string, unknown> = { id, inputs };
  if (spec.requestOutputs) body.outputs = schema.outputTensors.map((name) => ({ name }));
  return toJson(body);
}

export async function openKserveV2(spec: ModelSpec, p: V2Provider, signal: AbortSignal): Promise<ModelClient> {
  const modelUrl = v2ModelUrl(p);
  const inferUrl = `${modelUrl}/infer`;
  const where = `POST ${inferUrl}`;
  let discovered: DiscoveredModel | null = null;
  // Metadata only when something is undeclared: CREATE MODEL with full INPUT/OUTPUT works offline.
  if (spec.inputs === null || spec.outputs === null) {
    const ans = await requestJson('GET', modelUrl, undefined, { headers: spec.headers, timeoutMs: spec.timeoutMs, signal });
    try {
      discovered = parseV2Metadata(ans.body, `GET ${modelUrl}`);
    } catch (e) {
      throw new ModelCallError({ kind: 'malformed', why: (e as Error).message }, `GET ${modelUrl}`);
    }
  }
  const schema = resolveSchema(spec, discovered);
  return {
    schema,
    target: where,
    async predict(rows: readonly (readonly WireValue[])[], ctx: CallContext): Promise<unknown[][]> {
      const ans = await requestJson('POST', inferUrl, buildRequest(spec, schema, rows, ctx.requestId), {
        headers: spec.headers,
        timeoutMs: spec.timeoutMs,
        signal: ctx.signal,
      });
      try {
        return parseV2Response(schema, ans.body, rows.length, ctx.requestId);
      } catch (e) {
        if (e instanceof DecodeError) throw new ModelCallError({ kind: 'malformed', why: e.message }, where);
        throw e;
      }
    },
    async health(sig: AbortSignal): Promise<Health> {
      const opts = { headers: spec.headers, timeoutMs: spec.timeoutMs, signal: sig };
      try {
        // Trust the status codes: 200 = ready.
        await requestJson('GET', `${p.endpoint}/v2/health/ready`, undefined, opts);
        await requestJson('GET', `${modelUrl}/ready`, undefined, opts);
        return { kind: 'ready' };
      } catch (e) {
        return { kind: 'not-ready', reason: (e as Error).message };
      }
    },
    async close(): Promise<void> {},
  };
}
