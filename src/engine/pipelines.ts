/**
 * CREATE PIPELINE / DROP PIPELINE / DESCRIBE PIPELINE / SHOW PIPELINES / SHOW RUNS.
 *
 *   CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://kfp:8888',
 *     PIPELINE_ID = '...', PIPELINE_VERSION_ID = '...', EXPERIMENT_ID = '...', TOKEN = '...',
 *     PARAMETERS = MAP('label' := 'LABEL'), TRIGGER = 'EVERY 5000 ROWS' | 'EVERY 1 HOUR' | 'ON DRIFT OF m',
 *     FORMAT = 'PARQUET' | 'CSV' | 'JSONL', ROLL_ROWS = 1000, ROLL_INTERVAL = '10 MINUTES',
 *     TRAINING_DATA = '/dir' | 's3://bucket/prefix', S3_ENDPOINT = 'http://minio:9000', S3_REGION = ...,
 *     S3_ACCESS_KEY_ID = ..., S3_SECRET_ACCESS_KEY = ..., RETRIES = 1, SUBMIT_ATTEMPTS = 5, RETRY_BACKOFF = '2 SECONDS',
 *     POLL_INTERVAL = '5 SECONDS', MIN_ROWS_AFTER_DRIFT = 1000, DRIFT_COOLDOWN = '1 HOUR',
 *     MODEL = 'm', LABELS = 'labels', LABEL_COLUMN = 'LABEL', LABEL_WINDOW = '10 MINUTES',
 *     SHADOW_FROM = 'features') PROMOTE WHEN ACCURACY BETTER BY 0.01 AFTER 500 ROWS;
 *
 * PARAMETERS may also be written MAP['label', 'LABEL', 'epochs', 5] (Flink) or
 * MAP('label' := 'LABEL', 'epochs' := 5) (ksqlDB): values keep their type. The clause's older
 * spelling, the option PROMOTE_WHEN = '...', is still accepted.
 *
 * With MODEL (a served V2 model), new versions the runs load into the serving side are shadowed
 * against the champion and promoted by PROMOTE_WHEN (model-shadow.ts).
 *
 * PROVIDER = 'none' only writes the training data (no runs). The stream's rows are written as training-data files (training-data-export.ts); on the trigger a
 * KFP run is started (ml/pipelines/runs.ts) with runtime parameters PARAMETERS plus `manifests`
 * (comma-separated manifest paths of the files to train on). Trigger ids are derived from the
 * data (the last file's sequence, the drift record's offset, the interval's number), so replaying
 * the statement after a restart finds the same ids already tracked and starts nothing twice.
 * Every run change goes to the stream `<P>_RUNS`.
 */
import { join, resolve } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import type { EngineContext as Engine, ExecutionContext } from './context.ts';
import type { CreatePipeline, DescribePipeline, DropPipeline } from '../sql/ast.ts';
import type { StatementResult } from './results.ts';
import { SqlError } from '../sql/errors.ts';
import { PropertyReader } from './properties.ts';
import { parseDurationText } from './ddl.ts';
import { TrainingDataExport } from './training-data-export.ts';
import { PipelineRuns, type RunEvent } from '../ml/pipelines/runs.ts';
import type { TrainingDataManifest } from '../ml/training-data/writer.ts';
import type { FileFormat } from '../ml/training-data/format.ts';
import type { Consumer } from '../log/log.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { BIGINT, INTEGER, STRING } from '../types/sql-type.ts';
import { ModelPromotion } from './model-shadow.ts';
import { promotionRuleOf, runParameters, s3TargetOf } from './pipeline-options.ts';
import { S3Uploader } from '../ml/training-data/s3.ts';

