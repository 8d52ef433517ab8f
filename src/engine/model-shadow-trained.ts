/**
 * Versions of models trained in Riffle, promoted by rule: `ALTER MODEL m PROMOTE WHEN <metric>
 * BETTER BY x AFTER n ROWS [FROM stream]` (the same rule and evaluation as served versions,
 * model-shadow.ts). `ALTER MODEL m PROMOTE MANUALLY` ends it.
 *
 * - The champion is the pinned version (what PREDICT m answers with). With a rule and nothing
 *   pinned, the newest snapshot is pinned first, so a new snapshot never takes over unnoticed.
 * - A snapshot newer than the champion (SNAPSHOT_EVERY, or the CHALLENGER drift policy) becomes
 *   the challenger. Rows of the labelled stream (default: the training query's source) arriving
 *   from then on are scored by both versions in process, off the PREDICT path; each row's LABEL
 *   column scores both on exactly that row. After n rows the rule promotes (ALTER MODEL m PROMOTE
 *   VERSION n, recorded, with the evidence in `<M>_PROMOTIONS`) or rejects it (logged too).
 * - While a challenger is being evaluated newer snapshots wait: the evaluation always finishes.
 * Invariant: at most one promotion loop per model and engine; it ends when the model is dropped.
 */
import type { EngineContext as Engine, ExecutionContext } from './context.ts';
import type { SetPromotionRule } from '../sql/ast.ts';
import type { StatementResult } from './results.ts';
import type { Consumer } from '../log/log.ts';
import { SqlError } from '../sql/errors.ts';
import { parseStatement } from '../sql/parser.ts';
import { sourceStep } from '../plan/planner.ts';
import { sourceDecoder } from '../exec/source-decoder.ts';
import { allColumns } from '../types/schema.ts';
import { trainedRegistry } from './model-train.ts';
import { keyText, type TrainedDefinition } from '../ml/learn/live.ts';
import { resolveTrained, trainedOutputs } from '../ml/learn/client.ts';
import { ShadowEvaluation, type Evidence, type PromotionRule } from '../ml/promotion/shadow.ts';
import { isPositive, type Scored } from '../ml/promotion/metrics.ts';
import { logSwitch, promoteBy, promoteByRule } from './model-promotion.ts';
import { ruleOfClause } from './pipeline-options.ts';

const loops = new WeakMap<Engine, Map<string, TrainedPromotion>>();
const loopsOf = (engine: Engine) => {
  let m = loops.get(engine);
  if (!m) loops.set(engine, (m = new Map()));
  return m;
};

export async function setPromotionRule(ctx: ExecutionContext, s: SetPromotionRule): Promise<StatementResult> {
  const { engine } = ctx;
  const def = trainedRegistry(engine).definitions.get(s.name);
  if (!def) {
    if (engine.catalog.models.has(s.name)) throw new SqlError('INVALID', `Model ${s.name} is served, not trained in Riffle: its versions are promoted by the pipeline whose runs make them (CREATE PIPELINE ... WITH (MODEL = '${s.name}', ...) PROMOTE WHEN ...)`, s.span);
    throw new SqlError('INVALID', `Model '${s.name}' does not exist.`, s.span);
  }
  const rule = s.rule ? ruleOfClause(s.rule) : null;
  let stream: string | null = null;
  if (rule) {
    if (def.labelName === null) throw new SqlError('INVALID', `Model ${s.name} has no LABEL: there is nothing to score its versions against`, s.span);
    stream = s.from ?? trainingSource(def);
    if (stream === null) throw new SqlError('INVALID', `Model ${s.name}: its training query does not read one stream; name the labelled rows: ... FROM <stream>`, s.span);
    const src = engine.catalog.getSource(stream);
    if (!src || src.type !== 'STREAM') throw new SqlError('UNKNOWN_SOURCE', `Stream ${stream} does not exist (the labelled rows versions are scored on)`, s.span);
    const names = new Set(allColumns(src.schema).map((c) => c.name));
    const missing = [...def.keyNames, ...def.featureNames, def.labelName].filter((c) => !names.has(c));
    if (missing.length) throw new SqlError('INVALID', `Stream ${stream} lacks the model's columns ${missing.join(', ')} (versions are scored on its rows by column name)`, s.span);
  }
  const running = loopsOf(engine).get(s.name);
  if (running) {
    loopsOf(engine).delete(s.name);
    await running.stop();
  }
  if (rule && stream) {
    const loop = new TrainedPromotion(engine, def, rule, stream);
    loopsOf(engine).set(s.name, loop);
    loop.start();
  }
  await engine.record(ctx);
  return { kind: 'message', message: rule ? `Model ${s.name}: new versions are shadowed on ${stream} and promoted when ${rule.text}.` : `Model ${s.name}: versions switch only by hand (ALTER MODEL ${s.name} PROMOTE VERSION n).` };
}

