/**
 * A growing multiset of scores as sorted runs (a log-structured merge), for the exact
 * (Mann-Whitney) ROC AUC: scores arrive in batches (those of one metric snapshot); a batch is
 * sorted, counted against every run by a sweep, and becomes a run; runs of similar length are
 * merged, so each score is moved O(log n) times in total, always sequentially.
 *
 * Why not one sorted array (a merge per batch copies every score: quadratic over a stream) or a
 * tree of blocks (O(log n) per score, but each probe a cache miss in a structure of many MB: an
 * order of magnitude slower than these sequential sweeps in practice).
 *
 * Invariants: every run is sorted ascending; run lengths strictly decrease by more than half from
 * one run to the next (runs[i].length > 2 · runs[i+1].length), so there are O(log n) runs.
 */
export class SortedRuns {
  private runs: Float64Array[] = [];
  size = 0;

  /**
   * For each query of `sorted` (ascending): adds to less[i] the number of scores < sorted[i] and
   * to equal[i] the number of scores = sorted[i].
   */
  count(sorted: Float64Array, less: Float64Array, equal: Float64Array): void {
    for (const run of this.runs) {
      const n = run.length;
      let from = 0;
      let end = 0;
      for (let i = 0; i < sorted.length; i++) {
        const q = sorted[i];
        if (i === 0 || q !== sorted[i - 1]) {
          // Queries ascend: the first run score >= q is at or after the previous query's; gallop
          // from there (probes stay near each other), then bisect the bracket.
          let lo = from;
          let step = 1;
          while (lo + step <= n && run[lo + step - 1] < q) {
            lo += step;
            step *= 2;
          }
          let hi = Math.min(n, lo + step - 1);
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (run[mid] < q) lo = mid + 1;
            else hi = mid;
          }
          from = lo;
          end = lo;
          if (lo < n && run[lo] === q) {
            hi = n;
            while (end < hi) {
              const mid = (end + hi) >>> 1;
              if (run[mid] <= q) end = mid + 1;
              else hi = mid;
            }
          }
        }
        less[i] += from;
        equal[i] += end - from;
      }
    }
  }

  /** Adds a batch of scores, sorted ascending (the array is kept: the caller gives it up). */
  add(sorted: Float64Array): void {
    if (sorted.length === 0) return;
    this.runs.push(sorted);
    this.size += sorted.length;
    const runs = this.runs;
    while (runs.length > 1 && runs[runs.length - 2].length <= 2 * runs[runs.length - 1].length) {
      const b = runs.pop() as Float64Array;
      const a = runs.pop() as Float64Array;
      runs.push(merge(a, b));
    }
  }
}

function merge(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
