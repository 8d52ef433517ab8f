/**
 * A growing multiset of scores kept in order, with rank queries, for the exact (Mann-Whitney)
 * ROC AUC: inserting a score and counting the scores below it both cost O(log n) comparisons plus
 * a copy of at most one block, so keeping the AUC up to date over n rows is O(n log n) in total
 * (a single sorted array costs an O(n) copy per merge: quadratic over a long stream).
 *
 * Layout (as Python's sortedcontainers.SortedList): sorted blocks of fewer than 2·BLOCK scores, the
 * largest score of each block in `maxes`, and a Fenwick tree over the block lengths for the number
 * of scores in the blocks before a given one. Invariants: every block is sorted and non-empty
 * (except the single block of an empty set); blocks are in order (all of block i ≤ all of block
 * i+1); `maxes[i]` is the last score of block i; the Fenwick tree sums the block lengths.
 */
const BLOCK = 512;
/** A block's capacity: it is split in two when an insert fills it. */
const CAPACITY = 2 * BLOCK;

/** First index in a[0, len) whose value is >= v (upper = false) or > v (upper = true). */
function boundIn(a: Float64Array, len: number, v: number, upper: boolean): number {
  let lo = 0;
  let hi = len;
  if (upper) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
  } else {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < v) lo = mid + 1;
      else hi = mid;
    }
  }
  return lo;
}

export class SortedScores {
  /** Fixed-capacity blocks; block i holds lens[i] scores. */
  private blocks: Float64Array[] = [new Float64Array(CAPACITY)];
  private lens: number[] = [0];
  /** maxes[i]: the largest score of block i (a Float64Array with spare capacity; nBlocks used). */
  private maxes = new Float64Array(16);
  /** 1-based Fenwick tree over the block lengths. */
  private tree: Int32Array = new Int32Array(2);
  size = 0;

  /** Number of scores < v (upper = false) or <= v (upper = true). */
  countBelow(v: number, upper: boolean): number {
    if (this.size === 0) return 0;
    const n = this.blocks.length;
    const b = boundIn(this.maxes, n, v, upper);
    if (b === n) return this.size;
    return this.prefix(b) + boundIn(this.blocks[b], this.lens[b], v, upper);
  }

  /**
   * Number of scores < v; `equal` is then set to the number of scores = v (one descent unless
   * v itself is present).
   */
  countLess(v: number): number {
    this.equal = 0;
    if (this.size === 0) return 0;
    const n = this.blocks.length;
    const b = boundIn(this.maxes, n, v, false);
    if (b === n) return this.size;
    const block = this.blocks[b];
    const at = boundIn(block, this.lens[b], v, false);
    const lo = this.prefix(b) + at;
    if (block[at] === v) this.equal = this.countBelow(v, true) - lo;
    return lo;
  }

  /** Set by countLess. */
  equal = 0;

  insert(v: number): void {
    const blocks = this.blocks;
    const n = blocks.length;
    let b = this.size === 0 ? 0 : boundIn(this.maxes, n, v, true);
    if (b === n) b = n - 1;
    const block = blocks[b];
    const len = this.lens[b];
    const at = boundIn(block, len, v, true);
    for (let i = len; i > at; i--) block[i] = block[i - 1];
    block[at] = v;
    this.lens[b] = len + 1;
    this.maxes[b] = block[len];
    this.size++;
    if (len + 1 === CAPACITY) this.split(b);
    else for (let i = b + 1; i < this.tree.length; i += i & -i) this.tree[i]++;
  }

  /** Splits the full block b in two halves. */
  private split(b: number): void {
    const block = this.blocks[b];
    const upper = new Float64Array(CAPACITY);
    upper.set(block.subarray(BLOCK));
    this.blocks.splice(b + 1, 0, upper);
    this.lens.splice(b, 1, BLOCK, CAPACITY - BLOCK);
    const n = this.blocks.length;
    if (this.maxes.length < n) {
      const grown = new Float64Array(2 * n);
      grown.set(this.maxes);
      this.maxes = grown;
    }
    this.maxes.copyWithin(b + 2, b + 1, n - 1);
    this.maxes[b] = block[BLOCK - 1];
    this.maxes[b + 1] = upper[CAPACITY - BLOCK - 1];
    const tree = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) {
      tree[i] += this.lens[i - 1];
      const j = i + (i & -i);
      if (j <= n) tree[j] += tree[i];
    }
    this.tree = tree;
  }

  /** Scores in the blocks before block b. */
  private prefix(b: number): number {
    let s = 0;
    for (let i = b; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }
}
