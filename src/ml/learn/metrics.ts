/**
 * Progressive-validation metrics, River's definitions:
 * - binary/multiclass: accuracy; precision, recall and F1 of the positive label; log loss on
 *   P(positive) clamped to [1e-15, 1 − 1e-15]; ROC AUC in River's form (10 thresholds i/9, the
 *   first −1e-7 and the last +1e-7, one confusion matrix per threshold counting p > t,
 *   AUC = −trapz(x=FPR, y=TPR)) and exact (Mann-Whitney, ties count ½) over all scored rows;
 * - regression: MAE, RMSE, R² (1 − SS_res/SS_tot, SS_tot from a Welford over the targets; 0 until
 *   2 rows);
 * - anomaly scores: quantiles from a 1,000-bin histogram over [0, 1] (±0.0005), and both ROC AUCs
 *   when a label is given.
 * A row the model could not predict yet is not scored (River skips None predictions).
 *
 * The exact AUC keeps every scored (score, label) pair: `positives`/`negatives` grow by one
 * number per scored row.
 */
import { SortedRuns } from './sorted-runs.ts';

export interface ClassMetricsState {
  readonly kind: 'class';
  n: number;
  correct: number;
  tp: number;
  fp: number;
  fn: number;
  logLossSum: number;
  /** Per River threshold: [tp, fp, fn, tn]. */
  roc: number[][];
  positives: number[];
  negatives: number[];
  /** Per class number: [tp, fp, fn], for MACRO_F1 (multiclass). */
  perClass: number[][];
}

export interface RegressionMetricsState {
  readonly kind: 'regression';
  n: number;
  absSum: number;
  sqSum: number;
  yMean: number;
  yS: number;
}

export interface AnomalyMetricsState {
  readonly kind: 'anomaly';
  n: number;
  histogram: number[];
  roc: number[][];
  positives: number[];
  negatives: number[];
  labelled: number;
}

export type MetricsState = ClassMetricsState | RegressionMetricsState | AnomalyMetricsState;

const THRESHOLDS = (() => {
  const t = Array.from({ length: 10 }, (_, i) => i / 9);
  t[0] -= 1e-7;
  t[9] += 1e-7;
  return t;
})();

const BINS = 1000;

const newRoc = (): number[][] => THRESHOLDS.map(() => [0, 0, 0, 0]);

export function newClassMetrics(): ClassMetricsState {
  return { kind: 'class', n: 0, correct: 0, tp: 0, fp: 0, fn: 0, logLossSum: 0, roc: newRoc(), positives: [], negatives: [], perClass: [] };
}

export function newRegressionMetrics(): RegressionMetricsState {
  return { kind: 'regression', n: 0, absSum: 0, sqSum: 0, yMean: 0, yS: 0 };
}

export function newAnomalyMetrics(): AnomalyMetricsState {
  return { kind: 'anomaly', n: 0, histogram: new Array(BINS).fill(0), roc: newRoc(), positives: [], negatives: [], labelled: 0 };
}

function updateRoc(roc: number[][], positive: boolean, p: number): void {
  for (let i = 0; i < THRESHOLDS.length; i++) {
    const above = p > THRESHOLDS[i];
    const cm = roc[i];
    if (positive) cm[above ? 0 : 2]++;
    else cm[above ? 1 : 3]++;
  }
}

/**
 * A classifier's scored row: whether the predicted label is the true one, whether the predicted
 * label / the true label is the positive one, and P(positive).
 */
export function scoreClassification(m: ClassMetricsState, predicted: number, actual: number, predictedPositive: boolean, actualPositive: boolean, pPositive: number): void {
  const correct = predicted === actual;
  const pc = (m.perClass ??= []);
  while (pc.length <= Math.max(predicted, actual)) pc.push([0, 0, 0]);
  if (correct) pc[actual][0]++;
  else {
    pc[predicted][1]++;
    pc[actual][2]++;
  }
  m.n++;
  if (correct) m.correct++;
  if (predictedPositive && actualPositive) m.tp++;
  else if (predictedPositive) m.fp++;
  else if (actualPositive) m.fn++;
  const p = Math.min(Math.max(pPositive, 1e-15), 1 - 1e-15);
  m.logLossSum += actualPositive ? -Math.log(p) : -Math.log(1 - p);
  updateRoc(m.roc, actualPositive, pPositive);
  (actualPositive ? m.positives : m.negatives).push(pPositive);
}

export function scoreRegression(m: RegressionMetricsState, y: number, yhat: number): void {
  m.n++;
  const e = y - yhat;
  m.absSum += Math.abs(e);
  m.sqSum += e * e;
  const old = m.yMean;
  m.yMean += (y - old) / m.n;
  m.yS += (y - old) * (y - m.yMean);
}

export function scoreAnomaly(m: AnomalyMetricsState, score: number, label: boolean | null): void {
  m.n++;
  const bin = Math.min(BINS - 1, Math.max(0, Math.floor(score * BINS)));
  m.histogram[bin]++;
  if (label !== null) {
    m.labelled++;
    updateRoc(m.roc, label, score);
    (label ? m.positives : m.negatives).push(score);
  }
}

function riverAuc(roc: number[][]): number {
  const tpr = roc.map(([tp, , fn]) => (tp + fn > 0 ? tp / (tp + fn) : 0));
  const fpr = roc.map(([, fp, , tn]) => (fp + tn > 0 ? fp / (fp + tn) : 0));
  let area = 0;
  for (let i = 0; i + 1 < tpr.length; i++) area += ((fpr[i + 1] - fpr[i]) * (tpr[i] + tpr[i + 1])) / 2;
  return -area;
}

