/**
 * Champion/challenger evaluation on the same rows: both versions' predictions of a row are kept
 * under the row's key; a label arriving for that key within the window (either side may come
 * first) scores both on exactly that row. The rule `<METRIC> BETTER BY x AFTER n ROWS` decides
 * once n rows were scored: promote when the challenger's metric (metrics.ts) is better than the
 * champion's by at least x (x% : by x percent of the champion's value), reject otherwise.
 *
 * Invariants: a prediction and a label are joined at most once (matched pairs are removed); an
 * entry older than the newest time seen minus the window is dropped and counted (predictions
 * that never got a label, labels that matched no prediction), so memory stays bounded by the
 * window and missing labels are visible.
 */
import { PROMOTION_METRICS, higherIsBetter, isPromotionMetric, metricValue, sameClass, type PromotionMetric, type Scored } from './metrics.ts';

export interface PromotionRule {
  readonly metric: PromotionMetric;
  /** The margin the challenger must win by: in the metric's unit, or a fraction of the champion's value when relative. */
  readonly by: number;
  readonly relative: boolean;
  readonly afterRows: number;
  readonly text: string;
}

/** A rule from its parts; throws with the accepted metrics when the metric is unknown. */
export function promotionRule(metric: string, by: number, relative: boolean, afterRows: number): PromotionRule {
  const m = metric.toUpperCase();
  if (!isPromotionMetric(m)) throw new Error(`unknown metric '${metric}' in PROMOTE WHEN: expected one of ${PROMOTION_METRICS.join(', ')}`);
  if (!Number.isInteger(afterRows) || afterRows <= 0) throw new Error(`PROMOTE WHEN ... AFTER n ROWS: n must be a positive number of labelled rows`);
  const text = `${m} BETTER BY ${relative ? `${by}%` : by} AFTER ${afterRows} ROWS`;
  return { metric: m, by: relative ? by / 100 : by, relative, afterRows, text };
}

/** The PROMOTE_WHEN option's text (the clause's older spelling): `<metric> BETTER [BY x[%]] AFTER n ROWS`. */
export function parsePromoteWhen(text: string): PromotionRule {
  const m = /^\s*([A-Za-z_0-9]+)\s+BETTER(?:\s+BY\s+([0-9]*\.?[0-9]+)\s*(%?))?\s+AFTER\s+(\d+)\s+ROWS?\s*$/i.exec(text);
  if (!m) throw new Error(`PROMOTE_WHEN '${text}': expected '<metric> BETTER BY <x> AFTER <n> ROWS' (x in the metric's unit, or with % relative to the champion)`);
  return promotionRule(m[1]!, m[2] === undefined ? 0 : Number(m[2]), m[3] === '%', Number(m[4]));
}

export interface Evidence {
  readonly champion: string;
  readonly challenger: string;
  readonly rows: number;
  readonly metric: PromotionMetric;
  readonly championValue: number | null;
  readonly challengerValue: number | null;
  readonly championAccuracy: number | null;
  readonly challengerAccuracy: number | null;
  readonly predictionsWithoutLabel: number;
  readonly labelsWithoutPrediction: number;
  readonly rule: string;
}

interface Pred {
  readonly ts: number;
  readonly champion: Scored;
  readonly challenger: Scored;
}
interface Label {
  readonly ts: number;
  readonly label: unknown;
}

export { sameClass };

/** A bare prediction (no probability) as a scored answer. */
const asScored = (v: unknown): Scored => (v !== null && typeof v === 'object' && 'prediction' in (v as object) ? (v as Scored) : { prediction: v, positiveProbability: null });

export class ShadowEvaluation {
  readonly champion: string;
  readonly challenger: string;
  readonly rule: PromotionRule;
  private readonly windowMs: number;
  private readonly preds = new Map<string, Pred[]>();
  private readonly labels = new Map<string, Label[]>();
  private newest = -Infinity;
  /** Scored rows (bounded: the rule decides once afterRows were scored). */
  private readonly championAnswers: Scored[] = [];
  private readonly challengerAnswers: Scored[] = [];
  private readonly scoredLabels: unknown[] = [];
  rows = 0;
  championCorrect = 0;
  challengerCorrect = 0;
  predictionsWithoutLabel = 0;
  labelsWithoutPrediction = 0;

