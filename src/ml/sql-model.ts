/**
 * The SQL face of a model, shared by the analyzer (PREDICT / ML_PREDICT typing), the engine
 * (CREATE/ALTER/DESCRIBE MODEL) and the model-call operator: the catalog's definition of a model,
 * model references with a version (`m$2`), per-call option overrides, and the STRUCT a call returns.
 *
 * Invariants: a ModelDefinition's `inputs`/`outputs` are the columns SQL sees (names as the
 * catalog stores them; discovered names upper-cased), in the order of the model's own columns;
 * its `spec` keeps INPUT/OUTPUT null when they were discovered, so every invoker opened from it
 * discovers them again and is checked against the catalog (see registry.ts).
 */
import { SqlError } from '../sql/errors.ts';
import type { SqlType, StructField } from '../types/sql-type.ts';
import { INTEGER, STRING, struct } from '../types/sql-type.ts';
import type { ModelColumn, ModelSpec, OnErrorPolicy, PropertyValue } from './spec.ts';
import { alterModelSpec, normalizeOptionName } from './spec.ts';

export interface ModelDefinition {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly inputs: readonly ModelColumn[];
  readonly outputs: readonly ModelColumn[];
}

/**
 * Under ON_ERROR = 'ERROR_COLUMNS' a call's STRUCT carries these after the model's outputs: null
 * when the row was predicted; when it was not, the outputs are null and these say why.
 */
export const ERROR_FIELDS: readonly StructField[] = [
  { name: 'ML_ERROR', type: STRING },
  { name: 'ML_ERROR_CODE', type: STRING },
  { name: 'ML_ATTEMPTS', type: INTEGER },
];

/** `M$2` → model M, version '2'; `M` → no version. The last `$` separates (model names cannot contain one). */
export function splitModelRef(ref: string): { readonly name: string; readonly version: string | null } {
  const i = ref.lastIndexOf('$');
  if (i < 0) return { name: ref, version: null };
  return { name: ref.slice(0, i), version: ref.slice(i + 1) };
}

/** Options a call may not override: they would change which model answers, or its columns. */
const NOT_PER_CALL = new Set(['PROVIDER', 'MODEL_NAME', 'MODEL_PATH', 'TENSOR_LAYOUT', 'INPUT_TENSOR', 'INPUT_DATATYPE', 'REQUEST_OUTPUTS']);
/** Flink's ML_PREDICT options that have no meaning here (calls are always asynchronous and batched). */
const IGNORED_PER_CALL = new Set(['ASYNC']);

/**
 * Per-call overrides (ML_PREDICT's MAP, PREDICT's trailing MAP) with normalized names, ignored
 * Flink options dropped. Throws SqlError INVALID (no span: the caller adds it).
 */
export function normalizeCallOptions(raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = normalizeOptionName(k);
    if (IGNORED_PER_CALL.has(name)) continue;
    if (NOT_PER_CALL.has(name)) throw new SqlError('INVALID', `model option ${name} cannot be set per call; use ALTER MODEL or another CREATE MODEL`);
    if (name in out) throw new SqlError('INVALID', `model option ${name} is given twice`);
    out[name] = v;
  }
  return out;
}

/**
 * The spec a call runs with: the model's spec, the version (`m$2`) and the call's overrides on
 * top, validated. Throws SqlError INVALID (e.g. a version on a provider without versions).
 */
export function effectiveSpec(def: ModelDefinition, version: string | null, options: Readonly<Record<string, string>>): ModelSpec {
  if (version === null && Object.keys(options).length === 0) return def.spec;
  if (version !== null && options.MODEL_VERSION !== undefined && options.MODEL_VERSION !== version) {
    throw new SqlError('INVALID', `model ${def.name}: version ${version} conflicts with option VERSION = '${options.MODEL_VERSION}'`);
  }
  if (version === '') throw new SqlError('INVALID', `model ${def.name}: empty version after '$'`);
  const p = def.spec.provider;
  // A trained model's versions are its snapshots; per-call options do not apply to it.
  if (p.kind === 'trained') return version === null ? def.spec : { ...def.spec, provider: { ...p, version } };
  if (version !== null && def.spec.provider.kind !== 'kserve-v2') {
    throw new SqlError('INVALID', `model ${def.name} has PROVIDER '${def.spec.provider.kind}', which has no versions: ${def.name}$${version} needs PROVIDER 'kserve-v2'`);
  }
  const overrides: Record<string, PropertyValue> = { ...options };
  if (version !== null) overrides.MODEL_VERSION = version;
  return alterModelSpec(def.spec, overrides);
}

/** The STRUCT a call of the model returns under `policy`: its outputs, plus ERROR_FIELDS under ERROR_COLUMNS. */
export function outputStructType(def: ModelDefinition, policy: OnErrorPolicy): SqlType {
  const fields: StructField[] = def.outputs.map((c) => ({ name: c.name, type: c.type }));
  if (policy === 'ERROR_COLUMNS') fields.push(...ERROR_FIELDS);
  return struct(fields);
}

/** Whether a call's result type has the error fields (it was planned under ERROR_COLUMNS). */
export function hasErrorFields(t: SqlType): boolean {
  return t.kind === 'STRUCT' && t.fields.some((f) => f.name === ERROR_FIELDS[0].name);
}

/** Output names that clash with the error fields, for a clear error before a STRUCT with duplicate fields exists. */
export function errorFieldClash(outputs: readonly ModelColumn[]): string | null {
  const names = new Set(ERROR_FIELDS.map((f) => f.name.toUpperCase()));
  return outputs.find((c) => names.has(c.name.toUpperCase()))?.name ?? null;
}

/** Where a model is, for SHOW MODELS and messages: the endpoint, or the ONNX file. */
export function modelLocation(spec: ModelSpec): string {
  const p = spec.provider;
  return p.kind === 'onnx' ? p.path : p.kind === 'trained' ? '(trained in Riffle)' : p.endpoint;
}

export function modelVersionOf(spec: ModelSpec): string | null {
  const p = spec.provider;
  return p.kind === 'kserve-v2' ? p.modelVersion : p.kind === 'trained' ? p.version : null;
}

/** The name of the model on its server (or the ONNX file). */
export function servedName(spec: ModelSpec): string {
  const p = spec.provider;
  return p.kind === 'onnx' ? p.path : p.kind === 'trained' ? p.model : p.modelName;
}

/** The default dead-letter topic of a model under ON_ERROR = 'DEAD_LETTER'. */
export function deadLetterTopicOf(model: string, spec: ModelSpec): string {
  return spec.deadLetterTopic ?? `${model}_DLQ`;
}

/** The catalog's ModelInfo (whose `spec` the catalog keeps opaque) as a definition. */
export function definitionOf(info: {
  readonly name: string;
  readonly spec: unknown;
  readonly inputs: readonly ModelColumn[];
  readonly outputs: readonly ModelColumn[];
}): ModelDefinition {
  return { name: info.name, spec: info.spec as ModelSpec, inputs: info.inputs, outputs: info.outputs };
}