/**
 * Exact AUC kept incrementally per pair of score lists (not stored: rebuilt from the lists after a
 * restore): both lists as SortedRuns and the Mann-Whitney win count so far. The scores added since
 * the last call are sorted, counted against the other list's earlier scores (a sweep per run) and
 * against each other (a merge), then added as runs: a metric snapshot costs
 * O(new · log² n) comparisons, most of them cache hits, plus the amortised O(log n) moves per score
 * of the merges.
 */
interface AucCache {
  readonly pos: SortedRuns;
  readonly neg: SortedRuns;
  wins: number;
}
const aucCache = new WeakMap<readonly number[], AucCache>();

/** Wins of positives over negatives, both sorted: Σ_p #(n < p) + ½ #(n = p). */
function winsOf(pos: Float64Array, neg: Float64Array): number {
  let wins = 0;
  let j = 0;
  let k = 0;
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i];
    while (j < neg.length && neg[j] < p) j++;
    if (k < j) k = j;
    while (k < neg.length && neg[k] === p) k++;
    wins += j + (k - j) / 2;
  }
  return wins;
}

/** Mann-Whitney AUC: P(score of a positive > score of a negative) + ½ P(equal). */
export function exactAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return 0;
  let c = aucCache.get(positives);
  if (!c || c.pos.size > positives.length || c.neg.size > negatives.length || aucCache.get(negatives) !== c) {
    c = { pos: new SortedRuns(), neg: new SortedRuns(), wins: 0 };
    aucCache.set(positives, c);
    aucCache.set(negatives, c);
  }
  const { pos, neg } = c;
  if (pos.size === positives.length && neg.size === negatives.length) return c.wins / (positives.length * negatives.length);
  const newPos = Float64Array.from(positives.slice(pos.size)).sort();
  const newNeg = Float64Array.from(negatives.slice(neg.size)).sort();
  let wins = c.wins;
  // New positives against earlier negatives: #(n < p) + ½ #(n = p).
  let less = new Float64Array(newPos.length);
  let equal = new Float64Array(newPos.length);
  neg.count(newPos, less, equal);
  for (let i = 0; i < newPos.length; i++) wins += less[i] + equal[i] / 2;
  // New negatives against earlier positives: #(p > n) + ½ #(p = n).
  less = new Float64Array(newNeg.length);
  equal = new Float64Array(newNeg.length);
  pos.count(newNeg, less, equal);
  for (let i = 0; i < newNeg.length; i++) wins += pos.size - less[i] - equal[i] + equal[i] / 2;
  wins += winsOf(newPos, newNeg);
  pos.add(newPos);
  neg.add(newNeg);
  c.wins = wins;
  return wins / (positives.length * negatives.length);
}

/** River's MacroF1: the mean F1 over every class seen (as truth or prediction). */
function macroF1(pc: readonly number[][]): number {
  let sum = 0;
  let classes = 0;
  for (const [tp, fp, fn] of pc) {
    if (tp + fp + fn === 0) continue;
    classes++;
    const p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const r = tp + fn > 0 ? tp / (tp + fn) : 0;
    sum += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  return classes > 0 ? sum / classes : 0;
}

function quantile(h: readonly number[], n: number, q: number): number {
  if (n === 0) return 0;
  const target = q * n;
  let acc = 0;
  for (let i = 0; i < h.length; i++) {
    acc += h[i];
    if (acc >= target) return (i + 0.5) / h.length;
  }
  return 1;
}

/** The metrics by name, in display order (full precision). */
export function metricValues(m: MetricsState): [string, number][] {
  switch (m.kind) {
    case 'class': {
      const precision = m.tp + m.fp > 0 ? m.tp / (m.tp + m.fp) : 0;
      const recall = m.tp + m.fn > 0 ? m.tp / (m.tp + m.fn) : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      return [
        ['ROWS', m.n],
        ['ACCURACY', m.n > 0 ? m.correct / m.n : 0],
        ['PRECISION', precision],
        ['RECALL', recall],
        ['F1', f1],
        ['ROC_AUC', exactAuc(m.positives, m.negatives)],
        ['ROC_AUC_RIVER', riverAuc(m.roc)],
        ['LOG_LOSS', m.n > 0 ? m.logLossSum / m.n : 0],
        ['MACRO_F1', macroF1(m.perClass ?? [])],
      ];
    }
    case 'regression': {
      const r2 = m.n > 1 && m.yS > 0 ? 1 - m.sqSum / m.yS : 0;
      return [
        ['ROWS', m.n],
        ['MAE', m.n > 0 ? m.absSum / m.n : 0],
        ['RMSE', m.n > 0 ? Math.sqrt(m.sqSum / m.n) : 0],
        ['R2', r2],
      ];
    }
    case 'anomaly': {
      const out: [string, number][] = [
        ['ROWS', m.n],
        ['SCORE_P50', quantile(m.histogram, m.n, 0.5)],
        ['SCORE_P90', quantile(m.histogram, m.n, 0.9)],
        ['SCORE_P99', quantile(m.histogram, m.n, 0.99)],
      ];
      if (m.labelled > 0) out.push(['ROC_AUC', exactAuc(m.positives, m.negatives)], ['ROC_AUC_RIVER', riverAuc(m.roc)]);
      return out;
    }
  }
}