  constructor(champion: string, challenger: string, rule: PromotionRule, windowMs: number) {
    this.champion = champion;
    this.challenger = challenger;
    this.rule = rule;
    this.windowMs = windowMs;
  }

  /** Both versions' answers for a row: bare predictions, or Scored (with P(positive)). */
  addPrediction(key: string, ts: number, championAnswer: unknown, challengerAnswer: unknown): void {
    const champion = asScored(championAnswer);
    const challenger = asScored(challengerAnswer);
    this.see(ts);
    const waiting = this.labels.get(key);
    const i = waiting ? waiting.findIndex((l) => Math.abs(l.ts - ts) <= this.windowMs) : -1;
    if (waiting && i >= 0) {
      const [l] = waiting.splice(i, 1);
      if (waiting.length === 0) this.labels.delete(key);
      this.score(champion, challenger, l!.label);
      return;
    }
    push(this.preds, key, { ts, champion, challenger });
  }

  addLabel(key: string, ts: number, label: unknown): void {
    this.see(ts);
    const waiting = this.preds.get(key);
    const i = waiting ? waiting.findIndex((p) => Math.abs(p.ts - ts) <= this.windowMs) : -1;
    if (waiting && i >= 0) {
      const [p] = waiting.splice(i, 1);
      if (waiting.length === 0) this.preds.delete(key);
      this.score(p!.champion, p!.challenger, label);
      return;
    }
    push(this.labels, key, { ts, label });
  }

  private score(champion: Scored, challenger: Scored, label: unknown): void {
    this.rows++;
    if (sameClass(champion.prediction, label)) this.championCorrect++;
    if (sameClass(challenger.prediction, label)) this.challengerCorrect++;
    this.championAnswers.push(champion);
    this.challengerAnswers.push(challenger);
    this.scoredLabels.push(label);
  }

  /** Drops entries older than the window behind `now` (event time; default: the newest seen). */
  expire(now = this.newest): void {
    const limit = now - this.windowMs;
    this.predictionsWithoutLabel += dropOlder(this.preds, limit);
    this.labelsWithoutPrediction += dropOlder(this.labels, limit);
  }

  private see(ts: number): void {
    if (ts > this.newest) this.newest = ts;
  }

  get evidence(): Evidence {
    return {
      champion: this.champion,
      challenger: this.challenger,
      rows: this.rows,
      metric: this.rule.metric,
      championValue: metricValue(this.rule.metric, this.championAnswers, this.scoredLabels),
      challengerValue: metricValue(this.rule.metric, this.challengerAnswers, this.scoredLabels),
      championAccuracy: this.rows ? this.championCorrect / this.rows : null,
      challengerAccuracy: this.rows ? this.challengerCorrect / this.rows : null,
      predictionsWithoutLabel: this.predictionsWithoutLabel,
      labelsWithoutPrediction: this.labelsWithoutPrediction,
      rule: this.rule.text,
    };
  }

  /**
   * 'wait' until the rule's row count, then 'promote' when the challenger's metric beats the
   * champion's by the margin (in the better direction; relative margins as a fraction of the
   * champion's value), else 'reject'. A metric undefined on these rows (ROC_AUC with one class)
   * keeps waiting for more rows.
   */
  decision(): 'wait' | 'promote' | 'reject' {
    if (this.rows < this.rule.afterRows) return 'wait';
    const champ = metricValue(this.rule.metric, this.championAnswers, this.scoredLabels);
    const chall = metricValue(this.rule.metric, this.challengerAnswers, this.scoredLabels);
    if (champ === null || chall === null) return 'wait';
    const gain = higherIsBetter(this.rule.metric) ? chall - champ : champ - chall;
    const needed = this.rule.relative ? this.rule.by * Math.abs(champ) : this.rule.by;
    if (this.rule.relative && champ === 0) return gain > 0 || (gain === 0 && this.rule.by === 0) ? 'promote' : 'reject';
    return gain >= needed - 1e-12 ? 'promote' : 'reject';
  }
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

function dropOlder<T extends { ts: number }>(m: Map<string, T[]>, limit: number): number {
  let dropped = 0;
  for (const [k, list] of m) {
    const keep = list.filter((x) => x.ts >= limit);
    dropped += list.length - keep.length;
    if (keep.length === 0) m.delete(k);
    else if (keep.length !== list.length) m.set(k, keep);
  }
  return dropped;
}
