/**
 * Numeric and counting aggregates: COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX, STDDEV_SAMP,
 * STDDEV_SAMPLE, CORRELATION, HISTOGRAM, ATTR. States are treated as immutable (add/undo return
 * a new state) and are JSON-serialisable through toJSON/fromJSON. `undo` exists where ksqlDB's
 * aggregate is a TableUdaf (it can retract a value for table aggregations).
 */
import type { AggregateFunction, ResolvedAggregate } from './types.ts';
import { FunctionError } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import type { CallInfo } from './signature.ts';
import { overload } from './signature.ts';
import { aggregate } from './define.ts';
import { compareValues, fromJsonValue, intAdd, longAdd, longSub, toJsonValue, valueKey } from './util.ts';

/** Builds a ResolvedAggregate; toJSON/fromJSON default to identity (JSON-safe states). */
export function makeAgg<S>(
  returnType: SqlType,
  spec: Omit<ResolvedAggregate<S>, 'returnType' | 'toJSON' | 'fromJSON'> &
    Partial<Pick<ResolvedAggregate<S>, 'toJSON' | 'fromJSON'>>,
): ResolvedAggregate<S> {
  return {
    returnType,
    init: spec.init,
    add: spec.add,
    undo: spec.undo,
    merge: spec.merge,
    result: spec.result,
    toJSON: spec.toJSON ?? ((s) => s),
    fromJSON: spec.fromJSON ?? ((j) => j as S),
  };
}

const BIGINT: SqlType = { kind: 'BIGINT' };
const DOUBLE: SqlType = { kind: 'DOUBLE' };

const firstType = (call: CallInfo): SqlType => call.types[0] ?? { kind: 'STRING' };

// ---------------------------------------------------------------------------------------------
// COUNT

function countRows(): ResolvedAggregate<number> {
  return makeAgg<number>(BIGINT, {
    init: () => 0,
    add: (s) => s + 1,
    undo: (s) => s - 1,
    merge: (a, b) => a + b,
    result: (s) => s,
  });
}

function countValues(): ResolvedAggregate<number> {
  return makeAgg<number>(BIGINT, {
    init: () => 0,
    add: (s, v) => (v === null ? s : s + 1),
    undo: (s, v) => (v === null ? s : s - 1),
    merge: (a, b) => a + b,
    result: (s) => s,
  });
}

function countDistinct(): ResolvedAggregate<string[]> {
  return makeAgg<string[]>(BIGINT, {
    init: () => [],
    add: (s, v) => {
      if (v === null) return s;
      const k = valueKey(v);
      return s.includes(k) ? s : [...s, k];
    },
    merge: (a, b) => [...new Set([...a, ...b])],
    result: (s) => s.length,
  });
}

// ---------------------------------------------------------------------------------------------
// SUM / AVG

function sumOf(call: CallInfo): ResolvedAggregate | string {
  const t = firstType(call);
  switch (t.kind) {
    case 'INTEGER':
      return makeAgg<number>(t, {
        init: () => 0,
        add: (s, v) => (v === null ? s : intAdd(s, v)),
        undo: (s, v) => (v === null ? s : (s - v) | 0),
        merge: intAdd,
        result: (s) => s,
      });
    case 'BIGINT':
      return makeAgg<number | bigint>(t, {
        init: () => 0,
        add: (s, v) => (v === null ? s : longAdd(s, v)),
        undo: (s, v) => (v === null ? s : longSub(s, v)),
        merge: longAdd,
        result: (s) => s,
        toJSON: (s) => (typeof s === 'bigint' ? s.toString() : s),
        fromJSON: (j) => fromJsonValue(j, BIGINT) as number | bigint,
      });
    case 'DOUBLE':
      return makeAgg<number>(t, {
        init: () => 0,
        add: (s, v) => (v === null ? s : s + v),
        undo: (s, v) => (v === null ? s : s - v),
        merge: (a, b) => a + b,
        result: (s) => s,
      });
    case 'DECIMAL': {
      const { precision, scale } = t;
      const limit = 10n ** BigInt(precision);
      const check = (d: Decimal): Decimal => {
        const r = d.setScale(scale);
        if ((r.unscaled < 0n ? -r.unscaled : r.unscaled) >= limit) {
          throw new FunctionError(
            `Numeric field overflow: A field with precision ${precision} and scale ${scale} must round to an absolute value less than 10^${precision - scale}. Got ${r.toString()}`,
          );
        }
        return r;
      };
      return makeAgg<Decimal>(t, {
        init: () => new Decimal(0n, scale),
        add: (s, v) => (v === null ? s : check(s.add(v))),
        undo: (s, v) => (v === null ? s : check(s.subtract(v))),
        merge: (a, b) => check(a.add(b)),
        result: (s) => s,
        toJSON: (s) => s.toString(),
        fromJSON: (j) => Decimal.parse(String(j))!,
      });
    }
    default:
      return `SUM does not support ${t.kind}`;
  }
}

interface AvgState {
  sum: number;
  count: number;
}

