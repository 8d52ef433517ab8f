/**
 * ModelPromotion: finds new versions of a served model, shadows them against the champion on live
 * rows, joins late labels and promotes by rule (see model-promotion.ts for the whole picture).
 *
 * Rows and labels are read with consumer groups of their own, starting at the time the challenger
 * was taken (so both versions are scored on the same, new rows). Model calls go through the
 * engine's ModelRegistry with explicit versions: the champion's invoker is the one PREDICT uses.
 */
import type { EngineContext as Engine } from './context.ts';
import type { Consumer } from '../log/log.ts';
import { sourceStep } from '../plan/planner.ts';
import { sourceDecoder } from '../exec/source-decoder.ts';
import { allColumns } from '../types/schema.ts';
import { modelRegistry } from './model-registry.ts';
import type { ModelSpec } from '../ml/spec.ts';
import { ShadowEvaluation, type PromotionRule, type Evidence } from '../ml/promotion/shadow.ts';
import { championOf, logSwitch, promoteBy, promoteByRule, serverBase, versionReady } from './model-promotion.ts';

export interface PromotionConfig {
  readonly pipeline: string;
  readonly model: string;
  /** Stream whose rows carry the model's INPUT columns (by name) and the join key. */
  readonly shadowFrom: string;
  readonly labels: string;
  readonly labelColumn: string;
  readonly windowMs: number;
  readonly rule: PromotionRule;
  readonly pollMs: number;
  /** How long a new version may take to become ready before it is reported LOAD_FAILED. */
  readonly loadTimeoutMs: number;
}

interface Reader {
  readonly consumer: Consumer;
  readonly decode: ReturnType<typeof sourceDecoder>;
  readonly keyIdx: number[];
  readonly colIdx: number[];
}

export class ModelPromotion {
  readonly cfg: PromotionConfig;
  private readonly engine: Engine;
  private stopped = false;
  private loop: Promise<void> | null = null;
  challenger: string | null = null;
  evaluation: ShadowEvaluation | null = null;
  /** Versions rejected or failed: never taken again. */
  readonly rejected = new Map<string, string>();
  readonly decisions: { action: string; version: string; evidence: Evidence | null; why: string | null; at: number }[] = [];
  lastError: string | null = null;
  /** When each not-yet-ready version was first seen in the index. */
  private readonly firstSeen = new Map<string, number>();
  private rows: Reader | null = null;
  private labels: Reader | null = null;

  constructor(engine: Engine, cfg: PromotionConfig) {
    this.engine = engine;
    this.cfg = cfg;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.dropReaders();
  }

  private spec(): ModelSpec {
    const info = this.engine.catalog.models.get(this.cfg.model);
    if (!info) throw new Error(`model ${this.cfg.model} does not exist`);
    return info.spec as ModelSpec;
  }

  private async run(): Promise<void> {
    // The first look waits one poll interval: while an engine opens, the command log is still
    // being replayed (a recorded PROMOTE may not have been applied yet).
    let lastIndex = Date.now();
    while (!this.stopped) {
      try {
        if (Date.now() - lastIndex >= this.cfg.pollMs) {
          lastIndex = Date.now();
          await this.discover();
        }
        if (this.evaluation) await this.shadowStep();
        else await sleep(Math.min(this.cfg.pollMs, 200));
        this.lastError = null;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        await sleep(500);
      }
    }
  }

