/**
 * One online model (one per key under PARTITION BY): the learner, its labels, progressive
 * metrics and drift detector, as plain data that is stored and restored as is.
 *
 * `progressiveStep` is the unit of training: predict with the model as it is, score the
 * prediction, feed the 0/1 error (classifiers) or absolute error (regressors) to ADWIN, then learn.
 */
import type { FeatureVector } from './features.ts';
import { LINEAR_DEFAULTS, linearLearn, linearPredict, newLinear, type LinearOptions, type LinearState } from './linear.ts';
import { gaussianNbLearn, gaussianNbPredict, newGaussianNb, type GaussianNbState } from './naive-bayes.ts';
import { HOEFFDING_DEFAULTS, hoeffdingLearn, hoeffdingPredict, newHoeffding, type HoeffdingOptions, type HoeffdingState } from './hoeffding.ts';
import { HST_DEFAULTS, hstLearn, hstScore, newHst, type HstOptions, type HstState } from './half-space-trees.ts';
import { adwinMean, adwinUpdate, newAdwin, type AdwinState } from './adwin.ts';
import {
  newAnomalyMetrics,
  newClassMetrics,
  newRegressionMetrics,
  scoreAnomaly,
  scoreClassification,
  scoreRegression,
  type MetricsState,
} from './metrics.ts';

export const MODEL_TYPES = ['LOGISTIC_REGRESSION', 'LINEAR_REGRESSION', 'GAUSSIAN_NB', 'HOEFFDING_TREE', 'HALF_SPACE_TREES'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export type DriftPolicy = 'KEEP' | 'RESET' | 'CHALLENGER';

export interface LearnOptions {
  readonly type: ModelType;
  readonly linear: LinearOptions;
  readonly hoeffding: HoeffdingOptions;
  readonly hst: HstOptions;
  readonly drift: boolean;
  readonly driftPolicy: DriftPolicy;
}

export const DEFAULT_OPTIONS = (type: ModelType): LearnOptions => ({
  type,
  linear: LINEAR_DEFAULTS,
  hoeffding: HOEFFDING_DEFAULTS,
  hst: HST_DEFAULTS,
  drift: true,
  driftPolicy: 'KEEP',
});

export type Learner = LinearState | GaussianNbState | HoeffdingState | HstState;

export interface ModelState {
  readonly type: ModelType;
  learner: Learner;
  /** Class labels in order of first appearance (classifiers); LR: [negative, positive] as first written. */
  labels: string[];
  metrics: MetricsState;
  adwin: AdwinState | null;
  /** Rows learned. */
  rows: number;
  /** Drift detections so far (a RESET / CHALLENGER policy restarts the learner at each). */
  drifts: number;
}

export function newLearner(o: LearnOptions): Learner {
  switch (o.type) {
    case 'LOGISTIC_REGRESSION':
      return newLinear('log', o.linear);
    case 'LINEAR_REGRESSION':
      return newLinear('squared', o.linear);
    case 'GAUSSIAN_NB':
      return newGaussianNb();
    case 'HOEFFDING_TREE':
      return newHoeffding(o.hoeffding);
    case 'HALF_SPACE_TREES':
      return newHst(o.hst);
  }
}

export function newModel(o: LearnOptions): ModelState {
  const metrics = o.type === 'LINEAR_REGRESSION' ? newRegressionMetrics() : o.type === 'HALF_SPACE_TREES' ? newAnomalyMetrics() : newClassMetrics();
  return {
    type: o.type,
    learner: newLearner(o),
    labels: o.type === 'LOGISTIC_REGRESSION' ? ['0', '1'] : [],
    metrics,
    adwin: o.drift && o.type !== 'HALF_SPACE_TREES' ? newAdwin() : null,
    rows: 0,
    drifts: 0,
  };
}

/** Why a label cannot be learned (the row goes to the processing log). */
export class LabelError extends Error {}

const POSITIVE = new Set(['1', 'TRUE', 'YES']);
const NEGATIVE = new Set(['0', 'FALSE', 'NO']);

/** The text of a label value: booleans and numbers as written, strings as is. */
export function labelText(y: unknown): string {
  if (typeof y === 'string') return y;
  if (typeof y === 'boolean' || typeof y === 'number' || typeof y === 'bigint') return String(y);
  if (y !== null && typeof y === 'object' && 'toString' in y) return String(y);
  throw new LabelError(`label of unsupported type ${typeof y}`);
}

export function isPositiveLabel(text: string): boolean {
  return POSITIVE.has(text.toUpperCase());
}

function binaryLabel(y: unknown): number {
  const t = labelText(y).toUpperCase();
  if (POSITIVE.has(t)) return 1;
  if (NEGATIVE.has(t)) return 0;
  throw new LabelError(`label '${labelText(y)}' is not binary: LOGISTIC_REGRESSION needs 1/0, true/false or yes/no`);
}

function numericLabel(y: unknown): number {
  const n = typeof y === 'number' ? y : typeof y === 'bigint' ? Number(y) : typeof y === 'string' && y.trim() !== '' ? Number(y) : NaN;
  if (!Number.isFinite(n)) throw new LabelError(`label '${String(y)}' is not a finite number`);
  return n;
}

function classOf(m: ModelState, y: unknown): number {
  const t = labelText(y);
  let c = m.labels.indexOf(t);
  if (c < 0) {
    c = m.labels.length;
    m.labels.push(t);
  }
  return c;
}

/** Python's sorted() order of labels: numerically when all are numbers, else by text. */
function labelRanks(labels: readonly string[]): number[] {
  const numeric = labels.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  const order = labels.map((l, i) => i).sort((a, b) => {
    if (numeric) return Number(labels[a]) - Number(labels[b]);
    return labels[a] < labels[b] ? -1 : labels[a] > labels[b] ? 1 : 0;
  });
  const rank = new Array<number>(labels.length);
  order.forEach((c, r) => (rank[c] = r));
  return rank;
}

/** What a model says about a row. */
export type Prediction =
  | { readonly kind: 'class'; readonly label: string; readonly probability: number; readonly proba: readonly number[] }
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'score'; readonly score: number };

