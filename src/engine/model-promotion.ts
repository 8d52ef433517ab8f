/**
 * Champion and challenger versions of a served model (PROVIDER 'kserve-v2', e.g. MLServer).
 *
 * - The champion is the version PREDICT calls: the model's MODEL_VERSION, pinned explicitly,
 *   because MLServer's unversioned path would silently switch to the newest version.
 * - `ALTER MODEL m PROMOTE VERSION n` / `ALTER MODEL m ROLLBACK` switch it by hand; a
 *   ModelPromotion switches it by rule. Both go through promoteModel, which records the statement
 *   (so a restart replays the switch) and writes the switch with its evidence to `<M>_PROMOTIONS`.
 * - A ModelPromotion watches the serving side's repository index for a new READY version, takes it
 *   as the challenger, scores the shadow stream's rows with both versions (off the PREDICT path:
 *   queries keep getting the champion's answers), joins the labels stream by key within the
 *   window (ml/promotion/shadow.ts) and applies the rule. A version that fails to load or to
 *   answer is reported (LOAD_FAILED) and never promoted; missing labels show in the evidence.
 */
import type { EngineContext as Engine, ExecutionContext } from './context.ts';
import type { PromoteModel } from '../sql/ast.ts';
import type { StatementResult } from './results.ts';
import { SqlError } from '../sql/errors.ts';
import { modelRegistry } from './model-registry.ts';
import { alterModelSpec, type ModelSpec } from '../ml/spec.ts';
import { definitionOf, modelVersionOf } from '../ml/sql-model.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { BIGINT, DOUBLE, STRING } from '../types/sql-type.ts';
import type { Evidence } from '../ml/promotion/shadow.ts';
import { isTrained, trainedRegistry } from './model-train.ts';

/** Per engine and model: versions that were champion before, newest last (ROLLBACK pops). */
const histories = new WeakMap<Engine, Map<string, string[]>>();
/** Evidence a rule-based promotion hands to the statement it executes. */
const pendingEvidence = new WeakMap<Engine, Map<string, { evidence: Evidence | null; by: string }>>();

function historyOf(engine: Engine, model: string): string[] {
  let m = histories.get(engine);
  if (!m) histories.set(engine, (m = new Map()));
  let h = m.get(model);
  if (!h) m.set(model, (h = []));
  return h;
}

export function championOf(engine: Engine, model: string): string | null {
  const info = engine.catalog.models.get(model);
  return info ? modelVersionOf(info.spec as ModelSpec) : null;
}

/** Promotes `version` by rule: runs the statement (recorded, replayed) with the evidence attached. */
export async function promoteByRule(engine: Engine, model: string, version: string, evidence: Evidence, rule: string): Promise<void> {
  await promoteBy(engine, model, version, `rule ${rule}`, evidence);
}

/** Runs `ALTER MODEL m PROMOTE VERSION v` (recorded, replayed); the switch is logged as done `by`, with the evidence if any. */
export async function promoteBy(engine: Engine, model: string, version: string, by: string, evidence: Evidence | null): Promise<void> {
  let m = pendingEvidence.get(engine);
  if (!m) pendingEvidence.set(engine, (m = new Map()));
  m.set(model, { evidence, by });
  try {
    await engine.execute(`ALTER MODEL \`${model}\` PROMOTE VERSION '${version}';`);
  } finally {
    m.delete(model);
  }
}

export async function promoteModel(ctx: ExecutionContext, s: PromoteModel): Promise<StatementResult> {
  const { engine } = ctx;
  if (isTrained(engine, s.name)) return promoteTrained(ctx, s);
  const info = engine.catalog.models.get(s.name);
  if (!info) throw new SqlError('INVALID', `Model '${s.name}' does not exist.`, s.span);
  const spec = info.spec as ModelSpec;
  if (spec.provider.kind !== 'kserve-v2') throw new SqlError('INVALID', `Model ${s.name}: PROMOTE and ROLLBACK switch versions of served models (PROVIDER 'kserve-v2'); this one is ${spec.provider.kind}`, s.span);
  const history = historyOf(engine, s.name);
  const from = modelVersionOf(spec);
  let to: string;
  if (s.version === null) {
    const prev = history.at(-1);
    if (prev === undefined) throw new SqlError('INVALID', `Model ${s.name}: nothing to roll back to (no promotion recorded)`, s.span);
    to = prev;
  } else to = s.version;
  if (to === from) return { kind: 'message', message: `Model ${s.name}: version ${to} is already the champion.` };
  const next = { ...info, spec: alterModelSpec(spec, { MODEL_VERSION: to }) };
  if (!ctx.replay) {
    // The new version must answer before it serves: a version that fails to load never becomes champion.
    const ready = await versionReady(spec, to);
    if (!ready.ok) throw new SqlError('INVALID', `Model ${s.name}: version ${to} is not ready on the server (${ready.why}); the champion stays ${from ?? '(unpinned)'}`, s.span);
    await modelRegistry(engine).reconfigure(definitionOf(next));
  }
  engine.catalog.models.set(s.name, next);
  if (s.version === null) history.pop();
  else if (from !== null) history.push(from);
  await engine.record(ctx);
  await logPromotion(ctx, s, from, to);
  return { kind: 'message', message: `Model ${s.name}: version ${to} is now the champion (was ${from ?? 'unpinned'}).` };
}