const PROPERTIES = ['PROVIDER', 'ENDPOINT', 'PIPELINE_ID', 'PIPELINE_VERSION_ID', 'EXPERIMENT_ID', 'TOKEN', 'PARAMETERS', 'TRIGGER', 'TRAINING_DATA', 'FORMAT', 'ROLL_ROWS', 'ROLL_INTERVAL', 'RETRIES', 'SUBMIT_ATTEMPTS', 'RETRY_BACKOFF', 'POLL_INTERVAL', 'MIN_ROWS_AFTER_DRIFT', 'MODEL', 'SHADOW_FROM', 'LABELS', 'LABEL_COLUMN', 'LABEL_WINDOW', 'PROMOTE_WHEN', 'DRIFT_COOLDOWN', 'VERSION_LOAD_TIMEOUT', 'S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];

export type Trigger = { readonly kind: 'none' } | { readonly kind: 'rows'; readonly rows: number } | { readonly kind: 'interval'; readonly ms: number } | { readonly kind: 'drift'; readonly model: string };

export function parseTrigger(text: string, span: CreatePipeline['span']): Trigger {
  const rows = /^\s*EVERY\s+(\d+)\s+ROWS?\s*$/i.exec(text);
  if (rows) return { kind: 'rows', rows: Number(rows[1]) };
  const drift = /^\s*ON\s+DRIFT\s+OF\s+(?:MODEL\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*$/i.exec(text);
  if (drift) return { kind: 'drift', model: drift[1]!.toUpperCase() };
  const every = /^\s*EVERY\s+(.+)$/i.exec(text);
  if (every) return { kind: 'interval', ms: parseDurationText(every[1]!, span) };
  throw new SqlError('INVALID', `Invalid TRIGGER '${text}': expected 'EVERY n ROWS', 'EVERY <duration>' or 'ON DRIFT OF <model>'`, span);
}

interface Pipeline {
  readonly name: string;
  readonly source: string;
  readonly trigger: Trigger;
  readonly triggerText: string;
  readonly endpoint: string;
  readonly dataDir: string;
  readonly minRowsAfterDrift: number;
  /** Detections within this much event time after an accepted one are the same change (ADWIN often fires several times while a change settles). */
  readonly driftCooldownMs: number;
  lastDriftAt: number;
  readonly parameters: Record<string, unknown>;
  readonly export: TrainingDataExport;
  readonly runs: PipelineRuns;
  /** Committed training-data files, in order, with their manifest paths. */
  readonly files: { manifest: TrainingDataManifest; path: string }[];
  /** Drift detections waiting for enough rows after them. */
  readonly pendingDrifts: { id: string; at: number }[];
  driftConsumer: Consumer | null;
  timer: NodeJS.Timeout | null;
  stopped: boolean;
  promotion: ModelPromotion | null;
  /** The S3-compatible target's uploader (TRAINING_DATA = 's3://...'), else null. */
  readonly uploader: S3Uploader | null;
  readonly sql: string;
}

const registries = new WeakMap<Engine, Map<string, Pipeline>>();
const pipelinesOf = (engine: Engine): Map<string, Pipeline> => {
  let m = registries.get(engine);
  if (!m) registries.set(engine, (m = new Map()));
  return m;
};

export async function executePipelineStatement(ctx: ExecutionContext, s: CreatePipeline | DropPipeline | DescribePipeline): Promise<StatementResult> {
  switch (s.kind) {
    case 'CreatePipeline':
      return createPipeline(ctx, s);
    case 'DropPipeline':
      return dropPipeline(ctx, s);
    case 'DescribePipeline':
      return describePipeline(ctx.engine, s);
  }
}

const RUNS_SCHEMA = {
  key: [{ name: 'PIPELINE', type: STRING }],
  value: ['RUN_NAME', 'RUN_ID', 'STATE', 'TRIGGER_ID', 'REASON', 'ERROR', 'MANIFESTS'].map((name) => ({ name, type: STRING })).concat([
    { name: 'ATTEMPT', type: INTEGER },
    { name: 'SUBMIT_ERRORS', type: INTEGER },
    { name: 'UPDATED_AT', type: BIGINT },
  ]),
};

async function createPipeline(ctx: ExecutionContext, s: CreatePipeline): Promise<StatementResult> {
  const { engine } = ctx;
  const pipelines = pipelinesOf(engine);
  if (pipelines.has(s.name)) {
    if (s.ifNotExists) return { kind: 'message', message: `Pipeline ${s.name} already exists.` };
    throw new SqlError('EXISTS', `Pipeline ${s.name} already exists`, s.span);
  }
  const source = engine.catalog.getSource(s.source);
  if (!source || source.type !== 'STREAM') throw new SqlError('UNKNOWN_SOURCE', `Stream ${s.source} does not exist (training data comes from a stream)`, s.span);
  const p = new PropertyReader(s.properties, PROPERTIES);
  const at = (name: string) => p.literal(name)?.span ?? s.span;
  const provider = (p.string('PROVIDER') ?? '').toLowerCase();
  if (provider !== 'kubeflow' && provider !== 'none') throw new SqlError('INVALID', `PROVIDER must be 'kubeflow' (or 'none': training data only, no runs)`, at('PROVIDER'));
  const dataOnly = provider === 'none';
  if (dataOnly) for (const k of ['ENDPOINT', 'PIPELINE_ID', 'TRIGGER', 'MODEL']) if (p.has(k)) throw new SqlError('INVALID', `${k} needs PROVIDER = 'kubeflow' (PROVIDER 'none' only writes training data)`, at(k));
  const endpoint = dataOnly ? '' : required(p, 'ENDPOINT', s);
  const pipelineId = dataOnly ? '' : required(p, 'PIPELINE_ID', s);
  const triggerText = dataOnly ? 'none' : required(p, 'TRIGGER', s);
  const trigger: Trigger = dataOnly ? { kind: 'none' } : parseTrigger(triggerText, at('TRIGGER'));
  if (trigger.kind === 'drift' && !engine.catalog.getSource(`${trigger.model}_DRIFT`)) throw new SqlError('INVALID', `TRIGGER: model ${trigger.model} has no drift stream ${trigger.model}_DRIFT (only models trained in Riffle report drift)`, at('TRIGGER'));
  const parameters = runParameters(s, p.literal('PARAMETERS'));
  const format = (p.string('FORMAT') ?? 'PARQUET').toLowerCase() as FileFormat;
  if (!['parquet', 'csv', 'jsonl'].includes(format)) throw new SqlError('INVALID', `FORMAT must be PARQUET, CSV or JSONL`, at('FORMAT'));
  const rollRows = p.int('ROLL_ROWS') ?? 1000;
  if (rollRows <= 0) throw new SqlError('INVALID', 'ROLL_ROWS must be positive', at('ROLL_ROWS'));
  const duration = (name: string, dflt: number) => {
    const t = p.string(name);
    return t === null ? dflt : parseDurationText(t, at(name));
  };
  let promotion: ConstructorParameters<typeof ModelPromotion>[1] | null = null;
  const model = p.string('MODEL');
  if (model === null && (s.promoteWhen || p.has('PROMOTE_WHEN'))) throw new SqlError('INVALID', `PROMOTE WHEN needs MODEL: the served model whose new versions the runs produce`, s.promoteWhen?.span ?? at('PROMOTE_WHEN'));
  if (model !== null) {
    const info = engine.catalog.models.get(model.toUpperCase()) ?? engine.catalog.models.get(model);
    if (!info) throw new SqlError('INVALID', `MODEL: model ${model} does not exist`, at('MODEL'));
    if ((info.spec as { provider: { kind: string } }).provider.kind !== 'kserve-v2') throw new SqlError('INVALID', `MODEL: ${model} is not a served V2 model (PROVIDER 'kserve-v2'): only their versions are promoted by a pipeline`, at('MODEL'));
    const labels = p.string('LABELS');
    if (!labels || !engine.catalog.getSource(labels.toUpperCase())) throw new SqlError('INVALID', `MODEL needs LABELS: the stream of labels joined by key (${labels ?? 'missing'})`, at(labels ? 'LABELS' : 'MODEL'));
    const rule = promotionRuleOf(s, p);
    promotion = { pipeline: s.name, model: info.name, shadowFrom: (p.string('SHADOW_FROM') ?? source.name).toUpperCase(), labels: labels.toUpperCase(), labelColumn: (p.string('LABEL_COLUMN') ?? 'LABEL').toUpperCase(), windowMs: duration('LABEL_WINDOW', 600_000), rule, pollMs: duration('POLL_INTERVAL', 5000), loadTimeoutMs: duration('VERSION_LOAD_TIMEOUT', 120_000) };
  }
  const base = join(engine.stores.dataDir, 'pipelines', s.name);
  const s3 = s3TargetOf(s, p);
  // With an S3 target the files are staged (and kept) in the pipeline's own directory.
  const dataDir = s3 ? join(base, 'data') : resolve(p.string('TRAINING_DATA') ?? join(base, 'data'));
  const runsName = `${s.name}_RUNS`;
  if (!ctx.replay) {
    if (engine.catalog.getSource(runsName)) throw new SqlError('EXISTS', `Cannot create pipeline ${s.name}: stream ${runsName} already exists`, s.span);
    await engine.log.ensureTopic(runsName, { partitions: 1, replicationFactor: 1 });
  }
  engine.catalog.putSource(runsStream(runsName, ctx.statement.text));
  const exp = await TrainingDataExport.start(engine, { source: source.name, dir: dataDir, format, rollRows, rollIntervalMs: duration('ROLL_INTERVAL', 0), groupId: `_riffle_pipeline_${s.name}` });
  const runs = new PipelineRuns({
    pipeline: s.name,
    target: { endpoint, pipelineId, pipelineVersionId: p.string('PIPELINE_VERSION_ID') ?? undefined, experimentId: p.string('EXPERIMENT_ID') ?? undefined, token: p.string('TOKEN') ?? undefined },
    stateFile: join(base, 'runs.json'),
    retry: { runAttempts: 1 + (p.int('RETRIES') ?? 1), submitAttempts: p.int('SUBMIT_ATTEMPTS') ?? 5, backoffMs: duration('RETRY_BACKOFF', 2000) },
    pollMs: duration('POLL_INTERVAL', 5000),
  });
  const pl: Pipeline = { name: s.name, source: source.name, trigger, triggerText, endpoint, dataDir, minRowsAfterDrift: p.int('MIN_ROWS_AFTER_DRIFT') ?? rollRows, driftCooldownMs: duration('DRIFT_COOLDOWN', 0), lastDriftAt: -Infinity, parameters, export: exp, runs, files: s3 ? [] : readCommitted(dataDir, source.name.toLowerCase()), pendingDrifts: [], driftConsumer: null, timer: null, stopped: false, promotion: null, uploader: s3 ? new S3Uploader(s3, duration('RETRY_BACKOFF', 2000)) : null, sql: ctx.statement.text };
  pipelines.set(s.name, pl);
  const producer = engine.producer;
  // The state file is the record of runs; the stream is a view of it: a failed write there loses
  // one event of the view, never a run (SHOW RUNS and DESCRIBE PIPELINE read the state).
  runs.onEvent((e) => void producer.send(runsName, [runRecord(e)]).catch(() => undefined));
  const uploader = pl.uploader;
  if (uploader) {
    // Files reach the trigger only once their manifest is in the bucket; runs get s3:// manifests.
    uploader.onUploaded((path, uri) => {
      pl.files.push({ manifest: JSON.parse(readFileSync(path, 'utf8')) as TrainingDataManifest, path: uri });
      evaluate(pl);
    });
    uploader.resume(readCommitted(dataDir, source.name.toLowerCase()).map((f) => ({ path: f.path, file: f.manifest.file })));
  }
  exp.writer.onManifest((manifest, path) => {
    if (uploader) return uploader.enqueue(path, manifest.file);
    pl.files.push({ manifest, path });
    evaluate(pl);
  });
  if (trigger.kind === 'interval') pl.timer = setInterval(() => evaluate(pl, Date.now()), trigger.ms);
  if (trigger.kind === 'drift') void watchDrift(engine, pl, `${trigger.model}_DRIFT`);
  if (!dataOnly) runs.start();
  if (promotion) {
    pl.promotion = new ModelPromotion(engine, promotion);
    pl.promotion.start();
  }
  evaluate(pl);
  await engine.record(ctx);
  return { kind: 'message', message: `Created pipeline ${s.name}: training data from ${source.name} in ${dataDir}; runs on '${triggerText}' in stream ${runsName}.` };
}

function required(p: PropertyReader, name: string, s: CreatePipeline): string {
  const v = p.string(name);
  if (!v) throw new SqlError('INVALID', `CREATE PIPELINE needs ${name}`, s.span);
  return v;
}

function runsStream(name: string, sql: string): DataSource {
  return { name, type: 'STREAM', topic: name, schema: RUNS_SCHEMA, formats: { keyFormat: 'KAFKA', valueFormat: 'JSON', wrapSingleValue: true }, timestampColumn: null, timestampFormat: null, window: null, sql, writerQueryId: null, readOnly: false };
}

function runRecord(e: RunEvent) {
  const value = { RUN_NAME: e.name, RUN_ID: e.runId, STATE: e.state, TRIGGER_ID: e.triggerId, REASON: e.reason, ERROR: e.error, MANIFESTS: String(e.parameters.manifests ?? ''), ATTEMPT: e.attempt, SUBMIT_ERRORS: e.submitErrors, UPDATED_AT: e.updatedAt };
  return { key: Buffer.from(e.pipeline), value: Buffer.from(JSON.stringify(value)), timestamp: e.updatedAt };
}

function readCommitted(dir: string, prefix: string): { manifest: TrainingDataManifest; path: string }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix + '-') && n.endsWith('.manifest.json'))
    .sort()
    .map((n) => ({ path: join(dir, n), manifest: JSON.parse(readFileSync(join(dir, n), 'utf8')) as TrainingDataManifest }));
}

