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
function bound(a: ArrayLike<number>, len: number, v: number, upper: boolean): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v || (upper && a[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedScores {
  /** Fixed-capacity blocks; block i holds lens[i] scores. */
  private blocks: Float64Array[] = [new Float64Array(CAPACITY)];
  private lens: number[] = [0];
  private maxes: number[] = [];
  /** 1-based Fenwick tree over the block lengths. */
  private tree: Int32Array = new Int32Array(2);
  size = 0;

  /** Number of scores < v (upper = false) or <= v (upper = true). */
  countBelow(v: number, upper: boolean): number {
    if (this.size === 0) return 0;
    const b = bound(this.maxes, this.maxes.length, v, upper);
    if (b === this.blocks.length) return this.size;
    return this.prefix(b) + bound(this.blocks[b], this.lens[b], v, upper);
  }

  insert(v: number): void {
    const blocks = this.blocks;
    let b = bound(this.maxes, this.maxes.length, v, true);
    if (b === blocks.length) b = blocks.length - 1;
    const block = blocks[b];
    const len = this.lens[b];
    const at = bound(block, len, v, true);
    block.copyWithin(at + 1, at, len);
    block[at] = v;
    this.lens[b] = len + 1;
    this.maxes[b] = block[len];
    this.size++;
    if (len + 1 === CAPACITY) {
      const upper = new Float64Array(CAPACITY);
      upper.set(block.subarray(BLOCK));
      blocks.splice(b + 1, 0, upper);
      this.lens.splice(b, 1, BLOCK, CAPACITY - BLOCK);
      this.maxes.splice(b, 1, block[BLOCK - 1], upper[CAPACITY - BLOCK - 1]);
      this.rebuild();
    } else this.add(b);
  }

  /** Scores in the blocks before block b. */
  private prefix(b: number): number {
    let s = 0;
    for (let i = b; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }

  private add(b: number): void {
    for (let i = b + 1; i < this.tree.length; i += i & -i) this.tree[i]++;
  }

  private rebuild(): void {
    const n = this.blocks.length;
    const tree = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) {
      tree[i] += this.lens[i - 1];
      const j = i + (i & -i);
      if (j <= n) tree[j] += tree[i];
    }
    this.tree = tree;
  }
}
