/**
 * River's `MinMaxScaler() | HalfSpaceTrees()`: n_trees 10, height 8, window 250, limits (0, 1)
 * per feature, padding 0.15; trees drawn at the first learned row from PyRandom(seed) exactly as
 * River draws them (feature weighted by its limit width, split point uniform in the padded
 * range). A node's mass counts rows of the current window (l) and of the last full window (r);
 * the score walks r masses down until one is under 0.1·window, normalised, high = anomalous;
 * 0 during the first window. Scores are taken before the row is learned.
 *
 * Trees are complete binary trees of height h stored as arrays in heap order (children of i at
 * 2i+1, 2i+2); leaves have feature −1.
 */
import type { FeatureVector } from './features.ts';
import { minMaxLearn, minMaxTransform, newMinMaxScaler, type MinMaxScalerState } from './scaler.ts';
import { PyRandom } from './random.ts';

export interface HstOptions {
  readonly nTrees: number;
  readonly height: number;
  readonly windowSize: number;
  readonly seed: number;
  readonly scale: boolean;
}

export const HST_DEFAULTS: HstOptions = { nTrees: 10, height: 8, windowSize: 250, seed: 42, scale: true };

interface HstTree {
  feature: number[];
  threshold: number[];
  l: number[];
  r: number[];
}

export interface HstState {
  readonly kind: 'hst';
  readonly options: HstOptions;
  readonly scaler: MinMaxScalerState;
  trees: HstTree[];
  counter: number;
  firstWindow: boolean;
}

export function newHst(options: HstOptions): HstState {
  return { kind: 'hst', options, scaler: newMinMaxScaler(), trees: [], counter: 0, firstWindow: true };
}

function makeTree(features: readonly number[], height: number, rng: PyRandom): HstTree {
  const size = 2 ** (height + 1) - 1;
  const t: HstTree = { feature: new Array(size).fill(-1), threshold: new Array(size).fill(0), l: new Array(size).fill(0), r: new Array(size).fill(0) };
  const limits = features.map(() => [0, 1] as [number, number]);
  const build = (node: number, h: number): void => {
    if (h === 0) return;
    const k = rng.choiceIndex(limits.map(([a, b]) => b - a));
    const [a, b] = limits[k];
    const at = rng.uniform(a + 0.15 * (b - a), b - 0.15 * (b - a));
    t.feature[node] = features[k];
    t.threshold[node] = at;
    limits[k] = [a, at];
    build(2 * node + 1, h - 1);
    limits[k] = [a, b];
    limits[k] = [at, b];
    build(2 * node + 2, h - 1);
    limits[k] = [a, b];
  };
  build(0, height);
  return t;
}

let scaled: number[] = [];
/** The scaled row by feature number (NaN = feature absent); reused between calls (single-threaded). */
let byFeature = new Float64Array(16).fill(NaN);

function scaledRow(s: HstState, x: FeatureVector): Float64Array {
  if (scaled.length < x.idx.length) scaled = new Array<number>(x.idx.length * 2).fill(0);
  if (s.options.scale) minMaxTransform(s.scaler, x, scaled);
  else for (let k = 0; k < x.idx.length; k++) scaled[k] = x.val[k];
  let max = 0;
  for (let k = 0; k < x.idx.length; k++) if (x.idx[k] > max) max = x.idx[k];
  if (byFeature.length <= max) byFeature = new Float64Array(2 * max + 2);
  byFeature.fill(NaN);
  for (let k = 0; k < x.idx.length; k++) byFeature[x.idx[k]] = scaled[k];
  return byFeature;
}

/** The next node: a missing feature follows the child with more mass in the current window. */
function child(t: HstTree, node: number, v: Float64Array): number {
  const f = t.feature[node];
  const x = f < v.length ? v[f] : NaN;
  if (Number.isNaN(x)) return t.l[2 * node + 1] < t.l[2 * node + 2] ? 2 * node + 2 : 2 * node + 1;
  return x < t.threshold[node] ? 2 * node + 1 : 2 * node + 2;
}

export function hstScore(s: HstState, x: FeatureVector): number {
  if (s.firstWindow) return 0;
  const v = scaledRow(s, x);
  const o = s.options;
  const limit = 0.1 * o.windowSize;
  let score = 0;
  for (const t of s.trees) {
    let node = 0;
    for (let weight = 1; ; weight *= 2) {
      score += t.r[node] * weight;
      if (t.r[node] < limit || t.feature[node] < 0) break;
      node = child(t, node, v);
    }
  }
  return 1 - score / (o.nTrees * o.windowSize * (2 ** (o.height + 1) - 1));
}

export function hstLearn(s: HstState, x: FeatureVector): void {
  if (s.options.scale) minMaxLearn(s.scaler, x);
  const o = s.options;
  if (s.trees.length === 0) {
    const rng = new PyRandom(o.seed);
    for (let i = 0; i < o.nTrees; i++) s.trees.push(makeTree(x.idx, o.height, rng));
  }
  const v = scaledRow(s, x);
  for (const t of s.trees) {
    let node = 0;
    for (;;) {
      t.l[node]++;
      if (t.feature[node] < 0) break;
      node = child(t, node, v);
    }
  }
  if (++s.counter === o.windowSize) {
    for (const t of s.trees) {
      for (let i = 0; i < t.l.length; i++) {
        t.r[i] = t.l[i];
        t.l[i] = 0;
      }
    }
    s.firstWindow = false;
    s.counter = 0;
  }
}
