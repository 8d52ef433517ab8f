/**
 * Live trained models: what the training operator holds per model key, how it is stored in a
 * state store, and the engine-wide registry DESCRIBE MODEL, PREDICT and EXPORT read from.
 *
 * Store layout (one key-value store per training operator and input partition, or one for a
 * model without PARTITION BY):
 *   `m/<key>`          → {state, features, offsets, posLen, negLen}  (state without the score lists)
 *   `p/<key>/<chunk>`  → scores of positive rows for the exact ROC AUC, CHUNK (512) per entry
 *   `n/<key>/<chunk>`  → the same for negative rows
 *   `v/<n>/<key>`      → a version (snapshot): {state, features, rows, at}
 * Idempotence: `offsets` holds, per input partition, the offset of the last row this model
 * learned, written in the same entry as the state it produced; a row at or below it is skipped,
 * so a row delivered again after a crash is never learned twice.
 */
import { FeatureEncoder, FeatureSpace } from './features.ts';
import type { ModelState } from './model.ts';
import type { TrainOptions } from './options.ts';

/** Scores per chunk entry: small, since the last (partial) chunk is rewritten with every batch. */
export const CHUNK = 512;

export interface LiveModel {
  state: ModelState;
  readonly space: FeatureSpace;
  /** Feature number of each numeric feature column (the columns' own features come first). */
  readonly numericIdx: number[];
  /** Encodes the feature columns of the rows this model learns (not stored). */
  readonly encoder: FeatureEncoder;
  offsets: Record<number, number>;
  /** Rows learned since the last metric snapshot row. */
  sinceMetrics: number;
  /** Score-list lengths already in the store. */
  persistedPos: number;
  persistedNeg: number;
  dirty: boolean;
}

export interface StoredModel {
  readonly state: ModelState;
  readonly features: string[];
  readonly offsets: Record<number, number>;
  readonly posLen: number;
  readonly negLen: number;
}

export function newLive(state: ModelState, featureNames: readonly string[]): LiveModel {
  const space = new FeatureSpace();
  const numericIdx = featureNames.map((n) => space.indexOf(n));
  return { state, space, numericIdx, encoder: new FeatureEncoder(space, featureNames, numericIdx, nominalFeatures(state)), offsets: {}, sinceMetrics: 0, persistedPos: 0, persistedNeg: 0, dirty: false };
}

/** Hoeffding trees take string columns as nominal features (River), the other models one-hot. */
export function nominalFeatures(state: ModelState): boolean {
  return state.type === 'HOEFFDING_TREE';
}

type ScoreLists = { positives: number[]; negatives: number[] };

function scoreLists(s: ModelState): ScoreLists | null {
  const m = s.metrics;
  return m.kind === 'regression' ? null : m;
}

/** The entry for `m/<key>`: the state with its score lists left out (they are chunked). */
export function storedOf(live: LiveModel): StoredModel {
  const lists = scoreLists(live.state);
  const metrics = lists ? { ...live.state.metrics, positives: [], negatives: [] } : live.state.metrics;
  return {
    state: { ...live.state, metrics },
    features: live.space.names,
    offsets: live.offsets,
    posLen: lists?.positives.length ?? 0,
    negLen: lists?.negatives.length ?? 0,
  };
}

/** Chunks of the score lists written since the last persist: [which, chunk number, scores]. */
export function changedChunks(live: LiveModel): ['p' | 'n', number, number[]][] {
  const lists = scoreLists(live.state);
  if (!lists) return [];
  const out: ['p' | 'n', number, number[]][] = [];
  const add = (which: 'p' | 'n', list: number[], from: number): void => {
    for (let c = Math.floor(from / CHUNK); c * CHUNK < list.length; c++) out.push([which, c, list.slice(c * CHUNK, (c + 1) * CHUNK)]);
  };
  add('p', lists.positives, live.persistedPos);
  add('n', lists.negatives, live.persistedNeg);
  live.persistedPos = lists.positives.length;
  live.persistedNeg = lists.negatives.length;
  return out;
}

/** Rebuilds a live model from its entry and its chunks (extra chunk entries beyond the lengths are ignored). */
export function liveOf(stored: StoredModel, featureNames: readonly string[], chunk: (which: 'p' | 'n', n: number) => number[] | undefined): LiveModel {
  const live = newLive(stored.state, featureNames);
  for (const f of stored.features) live.space.indexOf(f);
  live.offsets = { ...stored.offsets };
  const lists = scoreLists(live.state);
  if (lists) {
    const read = (which: 'p' | 'n', len: number): number[] => {
      const out: number[] = [];
      for (let c = 0; out.length < len; c++) {
        const part = chunk(which, c);
        if (!part) throw new Error(`model state: score chunk ${which}/${c} is missing`);
        out.push(...part);
      }
      return out.slice(0, len);
    };
    lists.positives = read('p', stored.posLen);
    lists.negatives = read('n', stored.negLen);
  }
  live.persistedPos = stored.posLen;
  live.persistedNeg = stored.negLen;
  return live;
}

/** A trained model's definition, as the engine knows it. */
export interface TrainedDefinition {
  readonly name: string;
  readonly options: TrainOptions;
  readonly featureNames: readonly string[];
  readonly featureTypes: readonly string[];
  readonly labelName: string | null;
  readonly keyNames: readonly string[];
  readonly queryId: string;
  readonly metricsStream: string;
  readonly driftStream: string;
  readonly sql: string;
}

export interface ModelVersion {
  readonly version: number;
  readonly rows: number;
  readonly at: number;
  readonly models: ReadonlyMap<string, { readonly state: ModelState; readonly features: readonly string[] }>;
}

/** The live models of every trained model on this instance, by model name then key text. */
export class TrainedModels {
  /** Names this registry in trained providers' specs (see client.ts); unique per engine instance. */
  readonly id = `trained-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  readonly definitions = new Map<string, TrainedDefinition>();
  readonly live = new Map<string, Map<string, LiveModel>>();
  readonly versions = new Map<string, ModelVersion[]>();
  /** ALTER MODEL m SET (VERSION = n): the version PREDICT uses by default; null = live. */
  readonly pinned = new Map<string, number | null>();

  liveOf(model: string): Map<string, LiveModel> {
    let m = this.live.get(model);
    if (!m) this.live.set(model, (m = new Map()));
    return m;
  }

  forget(model: string): void {
    this.definitions.delete(model);
    this.live.delete(model);
    this.versions.delete(model);
    this.pinned.delete(model);
  }
}

/** Every engine's registry by id, for the trained provider's client (weak: an engine's end frees it). */
export const REGISTRIES = new Map<string, WeakRef<TrainedModels>>();

/** The registry an engine lends its operators (created on first use). */
export function trainedModels(services: { trained?: unknown }): TrainedModels {
  if (services.trained instanceof TrainedModels) return services.trained;
  const t = new TrainedModels();
  services.trained = t;
  REGISTRIES.set(t.id, new WeakRef(t));
  return t;
}

/** Key text of a model key: '' for the single model, the value for one key column, JSON for several. */
export function keyText(values: readonly unknown[]): string {
  if (values.length === 0) return '';
  if (values.length === 1) return values[0] === null || values[0] === undefined ? '' : String(values[0]);
  return JSON.stringify(values.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
}