function avgOf(call: CallInfo): ResolvedAggregate<AvgState> {
  const t = firstType(call);
  const num =
    t.kind === 'DECIMAL' ? (v: Decimal) => v.toNumber() : t.kind === 'BIGINT' ? (v: number | bigint) => Number(v) : (v: number) => v;
  const intSum = t.kind === 'INTEGER';
  return makeAgg<AvgState>(DOUBLE, {
    init: () => ({ sum: 0, count: 0 }),
    add: (s, v) => (v === null ? s : { sum: intSum ? intAdd(s.sum, v) : s.sum + num(v), count: s.count + 1 }),
    undo: (s, v) => (v === null ? s : { sum: intSum ? (s.sum - v) | 0 : s.sum - num(v), count: s.count - 1 }),
    merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    result: (s) => (s.count === 0 ? 0 : s.sum / s.count),
  });
}

// ---------------------------------------------------------------------------------------------
// MIN / MAX

function extremeOf(sign: 1 | -1) {
  return (call: CallInfo): ResolvedAggregate<unknown> => {
    const t = firstType(call);
    const better = (a: unknown, b: unknown): unknown =>
      a === null ? b : b === null ? a : sign * compareValues(b, a) > 0 ? b : a;
    return makeAgg<unknown>(t, {
      init: () => null,
      add: better,
      merge: better,
      result: (s) => s,
      toJSON: (s) => toJsonValue(s, t),
      fromJSON: (j) => fromJsonValue(j, t),
    });
  };
}

// ---------------------------------------------------------------------------------------------
// STDDEV / CORRELATION

interface Moments {
  n: number;
  s: number;
  ss: number;
}

function variance(sqrt: boolean) {
  return (call: CallInfo): ResolvedAggregate<Moments> => {
    const t = firstType(call);
    const num = t.kind === 'BIGINT' ? (v: number | bigint) => Number(v) : (v: number) => v;
    return makeAgg<Moments>(DOUBLE, {
      init: () => ({ n: 0, s: 0, ss: 0 }),
      add: (m, v) => (v === null ? m : { n: m.n + 1, s: m.s + num(v), ss: m.ss + num(v) * num(v) }),
      undo: (m, v) => (v === null ? m : { n: m.n - 1, s: m.s - num(v), ss: m.ss - num(v) * num(v) }),
      merge: (a, b) => ({ n: a.n + b.n, s: a.s + b.s, ss: a.ss + b.ss }),
      result: (m) => {
        if (m.n < 2) return 0;
        const v = Math.max(0, (m.ss - (m.s * m.s) / m.n) / (m.n - 1));
        return sqrt ? Math.sqrt(v) : v;
      },
    });
  };
}

interface CoMoments {
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
}

