/**
 * River's GaussianNB: per class and feature a Welford mean and population variance (River 0.26.1's
 * `_make_gaussian` sets ddof = 0, although proba.Gaussian defaults to 1);
 * log-likelihood = log(prior) + Σ log(1e-9 + pdf) over the row's features (a feature the class
 * never saw contributes log(1e-9)); probabilities by softmax over the classes seen, in the order
 * they were first seen (ties go to the earliest).
 */
import type { FeatureVector } from './features.ts';
import { logSumExp } from './math.ts';

const PDF_EPS = 10e-10;
const LOG_PDF_EPS = Math.log(PDF_EPS);

export interface GaussianNbState {
  readonly kind: 'gaussian_nb';
  /** Per class index: rows seen. */
  classCounts: number[];
  /** Per class index, per feature: n, mean, S (sum of squared deviations). NaN n = never seen. */
  n: number[][];
  mean: number[][];
  s: number[][];
}

export function newGaussianNb(): GaussianNbState {
  return { kind: 'gaussian_nb', classCounts: [], n: [], mean: [], s: [] };
}

export function gaussianNbLearn(st: GaussianNbState, x: FeatureVector, c: number): void {
  while (st.classCounts.length <= c) {
    st.classCounts.push(0);
    st.n.push([]);
    st.mean.push([]);
    st.s.push([]);
  }
  st.classCounts[c]++;
  const n = st.n[c];
  const mean = st.mean[c];
  const s = st.s[c];
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    while (n.length <= i) {
      n.push(0);
      mean.push(0);
      s.push(0);
    }
    const v = x.val[k];
    const old = mean[i];
    n[i] += 1;
    mean[i] += (1 / n[i]) * (v - old);
    s[i] += (v - old) * (v - mean[i]);
  }
}

/** Probabilities per class index (classes seen so far), or null before the first learned row. */
export function gaussianNbPredict(st: GaussianNbState, x: FeatureVector): number[] | null {
  let total = 0;
  for (const c of st.classCounts) total += c;
  if (total === 0) return null;
  const jll: number[] = [];
  for (let c = 0; c < st.classCounts.length; c++) {
    if (st.classCounts[c] === 0) {
      jll.push(-Infinity);
      continue;
    }
    let ll = Math.log(st.classCounts[c] / total);
    const n = st.n[c];
    const mean = st.mean[c];
    const s = st.s[c];
    for (let k = 0; k < x.idx.length; k++) {
      const i = x.idx[k];
      if (i >= n.length || n[i] === 0) {
        ll += LOG_PDF_EPS;
        continue;
      }
      let pdf = 0;
      if (n[i] > 0) {
        const variance = s[i] / n[i];
        if (variance > 0) {
          const sigma = Math.sqrt(variance);
          const z = (x.val[k] - mean[i]) / sigma;
          pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / sigma;
        }
      }
      ll += Math.log(PDF_EPS + pdf);
    }
    jll.push(ll);
  }
  const lse = logSumExp(jll);
  return jll.map((v) => Math.exp(v - lse));
}

