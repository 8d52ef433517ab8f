/**
 * The training operator of CREATE MODEL ... AS SELECT (plan step `train`): for each input row, in
 * offset order per partition, the model of the row's key predicts, is scored, then learns
 * (progressive validation, ml/learn/model.ts). Emits metric snapshot rows (the model's metrics
 * stream) every METRICS_EVERY rows per key; drift detections go to the drift stream's topic.
 *
 * State: per input partition one store (or one `/global` store for a model without PARTITION BY,
 * which learns the rows of every partition in arrival order); layout and the per-offset
 * idempotence in ml/learn/live.ts. Models touched by a batch are written back at its end, so the
 * store is flushed (and offsets committed) with the state the rows produced.
 *
 * Bad rows (a null or non-finite feature, a missing or unusable label) go to the processing log
 * with the reason and are not learned; training goes on.
 */
import type { TrainStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { KeyValueStore } from '../../state/store.ts';
import { requireStores } from './stateful.ts';
import { FeatureError } from '../../ml/learn/features.ts';
import { LabelError, newModel, progressiveStep, restartLearner, type DriftEvent } from '../../ml/learn/model.ts';
import { metricValues } from '../../ml/learn/metrics.ts';
import { trainOptionsFrom } from '../../ml/learn/options.ts';
import { changedChunks, keyText, liveOf, newLive, storedOf, trainedModels, type LiveModel, type StoredModel } from '../../ml/learn/live.ts';
import { takeSnapshot, restoreVersions } from '../../ml/learn/versions.ts';
import { trainingStateFormat } from '../../state/codecs/formats.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface PartitionModels {
  readonly store: KeyValueStore<unknown>;
  readonly models: Map<string, LiveModel>;
  readonly dirty: Set<string>;
}

