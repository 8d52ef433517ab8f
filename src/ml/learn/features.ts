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
  readonly idx: number[];
  readonly val: number[];
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
 */
export function encodeFeatures(space: FeatureSpace, columns: readonly string[], numericIdx: readonly number[], values: readonly unknown[]): FeatureVector {
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new FeatureError(`feature ${columns[i]} is ${v}, not a finite number`);
      idx.push(numericIdx[i]);
      val.push(v);
    } else if (typeof v === 'bigint') {
      idx.push(numericIdx[i]);
      val.push(Number(v));
    } else if (typeof v === 'boolean') {
      idx.push(numericIdx[i]);
      val.push(v ? 1 : 0);
    } else if (typeof v === 'string') {
      idx.push(space.indexOf(`${columns[i]}=${v}`));
      val.push(1);
    } else if (typeof v === 'object' && v !== null && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
      const n = (v as { toNumber(): number }).toNumber();
      if (!Number.isFinite(n)) throw new FeatureError(`feature ${columns[i]} is ${n}, not a finite number`);
      idx.push(numericIdx[i]);
      val.push(n);
    } else {
      throw new FeatureError(`feature ${columns[i]} has a value of an unsupported type (${typeof v}); use numbers, booleans or strings`);
    }
  }
  return { idx, val };
}

/** A dense vector from numbers (tests, benchmarks, in-process use): feature i is column i. */
export function denseVector(values: readonly number[]): FeatureVector {
  const idx = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) idx[i] = i;
  return { idx, val: values as number[] };
}
