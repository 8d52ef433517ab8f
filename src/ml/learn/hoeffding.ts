/**
 * River's HoeffdingTreeClassifier with its defaults: grace_period 200, delta 1e-7, tau 0.05,
 * info-gain merit (min_branch_fraction 0.01), adaptive naive Bayes leaves (nb_threshold 0),
 * Gaussian splitters with 10 candidate split points per numeric feature, binary numeric splits,
 * nominal string features (multiway splits, or `=`/`≠` binary ones; ./hoeffding-split.ts),
 * null-split pre-pruning, max_share_to_split 0.99 (a leaf whose majority class passes it stops
 * growing), no depth limit.
 *
 * Routing a row (River's walk): a numeric branch sends `v <= thr` left; a nominal binary branch
 * sends `= value` left; a multiway branch follows its category. A row without the branch's
 * feature (or, at a multiway branch, with a category it has no branch for) takes the heavier
 * child when predicting; when learning, a multiway branch grows a new leaf for the new category,
 * and otherwise the row is learned by the leaf down the heavier children, without a split attempt.
 *
 * State is plain data (stored as is). Class distributions are arrays indexed by class number with
 * `null` for a class absent from the distribution — River's dicts tell "absent" from "weight 0"
 * (a child built from a split can hold a class at weight 0), and naive Bayes treats them apart.
 */
import type { FeatureVector } from './features.ts';
import {
  NULL_SPLIT,
  bestSplitOf,
  gaussLogPdf,
  nominalCondProba,
  total,
  updateGauss,
  updateNominal,
  type Dist,
  type Splitter,
  type Suggestion,
} from './hoeffding-split.ts';

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

/** Numeric split: `v <= thr` goes to children[0]. */
interface Branch {
  readonly t: 'branch';
  readonly f: number;
  readonly thr: number;
  readonly children: [TreeNode, TreeNode];
}

/** Nominal binary split: category `value` goes to children[0], any other to children[1]. */
interface NominalBranch {
  readonly t: 'nominal';
  readonly f: number;
  readonly value: string;
  readonly children: [TreeNode, TreeNode];
}

/** Nominal multiway split: category values[i] goes to children[i]; new categories add children. */
interface MultiwayBranch {
  readonly t: 'multiway';
  readonly f: number;
  /** Depth of the leaf this branch replaced (its children are one deeper). */
  readonly depth: number;
  readonly values: string[];
  readonly children: TreeNode[];
}

type Inner = Branch | NominalBranch | MultiwayBranch;
type TreeNode = Leaf | Inner;

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

function newLeaf(stats: Dist, depth: number): Leaf {
  return { t: 'leaf', stats, depth, lastSplitAt: total(stats), mcCorrect: 0, nbCorrect: 0, splitters: [], splitterAt: [] };
}

/** Position of feature f in the row, or -1. */
function entryOf(x: FeatureVector, f: number): number {
  for (let k = 0; k < x.idx.length; k++) if (x.idx[k] === f) return k;
  return -1;
}

/** The child a row goes to, or -1 when the branch cannot route it (River's KeyError). */
function branchOf(node: Inner, x: FeatureVector): number {
  const k = entryOf(x, node.f);
  if (k < 0) return -1;
  const cat = x.cats === null ? null : x.cats[k];
  switch (node.t) {
    case 'branch':
      return cat !== null ? -1 : x.val[k] <= node.thr ? 0 : 1;
    case 'nominal':
      return cat === null ? -1 : cat === node.value ? 0 : 1;
    case 'multiway':
      return cat === null ? -1 : node.values.indexOf(cat);
  }
}

function weightOf(n: TreeNode): number {
  if (n.t === 'leaf') return total(n.stats);
  let w = 0;
  for (const c of n.children) w += weightOf(c);
  return w;
}

/** River's most_common_path: the heavier child (ties: the first). */
function mostCommon(node: Inner): number {
  if (node.t !== 'multiway') return weightOf(node.children[0]) < weightOf(node.children[1]) ? 1 : 0;
  let best = 0;
  let bw = -Infinity;
  for (let i = 0; i < node.children.length; i++) {
    const w = weightOf(node.children[i]);
    if (w > bw) {
      bw = w;
      best = i;
    }
  }
  return best;
}

/** The leaf that answers for a row (River's traverse until a leaf). */
function leafFor(root: TreeNode, x: FeatureVector): Leaf {
  let node = root;
  while (node.t !== 'leaf') {
    const b = branchOf(node, x);
    node = node.children[b < 0 ? mostCommon(node) : b];
  }
  return node;
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

/** River's do_naive_bayes_prediction: log prior + Σ log P(feature | class) (−∞ / 0 terms skipped), softmax. */
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
        const k = entryOf(x, sp.f);
        if (k < 0) continue;
        const cat = x.cats === null ? null : x.cats[k];
        if (sp.t === 'nominal') {
          if (cat === null) continue;
          const p = nominalCondProba(sp, cat, c);
          if (p > 0) ll += Math.log(p);
        } else {
          if (cat !== null) continue;
          const g = sp.cls[c];
          if (!g) continue;
          const lp = gaussLogPdf(g, x.val[k]);
          if (lp > -Infinity) ll += lp;
        }
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
  const p = leafPrediction(leafFor(s.root, x), x);
  if (p) for (let c = 0; c < p.length; c++) if (p[c] !== null) proba[c] = p[c] as number;
  return proba;
}

