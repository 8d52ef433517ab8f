/**
 * Window functions over `OVER (PARTITION BY ... ORDER BY ROWTIME)`: ROW_NUMBER, LAG, FIRST_VALUE,
 * LAST_VALUE. They run as running aggregates (the state of the rows so far, per partition, in
 * arrival order), so they are aggregates that only an OVER clause may call (the analyzer refuses
 * them elsewhere: WINDOW_ONLY). LEAD needs rows that have not arrived and is not offered.
 */
import type { AggregateFunction, ResolvedAggregate } from './types.ts';
import { FunctionError } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import type { CallInfo } from './signature.ts';
import { overload } from './signature.ts';
import { aggregate } from './define.ts';
import { makeAgg } from './aggregate.ts';
import { fromJsonValue, toJsonValue } from './util.ts';

/** Functions that exist only with OVER. */
export const WINDOW_ONLY: ReadonlySet<string> = new Set(['ROW_NUMBER', 'LAG', 'FIRST_VALUE', 'LAST_VALUE']);

const firstType = (call: CallInfo): SqlType => call.types[0] ?? { kind: 'STRING' };

function rowNumber(): ResolvedAggregate<number> {
  return makeAgg<number>({ kind: 'BIGINT' }, {
    init: () => 0,
    add: (s) => s + 1,
    undo: (s) => s - 1,
    merge: (a, b) => a + b,
    result: (s) => s,
  });
}

/** LAG(x [, n [, default]]): x of the row n rows before this one (n = 1), else default (NULL). */
function lag(call: CallInfo): ResolvedAggregate<unknown[]> {
  const t = firstType(call);
  const nArg = call.ctx.literalArg(1);
  const n = nArg === undefined ? 1 : Number(nArg);
  if (!Number.isInteger(n) || n < 0) throw new FunctionError(`LAG's offset must be a non-negative integer literal, got ${String(nArg)}`);
  const dflt = call.ctx.literalArg(2);
  const at = { kind: 'ARRAY', element: t } as SqlType;
  return makeAgg<unknown[]>(t, {
    init: () => [],
    // Keeps the last n + 1 values: this row's and the n before it.
    add: (s, v) => [...s, v].slice(-(n + 1)),
    merge: (a, b) => [...a, ...b].slice(-(n + 1)),
    result: (s) => (s.length > n ? s[s.length - 1 - n] : (dflt ?? null)),
    toJSON: (s) => toJsonValue(s, at),
    fromJSON: (j) => fromJsonValue(j, at) as unknown[],
  });
}

function firstValue(call: CallInfo): ResolvedAggregate<{ v: unknown } | null> {
  const t = firstType(call);
  return makeAgg<{ v: unknown } | null>(t, {
    init: () => null,
    add: (s, v) => s ?? { v },
    merge: (a, b) => a ?? b,
    result: (s) => (s ? s.v : null),
    toJSON: (s) => (s ? { v: toJsonValue(s.v, t) } : null),
    fromJSON: (j) => (j ? { v: fromJsonValue((j as { v: unknown }).v, t) } : null),
  });
}

function lastValue(call: CallInfo): ResolvedAggregate<{ v: unknown } | null> {
  const t = firstType(call);
  return makeAgg<{ v: unknown } | null>(t, {
    init: () => null,
    add: (_s, v) => ({ v }),
    merge: (a, b) => b ?? a,
    result: (s) => (s ? s.v : null),
    toJSON: (s) => (s ? { v: toJsonValue(s.v, t) } : null),
    fromJSON: (j) => (j ? { v: fromJsonValue((j as { v: unknown }).v, t) } : null),
  });
}

export const windowFunctions: AggregateFunction[] = [
  aggregate('ROW_NUMBER', 'The number of this row in its OVER partition, from 1, in arrival (ROWTIME) order.', [overload('', 'BIGINT', rowNumber)]),
  aggregate('LAG', 'The value of the row n rows before this one in its OVER partition (n = 1), else the default (NULL).', [
    overload('value ANY', (c) => firstType(c), lag, { returnLabel: 'ANY' }),
    overload('value ANY, n INT', (c) => firstType(c), lag, { returnLabel: 'ANY' }),
    overload('value ANY, n INT, dflt ANY', (c) => firstType(c), lag, { returnLabel: 'ANY' }),
  ]),
  aggregate('FIRST_VALUE', 'The value of the first row of the OVER partition (or frame).', [overload('value ANY', (c) => firstType(c), firstValue, { returnLabel: 'ANY' })]),
  aggregate('LAST_VALUE', 'The value of the last row of the OVER partition (or frame): this row.', [overload('value ANY', (c) => firstType(c), lastValue, { returnLabel: 'ANY' })]),
];
