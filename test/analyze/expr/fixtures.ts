/**
 * Shared fixtures for expression tests: a scope with columns of every type, a stub function
 * library (lambdas, errors, aggregates, table functions), and parse+analyze helpers.
 */
import { parseExpression } from '../../../src/sql/parser.ts';
import { analyzeExpr, columnsScope, type FunctionLookup } from '../../../src/analyze/expr/analyze-expr.ts';
import type { TypedExpr } from '../../../src/types/typed-expr.ts';
import type { ArgType, FunctionDef, LambdaArgType, ScalarFunction } from '../../../src/functions/types.ts';
import { FunctionError } from '../../../src/functions/types.ts';
import type { SqlType } from '../../../src/types/sql-type.ts';
import {
  BIGINT,
  BOOLEAN,
  BYTES,
  DATE,
  DOUBLE,
  INTEGER,
  STRING,
  TIME,
  TIMESTAMP,
  array,
  decimal,
  formatType,
  map,
  struct,
} from '../../../src/types/sql-type.ts';
import { Decimal } from '../../../src/types/decimal.ts';
import type { Row } from '../../../src/exec/expr/row.ts';

export const COLUMNS = [
  { name: 'I', type: INTEGER }, // 0
  { name: 'L', type: BIGINT }, // 1
  { name: 'D', type: DOUBLE }, // 2
  { name: 'DEC', type: decimal(4, 2) }, // 3
  { name: 'S', type: STRING }, // 4
  { name: 'B', type: BOOLEAN }, // 5
  { name: 'TS', type: TIMESTAMP }, // 6
  { name: 'DT', type: DATE }, // 7
  { name: 'TM', type: TIME }, // 8
  { name: 'BYT', type: BYTES }, // 9
  { name: 'ARR', type: array(INTEGER) }, // 10
  { name: 'M', type: map(STRING, INTEGER) }, // 11
  { name: 'ST', type: struct([{ name: 'X', type: INTEGER }, { name: 'Y', type: STRING }]) }, // 12
  { name: 'FOO_ID', type: INTEGER }, // 13
  { name: 'I2', type: INTEGER }, // 14
  { name: 'B2', type: BOOLEAN }, // 15
  { name: 'LARR', type: array(BIGINT) }, // 16
  { name: 'DEC2', type: decimal(3, 1) }, // 17
];

export const scope = columnsScope(COLUMNS, ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET', 'WINDOWSTART', 'WINDOWEND']);

/** A row with every column NULL except those given by name. */
export function row(values: Record<string, unknown> = {}, ctx: Partial<Row> = {}): Row {
  const cols = COLUMNS.map((c) => (c.name in values ? values[c.name] : null));
  return { cols, ts: 1000, partition: 2, offset: 42, windowStart: null, windowEnd: null, headers: null, ...ctx };
}

export const dec = (text: string): Decimal => Decimal.parse(text)!;

function scalar(name: string, resolve: (args: readonly ArgType[]) => { returnType: SqlType; impl: (...a: any[]) => unknown } | string): ScalarFunction {
  return { kind: 'scalar', name, description: '', signatures: [], resolve: (args) => resolve(args) };
}

const isLambda = (a: ArgType): a is LambdaArgType => a !== null && a.kind === 'LAMBDA';

/** Counts calls of COUNTED, to check laziness. */
export const calls = { counted: 0 };

const FUNCTIONS: Record<string, FunctionDef> = {
  TRANSFORM: scalar('TRANSFORM', ([arr, fn]) => {
    if (!arr || arr.kind !== 'ARRAY' || !fn || !isLambda(fn)) return 'TRANSFORM(ARRAY, x => ...) expected';
    const body = fn.bodyType([arr.element]);
    return { returnType: array(body), impl: (a: unknown[] | null, f: (x: unknown) => unknown) => (a === null ? null : a.map((x) => f(x))) };
  }),
  REDUCE: scalar('REDUCE', ([arr, init, fn]) => {
    if (!arr || arr.kind !== 'ARRAY' || !init || init.kind === 'LAMBDA' || init.kind === 'TIME_UNIT' || !fn || !isLambda(fn)) return 'bad REDUCE';
    const body = fn.bodyType([init as SqlType, arr.element]);
    if (formatType(body) !== formatType(init as SqlType)) return `REDUCE body type ${formatType(body)} must be ${formatType(init as SqlType)}`;
    return { returnType: body, impl: (a: unknown[] | null, s: unknown, f: (acc: unknown, x: unknown) => unknown) => (a === null ? null : a.reduce(f, s)) };
  }),
  FAIL: scalar('FAIL', () => ({
    returnType: INTEGER,
    impl: () => {
      throw new FunctionError('boom');
    },
  })),
  COUNTED: scalar('COUNTED', ([a]) => ({
    returnType: (a as SqlType) ?? INTEGER,
    impl: (v: unknown) => {
      calls.counted++;
      return v;
    },
  })),
  IFNULL: scalar('IFNULL', ([a, b]) => ({ returnType: (a as SqlType | null) ?? (b as SqlType), impl: (x: unknown, y: unknown) => (x === null ? y : x) })),
  UNIT: scalar('UNIT', ([u]) => (u && u.kind === 'TIME_UNIT' ? { returnType: STRING, impl: (x: string) => x } : 'UNIT(time unit) expected')),
  LITERAL_ONLY: {
    kind: 'scalar',
    name: 'LITERAL_ONLY',
    description: '',
    signatures: [],
    resolve: (args, ctx) => (typeof ctx.literalArg(0) === 'string' ? { returnType: STRING, impl: (x: string) => x } : 'LITERAL_ONLY needs a string literal'),
  },
  UNDEF: scalar('UNDEF', () => ({ returnType: INTEGER, impl: () => undefined })),
  SUM: { kind: 'aggregate', name: 'SUM', description: '', signatures: [], resolve: () => 'no' },
  EXPLODE: { kind: 'table', name: 'EXPLODE', description: '', signatures: [], resolve: () => 'no' },
};

export const functions: FunctionLookup = (name) => FUNCTIONS[name.toUpperCase()];

export const parse = parseExpression;

export function analyze(text: string): TypedExpr {
  return analyzeExpr(parseExpression(text), scope, functions);
}

/** The SqlError message of analyzing `text`, or null when it analyzes. */
export function analysisError(text: string): string | null {
  try {
    analyze(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, TIMESTAMP, array, decimal, map, struct };
