/**
 * ModelSpec: what `CREATE MODEL ... WITH (...)` declares, validated once so that the clients and
 * the invoker never see a bad option. Option names are case-insensitive and `-`/`_` are the same
 * (`MODEL_NAME`, 'model-name'); durations take '5s', '500ms', '2m' or a number of milliseconds.
 *
 * Invariant: a ModelSpec is always complete and consistent (all defaults filled in); `properties`
 * keeps the options as given (normalized names) so ALTER MODEL can merge and re-validate them.
 */
import type { SqlType } from '../types/sql-type.ts';
import { formatType } from '../types/sql-type.ts';
import { SqlError } from '../sql/errors.ts';
import type { TensorDatatype } from './tensor.ts';
import { TENSOR_DATATYPES, defaultDatatypeOf, isTensorDatatype, matrixDatatypeOf } from './tensor.ts';

export type ProviderKind = 'kserve-v1' | 'kserve-v2' | 'onnx';
export type OnErrorPolicy = 'FAIL' | 'SKIP' | 'ERROR_COLUMNS' | 'DEAD_LETTER';
export type TensorLayout = 'columns' | 'matrix';
export type PropertyValue = string | number | boolean;

export interface ModelColumn {
  readonly name: string;
  readonly type: SqlType;
}

export type ProviderSpec =
  | { readonly kind: 'kserve-v1'; readonly endpoint: string; readonly modelName: string }
  | { readonly kind: 'kserve-v2'; readonly endpoint: string; readonly modelName: string; readonly modelVersion: string | null }
  | { readonly kind: 'onnx'; readonly path: string }
  /** A model trained in Riffle (CREATE MODEL ... AS SELECT); `registry` names the engine's live models (ml/learn/client.ts). */
  | { readonly kind: 'trained'; readonly model: string; readonly registry: string; readonly version: string | null };

export interface RetryPolicy {
  /** Retries after the first attempt (0 = one attempt only). */
  readonly retries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** 0..1: the fraction of each backoff that is randomized (0 = fixed exponential). */
  readonly jitter: number;
}

export interface BreakerPolicy {
  /** Consecutive failed requests that open the breaker; 0 disables it. */
  readonly failureThreshold: number;
  readonly cooldownMs: number;
}

