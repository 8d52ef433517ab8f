/**
 * Trained models: CREATE MODEL m WITH (TYPE = ..., LABEL = ..., ...) AS SELECT ... [PARTITION BY k]
 * starts a persistent training query (query id TRAIN_<M>_<n>) whose plan is the SELECT followed by
 * a `train` step; DESCRIBE MODEL shows its metrics with full precision, per key; DROP MODEL
 * terminates it.
 *
 * Streams it creates (users query and chart them):
 * - `<M>_METRICS` (topic `<M>_METRICS`, JSON): MODEL_KEY STRING KEY, MODEL STRING, ROWS BIGINT,
 *   METRIC STRING, VALUE DOUBLE — one row per metric every METRICS_EVERY rows per model key;
 * - `<M>_DRIFT` (topic `<M>_DRIFT`, JSON): MODEL_KEY STRING KEY, MODEL STRING, ROWS BIGINT,
 *   ERROR_MEAN DOUBLE, DETECTIONS BIGINT, POLICY STRING — one row per ADWIN detection.
 * Features are the query's value columns other than the label (numbers, booleans; strings are
 * one-hot encoded); key columns are not features: with PARTITION BY they name the model's key.
 */
import type { AlterModel, CreateModel, DescribeModel, DropModel } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { DataSource } from '../analyze/catalog.ts';
import type { LogicalSchema } from '../types/schema.ts';
import { analyzeQuery } from '../analyze/query.ts';
import { planPersistentQuery } from '../plan/planner.ts';
import { partitionedBy, repartition, sourcePartitioning } from '../plan/partitioning.ts';
import type { QueryPlan, TrainStep } from '../plan/steps.ts';
import { BIGINT, DOUBLE, STRING, formatType } from '../types/sql-type.ts';
import type { EngineContext as Engine, ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { deliveryFor, ensureInternalTopics, planContext } from './persistent.ts';
import { modelRegistry } from './model-registry.ts';
import { readModelProperties, withPosition } from './model-sql.ts';
import { trainOptionsFrom, type TrainOptions } from '../ml/learn/options.ts';
import { trainedModels, type LiveModel, type TrainedDefinition, type TrainedModels } from '../ml/learn/live.ts';
import { metricValues } from '../ml/learn/metrics.ts';
import { hoeffdingShape } from '../ml/learn/hoeffding.ts';
import { allColumns } from '../types/schema.ts';
import type { ModelInfo } from '../analyze/catalog.ts';
import type { SqlType } from '../types/sql-type.ts';
import { modelSpecFromProperties, type ModelColumn, type ModelSpec } from '../ml/spec.ts';

const FEATURE_KINDS = new Set(['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'BOOLEAN', 'STRING']);

export const METRICS_SCHEMA: LogicalSchema = {
  key: [{ name: 'MODEL_KEY', type: STRING }],
  value: [
    { name: 'MODEL', type: STRING },
    { name: 'ROWS', type: BIGINT },
    { name: 'METRIC', type: STRING },
    { name: 'VALUE', type: DOUBLE },
  ],
};

export const DRIFT_SCHEMA: LogicalSchema = {
  key: [{ name: 'MODEL_KEY', type: STRING }],
  value: [
    { name: 'MODEL', type: STRING },
    { name: 'ROWS', type: BIGINT },
    { name: 'ERROR_MEAN', type: DOUBLE },
    { name: 'DETECTIONS', type: BIGINT },
    { name: 'POLICY', type: STRING },
  ],
};

export function trainedRegistry(engine: Engine): TrainedModels {
  return trainedModels(engine.services as { trained?: unknown });
}

export function isTrained(engine: Engine, name: string): boolean {
  return trainedRegistry(engine).definitions.has(name);
}

function stream(name: string, schema: LogicalSchema, sql: string, writer: string | null): DataSource {
  return {
    name,
    type: 'STREAM',
    topic: name,
    schema,
    formats: { keyFormat: 'KAFKA', valueFormat: 'JSON', wrapSingleValue: true },
    timestampColumn: null,
    timestampFormat: null,
    window: null,
    sql,
    writerQueryId: writer,
    readOnly: false,
  };
}

export async function createTrainedModel(ctx: ExecutionContext, s: CreateModel): Promise<StatementResult> {
  const { engine } = ctx;
  const registry = trainedRegistry(engine);
  const query = s.query;
  if (!query) throw new Error('createTrainedModel without a query');
  if (s.name.includes('$')) throw new SqlError('INVALID', `A model name cannot contain '$' (it separates a model from its version: m$2)`, s.span);
  if ((engine.catalog.models.has(s.name) || registry.definitions.has(s.name)) && !ctx.replay) {
    if (s.ifNotExists) return { kind: 'message', message: `Model ${s.name} already exists.` };
    throw new SqlError('EXISTS', `Cannot create model '${s.name}': a model with the same name already exists (DROP MODEL it first)`, s.span);
  }
  let options: TrainOptions;
  try {
    options = trainOptionsFrom(readModelProperties(s.properties, false).values);
  } catch (e) {
    withPosition(e, s.properties, s.span);
  }
  const analyzed = analyzeQuery(query, engine.catalog);
  if (analyzed.resultType !== 'STREAM') throw new SqlError('INVALID', `CREATE MODEL ... AS SELECT trains from a stream; this query produces a TABLE`, s.span);
  const schema = analyzed.schema;
  const keyed = query.partitionBy !== null;
  const labelName = options.label?.toUpperCase() ?? null;
  const label = labelName === null ? -1 : schema.value.findIndex((c) => c.name.toUpperCase() === labelName);
  if (labelName !== null && label < 0) {
    throw new SqlError('UNKNOWN_COLUMN', `LABEL column '${options.label}' is not a value column of the query (columns: ${schema.value.map((c) => c.name).join(', ')})`, s.span);
  }
  const features: number[] = [];
  const featureNames: string[] = [];
  const featureTypes: string[] = [];
  schema.value.forEach((c, i) => {
    if (i === label) return;
    if (!FEATURE_KINDS.has(c.type.kind)) throw new SqlError('INVALID', `feature column ${c.name} has type ${formatType(c.type)}; features must be numbers, booleans or strings`, s.span);
    features.push(schema.key.length + i);
    featureNames.push(c.name);
    featureTypes.push(formatType(c.type));
  });
  if (features.length === 0) throw new SqlError('INVALID', `model ${s.name} has no feature columns: select them beside the label`, s.span);
  const metricsName = `${s.name}_METRICS`;
  const driftName = `${s.name}_DRIFT`;
  for (const n of [metricsName, driftName]) {
    if (engine.catalog.getSource(n) && !ctx.replay) throw new SqlError('EXISTS', `Cannot create model '${s.name}': its stream ${n} already exists`, s.span);
  }
  const queryId = ctx.plan?.queryId ?? `TRAIN_${s.name}_${engine.queryCounter}`;
  engine.queryCounter++;
  const metrics = stream(metricsName, METRICS_SCHEMA, ctx.statement.text, queryId);
  const drift = stream(driftName, DRIFT_SCHEMA, ctx.statement.text, null);
  let plan: QueryPlan;
  if (ctx.plan) plan = ctx.plan;
  else {
    const pctx = await planContext(engine, queryId, analyzed);
    const base = planPersistentQuery(queryId, analyzed, metrics, pctx);
    // A model per key learns all rows of its key in one task, in order: rows re-keyed by
    // PARTITION BY go through a repartition topic first (as GROUP BY does), unless the source is
    // already partitioned by that key. (Trained per source partition, a key spread over several
    // partitions had one model per partition, and the live model was whichever learned last.)
    const partitions = pctx.partitionsOf(analyzed.source);
    const colocated = analyzed.from.joins.length === 0 && partitionedBy(sourcePartitioning(analyzed.source, pctx), analyzed.projection.slice(0, schema.key.length));
    const trainInput =
      keyed && partitions > 1 && !colocated
        ? repartition(pctx, `Train/${s.name}/Repartition`, base.sink.input, schema.key.map((c, index) => ({ kind: 'Column', index, name: c.name, type: c.type })), partitions)
        : base.sink.input;
    const train: TrainStep = {
      type: 'train',
      v: 1,
      name: `Train/${s.name}`,
      input: trainInput,
      schema: METRICS_SCHEMA,
      model: s.name,
      options: readModelProperties(s.properties, false).values,
      features,
      featureNames,
      label: label < 0 ? null : schema.key.length + label,
      key: keyed ? schema.key.map((_, i) => i) : [],
      driftTopic: driftName,
    };
    plan = { ...base, sink: { ...base.sink, input: train } };
  }
  deliveryFor(engine, queryId, s.span);
  await ensureInternalTopics(engine.log, plan.sink);
  if (!ctx.replay) {
    const srcTopic = await engine.log.describeTopic(analyzed.source.topic);
    await engine.log.ensureTopic(metricsName, { partitions: srcTopic?.partitions ?? 1, replicationFactor: 1 });
    await engine.log.ensureTopic(driftName, { partitions: 1, replicationFactor: 1 });
  }
  engine.catalog.putSource(metrics);
  engine.catalog.putSource(drift);
  engine.catalog.putQuery({ id: queryId, sql: ctx.statement.text, sink: metricsName, sources: [analyzed.source.name] });
  const def: TrainedDefinition = {
    name: s.name,
    options,
    featureNames,
    featureTypes,
    labelName: label < 0 ? null : schema.value[label].name,
    keyNames: keyed ? schema.key.map((c) => c.name) : [],
    queryId,
    metricsStream: metricsName,
    driftStream: driftName,
    sql: ctx.statement.text,
  };
  registry.definitions.set(s.name, def);
  modelRegistry(engine); // queries calling the model (PREDICT) go through the engine's model registry
  engine.catalog.models.set(s.name, trainedModelInfo(registry, def, schema.key.map((c) => c.name), keyed ? schema.key.map((c) => c.type) : [], features.map((i) => allColumns(schema)[i].type), label < 0 ? null : schema.value[label].type));
  // Built before it is recorded: a training query that cannot be built is never written to the command log.
  const task = engine.buildTask(queryId, plan);
  await engine.record(ctx, plan);
  engine.runTask(queryId, task);
  return { kind: 'message', message: `Created model ${s.name}: training query ${queryId}; metrics in stream ${metricsName}, drift in ${driftName}.`, queryId };
}

/**
 * The catalog's ModelInfo of a trained model, so PREDICT / ML_PREDICT / ANOMALY_SCORE type and
 * call it like any model: INPUT = key columns (PARTITION BY) then features; OUTPUT = PREDICTION
 * (+ PROBABILITY), or SCORE.
 */
function trainedModelInfo(registry: TrainedModels, def: TrainedDefinition, keyNames: string[], keyTypes: SqlType[], featureTypes: SqlType[], labelType: SqlType | null): ModelInfo {
  const inputs: ModelColumn[] = [...keyTypes.map((type, i) => ({ name: keyNames[i], type })), ...featureTypes.map((type, i) => ({ name: def.featureNames[i], type }))];
  const type = def.options.learn.type;
  const outputs: ModelColumn[] =
    type === 'HALF_SPACE_TREES'
      ? [{ name: 'SCORE', type: DOUBLE }]
      : type === 'LINEAR_REGRESSION'
        ? [{ name: 'PREDICTION', type: DOUBLE }]
        : [
            { name: 'PREDICTION', type: labelType && labelType.kind === 'STRING' ? STRING : STRING },
            { name: 'PROBABILITY', type: DOUBLE },
          ];
  const base = modelSpecFromProperties({ PROVIDER: 'onnx', MODEL_PATH: '-', TENSOR_LAYOUT: 'columns' }, inputs, outputs);
  const spec: ModelSpec = { ...base, provider: { kind: 'trained', model: def.name, registry: registry.id, version: null } };
  return { name: def.name, sql: def.sql, inputs, outputs, spec };
}

/** Full precision: the shortest text that reads back as the same double. */
const full = (v: number): string => String(v);

export function describeTrained(engine: Engine, s: DescribeModel): StatementResult {
  const registry = trainedRegistry(engine);
  const def = registry.definitions.get(s.name) as TrainedDefinition;
  const o = def.options.learn;
  const lines: string[] = [];
  lines.push(`Name                 : ${def.name}`);
  lines.push(`Provider             : trained (${o.type})`);
  lines.push(`Training query       : ${def.queryId}${engine.tasks.has(def.queryId) ? ' (running)' : ' (stopped)'}`);
  lines.push(`Label                : ${def.labelName ?? '(none)'}`);
  lines.push(`Features             : ${def.featureNames.map((n, i) => `${n} ${def.featureTypes[i]}`).join(', ')}`);
  lines.push(`Model key            : ${def.keyNames.length ? def.keyNames.join(', ') : '(one model)'}`);
  lines.push(`Drift                : ${o.drift ? `ADWIN, policy ${o.driftPolicy}` : 'off'}`);
  lines.push(`Metrics stream       : ${def.metricsStream}`);
  lines.push(`Drift stream         : ${def.driftStream}`);
  const pinned = registry.pinned.get(def.name);
  lines.push(`Default version      : ${pinned === undefined || pinned === null ? 'live' : pinned}`);
  const live = registry.live.get(def.name) ?? new Map<string, LiveModel>();
  for (const [k, m] of [...live.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push('');
    lines.push(`Metrics${def.keyNames.length ? ` (key ${k})` : ''}: rows learned ${m.state.rows}, drifts ${m.state.drifts}`);
    for (const [name, value] of metricValues(m.state.metrics)) lines.push(`  ${name.padEnd(19)}: ${full(value)}`);
    const l = m.state.learner;
    if (l.kind === 'linear') {
      lines.push(`  Intercept          : ${full(l.intercept)}`);
      lines.push(`  Weights            : ${m.space.names.map((n, i) => `${n}=${full(l.weights[i] ?? 0)}`).join(', ')}`);
    } else if (l.kind === 'hoeffding') {
      const sh = hoeffdingShape(l);
      lines.push(`  Tree               : ${sh.leaves} leaves, ${sh.branches} splits, depth ${sh.depth}`);
    }
  }
  const versions = registry.versions.get(def.name) ?? [];
  lines.push('');
  lines.push(`Versions             : ${versions.length === 0 ? '(none)' : ''}`);
  for (const v of versions) lines.push(`  ${def.name}$${v.version}: ${[...v.models.entries()].map(([k, e]) => `${k ? `key ${k}: ` : ''}${e.state.rows} rows`).join('; ')}, taken ${new Date(v.at).toISOString()}`);
  return { kind: 'text', text: lines.join('\n') };
}

export async function dropTrained(ctx: ExecutionContext, s: DropModel): Promise<StatementResult> {
  const { engine } = ctx;
  const registry = trainedRegistry(engine);
  const def = registry.definitions.get(s.name) as TrainedDefinition;
  await engine.tasks.get(def.queryId)?.stop();
  engine.tasks.delete(def.queryId);
  engine.catalog.dropQuery(def.queryId);
  const metrics = engine.catalog.getSource(def.metricsStream);
  if (metrics) engine.catalog.putSource({ ...metrics, writerQueryId: null });
  registry.forget(s.name);
  engine.catalog.models.delete(s.name);
  await engine.record(ctx);
  return { kind: 'message', message: `Dropped model ${s.name} (training query ${def.queryId} terminated; streams ${def.metricsStream} and ${def.driftStream} kept).` };
}

/** ALTER MODEL m SET (VERSION = n | 'LIVE'): the version PREDICT answers with by default. */
export async function alterTrained(ctx: ExecutionContext, s: AlterModel): Promise<StatementResult> {
  const registry = trainedRegistry(ctx.engine);
  const entries = [...s.properties].map(([k, lit]) => [k.toUpperCase().replace(/[-.\s]/g, '_'), lit] as const);
  const [name, lit] = entries.length === 1 ? entries[0] : [null, null];
  if (name !== 'VERSION' || lit === null) throw new SqlError('INVALID', `ALTER MODEL on a trained model takes one option: VERSION = <n> (a version DESCRIBE MODEL lists) or 'LIVE'`, s.span);
  const text = lit.raw.trim().toUpperCase();
  if (text === 'LIVE') registry.pinned.set(s.name, null);
  else {
    const v = Number(text);
    const known = registry.versions.get(s.name)?.some((e) => e.version === v);
    if (!Number.isInteger(v) || (!known && !ctx.replay)) throw new SqlError('INVALID', `model ${s.name} has no version ${lit.raw} (DESCRIBE MODEL lists them)`, lit.span);
    registry.pinned.set(s.name, v);
  }
  await ctx.engine.record(ctx);
  return { kind: 'message', message: `Model ${s.name} now answers with ${text === 'LIVE' ? 'the live model' : `version ${text}`}.` };
}
