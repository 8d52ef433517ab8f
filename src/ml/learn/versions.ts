/**
 * Model versions: snapshots of a key's model taken every SNAPSHOT_EVERY rows (version n = the
 * state after n·N rows, the same after any restart) or interval, and by the CHALLENGER drift
 * policy (the live model is kept as a version, then restarts). Kept in the training store under
 * `v/<key>/<n>` and in the registry for PREDICT (m$n), DESCRIBE MODEL and EXPORT MODEL ... VERSION n.
 */
import type { KeyValueStore } from '../../state/store.ts';
import type { LiveModel, TrainedModels } from './live.ts';
import type { ModelState } from './model.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface StoredVersion {
  readonly version: number;
  readonly rows: number;
  readonly at: number;
  readonly state: ModelState;
  readonly features: string[];
}

function addVersion(registry: TrainedModels, model: string, key: string, v: StoredVersion): void {
  let list = registry.versions.get(model);
  if (!list) registry.versions.set(model, (list = []));
  let entry = list.find((e) => e.version === v.version);
  if (!entry) {
    entry = { version: v.version, rows: v.rows, at: v.at, models: new Map() };
    list.push(entry);
    list.sort((a, b) => a.version - b.version);
  }
  (entry.models as Map<string, { state: ModelState; features: readonly string[] }>).set(key, { state: v.state, features: v.features });
}

export function takeSnapshot(registry: TrainedModels, model: string, key: string, m: LiveModel, store: KeyValueStore<unknown>, at: number): void {
  const existing = registry.versions.get(model) ?? [];
  const own = existing.filter((e) => e.models.has(key)).length;
  const state = structuredClone({ ...m.state, metrics: { ...m.state.metrics, positives: [], negatives: [] } }) as ModelState;
  const v: StoredVersion = { version: own + 1, rows: m.state.rows, at, state, features: [...m.space.names] };
  store.put(enc.encode(`v/${key}/${String(v.version).padStart(10, '0')}`), v);
  addVersion(registry, model, key, v);
}

export function restoreVersions(registry: TrainedModels, model: string, store: KeyValueStore<unknown>): void {
  for (const { key, value } of store.prefix(enc.encode('v/'))) {
    const text = dec.decode(key);
    const k = text.slice(2, text.lastIndexOf('/'));
    addVersion(registry, model, k, value as StoredVersion);
  }
}

