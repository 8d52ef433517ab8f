/**
 * The ModelClient of PROVIDER 'trained': PREDICT / ML_PREDICT / ANOMALY_SCORE on a model trained
 * in this engine, answered in process from the live model (or a version: `m$3`, or the version
 * ALTER MODEL pinned). INPUT columns are the model key columns (PARTITION BY) then the features;
 * OUTPUT columns: PREDICTION (+ PROBABILITY for classifiers), or SCORE for anomaly models.
 * A row whose key has no model yet gets nulls.
 */
import type { ModelClient } from '../model-client.ts';
import type { ModelSpec, ProviderSpec } from '../spec.ts';
import { resolveSchema } from '../schema.ts';
import { ModelCallError } from '../errors.ts';
import { encodeFeatures, FeatureSpace, FeatureError } from './features.ts';
import { predict, type ModelState } from './model.ts';
import { REGISTRIES, keyText, nominalFeatures, type TrainedModels } from './live.ts';

type TrainedProvider = Extract<ProviderSpec, { kind: 'trained' }>;

interface Resolved {
  readonly state: ModelState;
  readonly space: FeatureSpace;
  readonly numericIdx: number[];
}

export function trainedRegistryById(id: string): TrainedModels | undefined {
  return REGISTRIES.get(id)?.deref();
}

/** The model answering for `key` at `version` (null: the pinned version, else live). */
export function resolveTrained(reg: TrainedModels, model: string, key: string, version: string | null): Resolved | null {
  const def = reg.definitions.get(model);
  if (!def) return null;
  const pinned = reg.pinned.get(model) ?? null;
  const v = version !== null ? Number(version) : pinned;
  if (v !== null) {
    if (!Number.isInteger(v)) throw new Error(`model ${model}: version '${version}' is not a number`);
    const entry = reg.versions.get(model)?.find((e) => e.version === v);
    if (!entry) throw new Error(`model ${model} has no version ${v} (DESCRIBE MODEL lists them)`);
    const m = entry.models.get(key);
    if (!m) return null;
    const space = FeatureSpace.fromState({ names: [...m.features] });
    return { state: m.state, space, numericIdx: def.featureNames.map((n) => space.indexOf(n)) };
  }
  const live = reg.live.get(model)?.get(key);
  return live ? { state: live.state, space: live.space, numericIdx: live.numericIdx } : null;
}

/** The output values of one row, in OUTPUT order. */
export function trainedOutputs(r: Resolved | null, features: readonly unknown[], names: readonly string[], width: number): unknown[] {
  if (r === null) return new Array(width).fill(null);
  // Unseen one-hot categories must not grow the live model's feature space: encode on a copy.
  const space = FeatureSpace.fromState(r.space.toState());
  const x = encodeFeatures(space, names, r.numericIdx, features, nominalFeatures(r.state));
  const p = predict(r.state, x);
  if (p === null) return new Array(width).fill(null);
  switch (p.kind) {
    case 'class':
      return [p.label, p.probability];
    case 'value':
      return [p.value];
    case 'score':
      return [p.score];
  }
}

export async function openTrained(spec: ModelSpec, p: TrainedProvider): Promise<ModelClient> {
  const schema = resolveSchema(spec, null);
  const width = schema.outputs.length;
  return {
    schema,
    target: `trained ${p.model}`,
    async predict(rows) {
      const reg = trainedRegistryById(p.registry);
      const def = reg?.definitions.get(p.model);
      if (!reg || !def) throw new ModelCallError({ kind: 'runtime', why: `trained model ${p.model} is not loaded` }, `trained ${p.model}`);
      const keys = def.keyNames.length;
      return rows.map((row) => {
        const key = keyText(row.slice(0, keys));
        try {
          return trainedOutputs(resolveTrained(reg, p.model, key, p.version), row.slice(keys), def.featureNames, width);
        } catch (e) {
          if (e instanceof FeatureError) return new Array(width).fill(null);
          throw new ModelCallError({ kind: 'runtime', why: (e as Error).message }, `trained ${p.model}`);
        }
      });
    },
    async health() {
      return trainedRegistryById(p.registry)?.definitions.has(p.model) ? { kind: 'ready' } : { kind: 'not-ready', reason: `trained model ${p.model} is not loaded` };
    },
    async close() {},
  };
}