export interface ModelSpec {
  readonly provider: ProviderSpec;
  /** HTTP headers on every request (BEARER_TOKEN becomes `authorization`); names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Declared INPUT/OUTPUT columns; null = discover from V2 metadata or the ONNX file. */
  readonly inputs: readonly ModelColumn[] | null;
  readonly outputs: readonly ModelColumn[] | null;
  /** null = not given: 'matrix', unless discovered metadata has one tensor per input column. */
  readonly tensorLayout: TensorLayout | null;
  /** Name of the [rows, features] tensor in matrix layout; null = discovered, else 'input-0'. */
  readonly inputTensor: string | null;
  /** Datatype to send inputs as; null = discovered, else derived from the SQL types. */
  readonly inputDatatype: TensorDatatype | null;
  /** V2: name the OUTPUT columns as wanted tensors in the request (MLServer's sklearn runtime picks
   * predict_proba by name). Off by default: declared column names need not be tensor names. */
  readonly requestOutputs: boolean;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  readonly batchSize: number;
  /** For the engine's batching front: how long to wait to fill a batch. */
  readonly lingerMs: number;
  readonly maxInFlight: number;
  /** Whether results of successive invoke() calls are delivered in call order. */
  readonly ordered: boolean;
  readonly onError: OnErrorPolicy;
  readonly deadLetterTopic: string | null;
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

type OptionKind = 'string' | 'url' | 'int' | 'number' | 'duration' | 'bool' | 'enum';
interface OptionDef {
  readonly name: string;
  readonly kind: OptionKind;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly secret?: boolean;
}

const OPTIONS: readonly OptionDef[] = [
  { name: 'PROVIDER', kind: 'enum', values: ['kserve-v1', 'kserve-v2', 'onnx'] },
  { name: 'ENDPOINT', kind: 'url' },
  { name: 'MODEL_NAME', kind: 'string' },
  { name: 'MODEL_VERSION', kind: 'string' },
  { name: 'MODEL_PATH', kind: 'string' },
  { name: 'HEADERS', kind: 'string' },
  { name: 'BEARER_TOKEN', kind: 'string', secret: true },
  { name: 'TIMEOUT', kind: 'duration', min: 1 },
  { name: 'RETRIES', kind: 'int', min: 0, max: 100 },
  { name: 'RETRY_BACKOFF', kind: 'duration', min: 0 },
  { name: 'RETRY_BACKOFF_MAX', kind: 'duration', min: 0 },
  { name: 'RETRY_JITTER', kind: 'number', min: 0, max: 1 },
  { name: 'BREAKER_FAILURES', kind: 'int', min: 0 },
  { name: 'BREAKER_COOLDOWN', kind: 'duration', min: 0 },
  { name: 'BATCH_SIZE', kind: 'int', min: 1, max: 1_000_000 },
  { name: 'LINGER', kind: 'duration', min: 0 },
  { name: 'MAX_IN_FLIGHT', kind: 'int', min: 1, max: 1024 },
  { name: 'ORDERED', kind: 'bool' },
  { name: 'ON_ERROR', kind: 'enum', values: ['FAIL', 'SKIP', 'ERROR_COLUMNS', 'DEAD_LETTER'] },
  { name: 'DEAD_LETTER_TOPIC', kind: 'string' },
  { name: 'TENSOR_LAYOUT', kind: 'enum', values: ['columns', 'matrix'] },
  { name: 'INPUT_TENSOR', kind: 'string' },
  { name: 'INPUT_DATATYPE', kind: 'enum', values: TENSOR_DATATYPES },
  { name: 'REQUEST_OUTPUTS', kind: 'bool' },
];
const ALIASES: Readonly<Record<string, string>> = { LINGER_MS: 'LINGER', TIMEOUT_MS: 'TIMEOUT', ON_FAILURE: 'ON_ERROR', VERSION: 'MODEL_VERSION' };
const HEADER_PREFIX = 'HEADER.';

export const MODEL_OPTION_NAMES: readonly string[] = OPTIONS.map((o) => o.name);

const invalid = (msg: string): SqlError => new SqlError('INVALID', msg);

/** `MODEL-NAME`, 'model_name' -> `MODEL_NAME`; `header.X-Api-Key` keeps its header name. */
export function normalizeOptionName(raw: string): string {
  const up = raw.trim().toUpperCase();
  if (up.startsWith(HEADER_PREFIX)) return HEADER_PREFIX + raw.trim().slice(HEADER_PREFIX.length).toLowerCase();
  const n = up.replace(/[-.\s]/g, '_');
  return ALIASES[n] ?? n;
}

/** '5s', '500ms', '2m', '1.5 seconds', 250 (ms) -> milliseconds; null when malformed. */
export function parseDuration(v: PropertyValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|millis|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\s*$/i.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const scale =
    unit === 'ms' || unit.startsWith('milli') ? 1 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return n * scale;
}

function optionValue(def: OptionDef, raw: PropertyValue): string | number | boolean {
  const bad = (want: string): SqlError =>
    invalid(`model option ${def.name}: ${JSON.stringify(raw)} is not ${want}`);
  switch (def.kind) {
    case 'string':
      if (typeof raw !== 'string' || raw.trim() === '') throw bad('a non-empty string');
      return raw.trim();
    case 'url': {
      if (typeof raw !== 'string') throw bad('a URL');
      let u: URL;
      try {
        u = new URL(raw.trim());
      } catch {
        throw bad('a URL such as http://127.0.0.1:8080');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('an http:// or https:// URL');
      // Accept Flink/Triton-style endpoints that already name the protocol's model path.
      return u.toString().replace(/\/+$/, '').replace(/\/v[12](\/models)?$/, '');
    }
    case 'int':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (def.kind === 'int' && !Number.isInteger(n))) throw bad(def.kind === 'int' ? 'an integer' : 'a number');
      if (def.min !== undefined && n < def.min) throw bad(`>= ${def.min}`);
      if (def.max !== undefined && n > def.max) throw bad(`<= ${def.max}`);
      return n;
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === null) throw bad("a duration such as '5s', '500ms', '2m' or a number of milliseconds");
      if (def.min !== undefined && ms < def.min) throw bad(`at least ${def.min}ms`);
      return ms;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
      throw bad('TRUE or FALSE');
    case 'enum': {
      const s = typeof raw === 'string' ? raw.trim() : '';
      const hit = def.values!.find((x) => x.toLowerCase() === s.toLowerCase());
      if (hit === undefined) throw bad(`one of ${def.values!.map((x) => `'${x}'`).join(', ')}`);
      return hit;
    }
  }
}

