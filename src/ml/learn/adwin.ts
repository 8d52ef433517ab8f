/**
 * ADWIN (Bifet & Gavaldà 2007) as River 0.26 runs it: delta 0.002, a cut is checked only every
 * `clock` (32) updates and once the window exceeds `grace_period` (10) values; exponential
 * histogram with at most `max_buckets` (5) buckets per size; sub-windows shorter than
 * `min_window_length` (5) are not cut; Bernstein bound
 *   ε = √(2·m·v·dd) + ⅔·dd·m,  dd = ln(2·ln(W)/δ),  m = 1/(n0−mwl+1) + 1/(n1−mwl+1),  v = var(W)
 * and after a detection the next update resets the detector completely.
 *
 * Buckets: rows[i] holds buckets of 2^i values, oldest first, each as (total, variance).
 */
export interface AdwinOptions {
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;
}

export const ADWIN_DEFAULTS: AdwinOptions = { delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 };

export interface AdwinState {
  readonly options: AdwinOptions;
  totals: number[][];
  variances: number[][];
  total: number;
  variance: number;
  width: number;
  tick: number;
  detected: boolean;
  detections: number;
  /** Values seen since the detector was created (for drift rows). */
  seen: number;
}

export function newAdwin(options: AdwinOptions = ADWIN_DEFAULTS): AdwinState {
  return { options, totals: [[]], variances: [[]], total: 0, variance: 0, width: 0, tick: 0, detected: false, detections: 0, seen: 0 };
}

function reset(s: AdwinState): void {
  s.totals = [[]];
  s.variances = [[]];
  s.total = 0;
  s.variance = 0;
  s.width = 0;
  s.tick = 0;
  s.detected = false;
}

/** Adds a value; true when a change is detected at this update. */
export function adwinUpdate(s: AdwinState, value: number): boolean {
  if (s.detected) reset(s);
  s.seen++;
  s.width++;
  // insert
  s.totals[0].push(value);
  s.variances[0].push(0);
  if (s.width > 1) s.variance += ((s.width - 1) * (value - s.total / (s.width - 1)) ** 2) / s.width;
  s.total += value;
  compress(s);
  s.detected = detect(s);
  if (s.detected) s.detections++;
  return s.detected;
}

function compress(s: AdwinState): void {
  const max = s.options.maxBuckets;
  for (let i = 0; i < s.totals.length; i++) {
    const t = s.totals[i];
    if (t.length <= max) break;
    if (i + 1 === s.totals.length) {
      s.totals.push([]);
      s.variances.push([]);
    }
    const v = s.variances[i];
    const n = 2 ** i;
    const mu1 = t[0] / n;
    const mu2 = t[1] / n;
    const temp = (n * n * (mu1 - mu2) ** 2) / (n + n);
    s.totals[i + 1].push(t[0] + t[1]);
    s.variances[i + 1].push(v[0] + v[1] + temp);
    // shift() rather than splice(0, 2): no array of the removed values per update.
    t.shift();
    t.shift();
    v.shift();
    v.shift();
  }
}

function deleteOldest(s: AdwinState): number {
  const last = s.totals.length - 1;
  const n = 2 ** last;
  const u = s.totals[last][0];
  const v = s.variances[last][0];
  const mu = u / n;
  s.width -= n;
  s.total -= u;
  const muWindow = s.total / s.width;
  s.variance -= v + (n * s.width * (mu - muWindow) ** 2) / (n + s.width);
  s.totals[last].shift();
  s.variances[last].shift();
  if (s.totals[last].length === 0 && last > 0) {
    s.totals.pop();
    s.variances.pop();
  }
  return n;
}

function cut(s: AdwinState, n0: number, n1: number, u0: number, u1: number): boolean {
  const o = s.options;
  const diff = Math.abs(u0 / n0 - u1 / n1);
  const v = s.variance / s.width;
  const dd = Math.log((2 * Math.log(s.width)) / o.delta);
  const m = 1 / (n0 - o.minWindowLength + 1) + 1 / (n1 - o.minWindowLength + 1);
  const eps = Math.sqrt(2 * m * v * dd) + (2 / 3) * dd * m;
  return diff > eps;
}

function detect(s: AdwinState): boolean {
  const o = s.options;
  let changed = false;
  s.tick++;
  if (s.tick % o.clock !== 0 || s.width <= o.gracePeriod) return false;
  let again = true;
  while (again) {
    again = false;
    let n0 = 0;
    let n1 = s.width;
    let u0 = 0;
    let u1 = s.total;
    let exit = false;
    // From the oldest bucket to the newest: W0 = the older part, W1 = the rest.
    for (let i = s.totals.length - 1; i >= 0 && !exit; i--) {
      const t = s.totals[i];
      const size = 2 ** i;
      for (let k = 0; k < t.length; k++) {
        n0 += size;
        n1 -= size;
        u0 += t[k];
        u1 -= t[k];
        if (i === 0 && k === t.length - 1) {
          exit = true;
          break;
        }
        if (n1 >= o.minWindowLength && n0 >= o.minWindowLength && cut(s, n0, n1, u0, u1)) {
          again = true;
          changed = true;
          if (s.width > 0) {
            deleteOldest(s);
            exit = true;
            break;
          }
        }
      }
    }
  }
  return changed;
}

/** The current window's mean (for drift rows). */
export function adwinMean(s: AdwinState): number {
  return s.width > 0 ? s.total / s.width : 0;
}
