/**
 * River's HoeffdingTreeClassifier with its defaults: grace_period 200, delta 1e-7, tau 0.05,
 * info-gain merit (min_branch_fraction 0.01), adaptive naive Bayes leaves (nb_threshold 0),
 * Gaussian splitters with 10 candidate split points per numeric feature, binary numeric splits,
 * null-split pre-pruning, max_share_to_split 0.99 (a leaf whose majority class passes it stops
 * growing), no depth limit.
 *
 * State is plain data (stored as is). Class distributions are arrays indexed by class number with
 * `null` for a class absent from the distribution — River's dicts tell "absent" from "weight 0"
 * (a child built from a split can hold a class at weight 0), and naive Bayes treats them apart.
 *
 * Limitation: one-hot string features are split on like numeric 0/1 features only where both
 * values occurred; River's multiway nominal splits are not implemented.
 */
import type { FeatureVector } from './features.ts';
import { normCdf } from './math.ts';

export interface HoeffdingOptions {
  readonly gracePeriod: number;
  readonly delta: number;
  readonly tau: number;
  readonly nSplits: number;
  readonly minBranchFraction: number;
  readonly maxShareToSplit: number;
  readonly maxDepth: number;
}

export const HOEFFDING_DEFAULTS: HoeffdingOptions = {
  gracePeriod: 200,
  delta: 1e-7,
  tau: 0.05,
  nSplits: 10,
  minBranchFraction: 0.01,
  maxShareToSplit: 0.99,
  maxDepth: Infinity,
};

type Dist = (number | null)[];

/** Per class: weighted Welford (n, mean, S) and the min/max seen; null = class not seen by this splitter. */
type ClassGauss = [n: number, mean: number, s: number, min: number, max: number];

interface Splitter {
  readonly f: number;
  readonly cls: (ClassGauss | null)[];
}

interface Leaf {
  readonly t: 'leaf';
  stats: Dist;
  readonly depth: number;
  lastSplitAt: number;
  mcCorrect: number;
  nbCorrect: number;
  /** null: the leaf is inactive (pre-pruned), it no longer learns split statistics. */
  splitters: Splitter[] | null;
  /** feature number → position in `splitters`, -1 for none. */
  splitterAt: number[];
}

interface Branch {
  readonly t: 'branch';
  readonly f: number;
  readonly thr: number;
  readonly children: [TreeNode, TreeNode];
}

type TreeNode = Leaf | Branch;

export interface HoeffdingState {
  readonly kind: 'hoeffding';
  readonly options: HoeffdingOptions;
  root: TreeNode | null;
  /** Class numbers seen (River's `classes`). */
  nClasses: number;
  /** Class ranks in sorted label order (River orders its output by sorted label): rank[c]. */
  rank: number[];
}

export function newHoeffding(options: HoeffdingOptions): HoeffdingState {
  return { kind: 'hoeffding', options, root: null, nClasses: 0, rank: [] };
}

const total = (d: Dist): number => {
  let s = 0;
  for (const v of d) if (v !== null) s += v;
  return s;
};

function newLeaf(stats: Dist, depth: number): Leaf {
  return { t: 'leaf', stats, depth, lastSplitAt: total(stats), mcCorrect: 0, nbCorrect: 0, splitters: [], splitterAt: [] };
}

function valueOf(x: FeatureVector, f: number): number | undefined {
  for (let k = 0; k < x.idx.length; k++) if (x.idx[k] === f) return x.val[k];
  return undefined;
}

function leafOf(root: TreeNode, x: FeatureVector): { leaf: Leaf; parent: Branch | null; branch: number } {
  let node = root;
  let parent: Branch | null = null;
  let branch = 0;
  while (node.t === 'branch') {
    const v = valueOf(x, node.f);
    // A missing split feature follows the heavier child (River's most common path).
    const b = v === undefined ? (weightOf(node.children[0]) >= weightOf(node.children[1]) ? 0 : 1) : v <= node.thr ? 0 : 1;
    parent = node;
    branch = b;
    node = node.children[b];
  }
  return { leaf: node, parent, branch };
}

function weightOf(n: TreeNode): number {
  return n.t === 'leaf' ? total(n.stats) : weightOf(n.children[0]) + weightOf(n.children[1]);
}

