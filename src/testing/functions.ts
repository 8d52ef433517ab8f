/**
 * Test-only functions. They exist for the ksqlDB conformance suite (shared/conformance/ksql):
 * ksqlDB ships them in its test jars (TestUdf, TestUdtf, TestUdaf, BadUdf, ...) and some suite
 * cases call them. Their behaviour mirrors those classes as the suite's expected outputs show.
 * They are not part of the function library: only the conformance runner (./runner.ts) and
 * test harnesses add them, through registerTestingFunctions().
 */
import type { AggregateFunction, FunctionDef, ResolvedAggregate } from '../functions/types.ts';
import { FunctionError } from '../functions/types.ts';
import type { SqlType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import type { CallInfo } from '../functions/signature.ts';
import { fn, fnMake, overload } from '../functions/signature.ts';
import { aggregate, scalar, tableFunction } from '../functions/define.ts';
import { makeAgg } from '../functions/aggregate.ts';
import { fromJsonValue, intAdd, longAdd, longSub, toJsonValue } from '../functions/util.ts';
import { javaValueText } from '../types/java/value-text.ts';
import { getFunction, registerFunctions } from '../functions/registry.ts';

const STRUCT_A = 'STRUCT<A STRING>';

/** TEST_UDTF's String.valueOf of each argument (Java text; decimals at their declared scale). */
function valueText(v: unknown, t: SqlType | null): string {
  if (v instanceof Decimal && t && t.kind === 'DECIMAL') return v.setScale(t.scale).toString();
  return javaValueText(v, t);
}

const elementType = (t: SqlType | null): SqlType | null =>
  t && t.kind === 'ARRAY' ? t.element : t && t.kind === 'MAP' ? t.value : null;

function standardParams(call: CallInfo) {
  return (...args: unknown[]) => args.map((v, i) => valueText(v, call.types[i]));
}

function firstOfEach(call: CallInfo) {
  return (...args: unknown[]) =>
    args.map((c, i) => {
      const first = Array.isArray(c) ? c[0] : Object.values(c as object)[0];
      return valueText(first ?? null, elementType(call.types[i]));
    });
}

/** TestUdtf's ImmutableList.of(v): a NULL argument throws (NullPointerException), so the row gives no rows. */
const one = (v: unknown): unknown[] => {
  if (v === null) throw new FunctionError('ImmutableList.of(null): NullPointerException');
  return [v];
};

const testUdtf = tableFunction('TEST_UDTF', 'test', [
  fnMake('i INT, l BIGINT, d DOUBLE, b BOOLEAN, s STRING, bd DECIMAL, struct STRUCT<A STRING>', 'STRING', standardParams),
  fnMake(
    'i ARRAY<INT>, l ARRAY<BIGINT>, d ARRAY<DOUBLE>, b ARRAY<BOOLEAN>, s ARRAY<STRING>, bd ARRAY<DECIMAL>, struct ARRAY<STRUCT<A STRING>>',
    'STRING',
    firstOfEach,
  ),
  fnMake(
    'i MAP<STRING, INT>, l MAP<STRING, BIGINT>, d MAP<STRING, DOUBLE>, b MAP<STRING, BOOLEAN>, s MAP<STRING, STRING>, bd MAP<STRING, DECIMAL>, struct MAP<STRING, STRUCT<A STRING>>',
    'STRING',
    firstOfEach,
  ),
  fn('i INT', 'INT', one),
  fn('l BIGINT', 'BIGINT', one),
  fn('d DOUBLE', 'DOUBLE', one),
  fn('b BOOLEAN', 'BOOLEAN', one),
  fn('s STRING', 'STRING', one),
  fn('bd DECIMAL', 'DECIMAL(30, 10)', (d: Decimal | null) => [d === null ? null : d.setScale(10)]),
  fn('struct STRUCT<A STRING>', STRUCT_A, one),
]);

const scalars: FunctionDef[] = [
  scalar('TEST_UDF', 'test', [
    fn('arg1 INT, arg2 STRING', 'STRING', () => 'doStuffIntString'),
    fn('arg1 BIGINT, arg2 STRING', 'STRING', () => 'doStuffLongString'),
    fn('arg1 BIGINT, arg2 BIGINT, arg3 STRING', 'STRING', () => 'doStuffLongLongString'),
    fn('longs BIGINT...', 'STRING', () => 'doStuffLongVarargs'),
    fn('struct STRUCT<A STRING>', 'STRING', (s: { A?: string } | null) => (s === null ? null : (s.A ?? null))),
    fn('', STRUCT_A, () => ({ A: 'foo' })),
  ]),
  scalar('BAD_UDF', 'throws exceptions when called', [
    fn('arg1 INT', 'STRING', () => {
      throw new FunctionError('boom!');
    }),
    fn('arg BOOLEAN', 'INT', (b: boolean | null) => {
      if (b) throw new FunctionError('You asked me to throw...');
      return 0;
    }),
    // Like ksqlDB's instance per call site: each resolved call has its own invocation counter.
    fnMake(
      'arg STRING',
      'STRING',
      () => {
        let calls = 0;
        return (s: string | null) => (calls++ % 2 === 0 ? null : s);
      },
      { deterministic: false },
    ),
  ]),
  scalar('WHENCONDITION', 'Fails unless its second argument is true (checks CASE evaluates WHEN lazily).', [
    fn('condition BOOLEAN, shouldBeEvaluated BOOLEAN', 'BOOLEAN', (c: boolean | null, ok: boolean | null) => {
      if (!ok) throw new FunctionError('When condition in case is not running lazily!');
      return c;
    }),
  ]),
  scalar('WHENRESULT', 'Fails unless its second argument is true (checks CASE evaluates THEN lazily).', [
    fn('result INT, shouldBeEvaluated BOOLEAN', 'INT', (r: number | null, ok: boolean | null) => {
      if (!ok) throw new FunctionError('Then expression in case is not running lazily!');
      return r;
    }),
  ]),
  scalar('TOSTRUCT', 'Wraps a string into STRUCT<A STRING>.', [fn('value STRING', STRUCT_A, (v: string | null) => ({ A: v }))]),
  testUdtf,
  tableFunction('THROWING_UDTF', 'Emits its argument, or fails when it is true.', [
    fn('shouldThrow BOOLEAN', 'BOOLEAN', (b: boolean | null) => {
      if (b) throw new FunctionError('You asked me to throw...');
      return [b];
    }),
  ]),
];

// ---------------------------------------------------------------------------------------------
// Test UDAFs

const BIGINT: SqlType = { kind: 'BIGINT' };

function sumLong(): ResolvedAggregate<number | bigint> {
  return makeAgg<number | bigint>(BIGINT, {
    init: () => 0,
    add: (s, v) => (v === null ? s : longAdd(s, v)),
    undo: (s, v) => (v === null ? s : longSub(s, v)),
    merge: longAdd,
    result: (s) => s,
    toJSON: (s) => toJsonValue(s, BIGINT),
    fromJSON: (j) => fromJsonValue(j, BIGINT) as number | bigint,
  });
}

function sumDouble(): ResolvedAggregate<number> {
  return makeAgg<number>({ kind: 'DOUBLE' }, {
    init: () => 0,
    add: (s, v) => (v === null ? s : s + v),
    undo: (s, v) => (v === null ? s : s - v),
    merge: (a, b) => a + b,
    result: (s) => s,
  });
}

function sumLengths(call: CallInfo): ResolvedAggregate<number | null> {
  const initial = call.ctx.literalArg(1);
  return makeAgg<number | null>(BIGINT, {
    init: () => (typeof initial === 'string' ? initial.length : null),
    add: (s, v, init) => (s ?? String(init ?? '').length) + (v === null ? 0 : (v as string).length),
    merge: (a, b) => (a ?? 0) + (b ?? 0),
    result: (s) => s ?? 0,
  });
}

type AB = { A: number; B: number };

function sumStruct(): ResolvedAggregate<AB> {
  return makeAgg<AB>({ kind: 'STRUCT', fields: [{ name: 'A', type: { kind: 'INTEGER' } }, { name: 'B', type: { kind: 'INTEGER' } }] }, {
    init: () => ({ A: 0, B: 0 }),
    add: (s, v) => (v === null ? s : { A: intAdd(s.A, v.A ?? 0), B: intAdd(s.B, v.B ?? 0) }),
    merge: (a, b) => ({ A: intAdd(a.A, b.A), B: intAdd(a.B, b.B) }),
    result: (s) => ({ ...s }),
  });
}

/** Collects the first argument of rows whose arguments are all non-NULL (GENERIC_VAR_ARG, OBJ_COL_ARG). */
function collectWhenAllPresent(call: CallInfo): ResolvedAggregate<unknown[]> {
  const t = call.types[0] ?? { kind: 'STRING' };
  const at: SqlType = { kind: 'ARRAY', element: t };
  return makeAgg<unknown[]>(at, {
    init: () => [],
    add: (s, ...args) => {
      // Variadic arguments arrive packed into one array as the last argument.
      const rest = args[args.length - 1] as unknown[];
      const present = args.slice(0, -1).every((a) => a !== null) && rest.every((a) => a !== null);
      return present ? [...s, args[0]] : s;
    },
    merge: (a, b) => [...a, ...b],
    result: (s) => [...s],
    toJSON: (s) => toJsonValue(s, at),
    fromJSON: (j) => fromJsonValue(j, at) as unknown[],
  });
}

/** Sum of longs and string lengths with a constant initial value from trailing init arguments. */
function argSum(columns: number, call: CallInfo): ResolvedAggregate<number | null> {
  const initFrom = (vals: unknown[]): number => {
    const [n, strings] = vals as [number | null, (string | null)[] | undefined];
    return (n ?? 0) + (strings ?? []).reduce((acc: number, s) => acc + (s === null ? 0 : s.length), 0);
  };
  const lit: unknown[] = [];
  for (let i = columns; i < call.types.length; i++) lit.push(call.ctx.literalArg(i));
  const known = lit.length > 0 && lit.every((v) => v !== undefined);
  const litInit = known ? initFrom([lit[0], lit.slice(1)]) : null;
  const contribution = (v: unknown): number =>
    v === null || v === undefined ? 0 : typeof v === 'string' ? v.length : Number(v);
  return makeAgg<number | null>(BIGINT, {
    init: () => litInit,
    add: (s, ...args) => {
      let acc = s ?? initFrom([args[columns], args[columns + 1]]);
      for (let i = 0; i < columns; i++) acc += contribution(args[i]);
      return acc;
    },
    merge: (a, b) => (a ?? 0) + (b ?? 0),
    result: (s) => s ?? litInit ?? 0,
  });
}

const udafs: AggregateFunction[] = [
  aggregate('TEST_UDAF', 'test_udaf', [
    overload('value BIGINT', 'BIGINT', sumLong),
    overload('value INT', 'BIGINT', sumLong),
    overload('value DOUBLE', 'DOUBLE', sumDouble),
    overload('value STRING, initial STRING', 'BIGINT', sumLengths),
    overload('value STRUCT<A INT, B INT>', 'STRUCT<A INT, B INT>', sumStruct),
  ]),
  aggregate('GENERIC_VAR_ARG', 'Returns an array of rows where all the given columns are non-null.', [
    overload('first A, second B, rest C...', 'ARRAY<A>', collectWhenAllPresent),
  ]),
  aggregate('OBJ_COL_ARG', 'Returns an array of rows where all the given columns are non-null.', [
    overload('first INT, rest ANY...', 'ARRAY<INT>', collectWhenAllPresent),
  ]),
  aggregate('VAR_ARG', 'Returns the sum of the provided longs and lengths of strings.', [
    overload('first BIGINT, rest STRING...', 'BIGINT', () =>
      makeAgg<number>(BIGINT, {
        init: () => 0,
        add: (s, first, rest) =>
          s + Number(first ?? 0) + ((rest as (string | null)[] | undefined) ?? []).reduce((a: number, x) => a + (x === null ? 0 : x.length), 0),
        merge: (a, b) => a + b,
        result: (s) => s,
      }),
    ),
  ]),
  aggregate('MID_VAR_ARG', 'Sums longs and string lengths, plus the sum of its two trailing factory arguments.', [
    overload('first BIGINT, rest STRING..., initFirst INT, initSecond INT', 'BIGINT', (call) => {
      const n = call.types.length;
      const constant = Number(call.ctx.literalArg(n - 2) ?? 0) + Number(call.ctx.literalArg(n - 1) ?? 0);
      return makeAgg<number>(BIGINT, {
        init: () => 0,
        add: (s, first, rest) => s + Number(first ?? 0) + (rest as (string | null)[]).reduce((a: number, x) => a + (x === null ? 0 : x.length), 0),
        merge: (a, b) => a + b,
        result: (s) => s + constant,
      });
    }),
  ]),
  aggregate('MULTI_ARG', 'Returns the sum of the provided longs and lengths of strings.', [
    overload('first BIGINT, second STRING, initInt INT, initStrings STRING...', 'BIGINT', (c) => argSum(2, c)),
  ]),
  aggregate('FOUR_ARG', 'Returns the sum of the provided longs and lengths of strings.', [
    overload('a BIGINT, b STRING, c STRING, d STRING, initInt INT, initStrings STRING...', 'BIGINT', (c) => argSum(4, c)),
  ]),
  aggregate('FIVE_ARG', 'Returns the sum of the provided longs, ints and lengths of strings.', [
    overload('a BIGINT, b STRING, c STRING, d STRING, e INT, initInt INT, initStrings STRING...', 'BIGINT', (c) => argSum(5, c)),
  ]),
];

export const testingFunctions: FunctionDef[] = [...scalars, ...udafs];

/** Adds the test-only functions to this process's function registry (once; later calls do nothing). */
export function registerTestingFunctions(): void {
  if (getFunction(testingFunctions[0].name) === testingFunctions[0]) return;
  registerFunctions(testingFunctions);
}