  /** Reads the server's repository index; takes the newest READY version above the champion. */
  private async discover(): Promise<void> {
    const spec = this.spec();
    if (spec.provider.kind !== 'kserve-v2') throw new Error(`model ${this.cfg.model} is not a served V2 model`);
    const { modelName, endpoint } = spec.provider;
    const res = await fetch(`${serverBase(endpoint)}/v2/repository/index`, { method: 'POST', headers: { ...spec.headers, 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`repository index answered ${res.status}`);
    const index = ((await res.json()) as { name: string; version?: string; state?: string; reason?: string }[]).filter((m) => m.name === modelName && m.version);
    const champion = championOf(this.engine, this.cfg.model);
    const num = (v: string) => Number(v);
    for (const m of index) {
      // UNAVAILABLE with a reason: the load failed. LOADING / UNKNOWN: wait (up to loadTimeoutMs).
      if (m.state === 'UNAVAILABLE' && m.reason && !this.rejected.has(m.version!) && (champion === null || num(m.version!) > num(champion))) {
        await this.reject(m.version!, 'LOAD_FAILED', null, `state ${m.state}: ${m.reason}`);
      }
    }
    const ready = index.filter((m) => m.state === 'READY').map((m) => m.version!).sort((a, b) => num(a) - num(b));
    if (champion === null) {
      // Pin what serves now, so a new version never takes over unnoticed.
      const current = ready.at(-1);
      if (current) await promoteBy(this.engine, this.cfg.model, current, `pipeline ${this.cfg.pipeline}: pins the serving version as the champion`, null);
      return;
    }
    const candidate = ready.filter((v) => num(v) > num(champion) && !this.rejected.has(v)).at(-1);
    if (!candidate || candidate === this.challenger) return;
    // The index may say READY for a version whose load failed (MLServer): ask the version itself.
    const ok = await versionReady(spec, candidate);
    if (!ok.ok) {
      const since = this.firstSeen.get(candidate) ?? Date.now();
      this.firstSeen.set(candidate, since);
      if (Date.now() - since >= this.cfg.loadTimeoutMs) await this.reject(candidate, 'LOAD_FAILED', null, `not ready after ${this.cfg.loadTimeoutMs} ms (${ok.why})`);
      return;
    }
    await this.dropReaders();
    this.challenger = candidate;
    this.evaluation = new ShadowEvaluation(champion, candidate, this.cfg.rule, this.cfg.windowMs);
    this.rows = this.reader(this.cfg.shadowFrom, `_riffle_shadow_${this.cfg.pipeline}_${candidate}`, modelInputs(this.engine, this.cfg.model));
    this.labels = this.reader(this.cfg.labels, `_riffle_labels_${this.cfg.pipeline}_${candidate}`, [this.cfg.labelColumn]);
    this.note('CHALLENGER', candidate, null, null);
    await logSwitch(this.engine, false, this.cfg.model, { ACTION: 'CHALLENGER', FROM_VERSION: champion, TO_VERSION: candidate, BY: `pipeline ${this.cfg.pipeline}`, ROWS: 0, CHAMPION_ACCURACY: null, CHALLENGER_ACCURACY: null, EVIDENCE: null });
  }

  private reader(stream: string, groupId: string, columns: readonly string[]): Reader {
    const src = this.engine.catalog.getSource(stream);
    if (!src) throw new Error(`stream ${stream} does not exist`);
    const cols = allColumns(src.schema);
    const colIdx = columns.map((c) => {
      const i = cols.findIndex((x) => x.name === c.toUpperCase() || x.name === c);
      if (i < 0) throw new Error(`stream ${stream} has no column ${c}`);
      return i;
    });
    return {
      consumer: this.engine.log.consumer({ groupId, topics: [src.topic], fromBeginning: false }),
      decode: sourceDecoder(sourceStep(src), groupId, this.engine.processingLog),
      keyIdx: src.schema.key.map((_, i) => i),
      colIdx,
    };
  }

  private async shadowStep(): Promise<void> {
    const ev = this.evaluation!;
    if (championOf(this.engine, this.cfg.model) !== ev.champion) {
      // The champion changed under the evaluation (by hand, or a replayed PROMOTE): start over.
      this.evaluation = null;
      this.challenger = null;
      return this.dropReaders();
    }
    const registry = modelRegistry(this.engine);
    const rows = this.rows!.decode(await this.rows!.consumer.poll(500, 100));
    if (rows.length > 0) {
      const inputs = rows.map((r) => this.rows!.colIdx.map((i) => r.cols[i]));
      const [champ, chall] = await Promise.all([registry.invoker(this.cfg.model, ev.champion, {}), registry.invoker(this.cfg.model, ev.challenger, {})]);
      const [a, b] = await Promise.all([champ.invoke(inputs), chall.invoke(inputs)]);
      const failed = b.find((o) => o.kind === 'error');
      if (failed && failed.kind === 'error' && b.every((o) => o.kind === 'error')) return this.reject(ev.challenger, 'LOAD_FAILED', ev.evidence, `challenger does not answer: ${failed.reason}`);
      rows.forEach((r, i) => {
        const x = a[i]!;
        const y = b[i]!;
        if (x.kind === 'ok' && y.kind === 'ok') ev.addPrediction(keyOf(r.cols, this.rows!.keyIdx), r.ts, x.outputs[0], y.outputs[0]);
      });
    }
    const labels = this.labels!.decode(await this.labels!.consumer.poll(2000, rows.length ? 0 : 100));
    for (const l of labels) ev.addLabel(keyOf(l.cols, this.labels!.keyIdx), l.ts, l.cols[this.labels!.colIdx[0]!]);
    ev.expire();
    const d = ev.decision();
    if (d === 'promote') {
      const evidence = ev.evidence;
      this.note('PROMOTE', ev.challenger, evidence, null);
      this.evaluation = null;
      this.challenger = null;
      await this.dropReaders();
      await promoteByRule(this.engine, this.cfg.model, evidence.challenger, evidence, this.cfg.rule.text);
    } else if (d === 'reject') await this.reject(ev.challenger, 'REJECT', ev.evidence, 'not better by the rule');
  }

  private async reject(version: string, action: 'REJECT' | 'LOAD_FAILED', evidence: Evidence | null, why: string): Promise<void> {
    this.rejected.set(version, why);
    this.note(action, version, evidence, why);
    if (this.challenger === version) {
      this.challenger = null;
      this.evaluation = null;
      await this.dropReaders();
    }
    await logSwitch(this.engine, false, this.cfg.model, { ACTION: action, FROM_VERSION: championOf(this.engine, this.cfg.model), TO_VERSION: version, BY: `pipeline ${this.cfg.pipeline}: ${why}`, ROWS: evidence?.rows ?? null, CHAMPION_ACCURACY: evidence?.championAccuracy ?? null, CHALLENGER_ACCURACY: evidence?.challengerAccuracy ?? null, EVIDENCE: evidence ? JSON.stringify(evidence) : null });
  }

  private note(action: string, version: string, evidence: Evidence | null, why: string | null): void {
    this.decisions.push({ action, version, evidence, why, at: Date.now() });
  }

  private async dropReaders(): Promise<void> {
    const readers = [this.rows, this.labels];
    this.rows = this.labels = null;
    for (const r of readers) await r?.consumer.close();
  }

  describe(): string[] {
    const ev = this.evaluation?.evidence;
    return [
      `Model                : ${this.cfg.model} (champion version ${championOf(this.engine, this.cfg.model) ?? 'unpinned'})`,
      `Promotion rule       : ${this.cfg.rule.text}; labels from ${this.cfg.labels}.${this.cfg.labelColumn} within ${this.cfg.windowMs} ms`,
      ev
        ? `Challenger           : version ${ev.challenger} in shadow: ${ev.rows} labelled rows, ${ev.metric} champion ${fmt(ev.championValue)} vs challenger ${fmt(ev.challengerValue)} (accuracy ${fmt(ev.championAccuracy)} vs ${fmt(ev.challengerAccuracy)}); ${ev.predictionsWithoutLabel} predictions without label, ${ev.labelsWithoutPrediction} labels without prediction`
        : `Challenger           : none`,
      ...(this.lastError ? [`Promotion error      : ${this.lastError}`] : []),
      ...this.decisions.map((d) => `  ${new Date(d.at).toISOString()} ${d.action} version ${d.version}${d.evidence ? ` (${d.evidence.rows} rows: ${d.evidence.metric} ${fmt(d.evidence.championValue)} -> ${fmt(d.evidence.challengerValue)})` : ''}${d.why ? `: ${d.why}` : ''}`),
    ];
  }
}

function modelInputs(engine: Engine, model: string): string[] {
  const info = engine.catalog.models.get(model);
  if (!info) throw new Error(`model ${model} does not exist`);
  return info.inputs.map((c) => c.name);
}

const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(4));
const keyOf = (cols: readonly unknown[], idx: readonly number[]) => JSON.stringify(idx.map((i) => cols[i]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