function updateSplitters(leaf: Leaf, x: FeatureVector, c: number): void {
  const splitters = leaf.splitters as Splitter[];
  for (let k = 0; k < x.idx.length; k++) {
    const f = x.idx[k];
    const cat = x.cats === null ? null : x.cats[k];
    let at = f < leaf.splitterAt.length ? leaf.splitterAt[f] : -1;
    if (at < 0) {
      while (leaf.splitterAt.length <= f) leaf.splitterAt.push(-1);
      at = splitters.length;
      leaf.splitterAt[f] = at;
      // River: an observer for a non-numeric value is nominal, for a number Gaussian.
      splitters.push(cat !== null ? { t: 'nominal', f, values: [], w: [] } : { t: 'gauss', f, cls: [] });
    }
    const sp = splitters[at];
    if (sp.t === 'nominal') {
      if (cat !== null) updateNominal(sp, cat, c);
    } else if (cat === null) updateGauss(sp, x.val[k], c);
  }
}

function attemptSplit(s: HoeffdingState, leaf: Leaf, parent: Inner | null, branch: number): void {
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
  const d = leaf.depth + 1;
  let node: Inner;
  switch (decision.kind) {
    case 'null':
      leaf.splitters = null; // pre-pruned: the null split won
      return;
    case 'numeric':
      node = { t: 'branch', f: decision.f, thr: decision.thr, children: [newLeaf(decision.post[0], d), newLeaf(decision.post[1], d)] };
      break;
    case 'nominal':
      node = { t: 'nominal', f: decision.f, value: decision.value, children: [newLeaf(decision.post[0], d), newLeaf(decision.post[1], d)] };
      break;
    case 'multiway':
      node = { t: 'multiway', f: decision.f, depth: leaf.depth, values: [...decision.values], children: decision.post.map((p) => newLeaf(p, d)) };
      break;
  }
  if (parent === null) s.root = node;
  else parent.children[branch] = node;
}

/** River's HTLeaf.learn_one with adaptive naive Bayes: which predictor would have been right, then the counts. */
function learnAtLeaf(leaf: Leaf, x: FeatureVector, c: number): void {
  if (leaf.splitters !== null) {
    const empty = leaf.stats.every((v) => v === null);
    if (empty || argmaxFirst(leafPrediction({ ...leaf, splitters: null }, x) ?? []) === c) leaf.mcCorrect += 1;
    const nb = naiveBayes(leaf.stats, leaf.splitters, x);
    if (nb !== null && argmaxFirst(nb) === c) leaf.nbCorrect += 1;
  }
  while (leaf.stats.length <= c) leaf.stats.push(null);
  leaf.stats[c] = (leaf.stats[c] ?? 0) + 1;
  if (leaf.splitters !== null) updateSplitters(leaf, x, c);
}

/** Learns class number c (classes numbered in order of first appearance). */
export function hoeffdingLearn(s: HoeffdingState, x: FeatureVector, c: number, labelRank: (c: number) => number): void {
  if (c >= s.nClasses) {
    s.nClasses = c + 1;
    for (let i = 0; i < s.nClasses; i++) s.rank[i] = labelRank(i);
  }
  if (s.root === null) s.root = newLeaf([], 0);
  // River's walk(x, until_leaf=False): down while the branches can route the row.
  let node: TreeNode = s.root;
  let parent: Inner | null = null;
  let branch = 0;
  while (node.t !== 'leaf') {
    const b = branchOf(node, x);
    if (b < 0) break;
    parent = node;
    branch = b;
    node = node.children[b];
  }
  if (node.t === 'leaf') {
    learnAtLeaf(node, x, c);
    if (node.splitters === null) return;
    if (node.depth >= s.options.maxDepth) {
      node.splitters = null;
      return;
    }
    const seen = total(node.stats);
    if (seen - node.lastSplitAt >= s.options.gracePeriod) {
      attemptSplit(s, node, parent, branch);
      node.lastSplitAt = seen;
    }
    return;
  }
  // Stopped at a branch: a new category grows a leaf of a multiway branch; otherwise the heavier
  // children lead to the leaf. Either way no split is attempted (as River).
  for (;;) {
    if (node.t === 'multiway' && entryOf(x, node.f) >= 0 && x.cats !== null && x.cats[entryOf(x, node.f)] !== null) {
      const leaf = newLeaf([], node.depth + 1);
      node.values.push(x.cats[entryOf(x, node.f)] as string);
      node.children.push(leaf);
      node = leaf;
    } else {
      node = node.children[mostCommon(node)];
      while (node.t !== 'leaf') {
        const b = branchOf(node, x);
        if (b < 0) break;
        node = node.children[b];
      }
    }
    if (node.t === 'leaf') break;
  }
  learnAtLeaf(node, x, c);
}

/** Nodes and depth, for DESCRIBE MODEL. */
export function hoeffdingShape(s: HoeffdingState): { leaves: number; branches: number; depth: number } {
  const walk = (n: TreeNode | null, d: number): { leaves: number; branches: number; depth: number } => {
    if (n === null) return { leaves: 0, branches: 0, depth: 0 };
    if (n.t === 'leaf') return { leaves: 1, branches: 0, depth: d };
    const out = { leaves: 0, branches: 1, depth: d };
    for (const c of n.children) {
      const w = walk(c, d + 1);
      out.leaves += w.leaves;
      out.branches += w.branches;
      out.depth = Math.max(out.depth, w.depth);
    }
    return out;
  };
  return walk(s.root, 0);
}