function correlation(): ResolvedAggregate<CoMoments> {
  const step = (m: CoMoments, x: number, y: number, k: 1 | -1): CoMoments => ({
    n: m.n + k,
    sx: m.sx + k * x,
    sy: m.sy + k * y,
    sxx: m.sxx + k * x * x,
    syy: m.syy + k * y * y,
    sxy: m.sxy + k * x * y,
  });
  return makeAgg<CoMoments>(DOUBLE, {
    init: () => ({ n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 }),
    add: (m, x, y) => (x === null || y === null ? m : step(m, Number(x), Number(y), 1)),
    undo: (m, x, y) => (x === null || y === null ? m : step(m, Number(x), Number(y), -1)),
    merge: (a, b) => ({
      n: a.n + b.n,
      sx: a.sx + b.sx,
      sy: a.sy + b.sy,
      sxx: a.sxx + b.sxx,
      syy: a.syy + b.syy,
      sxy: a.sxy + b.sxy,
    }),
    result: (m) => {
      const cov = m.n * m.sxy - m.sx * m.sy;
      const vx = m.n * m.sxx - m.sx * m.sx;
      const vy = m.n * m.syy - m.sy * m.sy;
      return cov / Math.sqrt(vx * vy);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// HISTOGRAM / ATTR

const HISTOGRAM_LIMIT = 1000;

function histogram(): ResolvedAggregate<Record<string, number>> {
  return makeAgg<Record<string, number>>(
    { kind: 'MAP', key: { kind: 'STRING' }, value: BIGINT },
    {
      init: () => ({}),
      add: (s, v) => {
        if (v === null) return s;
        if (!(v in s) && Object.keys(s).length >= HISTOGRAM_LIMIT) return s;
        return { ...s, [v]: (s[v] ?? 0) + 1 };
      },
      undo: (s, v) => {
        if (v === null || !(v in s)) return s;
        const out = { ...s };
        if (--out[v] <= 0) delete out[v];
        return out;
      },
      merge: (a, b) => {
        const out = { ...a };
        for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
        return out;
      },
      result: (s) => ({ ...s }),
    },
  );
}

/** A multiset of values: key -> [value, count]. */
type Bag = Record<string, [unknown, number]>;

function attr(call: CallInfo): ResolvedAggregate<Bag> {
  const t = firstType(call);
  return makeAgg<Bag>(t, {
    init: () => ({}),
    add: (s, v) => {
      const k = valueKey(v);
      return { ...s, [k]: [v, (s[k]?.[1] ?? 0) + 1] };
    },
    undo: (s, v) => {
      const k = valueKey(v);
      if (!s[k]) return s;
      const out = { ...s };
      const n = out[k][1] - 1;
      if (n <= 0) delete out[k];
      else out[k] = [out[k][0], n];
      return out;
    },
    merge: (a, b) => {
      const out = { ...a };
      for (const [k, [v, n]] of Object.entries(b)) out[k] = [v, (out[k]?.[1] ?? 0) + n];
      return out;
    },
    result: (s) => {
      const keys = Object.keys(s);
      return keys.length === 1 ? s[keys[0]][0] : null;
    },
    toJSON: (s) => Object.entries(s).map(([, [v, n]]) => [toJsonValue(v, t), n]),
    fromJSON: (j) => {
      const out: Bag = {};
      for (const [jv, n] of j as [unknown, number][]) {
        const v = fromJsonValue(jv, t);
        out[valueKey(v)] = [v, n];
      }
      return out;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// SUM_LIST

function sumList(call: CallInfo): ResolvedAggregate | string {
  const t = firstType(call);
  const element: SqlType = t.kind === 'ARRAY' ? t.element : t;
  const inner = sumOf({ ...call, types: [element] });
  if (typeof inner === 'string') return inner;
  const fold = (s: unknown, list: unknown[] | null, f: (s: unknown, v: unknown) => unknown): unknown => {
    if (list === null) return s;
    let acc = s;
    for (const v of list) acc = f(acc, v);
    return acc;
  };
  const undo = inner.undo!;
  return makeAgg<unknown>(inner.returnType, {
    init: inner.init,
    add: (s, list) => fold(s, list, (a, v) => inner.add(a, v)),
    undo: (s, list) => fold(s, list, (a, v) => undo.call(inner, a, v)),
    merge: inner.merge,
    result: inner.result,
    toJSON: inner.toJSON,
    fromJSON: inner.fromJSON,
  });
}

const NUMERIC = ['INT', 'BIGINT', 'DOUBLE', 'DECIMAL'];
const COMPARABLE = [...NUMERIC, 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP', 'BOOLEAN'];

export const aggregateFunctions: AggregateFunction[] = [
  aggregate('COUNT', 'Counts the rows, or the non-NULL values of the argument.', [
    overload('', 'BIGINT', countRows),
    overload('value ANY', 'BIGINT', countValues),
  ]),
  aggregate('COUNT_DISTINCT', 'Counts the distinct non-NULL values (exact).', [overload('value ANY', 'BIGINT', countDistinct)]),
  aggregate('SUM', 'Sums the non-NULL values (INT sums to INT, BIGINT to BIGINT, DECIMAL keeps its type).', [
    ...NUMERIC.map((t) => overload(`value ${t}`, (c) => firstType(c), sumOf, { returnLabel: t })),
  ]),
  aggregate('SUM_LIST', 'Sums the non-NULL elements of the arrays of every row (INT, BIGINT, DOUBLE or DECIMAL elements).', [
    ...NUMERIC.map((t) =>
      overload(`list ARRAY<${t}>`, (c) => (c.types[0] as { element: SqlType }).element, sumList, { returnLabel: t }),
    ),
  ]),
  aggregate('AVG', 'The average of the non-NULL values, as a DOUBLE (0.0 when there are none).', [
    ...NUMERIC.map((t) => overload(`value ${t}`, 'DOUBLE', avgOf)),
  ]),
  aggregate('MIN', 'The smallest non-NULL value.', [
    ...COMPARABLE.map((t) => overload(`value ${t}`, (c) => firstType(c), extremeOf(-1), { returnLabel: t })),
  ]),
  aggregate('MAX', 'The largest non-NULL value.', [
    ...COMPARABLE.map((t) => overload(`value ${t}`, (c) => firstType(c), extremeOf(1), { returnLabel: t })),
  ]),
  aggregate(
    'STDDEV_SAMP',
    "The sample variance of the values (ksqlDB's STDDEV_SAMP returns the variance; 0.0 for fewer than 2 values).",
    [...['INT', 'BIGINT', 'DOUBLE'].map((t) => overload(`value ${t}`, 'DOUBLE', variance(false)))],
  ),
  aggregate('STDDEV_SAMPLE', 'The sample standard deviation of the values (0.0 for fewer than 2 values).', [
    ...['INT', 'BIGINT', 'DOUBLE'].map((t) => overload(`value ${t}`, 'DOUBLE', variance(true))),
  ]),
  aggregate('CORRELATION', 'The Pearson correlation of two columns (rows with a NULL are skipped; NaN with fewer than 2).', [
    overload('x DOUBLE, y DOUBLE', 'DOUBLE', correlation),
  ]),
  aggregate('HISTOGRAM', 'A map from each distinct non-NULL string to its number of occurrences (at most 1000 keys).', [
    overload('value STRING', 'MAP<STRING, BIGINT>', histogram),
  ]),
  aggregate('ATTR', 'The value when all rows have the same value (NULL included), else NULL.', [
    overload('value ANY', (c) => firstType(c), attr, { returnLabel: 'ANY' }),
  ]),
];
