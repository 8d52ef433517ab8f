/**
 * Collecting aggregates: COLLECT_LIST, COLLECT_SET, TOPK, TOPKDISTINCT, EARLIEST_BY_OFFSET,
 * LATEST_BY_OFFSET. Constant parameters (TOPK's k, the offset functions' n and ignoreNulls) are
 * taken from the literal arguments at resolve time, or from the argument values passed to `add`
 * when the caller gives no literals.
 */
import type { AggregateFunction, ResolvedAggregate } from './types.ts';
import { FunctionError } from './types.ts';
import type { SqlType, StructField } from '../types/sql-type.ts';
import type { CallInfo } from './signature.ts';
import { overload } from './signature.ts';
import { aggregate } from './define.ts';
import { makeAgg } from './aggregate.ts';
import { compareValues, fromJsonValue, toJsonValue, valueKey } from './util.ts';

/** ksqlDB's default limits (ksql.functions.collect_list.limit / collect_set.limit). */
const COLLECT_LIMIT = 1000;

function collectLimit(call: CallInfo, fn: 'collect_list' | 'collect_set'): number {
  const raw = call.ctx.config?.(`ksql.functions.${fn}.limit`);
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : COLLECT_LIMIT;
}

const firstType = (call: CallInfo): SqlType => call.types[0] ?? { kind: 'STRING' };
const arrayOf = (t: SqlType): SqlType => ({ kind: 'ARRAY', element: t });

function listCodec(t: SqlType) {
  const at = arrayOf(t);
  return {
    toJSON: (s: unknown[]) => toJsonValue(s, at),
    fromJSON: (j: unknown) => fromJsonValue(j, at) as unknown[],
  };
}

function collectList(call: CallInfo): ResolvedAggregate<unknown[]> {
  const t = firstType(call);
  const COLLECT_LIMIT = collectLimit(call, 'collect_list');
  return makeAgg<unknown[]>(arrayOf(t), {
    init: () => [],
    add: (s, v) => (s.length >= COLLECT_LIMIT ? s : [...s, v]),
    undo: (s, v) => {
      const k = valueKey(v);
      for (let i = s.length - 1; i >= 0; i--) {
        if (valueKey(s[i]) === k) return [...s.slice(0, i), ...s.slice(i + 1)];
      }
      return s;
    },
    merge: (a, b) => [...a, ...b].slice(0, COLLECT_LIMIT),
    result: (s) => [...s],
    ...listCodec(t),
  });
}

function collectSet(call: CallInfo): ResolvedAggregate<unknown[]> {
  const t = firstType(call);
  const COLLECT_LIMIT = collectLimit(call, 'collect_set');
  const has = (s: unknown[], k: string): boolean => s.some((e) => valueKey(e) === k);
  return makeAgg<unknown[]>(arrayOf(t), {
    init: () => [],
    add: (s, v) => (s.length >= COLLECT_LIMIT || has(s, valueKey(v)) ? s : [...s, v]),
    undo: (s, v) => {
      const k = valueKey(v);
      return s.filter((e) => valueKey(e) !== k);
    },
    merge: (a, b) => {
      const out = [...a];
      for (const v of b) if (out.length < COLLECT_LIMIT && !has(out, valueKey(v))) out.push(v);
      return out;
    },
    result: (s) => [...s],
    ...listCodec(t),
  });
}