/** The training query's source when it reads one stream (no join), else null. */
function trainingSource(def: TrainedDefinition): string | null {
  try {
    const st = parseStatement(def.sql);
    if (st.kind !== 'CreateModel' || !st.query) return null;
    return st.query.from.kind === 'SourceRef' ? st.query.from.name : null;
  } catch {
    return null;
  }
}

export async function closeTrainedPromotions(engine: Engine): Promise<void> {
  for (const loop of loopsOf(engine).values()) await loop.stop();
  loopsOf(engine).clear();
}

/** The state of a model's promotion loop, for DESCRIBE and tests (null: no rule). */
export function trainedPromotionOf(engine: Engine, model: string): TrainedPromotion | null {
  return loopsOf(engine).get(model) ?? null;
}

export class TrainedPromotion {
  readonly rule: PromotionRule;
  readonly stream: string;
  evaluation: ShadowEvaluation | null = null;
  readonly rejected = new Set<number>();
  readonly decisions: { action: string; version: string; evidence: Evidence | null; at: number }[] = [];
  lastError: string | null = null;
  private readonly engine: Engine;
  private readonly def: TrainedDefinition;
  /** The labelled stream's reader for the current challenger (decoder and column indexes resolved once). */
  private reader: { consumer: Consumer; decode: ReturnType<typeof sourceDecoder>; keyIdx: number[]; featureIdx: number[]; labelIdx: number } | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Joins each row's answers with its own label (keys are per row). */
  private seq = 0;

  constructor(engine: Engine, def: TrainedDefinition, rule: PromotionRule, stream: string) {
    this.engine = engine;
    this.def = def;
    this.rule = rule;
    this.stream = stream;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.dropReader();
  }

  private async run(): Promise<void> {
    // While an engine opens, the command log (with recorded PROMOTEs) is still being replayed.
    while (!this.engine.opened && !this.stopped) await sleep(50);
    const registry = trainedRegistry(this.engine);
    while (!this.stopped) {
      if (registry.definitions.get(this.def.name) !== this.def) {
        // Dropped (or replaced): the rule goes with the model.
        if (loopsOf(this.engine).get(this.def.name) === this) loopsOf(this.engine).delete(this.def.name);
        break;
      }
      try {
        if (this.evaluation) await this.step();
        else {
          await this.discover();
          if (!this.evaluation) await sleep(200);
        }
        this.lastError = null;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        await sleep(500);
      }
    }
  }

  private async discover(): Promise<void> {
    const registry = trainedRegistry(this.engine);
    const versions = (registry.versions.get(this.def.name) ?? []).map((v) => v.version);
    const champion = registry.pinned.get(this.def.name) ?? null;
    if (champion === null) {
      const newest = versions.at(-1);
      if (newest !== undefined) await promoteBy(this.engine, this.def.name, String(newest), `rule ${this.rule.text}: pins the newest version as the champion`, null);
      return;
    }
    const candidate = versions.filter((v) => v > champion && !this.rejected.has(v)).at(-1);
    if (candidate === undefined) return;
    const src = this.engine.catalog.getSource(this.stream);
    if (!src) throw new Error(`stream ${this.stream} does not exist`);
    const groupId = `_riffle_shadow_${this.def.name}_${candidate}_${Date.now()}`;
    const cols = allColumns(src.schema).map((c) => c.name);
    const idx = (n: string) => cols.indexOf(n);
    this.reader = {
      consumer: this.engine.log.consumer({ groupId, topics: [src.topic], fromBeginning: false }),
      decode: sourceDecoder(sourceStep(src), groupId, this.engine.processingLog),
      keyIdx: this.def.keyNames.map(idx),
      featureIdx: this.def.featureNames.map(idx),
      labelIdx: idx(this.def.labelName!),
    };
    this.evaluation = new ShadowEvaluation(String(champion), String(candidate), this.rule, 0);
    this.decisions.push({ action: 'CHALLENGER', version: String(candidate), evidence: null, at: Date.now() });
    await logSwitch(this.engine, false, this.def.name, { ACTION: 'CHALLENGER', FROM_VERSION: String(champion), TO_VERSION: String(candidate), BY: `rule ${this.rule.text}`, ROWS: 0, CHAMPION_ACCURACY: null, CHALLENGER_ACCURACY: null, EVIDENCE: null });
  }

