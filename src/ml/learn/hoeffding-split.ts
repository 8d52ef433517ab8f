/**
 * The attribute observers ("splitters") of a Hoeffding tree leaf and the split suggestions they
 * make, as River 0.26 computes them:
 * - numeric features: GaussianSplitter — per class a weighted Welford (n, mean, S) and min/max;
 *   candidate thresholds at n_splits equal steps between the smallest and largest value seen; class
 *   weights on each side from the per-class normal CDF;
 * - nominal features (string columns): NominalSplitterClassif — weight per class and category;
 *   the multiway split (one branch per category, in sorted category order), then every binary
 *   split `= category` / `≠ category`, a binary one kept only when its merit is strictly higher.
 * Merit: information gain (log base 2), −∞ unless at least two branches hold more than
 * min_branch_fraction of the weight.
 *
 * Class distributions (`Dist`) are arrays indexed by class number with null for a class absent
 * from the distribution (River's dicts tell "absent" from "weight 0").
 */
import { normCdf } from './math.ts';

export type Dist = (number | null)[];

/** Per class: weighted Welford (n, mean, S) and the min/max seen; null = class not seen by this splitter. */
export type ClassGauss = [n: number, mean: number, s: number, min: number, max: number];

/** Numeric feature observer (states stored before nominal splits existed have no `t`). */
export interface GaussSplitter {
  readonly t?: 'gauss';
  readonly f: number;
  readonly cls: (ClassGauss | null)[];
}

/**
 * Nominal feature observer: `values` are the categories in order of first sight; `w[c][j]` is the
 * weight of class c with category values[j] (0 = never; weights are counts, so present means > 0);
 * `w[c]` null = class c never seen by this observer.
 */
export interface NominalSplitter {
  readonly t: 'nominal';
  readonly f: number;
  readonly values: string[];
  readonly w: (number[] | null)[];
}

export type Splitter = GaussSplitter | NominalSplitter;

export const total = (d: Dist): number => {
  let s = 0;
  for (const v of d) if (v !== null) s += v;
  return s;
};

export function updateGauss(sp: GaussSplitter, v: number, c: number): void {
  while (sp.cls.length <= c) sp.cls.push(null);
  let g = sp.cls[c];
  if (g === null) {
    g = [0, 0, 0, v, v];
    sp.cls[c] = g;
  } else {
    if (v < g[3]) g[3] = v;
    if (v > g[4]) g[4] = v;
  }
  const old = g[1];
  g[0] += 1;
  g[1] += (1 / g[0]) * (v - old);
  g[2] += (v - old) * (v - g[1]);
}

/** Category positions by observer (not stored: rebuilt from `values` after a restore). */
const positions = new WeakMap<NominalSplitter, Map<string, number>>();

/** Position of `cat` in sp.values, or -1. */
export function categoryAt(sp: NominalSplitter, cat: string): number {
  let m = positions.get(sp);
  if (m === undefined) {
    m = new Map(sp.values.map((v, j) => [v, j]));
    positions.set(sp, m);
  }
  return m.get(cat) ?? -1;
}

export function updateNominal(sp: NominalSplitter, cat: string, c: number): void {
  let j = categoryAt(sp, cat);
  if (j < 0) {
    j = sp.values.length;
    sp.values.push(cat);
    positions.get(sp)!.set(cat, j);
  }
  while (sp.w.length <= c) sp.w.push(null);
  const row = (sp.w[c] ??= []);
  while (row.length <= j) row.push(0);
  row[j] += 1;
}

export function gaussLogPdf(g: ClassGauss, v: number): number {
  const n = g[0];
  if (n > 1) {
    const variance = g[2] / (n - 1);
    if (variance > 0) return ((v - g[1]) * (v - g[1])) / (-2 * variance) - 0.5 * Math.log(2 * Math.PI) - 0.5 * Math.log(variance);
  }
  return -Infinity;
}

/** River's cond_proba: weight of (class c, cat) over class c's weight in this observer; 0 when unseen. */
export function nominalCondProba(sp: NominalSplitter, cat: string, c: number): number {
  const row = sp.w[c];
  const j = categoryAt(sp, cat);
  if (!row || j < 0 || !(row[j] > 0)) return 0;
  let sum = 0;
  for (const v of row) sum += v;
  return sum > 0 ? row[j] / sum : 0;
}

function entropy(d: Dist): number {
  let e = 0;
  let sum = 0;
  for (const v of d) {
    if (v !== null && v > 0) {
      e -= v * Math.log(v);
      sum += v;
    }
  }
  return sum > 0 ? (e + sum * Math.log(sum)) / sum / Math.LN2 : 0;
}

