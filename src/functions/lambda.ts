/**
 * Higher-order functions taking lambdas: TRANSFORM, FILTER, REDUCE over arrays and maps.
 * Lambdas arrive as JS functions; an error thrown by a lambda propagates (ksqlDB fails the
 * whole expression, which the caller turns into NULL / the processing log).
 */
import type { FunctionDef } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import type { CallInfo } from './signature.ts';
import { fn, fnMake } from './signature.ts';
import { scalar } from './define.ts';
import { keyValue } from './map.ts';
import { javaValueText } from '../types/java/value-text.ts';

type Obj = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;

function mapKeyType(call: CallInfo): SqlType | null {
  const t = call.types[0];
  return t && t.kind === 'MAP' && t.key.kind !== 'STRING' ? t.key : null;
}

/** Map keys are stored as text: gives the lambda the typed key. */
function keyReader(call: CallInfo): (k: string) => unknown {
  const kt = mapKeyType(call);
  return kt ? (k) => keyValue(k, kt) : (k) => k;
}

const keyText = (k: unknown): string => (typeof k === 'string' ? k : javaValueText(k, null));

function transformMap(call: CallInfo) {
  const readKey = keyReader(call);
  return (m: Obj | null, kf: Fn, vf: Fn): Obj | null => {
    if (m === null) return null;
    const out: Obj = {};
    for (const k of Object.keys(m)) {
      const key = readKey(k);
      out[keyText(kf(key, m[k]))] = vf(key, m[k]);
    }
    return out;
  };
}

function filterMap(call: CallInfo) {
  const readKey = keyReader(call);
  return (m: Obj | null, pred: Fn): Obj | null => {
    if (m === null) return null;
    const out: Obj = {};
    for (const k of Object.keys(m)) if (pred(readKey(k), m[k]) === true) out[k] = m[k];
    return out;
  };
}

function reduceMap(call: CallInfo) {
  const readKey = keyReader(call);
  return (m: Obj | null, initial: unknown, f: Fn): unknown => {
    if (initial === null) return null;
    if (m === null) return initial;
    let state: unknown = initial;
    for (const k of Object.keys(m)) state = f(state, readKey(k), m[k]);
    return state;
  };
}

export const lambdaFunctions: FunctionDef[] = [
  scalar('TRANSFORM', 'Applies a lambda to each array element, or to each map key and value.', [
    fn('array ARRAY<T>, function (T) => U', 'ARRAY<U>', (a: unknown[] | null, f: Fn) => (a === null ? null : a.map((v) => f(v)))),
    fnMake('map MAP<K, V>, keyFunction (K, V) => K2, valueFunction (K, V) => V2', 'MAP<K2, V2>', transformMap),
  ]),
  scalar('FILTER', 'Keeps the array elements, or map entries, for which the lambda is true.', [
    fn('array ARRAY<T>, function (T) => BOOLEAN', 'ARRAY<T>', (a: unknown[] | null, f: Fn) =>
      a === null ? null : a.filter((v) => f(v) === true),
    ),
    fnMake('map MAP<K, V>, function (K, V) => BOOLEAN', 'MAP<K, V>', filterMap),
  ]),
  scalar(
    'REDUCE',
    'Folds an array (or map) into a state with a lambda; a NULL collection gives the initial state, a NULL initial state gives NULL.',
    [
      fn('array ARRAY<T>, initialState S, function (S, T) => S', 'S', (a: unknown[] | null, initial: unknown, f: Fn) => {
        if (initial === null) return null;
        if (a === null) return initial;
        let state: unknown = initial;
        for (const v of a) state = f(state, v);
        return state;
      }),
      fnMake('map MAP<K, V>, initialState S, function (S, K, V) => S', 'S', reduceMap),
    ],
  ),
];
