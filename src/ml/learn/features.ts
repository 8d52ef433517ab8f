/**
 * Feature vectors of online models: sparse (index, value) pairs over a feature space that grows as
 * new features appear, which is River's dict semantics — a numeric column is always present; a
 * string column is one-hot encoded as the single feature `COL=value` present in that row (absent
 * categories are absent, not 0, so scalers and splitters only see categories that occurred).
 *
 * Invariant: indices within one vector are distinct; `FeatureSpace` never renumbers a feature,
 * so model state indexed by feature number stays valid as the space grows.
 */
export interface FeatureVector {
  /** Feature numbers of the row's features; the vector's length is idx.length. */
  readonly idx: readonly number[];
  /** val[k] is the value of feature idx[k] (val may be longer than idx: a reused buffer). */
  readonly val: Float64Array;
  /**
   * Nominal encoding (Hoeffding trees, River's nominal attributes): cats[k] is the category of
   * string column feature idx[k] (val[k] is then NaN), null for a numeric feature. null: every
   * feature is numeric (strings one-hot encoded as `COL=value` = 1).
   */
  readonly cats: readonly (string | null)[] | null;
}

export interface FeatureSpaceState {
  readonly names: string[];
}

export class FeatureSpace {
  readonly names: string[] = [];
  private readonly byName = new Map<string, number>();

  static fromState(s: FeatureSpaceState): FeatureSpace {
    const f = new FeatureSpace();
    for (const n of s.names) f.indexOf(n);
    return f;
  }

  toState(): FeatureSpaceState {
    return { names: [...this.names] };
  }

  get size(): number {
    return this.names.length;
  }

  indexOf(name: string): number {
    let i = this.byName.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.byName.set(name, i);
    }
    return i;
  }
}

/** Why a row's features cannot be used (goes to the processing log; the row is not learned). */
export class FeatureError extends Error {}

/**
 * Encodes the feature columns of a row. `columns[i]` names value `values[i]`: numbers (and
 * booleans as 1/0) are numeric features, strings one-hot; null/undefined features are left out
 * (River's missing feature). NaN and ±Infinity are rejected: they would poison every weight.
 * A new vector per call; the training operator's per-row path uses a FeatureEncoder.
 */
export function encodeFeatures(space: FeatureSpace, columns: readonly string[], numericIdx: readonly number[], values: readonly unknown[], nominal = false): FeatureVector {
  return new FeatureEncoder(space, columns, numericIdx, nominal).encode(values);
}

/**
 * encodeFeatures into one vector reused for every row (no allocation per row; a category seen
 * before is looked up by its value, not by its `COL=value` name). The vector returned is valid
 * until the next call: learners read it and keep nothing of it. `nominal`: a string column is the
 * column's own feature with its value as category (`cats`), not one-hot.
 */
export class FeatureEncoder {
  private readonly space: FeatureSpace;
  private readonly columns: readonly string[];
  private readonly numericIdx: readonly number[];
  private readonly idx: number[];
  private readonly val: Float64Array;
  private readonly cats: (string | null)[] | null;
  private readonly x: FeatureVector;
  /** Per string column: category value → feature number (a cache of `space`, which never renumbers). */
  private readonly categories: Map<string, number>[];

  constructor(space: FeatureSpace, columns: readonly string[], numericIdx: readonly number[], nominal = false) {
    this.space = space;
    this.columns = columns;
    this.numericIdx = numericIdx;
    this.idx = columns.map((_, i) => numericIdx[i]);
    this.val = new Float64Array(columns.length);
    this.cats = nominal ? columns.map(() => null) : null;
    this.x = { idx: this.idx, val: this.val, cats: this.cats };
    this.categories = columns.map(() => new Map());
  }

  encode(values: readonly unknown[]): FeatureVector {
    const idx = this.idx;
    const val = this.val;
    const cats = this.cats;
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new FeatureError(`feature ${this.columns[i]} is ${v}, not a finite number`);
        if (cats !== null) cats[n] = null;
        idx[n] = this.numericIdx[i];
        val[n++] = v;
      } else if (v === null || v === undefined) {
        continue;
      } else if (cats !== null && typeof v === 'string') {
        cats[n] = v;
        idx[n] = this.numericIdx[i];
        val[n++] = NaN;
      } else if (typeof v === 'string') {
        const byValue = this.categories[i];
        let f = byValue.get(v);
        if (f === undefined) byValue.set(v, (f = this.space.indexOf(`${this.columns[i]}=${v}`)));
        idx[n] = f;
        val[n++] = 1;
      } else {
        if (cats !== null) cats[n] = null;
        idx[n] = this.numericIdx[i];
        val[n++] = numberOf(this.columns[i], v);
      }
    }
    if (idx.length !== n) {
      idx.length = n;
      if (cats !== null) cats.length = n;
    }
    return this.x;
  }
}

function numberOf(column: string, v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object' && v !== null && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    const n = (v as { toNumber(): number }).toNumber();
    if (!Number.isFinite(n)) throw new FeatureError(`feature ${column} is ${n}, not a finite number`);
    return n;
  }
  throw new FeatureError(`feature ${column} has a value of an unsupported type (${typeof v}); use numbers, booleans or strings`);
}

/** A dense vector from numbers (tests, benchmarks, in-process use): feature i is column i. */
export function denseVector(values: readonly number[]): FeatureVector {
  const idx = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) idx[i] = i;
  return { idx, val: Float64Array.from(values), cats: null };
}