function meritOfSplit(pre: Dist, post: readonly Dist[], minFrac: number): number {
  const weights = post.map(total);
  let tw = 0;
  for (const w of weights) tw += w;
  let greater = 0;
  if (tw > 0) for (const w of weights) if (w / tw > minFrac) greater++;
  if (greater < 2) return -Infinity;
  let postEntropy = 0;
  for (let i = 0; i < post.length; i++) postEntropy += weights[i] * entropy(post[i]);
  return entropy(pre) - postEntropy / tw;
}

/** A split suggestion; `f` null is the null split (pre-pruning). */
export type Suggestion =
  | { readonly kind: 'null'; readonly merit: number; readonly f: null }
  | { readonly kind: 'numeric'; readonly merit: number; readonly f: number; readonly thr: number; readonly post: [Dist, Dist] }
  | { readonly kind: 'nominal'; readonly merit: number; readonly f: number; readonly value: string; readonly post: [Dist, Dist] }
  | { readonly kind: 'multiway'; readonly merit: number; readonly f: number; readonly values: string[]; readonly post: Dist[] };

export const NULL_SPLIT: Suggestion = { kind: 'null', merit: -Infinity, f: null };

export interface SplitOptions {
  readonly nSplits: number;
  readonly minBranchFraction: number;
}

function bestGaussSplit(sp: GaussSplitter, pre: Dist, o: SplitOptions): Suggestion {
  let best = NULL_SPLIT;
  let lo = Infinity;
  let hi = -Infinity;
  for (const g of sp.cls) {
    if (!g) continue;
    if (g[3] < lo) lo = g[3];
    if (g[4] > hi) hi = g[4];
  }
  if (!(lo < Infinity)) return best;
  const bin = (hi - lo) / (o.nSplits + 1);
  for (let i = 0; i < o.nSplits; i++) {
    const split = lo + bin * (i + 1);
    if (!(lo < split && split < hi)) continue;
    const lhs: Dist = [];
    const rhs: Dist = [];
    for (let c = 0; c < sp.cls.length; c++) {
      const g = sp.cls[c];
      lhs.push(null);
      rhs.push(null);
      if (!g) continue;
      if (split < g[3]) rhs[c] = g[0];
      else if (split >= g[4]) lhs[c] = g[0];
      else {
        const sigma = Math.sqrt(g[0] > 1 ? g[2] / (g[0] - 1) : 0);
        const cdf = sigma === 0 ? 0 : normCdf((split - g[1]) / sigma);
        lhs[c] = cdf * g[0];
        rhs[c] = g[0] - (lhs[c] as number);
      }
    }
    const merit = meritOfSplit(pre, [lhs, rhs], o.minBranchFraction);
    if (merit > best.merit) best = { kind: 'numeric', merit, f: sp.f, thr: split, post: [lhs, rhs] };
  }
  return best;
}

/** Python's sorted() order of strings (by code point). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

function bestNominalSplit(sp: NominalSplitter, pre: Dist, o: SplitOptions): Suggestion {
  const order = sp.values.map((_, j) => j).sort((a, b) => compareText(sp.values[a], sp.values[b]));
  const weight = (c: number, j: number): number => sp.w[c]?.[j] ?? 0;
  const multi: Dist[] = order.map((j) => sp.w.map((_, c) => (weight(c, j) > 0 ? weight(c, j) : null)));
  let best: Suggestion = { kind: 'multiway', merit: meritOfSplit(pre, multi, o.minBranchFraction), f: sp.f, values: order.map((j) => sp.values[j]), post: multi };
  for (const j of order) {
    const equal: Dist = sp.w.map((_, c) => (weight(c, j) > 0 ? weight(c, j) : null));
    const other: Dist = sp.w.map((row) => {
      let s = 0;
      if (row) for (let k = 0; k < row.length; k++) if (k !== j) s += row[k];
      return s > 0 ? s : null;
    });
    const merit = meritOfSplit(pre, [equal, other], o.minBranchFraction);
    if (merit > best.merit) best = { kind: 'nominal', merit, f: sp.f, value: sp.values[j], post: [equal, other] };
  }
  return best;
}

export function bestSplitOf(sp: Splitter, pre: Dist, o: SplitOptions): Suggestion {
  return sp.t === 'nominal' ? bestNominalSplit(sp, pre, o) : bestGaussSplit(sp, pre, o);
}