export function trainOperator(step: TrainStep, ctx: OperatorContext): Operator {
  const options = trainOptionsFrom(step.options);
  const registry = trainedModels(ctx.services as { trained?: unknown });
  const live = registry.liveOf(step.model);
  const keyed = step.key.length > 0;
  const byPartition = new Map<number, PartitionModels>();
  let global: PartitionModels | null = null;
  const snapshotClock = { last: Date.now() };

  const open = async (suffix: string): Promise<PartitionModels> => {
    const store = await requireStores(ctx).keyValueStore(ctx.queryId, step.name + suffix, trainingStateFormat);
    const models = new Map<string, LiveModel>();
    for (const { key, value } of store.prefix(enc.encode('m/'))) {
      const k = dec.decode(key).slice(2);
      const model = liveOf(value as StoredModel, step.featureNames, (which, n) => store.get(enc.encode(`${which}/${k}/${n}`)) as number[] | undefined);
      models.set(k, model);
      live.set(k, model);
    }
    restoreVersions(registry, step.model, store);
    return { store, models, dirty: new Set() };
  };

  const modelsFor = (partition: number): PartitionModels => {
    const pm = keyed ? byPartition.get(partition) : global;
    if (!pm) throw new Error(`training state of partition ${partition} is not open`);
    return pm;
  };

  const report = (r: Row, reason: string): void =>
    ctx.errors.report({ type: 'MODEL_ERROR', queryId: ctx.queryId, step: step.name, reason: `model ${step.model}: row at ${r.partition}@${r.offset} not learned: ${reason}`, partition: r.partition, offset: r.offset });

  const featureValues = new Array<unknown>(step.features.length);
  const keyValues = new Array<unknown>(step.key.length);

  const metricRows = (k: string, m: LiveModel, ts: number, out: Row[]): void => {
    for (const [metric, value] of metricValues(m.state.metrics)) {
      out.push({ cols: [k, step.model, m.state.rows, metric, value], ts, partition: 0, offset: -1, windowStart: null, windowEnd: null, headers: null });
    }
  };

  const persist = (pm: PartitionModels): void => {
    for (const k of pm.dirty) {
      const m = pm.models.get(k) as LiveModel;
      for (const [which, n, scores] of changedChunks(m)) pm.store.put(enc.encode(`${which}/${k}/${n}`), scores);
      pm.store.put(enc.encode(`m/${k}`), storedOf(m));
    }
    pm.dirty.clear();
  };

  const onDrift = (r: Row, k: string, m: LiveModel, pm: PartitionModels, drift: DriftEvent): void => {
    ctx.sideOutput(step.driftTopic, [
      {
        key: enc.encode(k),
        value: enc.encode(JSON.stringify({ MODEL: step.model, MODEL_KEY: k, ROWS: drift.rows, ERROR_MEAN: drift.errorMean, DETECTIONS: drift.detections, POLICY: options.learn.driftPolicy })),
        timestamp: r.ts,
      },
    ]);
    // CHALLENGER: the model as it was at the detection is kept as a version; the live
    // model (the challenger) restarts from this point. RESET restarts without a version.
    if (options.learn.driftPolicy === 'CHALLENGER') takeSnapshot(registry, step.model, k, m, pm.store, r.ts);
    if (options.learn.driftPolicy !== 'KEEP') restartLearner(m.state, options.learn);
  };

  return {
    name: step.name,
    async openPartitions(partitions) {
      if (!keyed) {
        if (global === null) global = await open('/global');
        return;
      }
      for (const p of partitions) if (!byPartition.has(p)) byPartition.set(p, await open(`/p${p}`));
    },
    async closePartitions(partitions) {
      if (!keyed) return;
      for (const p of partitions) {
        const pm = byPartition.get(p);
        if (!pm) continue;
        persist(pm);
        for (const k of pm.models.keys()) live.delete(k);
        byPartition.delete(p);
      }
    },
    process(rows) {
      const out: Row[] = [];
      const touched = new Set<PartitionModels>();
      const { features, key, label } = step;
      const nFeatures = features.length;
      const every = options.snapshotEvery;
      const everyRows = every !== null && 'rows' in every ? every.rows : 0;
      // The model of the previous row, reused while rows keep to one partition and key (always
      // without PARTITION BY): no key text or map lookup per row.
      let pm: PartitionModels | null = null;
      let partition = -1;
      let k = '';
      let m: LiveModel | undefined;
      for (let ri = 0; ri < rows.length; ri++) {
        const r = rows[ri];
        if (r.valueNull) continue;
        if (keyed || r.partition !== partition || pm === null) {
          const rowPm = modelsFor(r.partition);
          for (let i = 0; i < key.length; i++) keyValues[i] = r.cols[key[i]];
          k = keyText(keyValues);
          m = rowPm.models.get(k);
          if (m === undefined) {
            m = newLive(newModel(options.learn), step.featureNames);
            rowPm.models.set(k, m);
            live.set(k, m);
          }
          if (rowPm !== pm) {
            pm = rowPm;
            touched.add(pm);
          }
          partition = r.partition;
          pm.dirty.add(k);
        }
        const model = m as LiveModel;
        const last = model.offsets[r.partition];
        if (last !== undefined && r.offset <= last) continue; // learned before a restart: never twice
        const cols = r.cols;
        const y = label === null ? null : cols[label];
        try {
          for (let i = 0; i < nFeatures; i++) {
            const v = cols[features[i]];
            if (v === null || v === undefined) throw new FeatureError(`feature ${step.featureNames[i]} is null`);
            featureValues[i] = v;
          }
          if (label !== null && (y === null || y === undefined)) throw new LabelError(`label ${options.label} is null`);
          const drift = progressiveStep(model.state, options.learn, model.encoder.encode(featureValues), y);
          if (drift) onDrift(r, k, model, pm as PartitionModels, drift);
        } catch (e) {
          if (e instanceof FeatureError || e instanceof LabelError) {
            report(r, e.message);
            model.offsets[r.partition] = r.offset;
            continue;
          }
          throw e;
        }
        model.offsets[r.partition] = r.offset;
        if (everyRows > 0 && model.state.rows % everyRows === 0) takeSnapshot(registry, step.model, k, model, (pm as PartitionModels).store, r.ts);
        if (++model.sinceMetrics >= options.metricsEvery) {
          model.sinceMetrics = 0;
          metricRows(k, model, r.ts, out);
        }
      }
      if (every !== null && 'ms' in every && Date.now() - snapshotClock.last >= every.ms) {
        snapshotClock.last = Date.now();
        for (const t of touched) for (const [mk, mm] of t.models) takeSnapshot(registry, step.model, mk, mm, t.store, Date.now());
      }
      for (const t of touched) persist(t);
      return out;
    },
    close() {
      for (const pm of byPartition.values()) persist(pm);
      if (global) persist(global);
    },
  };
}
