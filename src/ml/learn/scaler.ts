/**
 * River's StandardScaler and MinMaxScaler over sparse vectors: statistics per feature, updated
 * only for features present in a row. Invariant (River's pipeline order): `learn` updates with the
 * row BEFORE the model learns from `transform` of it; prediction transforms with earlier rows only.
 */
import type { FeatureVector } from './features.ts';

export interface StandardScalerState {
  readonly kind: 'standard';
  n: number[];
  mean: number[];
  variance: number[];
}

export function newStandardScaler(): StandardScalerState {
  return { kind: 'standard', n: [], mean: [], variance: [] };
}

/** Welford with population variance: n+=1; d=x-mean; mean+=d/n; var+=(d*(x-mean)-var)/n. */
export function standardLearn(s: StandardScalerState, x: FeatureVector): void {
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    const v = x.val[k];
    while (s.n.length <= i) {
      s.n.push(0);
      s.mean.push(0);
      s.variance.push(0);
    }
    const n = ++s.n[i];
    const d = v - s.mean[i];
    s.mean[i] += d / n;
    s.variance[i] += (d * (v - s.mean[i]) - s.variance[i]) / n;
  }
}

/** (x − mean)/σ, 0 where σ = 0 (and for features never learned). */
export function standardTransform(s: StandardScalerState, x: FeatureVector, out: number[]): void {
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    const variance = i < s.n.length ? s.variance[i] : 0;
    out[k] = variance > 0 ? (x.val[k] - s.mean[i]) / Math.sqrt(variance) : 0;
  }
}

export interface MinMaxScalerState {
  readonly kind: 'minmax';
  min: number[];
  max: number[];
}

export function newMinMaxScaler(): MinMaxScalerState {
  return { kind: 'minmax', min: [], max: [] };
}

export function minMaxLearn(s: MinMaxScalerState, x: FeatureVector): void {
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    const v = x.val[k];
    while (s.min.length <= i) {
      s.min.push(Infinity);
      s.max.push(-Infinity);
    }
    if (v < s.min[i]) s.min[i] = v;
    if (v > s.max[i]) s.max[i] = v;
  }
}

/** (x − min)/(max − min), 0 when max = min (or unseen). */
export function minMaxTransform(s: MinMaxScalerState, x: FeatureVector, out: number[]): void {
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    const lo = i < s.min.length ? s.min[i] : 0;
    const hi = i < s.max.length ? s.max[i] : 0;
    out[k] = hi > lo ? (x.val[k] - lo) / (hi - lo) : 0;
  }
}