function argmaxFirst(d: Dist): number {
  let best = -1;
  let bv = -Infinity;
  for (let c = 0; c < d.length; c++) {
    const v = d[c];
    if (v !== null && v > bv) {
      bv = v;
      best = c;
    }
  }
  return best;
}

function gaussLogPdf(g: ClassGauss, v: number): number {
  const n = g[0];
  if (n > 1) {
    const variance = g[2] / (n - 1);
    if (variance > 0) return ((v - g[1]) * (v - g[1])) / (-2 * variance) - 0.5 * Math.log(2 * Math.PI) - 0.5 * Math.log(variance);
  }
  return -Infinity;
}

/** River's do_naive_bayes_prediction: log prior + Σ log pdf (−∞ terms skipped), softmax. */
function naiveBayes(stats: Dist, splitters: Splitter[] | null, x: FeatureVector): Dist | null {
  const tw = total(stats);
  if (stats.every((v) => v === null) || tw === 0) return null;
  const votes: Dist = stats.map(() => null);
  for (let c = 0; c < stats.length; c++) {
    const w = stats[c];
    if (w === null) continue;
    if (!(w > 0)) {
      votes[c] = 0;
      continue;
    }
    let ll = Math.log(w / tw);
    if (splitters) {
      for (const sp of splitters) {
        const v = valueOf(x, sp.f);
        if (v === undefined) continue;
        const g = sp.cls[c];
        if (!g) continue;
        const lp = gaussLogPdf(g, v);
        if (lp > -Infinity) ll += lp;
      }
    }
    votes[c] = ll;
  }
  let max = -Infinity;
  for (const v of votes) if (v !== null && v > max) max = v;
  let sum = 0;
  for (const v of votes) if (v !== null) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return votes.map((v) => (v === null ? null : Math.exp(v - lse)));
}

function leafPrediction(leaf: Leaf, x: FeatureVector): Dist | null {
  if (leaf.splitters !== null && leaf.nbCorrect >= leaf.mcCorrect) return naiveBayes(leaf.stats, leaf.splitters, x);
  const tw = total(leaf.stats);
  return leaf.stats.map((v) => (v === null ? null : tw > 0 ? v / tw : 0));
}

/** Probabilities per class number, or null before the first learned row. */
export function hoeffdingPredict(s: HoeffdingState, x: FeatureVector): number[] | null {
  if (s.root === null || s.nClasses === 0) return null;
  const proba = new Array<number>(s.nClasses).fill(0);
  const p = leafPrediction(leafOf(s.root, x).leaf, x);
  if (p) for (let c = 0; c < p.length; c++) if (p[c] !== null) proba[c] = p[c] as number;
  return proba;
}

