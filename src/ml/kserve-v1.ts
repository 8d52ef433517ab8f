/**
 * KServe V1 (TF-Serving style): `POST /v1/models/{m}:predict {"instances": [...]}` ->
 * `{"predictions": [...]}`, readiness `GET /v1/models/{m}` -> `{"ready": true}`.
 * No metadata endpoint: INPUT and OUTPUT must be declared.
 *
 * Matrix layout sends each row as a list of feature values; columns layout as an object keyed by
 * input column name. A prediction is read as: a scalar (one output column), an object keyed by
 * output name, or a list (positional over the output columns, or the whole list for one ARRAY column).
 */
import type { CallContext, Health, ModelClient } from './model-client.ts';
import { ModelCallError } from './errors.ts';
import { requestJson, toJson } from './http.ts';
import type { ModelSchema } from './schema.ts';
import { resolveSchema } from './schema.ts';
import type { ModelSpec, ProviderSpec } from './spec.ts';
import type { WireValue } from './tensor.ts';
import { DecodeError, decodeScalar } from './tensor.ts';

type V1Provider = Extract<ProviderSpec, { kind: 'kserve-v1' }>;

function predictionRow(schema: ModelSchema, p: unknown, r: number): unknown[] {
  const outs = schema.outputs;
  const where = `prediction ${r}`;
  if (p !== null && typeof p === 'object' && !Array.isArray(p)) {
    const obj = p as Record<string, unknown>;
    const keys = Object.keys(obj);
    return outs.map((c, j) => {
      const want = schema.outputTensors[j];
      const key = keys.find((k) => k === want) ?? keys.find((k) => k.toLowerCase() === want.toLowerCase()) ?? (outs.length === 1 && keys.length === 1 ? keys[0] : undefined);
      if (key === undefined) throw new DecodeError(`${where} has no field ${want} (it has: ${keys.join(', ')})`);
      return decodeScalar(obj[key], c.type, `${where}.${key}`);
    });
  }
  if (Array.isArray(p)) {
    if (outs.length === 1 && outs[0].type.kind === 'ARRAY') return [decodeScalar(p, outs[0].type, where)];
    if (p.length === outs.length) return outs.map((c, j) => decodeScalar(p[j], c.type, `${where}[${j}]`));
    throw new DecodeError(`${where} is a list of ${p.length} values, model has ${outs.length} output column(s)`);
  }
  if (outs.length !== 1) throw new DecodeError(`${where} is a single value, model has ${outs.length} output columns`);
  return [decodeScalar(p, outs[0].type, where)];
}

/** Strictly reads a V1 response body for `rows` rows. */
export function parseV1Response(schema: ModelSchema, body: unknown, rows: number): unknown[][] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new DecodeError('response is not a JSON object');
  const preds = (body as { predictions?: unknown }).predictions;
  if (!Array.isArray(preds)) throw new DecodeError('response has no "predictions" list');
  if (preds.length !== rows) throw new DecodeError(`response has ${preds.length} predictions, ${rows} rows were sent`);
  return preds.map((p, r) => predictionRow(schema, p, r));
}

export function openKserveV1(spec: ModelSpec, p: V1Provider): ModelClient {
  const schema = resolveSchema(spec, null);
  const modelUrl = `${p.endpoint}/v1/models/${encodeURIComponent(p.modelName)}`;
  const predictUrl = `${modelUrl}:predict`;
  const names = schema.inputs.map((c) => c.name);
  const asObjects = schema.layout === 'columns';
  return {
    schema,
    target: `POST ${predictUrl}`,
    async predict(rows: readonly (readonly WireValue[])[], ctx: CallContext): Promise<unknown[][]> {
      const instances = asObjects ? rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]]))) : rows;
      const ans = await requestJson('POST', predictUrl, toJson({ instances }), {
        headers: { ...spec.headers, 'x-request-id': ctx.requestId },
        timeoutMs: spec.timeoutMs,
        signal: ctx.signal,
      });
      try {
        return parseV1Response(schema, ans.body, rows.length);
      } catch (e) {
        if (e instanceof DecodeError) throw new ModelCallError({ kind: 'malformed', why: e.message }, `POST ${predictUrl}`);
        throw e;
      }
    },
    async health(signal: AbortSignal): Promise<Health> {
      try {
        const ans = await requestJson('GET', modelUrl, undefined, { headers: spec.headers, timeoutMs: spec.timeoutMs, signal });
        const ready = (ans.body as { ready?: unknown } | undefined)?.ready;
        return ready === true ? { kind: 'ready' } : { kind: 'not-ready', reason: `GET ${modelUrl}: ready is ${JSON.stringify(ready)}` };
      } catch (e) {
        return { kind: 'not-ready', reason: (e as Error).message };
      }
    },
    async close(): Promise<void> {},
  };
}
