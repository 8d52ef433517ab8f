/**
 * Champion/challenger evaluation on the same rows: both versions' predictions of a row are kept
 * under the row's key; a label arriving for that key within the window (either side may come
 * first) scores both on exactly that row. The rule `<METRIC> BETTER BY x AFTER n ROWS` decides
 * once n rows were scored: promote when the challenger's accuracy exceeds the champion's by at
 * least x, reject otherwise.
 *
 * Invariants: a prediction and a label are joined at most once (matched pairs are removed); an
 * entry older than the newest time seen minus the window is dropped and counted (predictions
 * that never got a label, labels that matched no prediction), so memory stays bounded by the
 * window and missing labels are visible.
 */

export interface PromotionRule {
  readonly metric: 'ACCURACY';
  /** Accuracy points (0..1) the challenger must gain. */
  readonly by: number;
  readonly afterRows: number;
  readonly text: string;
}

export function parsePromoteWhen(text: string): PromotionRule {
  const m = /^\s*ACCURACY\s+BETTER\s+BY\s+([0-9]*\.?[0-9]+)\s*(%?)\s+AFTER\s+(\d+)\s+ROWS?\s*$/i.exec(text);
  if (!m) throw new Error(`PROMOTE_WHEN '${text}': expected 'ACCURACY BETTER BY <x> AFTER <n> ROWS' (x as a fraction, or with %)`);
  const by = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  return { metric: 'ACCURACY', by, afterRows: Number(m[3]), text: text.trim() };
}

export interface Evidence {
  readonly champion: string;
  readonly challenger: string;
  readonly rows: number;
  readonly championAccuracy: number | null;
  readonly challengerAccuracy: number | null;
  readonly predictionsWithoutLabel: number;
  readonly labelsWithoutPrediction: number;
  readonly rule: string;
}

interface Pred {
  readonly ts: number;
  readonly champion: unknown;
  readonly challenger: unknown;
}
interface Label {
  readonly ts: number;
  readonly label: unknown;
}

/** Labels and predictions compare as text, booleans as 1/0 (a BOOLEAN label vs an INT64 class). */
export function sameClass(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (typeof v === 'boolean' ? (v ? '1' : '0') : typeof v === 'number' && Number.isInteger(v) ? String(v) : String(v));
  return a !== null && a !== undefined && norm(a) === norm(b);
}

export class ShadowEvaluation {
  readonly champion: string;
  readonly challenger: string;
  readonly rule: PromotionRule;
  private readonly windowMs: number;
  private readonly preds = new Map<string, Pred[]>();
  private readonly labels = new Map<string, Label[]>();
  private newest = -Infinity;
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

  addPrediction(key: string, ts: number, champion: unknown, challenger: unknown): void {
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

  private score(champion: unknown, challenger: unknown, label: unknown): void {
    this.rows++;
    if (sameClass(champion, label)) this.championCorrect++;
    if (sameClass(challenger, label)) this.challengerCorrect++;
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
      championAccuracy: this.rows ? this.championCorrect / this.rows : null,
      challengerAccuracy: this.rows ? this.challengerCorrect / this.rows : null,
      predictionsWithoutLabel: this.predictionsWithoutLabel,
      labelsWithoutPrediction: this.labelsWithoutPrediction,
      rule: this.rule.text,
    };
  }

  /** 'wait' until the rule's row count, then 'promote' or 'reject'. */
  decision(): 'wait' | 'promote' | 'reject' {
    if (this.rows < this.rule.afterRows) return 'wait';
    const gain = (this.challengerCorrect - this.championCorrect) / this.rows;
    return gain >= this.rule.by - 1e-12 ? 'promote' : 'reject';
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