/**
 * Models trained in Riffle: PROMOTE VERSION n pins snapshot n (what ALTER MODEL m SET (VERSION = n)
 * does), ROLLBACK returns to the version pinned before ('LIVE' = the live model).
 */
async function promoteTrained(ctx: ExecutionContext, s: PromoteModel): Promise<StatementResult> {
  const registry = trainedRegistry(ctx.engine);
  const history = historyOf(ctx.engine, s.name);
  const pinned = registry.pinned.get(s.name);
  const from = pinned === undefined || pinned === null ? 'LIVE' : String(pinned);
  let to: string;
  if (s.version === null) {
    const prev = history.at(-1);
    if (prev === undefined) throw new SqlError('INVALID', `Model ${s.name}: nothing to roll back to (no promotion recorded)`, s.span);
    to = prev;
  } else to = s.version.toUpperCase();
  if (to === from) return { kind: 'message', message: `Model ${s.name}: ${to === 'LIVE' ? 'the live model' : `version ${to}`} already answers.` };
  if (to === 'LIVE') registry.pinned.set(s.name, null);
  else {
    const v = Number(to);
    const known = registry.versions.get(s.name)?.some((e) => e.version === v);
    if (!Number.isInteger(v) || (!known && !ctx.replay)) throw new SqlError('INVALID', `model ${s.name} has no version ${to} (DESCRIBE MODEL lists them)`, s.span);
    registry.pinned.set(s.name, v);
  }
  if (s.version === null) history.pop();
  else history.push(from);
  await ctx.engine.record(ctx);
  await logPromotion(ctx, s, from, to);
  return { kind: 'message', message: `Model ${s.name}: ${to === 'LIVE' ? 'the live model' : `version ${to}`} now answers (was ${from === 'LIVE' ? 'the live model' : `version ${from}`}).` };
}

const PROMOTIONS_SCHEMA = {
  key: [{ name: 'MODEL', type: STRING }],
  value: [
    { name: 'ACTION', type: STRING },
    { name: 'FROM_VERSION', type: STRING },
    { name: 'TO_VERSION', type: STRING },
    { name: 'BY', type: STRING },
    { name: 'ROWS', type: BIGINT },
    { name: 'CHAMPION_ACCURACY', type: DOUBLE },
    { name: 'CHALLENGER_ACCURACY', type: DOUBLE },
    { name: 'EVIDENCE', type: STRING },
  ],
};

/** Writes one switch (or challenger event) to `<M>_PROMOTIONS` (created on first use). */
export async function logSwitch(engine: Engine, replay: boolean, model: string, value: Record<string, unknown>): Promise<void> {
  const name = `${model}_PROMOTIONS`;
  if (!engine.catalog.getSource(name)) {
    const src: DataSource = { name, type: 'STREAM', topic: name, schema: PROMOTIONS_SCHEMA, formats: { keyFormat: 'KAFKA', valueFormat: 'JSON', wrapSingleValue: true }, timestampColumn: null, timestampFormat: null, window: null, sql: '', writerQueryId: null, readOnly: false };
    engine.catalog.putSource(src);
  }
  if (replay) return; // replaying the command log: the switch was logged when it happened
  await engine.log.ensureTopic(name, { partitions: 1, replicationFactor: 1 });
  await engine.producer.send(name, [{ key: Buffer.from(model), value: Buffer.from(JSON.stringify(value)), timestamp: Date.now() }]);
}

/** GET /v2/models/{m}/versions/{v}/ready on the model's server. */
export async function versionReady(spec: ModelSpec, version: string): Promise<{ ok: true } | { ok: false; why: string }> {
  const p = spec.provider;
  if (p.kind !== 'kserve-v2') return { ok: false, why: 'not a V2 model' };
  try {
    const res = await fetch(`${serverBase(p.endpoint)}/v2/models/${encodeURIComponent(p.modelName)}/versions/${encodeURIComponent(version)}/ready`, { headers: spec.headers, signal: AbortSignal.timeout(5000) });
    return res.status === 200 ? { ok: true } : { ok: false, why: `ready answered ${res.status}` };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  }
}

/** The server's base address from a model ENDPOINT (which may end in /v2/models or similar). */
export function serverBase(endpoint: string): string {
  return endpoint.replace(/\/+$/, '').replace(/\/v2(\/models)?$/, '');
}

/** Logs a PROMOTE or ROLLBACK with the evidence a rule attached to it (none: by hand). */
async function logPromotion(ctx: ExecutionContext, s: PromoteModel, from: string | null, to: string): Promise<void> {
  const attached = pendingEvidence.get(ctx.engine)?.get(s.name);
  await logSwitch(ctx.engine, ctx.replay, s.name, {
    ACTION: s.version === null ? 'ROLLBACK' : 'PROMOTE',
    FROM_VERSION: from,
    TO_VERSION: to,
    BY: attached?.by ?? 'hand',
    ROWS: attached?.evidence?.rows ?? null,
    CHAMPION_ACCURACY: attached?.evidence?.championAccuracy ?? null,
    CHALLENGER_ACCURACY: attached?.evidence?.challengerAccuracy ?? null,
    EVIDENCE: attached?.evidence ? JSON.stringify(attached.evidence) : null,
  });
}