function updateSplitters(leaf: Leaf, x: FeatureVector, c: number): void {
  const splitters = leaf.splitters as Splitter[];
  for (let k = 0; k < x.idx.length; k++) {
    const f = x.idx[k];
    const v = x.val[k];
    let at = f < leaf.splitterAt.length ? leaf.splitterAt[f] : -1;
    if (at < 0) {
      while (leaf.splitterAt.length <= f) leaf.splitterAt.push(-1);
      at = splitters.length;
      leaf.splitterAt[f] = at;
      splitters.push({ f, cls: [] });
    }
    const sp = splitters[at];
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

function meritOfSplit(pre: Dist, post: [Dist, Dist], minFrac: number): number {
  const w0 = total(post[0]);
  const w1 = total(post[1]);
  const tw = w0 + w1;
  let greater = 0;
  if (tw > 0) {
    if (w0 / tw > minFrac) greater++;
    if (w1 / tw > minFrac) greater++;
  }
  if (greater < 2) return -Infinity;
  const postEntropy = (w0 * entropy(post[0]) + w1 * entropy(post[1])) / tw;
  return entropy(pre) - postEntropy;
}

interface Suggestion {
  readonly merit: number;
  readonly f: number | null;
  readonly thr: number;
  readonly post: [Dist, Dist] | null;
}

const NULL_SPLIT: Suggestion = { merit: -Infinity, f: null, thr: 0, post: null };

function bestSplitOf(sp: Splitter, pre: Dist, o: HoeffdingOptions): Suggestion {
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
    if (merit > best.merit) best = { merit, f: sp.f, thr: split, post: [lhs, rhs] };
  }
  return best;
}

function attemptSplit(s: HoeffdingState, leaf: Leaf, parent: Branch | null, branch: number): void {
  let present = 0;
  for (const v of leaf.stats) if (v !== null && v !== 0) present++;
  if (present < 2) return;
  const o = s.options;
  let suggestions: Suggestion[];
  let maj = -Infinity;
  for (const v of leaf.stats) if (v !== null && v > maj) maj = v;
  const tw = total(leaf.stats);
  if (maj && maj / tw > o.maxShareToSplit) suggestions = [NULL_SPLIT];
  else {
    suggestions = [NULL_SPLIT];
    for (const sp of leaf.splitters as Splitter[]) suggestions.push(bestSplitOf(sp, leaf.stats, o));
  }
  // Stable sort by merit, as Python's list.sort().
  suggestions = suggestions.map((sg, i) => ({ sg, i })).sort((a, b) => (a.sg.merit < b.sg.merit ? -1 : a.sg.merit > b.sg.merit ? 1 : a.i - b.i)).map((e) => e.sg);
  let shouldSplit = false;
  if (suggestions.length < 2) shouldSplit = suggestions.length > 0;
  else {
    let nClasses = 0;
    for (const v of leaf.stats) if (v !== null) nClasses++;
    const range = Math.log2(Math.max(nClasses, 2));
    const bound = Math.sqrt((range * range * Math.log(1 / o.delta)) / (2 * tw));
    const best = suggestions[suggestions.length - 1];
    const second = suggestions[suggestions.length - 2];
    if (best.merit - second.merit > bound || bound < o.tau) shouldSplit = true;
  }
  if (!shouldSplit) return;
  const decision = suggestions[suggestions.length - 1];
  if (decision.f === null || decision.post === null) {
    leaf.splitters = null; // pre-pruned: the null split won
    return;
  }
  const node: Branch = {
    t: 'branch',
    f: decision.f,
    thr: decision.thr,
    children: [newLeaf(decision.post[0], leaf.depth + 1), newLeaf(decision.post[1], leaf.depth + 1)],
  };
  if (parent === null) s.root = node;
  else parent.children[branch] = node;
}

/** Learns class number c (classes numbered in order of first appearance). */
export function hoeffdingLearn(s: HoeffdingState, x: FeatureVector, c: number, labelRank: (c: number) => number): void {
  if (c >= s.nClasses) {
    s.nClasses = c + 1;
    for (let i = 0; i < s.nClasses; i++) s.rank[i] = labelRank(i);
  }
  if (s.root === null) s.root = newLeaf([], 0);
  const { leaf, parent, branch } = leafOf(s.root, x);
  if (leaf.splitters !== null) {
    const empty = leaf.stats.every((v) => v === null);
    if (empty || argmaxFirst(leafPrediction({ ...leaf, splitters: null }, x) ?? []) === c) leaf.mcCorrect += 1;
    const nb = naiveBayes(leaf.stats, leaf.splitters, x);
    if (nb !== null && argmaxFirst(nb) === c) leaf.nbCorrect += 1;
  }
  while (leaf.stats.length <= c) leaf.stats.push(null);
  leaf.stats[c] = (leaf.stats[c] ?? 0) + 1;
  if (leaf.splitters === null) return;
  updateSplitters(leaf, x, c);
  if (leaf.depth >= s.options.maxDepth) {
    leaf.splitters = null;
    return;
  }
  const seen = total(leaf.stats);
  if (seen - leaf.lastSplitAt >= s.options.gracePeriod) {
    attemptSplit(s, leaf, parent, branch);
    leaf.lastSplitAt = seen;
  }
}

/** Nodes and depth, for DESCRIBE MODEL. */
export function hoeffdingShape(s: HoeffdingState): { leaves: number; branches: number; depth: number } {
  const walk = (n: TreeNode | null, d: number): { leaves: number; branches: number; depth: number } => {
    if (n === null) return { leaves: 0, branches: 0, depth: 0 };
    if (n.t === 'leaf') return { leaves: 1, branches: 0, depth: d };
    const a = walk(n.children[0], d + 1);
    const b = walk(n.children[1], d + 1);
    return { leaves: a.leaves + b.leaves, branches: a.branches + b.branches + 1, depth: Math.max(a.depth, b.depth) };
  };
  return walk(s.root, 0);
}

export type { TreeNode as HoeffdingNode };