function argmax(p: readonly number[], order: readonly number[] | null): number {
  let best = -1;
  for (let c = 0; c < p.length; c++) {
    if (best < 0 || p[c] > p[best] || (p[c] === p[best] && order !== null && order[c] < order[best])) best = c;
  }
  return best;
}

/** The model's answer for a row, or null when it cannot answer yet (no class learned). */
export function predict(m: ModelState, x: FeatureVector): Prediction | null {
  const l = m.learner;
  switch (l.kind) {
    case 'linear': {
      const v = linearPredict(l, x);
      if (l.loss === 'squared') return { kind: 'value', value: v };
      const proba = [1 - v, v];
      const c = v > 0.5 ? 1 : 0;
      return { kind: 'class', label: m.labels[c], probability: proba[c], proba };
    }
    case 'gaussian_nb': {
      const p = gaussianNbPredict(l, x);
      if (p === null) return null;
      const c = argmax(p, null);
      return { kind: 'class', label: m.labels[c], probability: p[c], proba: p };
    }
    case 'hoeffding': {
      const p = hoeffdingPredict(l, x);
      if (p === null) return null;
      const c = argmax(p, l.rank);
      return { kind: 'class', label: m.labels[c], probability: p[c], proba: p };
    }
    case 'hst':
      return { kind: 'score', score: hstScore(l, x) };
  }
}

/** A drift detection, for the drift stream. */
export interface DriftEvent {
  readonly rows: number;
  readonly errorMean: number;
  readonly detections: number;
}

/**
 * After a drift detection, RESET and CHALLENGER start the learner afresh (the caller keeps the old
 * one as a version first under CHALLENGER); metrics and the detector go on.
 */
export function restartLearner(m: ModelState, o: LearnOptions): void {
  m.learner = newLearner(o);
}

/**
 * Predict, score, learn one row (label `y` as read from the row; null for unlabelled anomaly rows).
 * Throws LabelError for a label the model cannot learn (nothing is changed then).
 */
export function progressiveStep(m: ModelState, o: LearnOptions, x: FeatureVector, y: unknown): DriftEvent | null {
  let error: number | null = null;
  const l = m.learner;
  switch (l.kind) {
    case 'linear': {
      if (l.loss === 'squared') {
        const target = numericLabel(y);
        const yhat = linearPredict(l, x);
        scoreRegression(m.metrics as never, target, yhat);
        error = Math.abs(target - yhat);
        linearLearn(l, x, target);
      } else {
        // Labels 1/0 (numbers or text, the common case) without going through their text: their
        // text is the initial labels' ('0', '1'), so the labels need no update.
        const plain = y === 1 || y === 0 || y === '1' || y === '0';
        const b = plain ? (y === 1 || y === '1' ? 1 : 0) : binaryLabel(y);
        if (!plain && (m.rows === 0 || m.labels[b] === (b ? '1' : '0'))) m.labels[b] = labelText(y);
        const p = linearPredict(l, x);
        const predicted = p > 0.5 ? 1 : 0;
        scoreClassification(m.metrics as never, predicted, b, predicted === 1, b === 1, p);
        error = predicted === b ? 0 : 1;
        linearLearn(l, x, b);
      }
      break;
    }
    case 'gaussian_nb':
    case 'hoeffding': {
      if (y === null || y === undefined) throw new LabelError('label is null');
      if (typeof y === 'number' && !Number.isFinite(y)) throw new LabelError(`label is ${y}, not a class`);
      const text = labelText(y);
      const p = predict(m, x);
      const c = classOf(m, y);
      if (p !== null && p.kind === 'class') {
        const pos = m.labels.findIndex(isPositiveLabel);
        const pPos = pos >= 0 && pos < p.proba.length ? p.proba[pos] : 0;
        scoreClassification(m.metrics as never, m.labels.indexOf(p.label), c, isPositiveLabel(p.label), isPositiveLabel(text), pPos);
        error = p.label === text ? 0 : 1;
      }
      if (l.kind === 'gaussian_nb') gaussianNbLearn(l, x, c);
      else {
        const ranks = labelRanks(m.labels);
        hoeffdingLearn(l, x, c, (i) => ranks[i]);
      }
      break;
    }
    case 'hst': {
      const label = y === null || y === undefined ? null : isPositiveLabel(labelText(y));
      scoreAnomaly(m.metrics as never, hstScore(l, x), label);
      hstLearn(l, x);
      break;
    }
  }
  m.rows++;
  if (error !== null && m.adwin !== null && adwinUpdate(m.adwin, error)) {
    m.drifts++;
    return { rows: m.rows, errorMean: adwinMean(m.adwin), detections: m.drifts };
  }
  return null;
}