/** 'X-A: 1, X-B: 2' or '{"X-A": "1"}' -> {x-a: '1', x-b: '2'}. */
function parseHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  const t = raw.trim();
  if (t.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      throw invalid(`model option HEADERS: not valid JSON: ${t}`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw invalid('model option HEADERS: want a JSON object');
    for (const [k, v] of Object.entries(obj)) out[k.toLowerCase()] = String(v);
    return out;
  }
  for (const part of t.split(',')) {
    const i = part.indexOf(':');
    if (i <= 0) throw invalid(`model option HEADERS: '${part.trim()}' is not 'Name: value'`);
    out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

function checkColumns(what: 'INPUT' | 'OUTPUT', cols: readonly ModelColumn[] | null): readonly ModelColumn[] | null {
  if (cols === null) return null;
  if (cols.length === 0) throw invalid(`model ${what} must have at least one column`);
  const seen = new Set<string>();
  for (const c of cols) {
    const key = c.name.toUpperCase();
    if (seen.has(key)) throw invalid(`model ${what} column ${c.name} is declared twice`);
    seen.add(key);
    const t = c.type.kind === 'ARRAY' && what === 'OUTPUT' ? c.type.element : c.type;
    const ok = what === 'INPUT' ? defaultDatatypeOf(t) !== null : defaultDatatypeOf(t) !== null || t.kind === 'DECIMAL';
    if (!ok) throw invalid(`model ${what} column ${c.name} has type ${formatType(c.type)}, which no tensor can carry`);
  }
  return cols.map((c) => ({ name: c.name, type: c.type }));
}

/**
 * Validates CREATE MODEL options. Throws SqlError('INVALID') naming the option and, for an unknown
 * option, listing the valid ones.
 */
export function modelSpecFromProperties(
  props: Readonly<Record<string, PropertyValue>> | ReadonlyMap<string, PropertyValue>,
  inputs?: readonly ModelColumn[] | null,
  outputs?: readonly ModelColumn[] | null,
): ModelSpec {
  const entries = props instanceof Map ? [...props.entries()] : Object.entries(props as Record<string, PropertyValue>);
  const given: Record<string, PropertyValue> = {};
  const v: Record<string, string | number | boolean> = {};
  const headers: Record<string, string> = {};
  for (const [rawName, raw] of entries) {
    const name = normalizeOptionName(rawName);
    if (name in given) throw invalid(`model option ${name} is given twice`);
    given[name] = raw;
    if (name.startsWith(HEADER_PREFIX)) {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw invalid(`model option ${rawName}: want a string`);
      headers[name.slice(HEADER_PREFIX.length)] = String(raw);
      continue;
    }
    const def = OPTIONS.find((o) => o.name === name);
    if (!def) {
      throw invalid(`unknown model option '${rawName}'; valid options: ${MODEL_OPTION_NAMES.join(', ')}, HEADER.<name>`);
    }
    v[name] = optionValue(def, raw);
  }

  const str = (n: string): string | null => (v[n] === undefined ? null : (v[n] as string));
  const num = (n: string, d: number): number => (v[n] === undefined ? d : (v[n] as number));
  const bool = (n: string, d: boolean): boolean => (v[n] === undefined ? d : (v[n] as boolean));
  const only = (n: string, kinds: readonly ProviderKind[], kind: ProviderKind): void => {
    if (v[n] !== undefined && !kinds.includes(kind)) throw invalid(`model option ${n} does not apply to PROVIDER '${kind}'`);
  };

  const kind = str('PROVIDER') as ProviderKind | null;
  if (kind === null) throw invalid(`model option PROVIDER is required: one of 'kserve-v1', 'kserve-v2', 'onnx'`);
  only('ENDPOINT', ['kserve-v1', 'kserve-v2'], kind);
  only('MODEL_NAME', ['kserve-v1', 'kserve-v2'], kind);
  only('MODEL_VERSION', ['kserve-v2'], kind);
  only('MODEL_PATH', ['onnx'], kind);
  only('HEADERS', ['kserve-v1', 'kserve-v2'], kind);
  only('BEARER_TOKEN', ['kserve-v1', 'kserve-v2'], kind);
  only('INPUT_TENSOR', ['kserve-v2', 'onnx'], kind);
  only('INPUT_DATATYPE', ['kserve-v2', 'onnx'], kind);
  only('REQUEST_OUTPUTS', ['kserve-v2'], kind);
  if (kind === 'onnx' && Object.keys(headers).length > 0) throw invalid(`model option HEADER.* does not apply to PROVIDER 'onnx'`);

  let provider: ProviderSpec;
  switch (kind) {
    case 'kserve-v1':
    case 'kserve-v2': {
      const endpoint = str('ENDPOINT');
      const modelName = str('MODEL_NAME');
      if (endpoint === null) throw invalid(`model option ENDPOINT is required for PROVIDER '${kind}' (e.g. 'http://127.0.0.1:8080')`);
      if (modelName === null) throw invalid(`model option MODEL_NAME is required for PROVIDER '${kind}'`);
      provider = kind === 'kserve-v1' ? { kind, endpoint, modelName } : { kind, endpoint, modelName, modelVersion: str('MODEL_VERSION') };
      break;
    }
    case 'onnx': {
      const path = str('MODEL_PATH');
      if (path === null) throw invalid(`model option MODEL_PATH is required for PROVIDER 'onnx' (a .onnx file)`);
      provider = { kind, path };
      break;
    }
  }

  const allHeaders = { ...(str('HEADERS') !== null ? parseHeaders(str('HEADERS')!) : {}), ...headers };
  if (str('BEARER_TOKEN') !== null) {
    if (allHeaders['authorization'] !== undefined) throw invalid('model options BEARER_TOKEN and an Authorization header are both given');
    allHeaders['authorization'] = `Bearer ${str('BEARER_TOKEN')}`;
  }

  const retry: RetryPolicy = {
    retries: num('RETRIES', 3),
    initialBackoffMs: num('RETRY_BACKOFF', 100),
    maxBackoffMs: num('RETRY_BACKOFF_MAX', 5000),
    jitter: num('RETRY_JITTER', 0.5),
  };
  if (retry.maxBackoffMs < retry.initialBackoffMs) {
    throw invalid(`model option RETRY_BACKOFF_MAX (${retry.maxBackoffMs}ms) is less than RETRY_BACKOFF (${retry.initialBackoffMs}ms)`);
  }
  const onError = (str('ON_ERROR') ?? 'FAIL') as OnErrorPolicy;
  const deadLetterTopic = str('DEAD_LETTER_TOPIC');
  if (deadLetterTopic !== null && onError !== 'DEAD_LETTER') {
    throw invalid(`model option DEAD_LETTER_TOPIC needs ON_ERROR = 'DEAD_LETTER' (ON_ERROR is '${onError}')`);
  }

  const ins = checkColumns('INPUT', inputs ?? null);
  const outs = checkColumns('OUTPUT', outputs ?? null);
  const tensorLayout = str('TENSOR_LAYOUT') as TensorLayout | null;
  const inputDatatype = str('INPUT_DATATYPE') as TensorDatatype | null;
  if (ins !== null && (tensorLayout ?? 'matrix') === 'matrix' && inputDatatype === null && ins.length > 1 && matrixDatatypeOf(ins.map((c) => c.type)) === null) {
    throw invalid(`model INPUT columns (${ins.map((c) => formatType(c.type)).join(', ')}) cannot share one tensor: use TENSOR_LAYOUT = 'columns' or INPUT_DATATYPE`);
  }
  if (inputDatatype !== null && !isTensorDatatype(inputDatatype)) throw invalid(`bad INPUT_DATATYPE ${inputDatatype}`);
  if (str('INPUT_TENSOR') !== null && tensorLayout === 'columns') {
    throw invalid(`model option INPUT_TENSOR applies to TENSOR_LAYOUT = 'matrix' only (in 'columns' each input column is its own tensor)`);
  }

  return {
    provider,
    headers: allHeaders,
    inputs: ins,
    outputs: outs,
    tensorLayout,
    inputTensor: str('INPUT_TENSOR'),
    inputDatatype,
    requestOutputs: bool('REQUEST_OUTPUTS', false),
    timeoutMs: num('TIMEOUT', 5000),
    retry,
    breaker: { failureThreshold: num('BREAKER_FAILURES', 5), cooldownMs: num('BREAKER_COOLDOWN', 10_000) },
    batchSize: num('BATCH_SIZE', 128),
    lingerMs: num('LINGER', 0),
    maxInFlight: num('MAX_IN_FLIGHT', 4),
    ordered: bool('ORDERED', true),
    onError,
    deadLetterTopic,
    properties: given,
  };
}

/** ALTER MODEL: the old options overlaid with the new ones, validated again (same INPUT/OUTPUT). */
export function alterModelSpec(spec: ModelSpec, props: Readonly<Record<string, PropertyValue>> | ReadonlyMap<string, PropertyValue>): ModelSpec {
  const merged: Record<string, PropertyValue> = { ...spec.properties };
  const entries = props instanceof Map ? [...props.entries()] : Object.entries(props as Record<string, PropertyValue>);
  for (const [k, val] of entries) merged[normalizeOptionName(k)] = val;
  return modelSpecFromProperties(merged, spec.inputs, spec.outputs);
}

const SECRET_HEADER = /authorization|token|secret|key|password|cookie/i;

/** The options for DESCRIBE MODEL, secrets masked. */
export function redactedProperties(spec: ModelSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(spec.properties)) {
    const def = OPTIONS.find((o) => o.name === k);
    const secret = def?.secret === true || k === 'HEADERS' || (k.startsWith(HEADER_PREFIX) && SECRET_HEADER.test(k));
    out[k] = secret ? '****' : String(val);
  }
  return out;
}
