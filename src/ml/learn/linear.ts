/**
 * River's `StandardScaler() | LogisticRegression()` and `StandardScaler() | LinearRegression()`:
 * plain SGD (constant rate, default 0.01) on the weights, a separate constant intercept rate
 * (default 0.01, unaffected by LEARNING_RATE), optional L2, gradient clipped at ±1e12.
 * Log loss gradient (binary, y ∈ {0,1}): σ(z) − y written River's way (−y'/(e^{y'z}+1), with its
 * tails for |y'z| > 18); squared loss gradient 2·(ŷ − y).
 *
 * Invariant: weights are indexed by feature number (FeatureSpace); a feature never seen has
 * weight 0. Learning a row uses the weights before the row (the step is computed, then applied).
 */
import type { FeatureVector } from './features.ts';
import { newStandardScaler, standardLearn, standardTransform, type StandardScalerState } from './scaler.ts';
import { sigmoid } from './math.ts';

export interface LinearOptions {
  readonly learningRate: number;
  readonly interceptLr: number;
  readonly l2: number;
  readonly scale: boolean;
}

export const LINEAR_DEFAULTS: LinearOptions = { learningRate: 0.01, interceptLr: 0.01, l2: 0, scale: true };

export interface LinearState {
  readonly kind: 'linear';
  readonly loss: 'log' | 'squared';
  readonly options: LinearOptions;
  readonly scaler: StandardScalerState;
  weights: number[];
  intercept: number;
}

export function newLinear(loss: 'log' | 'squared', options: LinearOptions): LinearState {
  return { kind: 'linear', loss, options, scaler: newStandardScaler(), weights: [], intercept: 0 };
}

const CLIP = 1e12;
let scratch: number[] = [];

function transformed(s: LinearState, x: FeatureVector): number[] {
  if (scratch.length < x.idx.length) scratch = new Array<number>(x.idx.length * 2).fill(0);
  if (s.options.scale) standardTransform(s.scaler, x, scratch);
  else for (let k = 0; k < x.idx.length; k++) scratch[k] = x.val[k];
  return scratch;
}

function dot(s: LinearState, x: FeatureVector, z: number[]): number {
  const w = s.weights;
  let sum = 0;
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    if (i < w.length) sum += w[i] * z[k];
  }
  return sum + s.intercept;
}

/** The raw score w·x + b on the scaled row (statistics of earlier rows only). */
export function linearRaw(s: LinearState, x: FeatureVector): number {
  return dot(s, x, transformed(s, x));
}

/** P(y = 1) for log loss, ŷ for squared loss. */
export function linearPredict(s: LinearState, x: FeatureVector): number {
  const z = linearRaw(s, x);
  return s.loss === 'log' ? sigmoid(z) : z;
}

function lossGradient(loss: 'log' | 'squared', y: number, z: number): number {
  if (loss === 'squared') return 2 * (z - y);
  const yp = y > 0 ? 1 : -1;
  const m = z * yp;
  if (m > 18) return -yp * Math.exp(-m);
  if (m < -18) return -yp;
  return -yp / (Math.exp(m) + 1);
}

/** y: 0/1 for log loss, the target for squared loss. */
export function linearLearn(s: LinearState, x: FeatureVector, y: number): void {
  if (s.options.scale) standardLearn(s.scaler, x);
  const z = transformed(s, x);
  let g = lossGradient(s.loss, y, dot(s, x, z));
  if (g > CLIP) g = CLIP;
  else if (g < -CLIP) g = -CLIP;
  const w = s.weights;
  const lr = s.options.learningRate;
  const l2 = s.options.l2;
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    while (w.length <= i) w.push(0);
    w[i] -= lr * (z[k] * g + (l2 > 0 ? 2 * l2 * w[i] : 0));
  }
  s.intercept -= s.options.interceptLr * g;
}