  private async step(): Promise<void> {
    const ev = this.evaluation!;
    const registry = trainedRegistry(this.engine);
    if (String(registry.pinned.get(this.def.name) ?? '') !== ev.champion) {
      // The champion changed under the evaluation (by hand): start over.
      this.evaluation = null;
      return this.dropReader();
    }
    const r = this.reader!;
    const records = await r.consumer.poll(500, 200);
    for (const row of r.decode(records)) {
      const label = row.cols[r.labelIdx];
      if (label === null || label === undefined) continue;
      const key = keyText(r.keyIdx.map((k) => row.cols[k]));
      const features = r.featureIdx.map((f) => row.cols[f]);
      const a = this.answer(key, ev.champion, features);
      const b = this.answer(key, ev.challenger, features);
      if (!a || !b) continue;
      const rowKey = String(this.seq++);
      ev.addPrediction(rowKey, row.ts, a, b);
      ev.addLabel(rowKey, row.ts, label);
    }
    const d = ev.decision();
    if (d === 'wait') return;
    const evidence = ev.evidence;
    this.evaluation = null;
    await this.dropReader();
    this.decisions.push({ action: d === 'promote' ? 'PROMOTE' : 'REJECT', version: ev.challenger, evidence, at: Date.now() });
    if (d === 'promote') await promoteByRule(this.engine, this.def.name, ev.challenger, evidence, this.rule.text);
    else {
      this.rejected.add(Number(ev.challenger));
      await logSwitch(this.engine, false, this.def.name, { ACTION: 'REJECT', FROM_VERSION: ev.champion, TO_VERSION: ev.challenger, BY: `rule ${this.rule.text}: not better by the rule`, ROWS: evidence.rows, CHAMPION_ACCURACY: evidence.championAccuracy, CHALLENGER_ACCURACY: evidence.challengerAccuracy, EVIDENCE: JSON.stringify(evidence) });
    }
  }

  describe(): string[] {
    const ev = this.evaluation?.evidence;
    const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(4));
    return [
      `Promotion rule       : ${this.rule.text}; labelled rows from ${this.stream}`,
      ev ? `Challenger           : version ${ev.challenger} in shadow: ${ev.rows} labelled rows, ${ev.metric} champion ${fmt(ev.championValue)} vs challenger ${fmt(ev.challengerValue)}` : 'Challenger           : none',
      ...(this.lastError ? [`Promotion error      : ${this.lastError}`] : []),
      ...this.decisions.map((d) => `  ${new Date(d.at).toISOString()} ${d.action} version ${d.version}${d.evidence ? ` (${d.evidence.rows} rows: ${d.evidence.metric} ${fmt(d.evidence.championValue)} -> ${fmt(d.evidence.challengerValue)})` : ''}`),
    ];
  }

  /** One version's answer for a row: the class with P(positive), or the value; null when the key has no model in that version. */
  private answer(key: string, version: string, features: readonly unknown[]): Scored | null {
    const r = resolveTrained(trainedRegistry(this.engine), this.def.name, key, version);
    if (r === null) return null;
    const out = trainedOutputs(r, features, this.def.featureNames, 2);
    if (out[0] === null || out[0] === undefined) return null;
    if (out.length === 2 && typeof out[1] === 'number') return { prediction: out[0], positiveProbability: isPositive(out[0]) ? out[1] : 1 - out[1] };
    return { prediction: out[0], positiveProbability: null };
  }

  private async dropReader(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    await r?.consumer.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