/** A constant argument: the literal when known, else the value passed at add time. */
function constant<T>(call: CallInfo, index: number, check: (v: unknown) => v is T, what: string): (args: unknown[]) => T {
  const lit = call.ctx.literalArg(index);
  if (lit !== undefined) {
    if (!check(lit)) throw new FunctionError(`${what} must be a constant`);
    return () => lit;
  }
  return (args) => {
    const v = args[index];
    if (!check(v)) throw new FunctionError(`${what} must be a non-null constant`);
    return v;
  };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

// ---------------------------------------------------------------------------------------------
// TOPK

/** Entries are sort values, or [sortValue, ...otherColumns] tuples when other columns are given. */
function topk(extra: number, distinct: boolean) {
  return (call: CallInfo): ResolvedAggregate<unknown[]> | string => {
    const t = firstType(call);
    const kOf = constant(call, extra + 1, isInt, 'TOPK k');
    const litK = call.ctx.literalArg(extra + 1);
    if (litK !== undefined && (!isInt(litK) || litK < 1)) return 'TOPK k must be a positive INT literal';
    const sortOf = extra === 0 ? (e: unknown) => e : (e: unknown) => (e as unknown[])[0];
    const cmp = (a: unknown, b: unknown): number => compareValues(sortOf(b), sortOf(a)); // descending
    const fields: StructField[] = [{ name: 'sort_col', type: t }];
    for (let i = 0; i < extra; i++) fields.push({ name: `col${i}`, type: call.types[i + 1] ?? { kind: 'STRING' } });
    const entryType: SqlType = extra === 0 ? t : { kind: 'STRUCT', fields };
    const encodeEntry = (e: unknown): unknown =>
      extra === 0 ? toJsonValue(e, t) : (e as unknown[]).map((v, i) => toJsonValue(v, fields[i].type));
    const decodeEntry = (j: unknown): unknown =>
      extra === 0 ? fromJsonValue(j, t) : (j as unknown[]).map((v, i) => fromJsonValue(v, fields[i].type));
    return makeAgg<unknown[]>(arrayOf(entryType), {
      init: () => [],
      add: (s, ...args) => {
        const v = args[0];
        if (v === null || v === undefined) return s;
        const k = kOf(args);
        const entry = extra === 0 ? v : args.slice(0, extra + 1);
        if (distinct) {
          const key = valueKey(v);
          if (s.some((e) => valueKey(sortOf(e)) === key)) return s;
          return [...s, entry].sort(cmp).slice(0, k);
        }
        if (s.length >= k && compareValues(v, sortOf(s[s.length - 1])) <= 0) return s;
        const out = s.length >= k ? [...s.slice(0, k - 1), entry] : [...s, entry];
        return out.sort(cmp); // stable: ties keep insertion order
      },
      merge: (a, b) => {
        const out: unknown[] = [];
        const seen = new Set<string>();
        const limit = Math.max(a.length, b.length);
        for (const e of [...a, ...b].sort(cmp)) {
          if (distinct) {
            const key = valueKey(sortOf(e));
            if (seen.has(key)) continue;
            seen.add(key);
          }
          if (out.length < limit) out.push(e);
        }
        return out;
      },
      result: (s) =>
        extra === 0
          ? [...s]
          : s.map((e) => Object.fromEntries(fields.map((f, i) => [f.name, (e as unknown[])[i] ?? null]))),
      toJSON: (s) => s.map(encodeEntry),
      fromJSON: (j) => (j as unknown[]).map(decodeEntry),
    });
  };
}

function structReturn(extra: number) {
  return (call: CallInfo): SqlType => {
    const fields: StructField[] = [{ name: 'sort_col', type: firstType(call) }];
    for (let i = 0; i < extra; i++) fields.push({ name: `col${i}`, type: call.types[i + 1] ?? { kind: 'STRING' } });
    return arrayOf({ kind: 'STRUCT', fields });
  };
}

const TOPK_EXTRA_COLUMNS = 8;

function topkOverloads() {
  const out = [overload('value T, k INT', 'ARRAY<T>', topk(0, false))];
  for (let n = 1; n <= TOPK_EXTRA_COLUMNS; n++) {
    const others = Array.from({ length: n }, (_, i) => `col${i} ANY`).join(', ');
    out.push(overload(`value T, ${others}, k INT`, structReturn(n), topk(n, false), { returnLabel: 'ARRAY<STRUCT>' }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// EARLIEST_BY_OFFSET / LATEST_BY_OFFSET

/**
 * Arrival order across all aggregates: a counter seeded by the clock so that it keeps growing
 * across restarts (states store it; session merges compare it).
 */
let lastSeq = 0;
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
}

interface Single {
  seq: number;
  v: unknown;
  set: boolean;
}

type Entry = [seq: number, v: unknown];

function byOffset(latest: boolean, withN: boolean, withIgnore: boolean) {
  return (call: CallInfo): ResolvedAggregate<any> | string => {
    const t = firstType(call);
    const ignoreIdx = withN ? 2 : 1;
    const nOf = withN ? constant(call, 1, isInt, 'N') : () => 1;
    const ignoreOf = withIgnore ? constant(call, ignoreIdx, isBool, 'ignoreNulls') : () => true;
    const litN = call.ctx.literalArg(1);
    if (withN && litN !== undefined && (!isInt(litN) || litN < 1)) return 'N must be a positive INT literal';
    if (!withN) {
      const pick = (a: Single, b: Single): Single => (!a.set ? b : !b.set ? a : latest === b.seq > a.seq ? b : a);
      return makeAgg<Single>(t, {
        init: () => ({ seq: 0, v: null, set: false }),
        add: (s, ...args) => {
          const v = args[0] ?? null;
          if (v === null && ignoreOf(args)) return s;
          if (!latest && s.set) return s;
          return { seq: nextSeq(), v, set: true };
        },
        merge: pick,
        result: (s) => (s.set ? s.v : null),
        toJSON: (s) => ({ seq: s.seq, v: toJsonValue(s.v, t), set: s.set }),
        fromJSON: (j) => {
          const o = j as Single;
          return { seq: o.seq, v: fromJsonValue(o.v, t), set: o.set };
        },
      });
    }
    return makeAgg<Entry[]>(arrayOf(t), {
      init: () => [],
      add: (s, ...args) => {
        const v = args[0] ?? null;
        if (v === null && ignoreOf(args)) return s;
        const n = nOf(args);
        if (!latest) return s.length >= n ? s : [...s, [nextSeq(), v]];
        const out: Entry[] = [...s, [nextSeq(), v]];
        return out.length > n ? out.slice(out.length - n) : out;
      },
      merge: (a, b) => {
        const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
        // ksqlDB merges (session windows) to the N of the call: both lists by offset, cut at N.
        const n = withN && isInt(litN) ? Number(litN) : Math.max(a.length, b.length, 1);
        return latest ? all.slice(Math.max(0, all.length - n)) : all.slice(0, n);
      },
      result: (s) => s.map((e) => e[1]),
      toJSON: (s) => s.map(([seq, v]) => [seq, toJsonValue(v, t)]),
      fromJSON: (j) => (j as Entry[]).map(([seq, v]) => [seq, fromJsonValue(v, t)] as Entry),
    });
  };
}

function offsetFunction(name: string, latest: boolean): AggregateFunction {
  const which = latest ? 'latest' : 'earliest';
  return aggregate(
    name,
    `The ${which} value of a column by offset, or an array of the ${which} N; NULLs are ignored unless ignoreNulls is false.`,
    [
      overload('value T', 'T', byOffset(latest, false, false)),
      overload('value T, ignoreNulls BOOLEAN', 'T', byOffset(latest, false, true)),
      overload('value T, n INT', 'ARRAY<T>', byOffset(latest, true, false)),
      overload('value T, n INT, ignoreNulls BOOLEAN', 'ARRAY<T>', byOffset(latest, true, true)),
    ],
  );
}

export const collectFunctions: AggregateFunction[] = [
  aggregate('COLLECT_LIST', 'An array of all the values (NULLs included), at most 1000.', [
    overload('value T', 'ARRAY<T>', collectList),
  ]),
  aggregate('COLLECT_SET', 'An array of the distinct values (NULL included), at most 1000.', [
    overload('value T', 'ARRAY<T>', collectSet),
  ]),
  aggregate('TOPK', 'The k largest values in descending order; with other columns, structs of sort_col and col0..', topkOverloads()),
  aggregate('TOPKDISTINCT', 'The k largest distinct values in descending order.', [
    overload('value T, k INT', 'ARRAY<T>', topk(0, true)),
  ]),
  offsetFunction('EARLIEST_BY_OFFSET', false),
  offsetFunction('LATEST_BY_OFFSET', true),
];