/** Files not yet given to a run (after the last file any run of this pipeline was given). */
function unusedFiles(pl: Pipeline): { manifest: TrainingDataManifest; path: string }[] {
  let last = 0;
  for (const r of pl.runs.runs) {
    const m = /^data-(\d+)$/.exec(r.triggerId) ?? /-f(\d+)$/.exec(r.triggerId);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return pl.files.filter((f) => f.manifest.sequence > last);
}

/** Checks the trigger against the committed files; starts a run when it fires. */
function evaluate(pl: Pipeline, now?: number): void {
  if (pl.stopped) return;
  const t = pl.trigger;
  if (t.kind === 'none') return;
  if (t.kind === 'rows') {
    const files = unusedFiles(pl);
    let rows = 0;
    for (const [i, f] of files.entries()) {
      rows += f.manifest.rowCount;
      if (rows >= t.rows) {
        const used = files.slice(0, i + 1);
        start(pl, `data-${f.manifest.sequence}`, `${rows} new rows`, used);
        return evaluate(pl);
      }
    }
  } else if (t.kind === 'interval' && now !== undefined) {
    const files = unusedFiles(pl);
    if (files.length > 0) start(pl, `t${Math.floor(now / t.ms)}-f${files.at(-1)!.manifest.sequence}`, `every ${pl.triggerText.replace(/^\s*EVERY\s+/i, '')}`, files);
  } else if (t.kind === 'drift') {
    for (const d of [...pl.pendingDrifts]) {
      if (pl.runs.runs.some((r) => r.triggerId === d.id)) {
        pl.pendingDrifts.splice(pl.pendingDrifts.indexOf(d), 1);
        continue;
      }
      const after = pl.files.filter((f) => f.manifest.eventTime !== null && f.manifest.eventTime.min >= d.at);
      const rows = after.reduce((a, f) => a + f.manifest.rowCount, 0);
      if (rows >= pl.minRowsAfterDrift) {
        start(pl, d.id, `drift of model ${t.model} (${rows} rows after it)`, after);
        pl.pendingDrifts.splice(pl.pendingDrifts.indexOf(d), 1);
      }
    }
  }
}

function start(pl: Pipeline, triggerId: string, reason: string, files: { path: string }[]): void {
  pl.runs.trigger(triggerId, reason, { ...pl.parameters, manifests: files.map((f) => f.path).join(',') });
}

/** Reads the model's drift stream; each detection (by its offset) is one trigger id. */
async function watchDrift(engine: Engine, pl: Pipeline, topic: string): Promise<void> {
  const consumer = engine.log.consumer({ groupId: `_riffle_pipeline_${pl.name}_drift`, topics: [topic], fromBeginning: true });
  pl.driftConsumer = consumer;
  while (!pl.stopped) {
    try {
      const records = await consumer.poll(100, 200);
      for (const r of records) {
        if (r.timestamp < pl.lastDriftAt + pl.driftCooldownMs) continue; // the same change, detected again
        pl.lastDriftAt = r.timestamp;
        pl.pendingDrifts.push({ id: `drift-${r.partition}-${r.offset}`, at: r.timestamp });
      }
      // Never committed: detections are few, and on restart the ones already turned into runs
      // are recognised by their trigger id (evaluate drops them), the others wait again.
      if (records.length > 0) evaluate(pl);
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function stopPipeline(pl: Pipeline): Promise<void> {
  pl.stopped = true;
  if (pl.timer) clearInterval(pl.timer);
  await pl.promotion?.stop();
  await pl.runs.close();
  await pl.export.stop();
  await pl.uploader?.stop();
  await pl.driftConsumer?.close();
}

async function dropPipeline(ctx: ExecutionContext, s: DropPipeline): Promise<StatementResult> {
  const pipelines = pipelinesOf(ctx.engine);
  const pl = pipelines.get(s.name);
  if (!pl) {
    if (s.ifExists) return { kind: 'message', message: `Pipeline ${s.name} does not exist.` };
    throw new SqlError('INVALID', `Pipeline ${s.name} does not exist`, s.span);
  }
  await stopPipeline(pl);
  pipelines.delete(s.name);
  ctx.engine.catalog.dropSource(`${s.name}_RUNS`);
  await ctx.engine.record(ctx);
  return { kind: 'message', message: `Dropped pipeline ${s.name} (its runs in Kubeflow are left as they are).` };
}

export async function closePipelines(engine: Engine): Promise<void> {
  for (const pl of pipelinesOf(engine).values()) await stopPipeline(pl);
  pipelinesOf(engine).clear();
}

function describePipeline(engine: Engine, s: DescribePipeline): StatementResult {
  const pl = pipelinesOf(engine).get(s.name);
  if (!pl) throw new SqlError('INVALID', `Pipeline ${s.name} does not exist`, s.span);
  const rows = pl.files.reduce((a, f) => a + f.manifest.rowCount, 0);
  const lines = [
    `Name                 : ${pl.name}`,
    `Provider             : ${pl.trigger.kind === 'none' ? 'none (training data only)' : `kubeflow (${pl.endpoint})`}`,
    `Training data        : stream ${pl.source} -> ${pl.uploader ? `${pl.uploader.uriOf('')} (staged in ${pl.dataDir})` : pl.dataDir} (${pl.files.length} files, ${rows} rows; ${pl.export.writer.pendingRows} rows in the open file)`,
    ...(pl.uploader?.lastError ? [`Upload error         : ${pl.uploader.lastError}`] : []),
    `Trigger              : ${pl.triggerText}`,
    `Runs stream          : ${pl.name}_RUNS`,
    ...(pl.export.lastError ? [`Training data error  : ${pl.export.lastError}`] : []),
    ...(pl.pendingDrifts.length ? [`Waiting drifts       : ${pl.pendingDrifts.map((d) => d.id).join(', ')}`] : []),
    ...(pl.promotion ? pl.promotion.describe() : []),
    '',
    'Runs:',
    ...pl.runs.runs.map((r) => `  ${r.name}  ${r.state}  run_id=${r.runId ?? '-'}  ${r.reason}${r.error ? `  error: ${r.error.split('\n')[0]}` : ''}`),
  ];
  return { kind: 'text', text: lines.join('\n') };
}

export function showPipelines(engine: Engine): StatementResult {
  const rows = [...pipelinesOf(engine).values()].map((pl) => {
    const last = pl.runs.runs.at(-1);
    return [pl.name, pl.source, pl.triggerText, pl.endpoint, String(pl.runs.runs.length), last ? last.state : ''];
  });
  return { kind: 'table', title: 'Pipelines', columns: ['Pipeline Name', 'Training Data', 'Trigger', 'Endpoint', 'Runs', 'Last Run State'], rows };
}

export function showRuns(engine: Engine): StatementResult {
  const rows: string[][] = [];
  for (const pl of pipelinesOf(engine).values()) {
    for (const r of pl.runs.runs) rows.push([pl.name, r.name, r.runId ?? '', r.state, r.reason, String(r.attempt), r.error ? r.error.split('\n')[0]!.slice(0, 200) : '', new Date(r.updatedAt).toISOString()]);
  }
  return { kind: 'table', title: 'Runs', columns: ['Pipeline', 'Run Name', 'Run ID', 'State', 'Trigger', 'Attempt', 'Error', 'Updated'], rows };
}

/** The promotion loop shadowing `model`'s served versions (a pipeline's MODEL), if one runs: the console's champion/challenger view. */
export function servedPromotionOf(engine: Engine, model: string): ModelPromotion | null {
  for (const pl of pipelinesOf(engine).values()) if (pl.promotion?.cfg.model === model) return pl.promotion;
  return null;
}
