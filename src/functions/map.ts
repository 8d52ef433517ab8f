/**
 * Map functions and the NULL-handling functions (COALESCE, IFNULL, NULLIF, AS_VALUE).
 * Runtime maps are plain objects with string keys; MAP_KEYS converts keys back to the key type.
 */
import type { FunctionDef } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import type { CallInfo } from './signature.ts';
import { fn, fnMake, strict } from './signature.ts';
import { scalar } from './define.ts';
import { normBig, valuesEqual } from './util.ts';

type Obj = Record<string, unknown>;

/** The typed value of a map key stored as text. */
export function keyValue(k: string, t: SqlType): unknown {
  switch (t.kind) {
    case 'INTEGER':
    case 'DOUBLE':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return Number(k);
    case 'BIGINT':
      return /^-?\d+$/.test(k) ? normBig(BigInt(k)) : Number(k);
    case 'BOOLEAN':
      return k === 'true';
    default:
      return k;
  }
}

function makeKeys(call: CallInfo): ((m: Obj | null) => unknown[] | null) | string {
  const t = call.types[0];
  const keyType = t && t.kind === 'MAP' ? t.key : null;
  if (!keyType || keyType.kind === 'STRING') return (m) => (m === null ? null : Object.keys(m));
  return (m) => (m === null ? null : Object.keys(m).map((k) => keyValue(k, keyType)));
}

function splitToMap(input: string, entryDelim: string, kvDelim: string): Obj | null {
  if (entryDelim === '' || kvDelim === '') return null;
  const out: Obj = {};
  for (const entry of input.split(entryDelim)) {
    if (entry === '' || !entry.includes(kvDelim)) continue;
    const parts = entry.split(kvDelim);
    out[parts[0]] = parts[1];
  }
  return out;
}

function entriesType(call: CallInfo): SqlType {
  const t = call.types[0];
  const value = t && t.kind === 'MAP' ? t.value : { kind: 'STRING' as const };
  return {
    kind: 'ARRAY',
    element: {
      kind: 'STRUCT',
      fields: [
        { name: 'K', type: { kind: 'STRING' } },
        { name: 'V', type: value },
      ],
    },
  };
}

export const mapFunctions: FunctionDef[] = [
  scalar('MAP_KEYS', 'The keys of a map as an array.', [fnMake('map MAP<K, V>', 'ARRAY<K>', makeKeys)]),
  scalar('MAP_VALUES', 'The values of a map as an array.', [
    fn('map MAP<K, V>', 'ARRAY<V>', (m: Obj | null) => (m === null ? null : Object.values(m))),
  ]),
  scalar('MAP_UNION', 'Merges two maps; entries of the second win. NULL maps count as empty (NULL when both are).', [
    fn('map1 MAP<K, V>, map2 MAP<K, V>', 'MAP<K, V>', (a: Obj | null, b: Obj | null) =>
      a === null && b === null ? null : { ...(a ?? {}), ...(b ?? {}) },
    ),
  ]),
  scalar('AS_MAP', 'Builds a map from an array of keys and an array of values (missing values are NULL).', [
    fn('keys ARRAY<STRING>, values ARRAY<V>', 'MAP<STRING, V>', strict((ks: (string | null)[], vs: unknown[]) => {
      const out: Obj = {};
      ks.forEach((k, i) => {
        if (k !== null) out[k] = i < vs.length ? vs[i] : null;
      });
      return out;
    })),
  ]),
  scalar(
    'SPLIT_TO_MAP',
    'Splits a string into map entries on entryDelimiter and each entry into key and value on kvDelimiter; entries without kvDelimiter are dropped.',
    [fn('input STRING, entryDelimiter STRING, kvDelimiter STRING', 'MAP<STRING, STRING>', strict(splitToMap))],
  ),
  scalar('ENTRIES', 'The entries of a map as an array of STRUCT<K, V>, optionally sorted by key.', [
    fn(
      'map MAP<STRING, V>, sorted BOOLEAN',
      entriesType,
      (m: Obj | null, sorted: boolean | null) => {
        if (m === null) return null;
        const keys = Object.keys(m);
        if (sorted) keys.sort();
        return keys.map((k) => ({ K: k, V: m[k] }));
      },
      { returnLabel: 'ARRAY<STRUCT<K STRING, V V>>' },
    ),
  ]),
  scalar('COALESCE', 'The first non-NULL argument, or NULL.', [
    fn('first T, others T...', 'T', (first: unknown, others: unknown[]) => {
      if (first !== null) return first;
      for (const v of others) if (v !== null) return v;
      return null;
    }),
  ]),
  scalar('IFNULL', 'The first argument unless it is NULL, else the second.', [
    fn('expression T, altValue T', 'T', (v: unknown, alt: unknown) => (v === null ? alt : v)),
  ]),
  scalar('NULLIF', 'NULL when both arguments are equal, else the first.', [
    fn('expression1 T, expression2 T', 'T', (a: unknown, b: unknown) => (a !== null && valuesEqual(a, b) ? null : a)),
  ]),
  scalar('AS_VALUE', 'Copies a key column into the value (returns its argument).', [fn('value T', 'T', (v: unknown) => v)]),
];
