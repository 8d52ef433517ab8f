/**
 * Open Inference Protocol (KServe V2) REST handlers, framework-agnostic: the server calls
 * `handleV2(method, path, body, catalog)` for every path under /v2 and writes back `status` and
 * the JSON `body` (content-type application/json). Authentication is the server's business,
 * before this is called. No state here: the catalog says which models exist and answers.
 *
 *   GET  /v2                                         server metadata
 *   GET  /v2/health/live | /v2/health/ready          200 when live / when every model is ready
 *   GET  /v2/models/{m}[/versions/{v}]               model metadata (inputs, outputs, versions)
 *   GET  /v2/models/{m}[/versions/{v}]/ready         200 ready, 400 not ready
 *   POST /v2/models/{m}[/versions/{v}]/infer         inference
 * Errors: 400 bad request (body {"error"}), 404 unknown model / version / path, 405 wrong method,
 * 500 when the model fails. One bad request never affects another.
 *
 * Inference input: either one tensor [N, k] holding the k model inputs per row (row-major, flat or
 * nested data), or one tensor per model input column, matched by name (case-insensitive), of
 * shape [N] or [N, 1]. Output: one tensor per model output column (or those the request names in
 * `outputs`), shape [N] (or [N, k] for array outputs), datatype from the column's SQL type.
 */
import { parseInferInputs, tensorOf, V2Error, type ServedColumn, type Tensor } from './tensors.ts';


export interface ServedModel {
  readonly name: string;
  /** e.g. 'riffle-trained-logistic_regression', 'onnx', 'kserve-v2 proxy'. */
  readonly platform: string;
  readonly versions: readonly string[];
  readonly inputs: readonly ServedColumn[];
  readonly outputs: readonly ServedColumn[];
  ready(version: string | null): Promise<boolean>;
  /** Rows of input values (model input order) → rows of output values (model output order); throws V2Error or Error. */
  infer(rows: unknown[][], version: string | null): Promise<unknown[][]>;
}

export interface ServingCatalog {
  readonly serverName: string;
  readonly serverVersion: string;
  models(): readonly ServedModel[];
  model(name: string): ServedModel | undefined;
}

export interface V2Response {
  readonly status: number;
  readonly body: unknown;
}

const err = (status: number, error: string): V2Response => ({ status, body: { error } });

function parsePath(path: string): string[] | null {
  const clean = path.split('?')[0].replace(/\/+$/, '');
  if (!clean.startsWith('/v2')) return null;
  return clean
    .slice(3)
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

export async function handleV2(method: string, path: string, body: unknown, catalog: ServingCatalog): Promise<V2Response> {
  try {
    return await route(method.toUpperCase(), path, body, catalog);
  } catch (e) {
    if (e instanceof V2Error) return err(e.status, e.message);
    return err(500, `inference failed: ${(e as Error).message}`);
  }
}

async function route(method: string, path: string, body: unknown, catalog: ServingCatalog): Promise<V2Response> {
  const parts = parsePath(path);
  if (parts === null) return err(404, `no such path: ${path}`);
  const get = (): V2Response | null => (method === 'GET' || method === 'HEAD' ? null : err(405, `${method} is not allowed on ${path}: use GET`));
  if (parts.length === 0) return get() ?? { status: 200, body: { name: catalog.serverName, version: catalog.serverVersion, extensions: [] } };
  if (parts[0] === 'health' && parts.length === 2 && (parts[1] === 'live' || parts[1] === 'ready')) {
    const bad = get();
    if (bad) return bad;
    if (parts[1] === 'live') return { status: 200, body: { live: true } };
    const states = await Promise.all(catalog.models().map((m) => m.ready(null).catch(() => false)));
    const ready = states.every(Boolean);
    return { status: ready ? 200 : 503, body: { ready } };
  }
  if (parts[0] !== 'models' || parts.length < 2) return err(404, `no such path: ${path}`);
  const model = catalog.model(parts[1]);
  if (!model) return err(404, `model '${parts[1]}' not found (models: ${catalog.models().map((m) => m.name).join(', ') || 'none'})`);
  let rest = parts.slice(2);
  let version: string | null = null;
  if (rest[0] === 'versions') {
    if (rest.length < 2) return err(404, `no such path: ${path}`);
    version = rest[1];
    if (!model.versions.includes(version)) return err(404, `model '${model.name}' has no version '${version}' (versions: ${model.versions.join(', ') || 'none'})`);
    rest = rest.slice(2);
  }
  if (rest.length === 0) return get() ?? { status: 200, body: metadata(model) };
  if (rest.length === 1 && rest[0] === 'ready') {
    const bad = get();
    if (bad) return bad;
    const ready = await model.ready(version).catch(() => false);
    return { status: ready ? 200 : 400, body: { name: model.name, ready } };
  }
  if (rest.length === 1 && rest[0] === 'infer') {
    if (method !== 'POST') return err(405, `${method} is not allowed on ${path}: use POST`);
    return infer(model, version, body);
  }
  return err(404, `no such path: ${path}`);
}

function metadata(m: ServedModel): unknown {
  const tensor = (c: ServedColumn) => ({ name: c.name, datatype: c.datatype, shape: [-1, ...c.rowShape] });
  return { name: m.name, versions: m.versions, platform: m.platform, inputs: m.inputs.map(tensor), outputs: m.outputs.map(tensor) };
}

async function infer(model: ServedModel, version: string | null, body: unknown): Promise<V2Response> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new V2Error(400, 'the request body must be a JSON object with "inputs"');
  const req = body as { id?: unknown; inputs?: unknown; outputs?: unknown };
  if (req.id !== undefined && typeof req.id !== 'string') throw new V2Error(400, '"id" must be a string');
  const rows = parseInferInputs(req.inputs, model.inputs);
  let wanted = model.outputs.map((_, i) => i);
  if (req.outputs !== undefined) {
    if (!Array.isArray(req.outputs)) throw new V2Error(400, '"outputs" must be an array of {"name": ...}');
    wanted = req.outputs.map((o) => {
      const name = (o as { name?: unknown })?.name;
      const i = typeof name === 'string' ? model.outputs.findIndex((c) => c.name.toUpperCase() === name.toUpperCase()) : -1;
      if (i < 0) throw new V2Error(400, `unknown output ${JSON.stringify(name)} (outputs: ${model.outputs.map((c) => c.name).join(', ')})`);
      return i;
    });
  }
  const out = rows.length === 0 ? [] : await model.infer(rows, version);
  if (out.length !== rows.length) throw new Error(`the model answered ${out.length} rows for ${rows.length}`);
  const outputs: Tensor[] = wanted.map((i) => tensorOf(model.outputs[i], out.map((r) => r[i])));
  const res: Record<string, unknown> = { model_name: model.name, model_version: version ?? model.versions[model.versions.length - 1] ?? '1', outputs };
  if (req.id !== undefined) res.id = req.id;
  return { status: 200, body: res };
}

export { V2Error };
