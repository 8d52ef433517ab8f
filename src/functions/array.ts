/**
 * Array functions. One generic declaration (`ARRAY<T>`) covers every element type. Set-like
 * functions keep the order of first appearance and compare with Java `equals` semantics
 * (see util.valueKey); NULL elements are values like any other.
 */
import type { FunctionDef } from './types.ts';
import { FunctionError } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import type { CallInfo } from './signature.ts';
import { fn, fnMake, strict } from './signature.ts';
import { scalar } from './define.ts';
import { compareValues, normBig, valueKey } from './util.ts';
import { javaValueText } from '../types/java/value-text.ts';

function distinct(arr: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of arr) {
    const k = valueKey(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

function keys(arr: unknown[]): Set<string> {
  const s = new Set<string>();
  for (const v of arr) s.add(valueKey(v));
  return s;
}

/** Ascending order with NULLs last (ksqlDB's ARRAY_SORT puts NULLs last in both directions). */
function sortArray(arr: unknown[], direction: string): unknown[] | null {
  const dir = direction.toUpperCase();
  if (dir !== 'ASC' && dir !== 'DESC') return null;
  const sign = dir === 'ASC' ? 1 : -1;
  const values: unknown[] = arr.filter((v) => v !== null);
  const nulls = arr.length - values.length;
  values.sort((a, b) => sign * compareValues(a, b));
  for (let i = 0; i < nulls; i++) values.push(null);
  return values;
}

function extreme(arr: unknown[], sign: 1 | -1): unknown {
  let best: unknown = null;
  for (const v of arr) {
    if (v === null) continue;
    if (best === null || sign * compareValues(v, best) > 0) best = v;
  }
  return best;
}

const JOINABLE = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING']);

function makeJoin(call: CallInfo): ((arr: unknown[] | null, delim?: string | null) => string | null) | string {
  const t = call.types[0];
  const element: SqlType | null = t && t.kind === 'ARRAY' ? t.element : null;
  const primitive = element === null || JOINABLE.has(element.kind);
  return (arr, delim = ',') => {
    if (arr === null) return null;
    if (!primitive && arr.some((e) => e !== null)) {
      throw new FunctionError(`error: hit element of type ${element!.kind} which is currently not supported`);
    }
    const sep = delim ?? '';
    let out = '';
    for (let i = 0; i < arr.length; i++) {
      if (i > 0) out += sep;
      out += javaValueText(arr[i], element);
    }
    return out;
  };
}

function slice(arr: unknown[] | null, from: number | null, to: number | null): unknown[] | null {
  if (arr === null) return null;
  const start = from === null ? 0 : from - 1;
  const end = to === null ? arr.length : to;
  if (start < 0 || end > arr.length || start > end) return null;
  return arr.slice(start, end);
}

function series(start: number | bigint, end: number | bigint, step: number | bigint): unknown[] {
  const s = BigInt(step);
  if (s === 0n) throw new FunctionError('GENERATE_SERIES step cannot be zero');
  const a = BigInt(start);
  const b = BigInt(end);
  if ((b > a && s < 0n) || (b < a && s > 0n)) {
    throw new FunctionError('GENERATE_SERIES step has wrong sign');
  }
  const out: unknown[] = [];
  for (let v = a; s > 0n ? v <= b : v >= b; v += s) out.push(normBig(v));
  return out;
}

export const arrayFunctions: FunctionDef[] = [
  scalar('ARRAY_LENGTH', 'The number of elements of an array; NULL for NULL.', [
    fn('array ARRAY<T>', 'INT', (a: unknown[] | null) => (a === null ? null : a.length)),
  ]),
  scalar('ARRAY_CONTAINS', 'True when the array contains the value; false for a NULL array.', [
    fn('array ARRAY<T>, value T', 'BOOLEAN', (a: unknown[] | null, v: unknown) => {
      if (a === null) return false;
      const k = valueKey(v);
      return a.some((e) => e === v || valueKey(e) === k);
    }),
  ]),
  scalar('ARRAY_DISTINCT', 'The distinct elements of an array in order of first appearance.', [
    fn('array ARRAY<T>', 'ARRAY<T>', strict((a: unknown[]) => distinct(a))),
  ]),
  scalar('ARRAY_EXCEPT', 'The distinct elements of the first array that are not in the second.', [
    fn('left ARRAY<T>, right ARRAY<T>', 'ARRAY<T>', strict((a: unknown[], b: unknown[]) => {
      const exclude = keys(b);
      return distinct(a).filter((v) => !exclude.has(valueKey(v)));
    })),
  ]),
  scalar('ARRAY_INTERSECT', 'The distinct elements found in both arrays.', [
    fn('left ARRAY<T>, right ARRAY<T>', 'ARRAY<T>', strict((a: unknown[], b: unknown[]) => {
      const include = keys(b);
      return distinct(a).filter((v) => include.has(valueKey(v)));
    })),
  ]),
  scalar('ARRAY_UNION', 'The distinct elements of both arrays.', [
    fn('left ARRAY<T>, right ARRAY<T>', 'ARRAY<T>', strict((a: unknown[], b: unknown[]) => distinct([...a, ...b]))),
  ]),
  scalar('ARRAY_CONCAT', 'Concatenates two arrays (a NULL array counts as empty; NULL when both are NULL).', [
    fn('left ARRAY<T>, right ARRAY<T>', 'ARRAY<T>', (a: unknown[] | null, b: unknown[] | null) =>
      a === null ? b : b === null ? a : [...a, ...b],
    ),
  ]),
  scalar('ARRAY_JOIN', "Joins the elements' text with a delimiter (default ','); NULL elements become 'null'.", [
    fnMake('array ARRAY<T>', 'STRING', makeJoin),
    fnMake('array ARRAY<T>, delimiter STRING', 'STRING', makeJoin),
  ]),
  scalar('ARRAY_MAX', 'The largest non-NULL element, or NULL.', [
    fn('array ARRAY<T>', 'T', (a: unknown[] | null) => (a === null ? null : extreme(a, 1))),
  ]),
  scalar('ARRAY_MIN', 'The smallest non-NULL element, or NULL.', [
    fn('array ARRAY<T>', 'T', (a: unknown[] | null) => (a === null ? null : extreme(a, -1))),
  ]),
  scalar("ARRAY_SORT", "Sorts an array 'ASC' (default) or 'DESC'; NULLs go last.", [
    fn('array ARRAY<T>', 'ARRAY<T>', (a: unknown[] | null) => (a === null ? null : sortArray(a, 'ASC'))),
    fn('array ARRAY<T>, direction STRING', 'ARRAY<T>', strict((a: unknown[], d: string) => sortArray(a, d))),
  ]),
  scalar('ARRAY_REMOVE', 'The array without any element equal to the value (NULL removes NULLs).', [
    fn('array ARRAY<T>, value T', 'ARRAY<T>', (a: unknown[] | null, v: unknown) => {
      if (a === null) return null;
      const k = valueKey(v);
      return a.filter((e) => valueKey(e) !== k);
    }),
  ]),
  scalar('SLICE', 'The elements from position `from` to `to` inclusive (1-based); NULL when out of range.', [
    fn('array ARRAY<T>, from INT, to INT', 'ARRAY<T>', slice),
  ]),
  scalar('GENERATE_SERIES', 'An array of values from start to end inclusive, by step (default 1 or -1).', [
    fn('start INT, end INT', 'ARRAY<INT>', strict((a: number, b: number) => series(a, b, b >= a ? 1 : -1))),
    fn('start INT, end INT, step INT', 'ARRAY<INT>', strict(series)),
    fn('start BIGINT, end BIGINT', 'ARRAY<BIGINT>', strict((a: number | bigint, b: number | bigint) =>
      series(a, b, BigInt(b) >= BigInt(a) ? 1 : -1),
    )),
    fn('start BIGINT, end BIGINT, step BIGINT', 'ARRAY<BIGINT>', strict(series)),
  ]),
];
