import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getFunction, listFunctions } from '../../src/functions/registry.ts';
import { formatType } from '../../src/types/sql-type.ts';
import { Decimal } from '../../src/types/decimal.ts';
import { call, resolve, scalarOf, T } from './helpers.ts';
import { registerTestingFunctions } from '../../src/testing/functions.ts';

test('registry lookup is case-insensitive and lists every function once, sorted', () => {
  assert.equal(getFunction('substring')?.name, 'SUBSTRING');
  assert.equal(getFunction('SuBsTrInG'), getFunction('SUBSTRING'));
  assert.equal(getFunction('no_such_function'), undefined);
  const names = listFunctions().map((f) => f.name);
  assert.deepEqual(names, [...names].sort());
  // ksqlDB's test-only functions are not built in: only the conformance runner registers them.
  for (const testOnly of ['TEST_UDF', 'BAD_UDF', 'TEST_UDAF', 'TEST_UDTF', 'WHENCONDITION', 'TOSTRUCT']) {
    assert.ok(!names.includes(testOnly), `${testOnly} is not in the production registry`);
    assert.equal(getFunction(testOnly), undefined);
  }
  assert.equal(new Set(names).size, names.length);
  for (const f of listFunctions()) {
    assert.ok(f.description.length > 0, `${f.name} has a description`);
    assert.ok(f.signatures.length > 0, `${f.name} has signatures`);
  }
});

test('signatures are readable', () => {
  assert.ok(getFunction('SUBSTRING')!.signatures.includes('SUBSTRING(str STRING, pos INTEGER, length INTEGER) -> STRING'));
  assert.ok(getFunction('CONCAT')!.signatures.includes('CONCAT(inputs STRING...) -> STRING'));
  assert.ok(getFunction('TRANSFORM')!.signatures[0].includes('LAMBDA (T) => U'));
});

test('no match gives ksqlDB-style message', () => {
  const r = resolve('ABS', ['STRING']);
  assert.equal(typeof r, 'string');
  assert.match(r as string, /^Function 'ABS' does not accept parameters \(STRING\)\./);
});

test('exact match preferred over implicit widening', () => {
  assert.equal(formatType(scalarOf('ABS', ['INT']).returnType), 'INTEGER');
  assert.equal(formatType(scalarOf('ABS', ['BIGINT']).returnType), 'BIGINT');
  assert.equal(formatType(scalarOf('ABS', ['DECIMAL(5, 2)']).returnType), 'DECIMAL(5, 2)');
});

test('implicit widening converts values: INT -> DOUBLE, BIGINT -> DOUBLE, DECIMAL -> DOUBLE', () => {
  assert.equal(call('SQRT', ['INT'], 4), 2);
  assert.equal(call('SQRT', ['BIGINT'], 16n), 4);
  assert.equal(call('SQRT', ['DECIMAL(3, 1)'], Decimal.parse('6.25')), 2.5);
  // GREATEST(INT, BIGINT, DECIMAL, DOUBLE) resolves to the DOUBLE overload.
  const g = scalarOf('GREATEST', ['INT', 'BIGINT', 'DECIMAL(30, 18)', 'DOUBLE', null]);
  assert.equal(formatType(g.returnType), 'DOUBLE');
  assert.equal(g.impl(-1, 1, Decimal.parse('55555.555555555555555555'), null, null), 55555.555555555555);
  assert.equal(g.impl(500000, 1, Decimal.parse('99999.99999'), null, null), 500000);
});

test('GREATEST of DECIMAL and INT is ambiguous, as in ksqlDB (INT widens to DECIMAL and to DOUBLE)', () => {
  const def = getFunction('GREATEST')!;
  const r = def.resolve([T('DECIMAL(4, 2)'), T('INT')], { literalArg: () => undefined });
  assert.equal(r, "Function 'greatest' cannot be resolved due to ambiguous method parameters (DECIMAL(4, 2), INTEGER).");
  const same = scalarOf('GREATEST', ['DECIMAL(4, 2)', 'DECIMAL(10, 0)']);
  assert.equal(formatType(same.returnType), 'DECIMAL(12, 2)');
  assert.equal(String(same.impl(Decimal.parse('1.50'), Decimal.parse('7'))), '7');
});

test('untyped NULL matches any parameter; non-variadic preferred over variadic', () => {
  registerTestingFunctions(); // TEST_UDF: ksqlDB's overloads to resolve against
  assert.equal(call('TEST_UDF', ['BIGINT', null], 0, null), 'doStuffLongString');
  assert.equal(call('TEST_UDF', ['BIGINT', 'BIGINT', null], 0, 0, null), 'doStuffLongLongString');
  assert.equal(call('TEST_UDF', ['BIGINT', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT'], 0, 0, 0, 0, 0), 'doStuffLongVarargs');
  assert.equal(call('TEST_UDF', ['INT', 'STRING'], 0, 'x'), 'doStuffIntString');
  assert.equal(call('SUBSTRING', ['BYTES', null], new Uint8Array([1]), null), null);
});

test('generics bind to the first argument and must agree', () => {
  assert.equal(formatType(scalarOf('ARRAY_MAX', ['ARRAY<STRING>']).returnType), 'STRING');
  assert.equal(typeof resolve('ARRAY_CONTAINS', ['ARRAY<STRING>', 'INT']), 'string');
  assert.equal(formatType(scalarOf('COALESCE', [null, 'BIGINT', 'BIGINT']).returnType), 'BIGINT');
  // DECIMALs of different precision unify to the wider one.
  assert.equal(formatType(scalarOf('IFNULL', ['DECIMAL(4, 2)', 'DECIMAL(10, 0)']).returnType), 'DECIMAL(12, 2)');
});

test('generics widen numerically in the cast pass', () => {
  const i = scalarOf('IFNULL', ['BIGINT', 'INT']);
  assert.equal(formatType(i.returnType), 'BIGINT');
  assert.equal(i.impl(null, 0), 0);
  const c = scalarOf('COALESCE', ['INT', 'DOUBLE', 'DECIMAL(4, 2)']);
  assert.equal(formatType(c.returnType), 'DOUBLE');
  assert.equal(c.impl(null, null, Decimal.parse('1.25')), 1.25);
  const d = scalarOf('COALESCE', ['INT', 'DECIMAL(4, 2)']);
  assert.equal(formatType(d.returnType), 'DECIMAL(12, 2)');
  assert.equal(String(d.impl(7, null)), '7');
  assert.equal(call('ARRAY_CONTAINS', ['ARRAY<BIGINT>', 'INT'], [1, 2], 2), true);
  assert.equal(typeof resolve('ARRAY_CONTAINS', ['ARRAY<INT>', 'BIGINT']), 'string');
  assert.equal(typeof resolve('IFNULL', ['STRING', 'INT']), 'string');
});

test('string literals cast to TIMESTAMP/DATE/TIME parameters', () => {
  const g = scalarOf('GREATEST', ['TIME', 'TIME', 'STRING'], [undefined, undefined, '09:16:00']);
  assert.equal(formatType(g.returnType), 'TIME');
  assert.equal(g.impl(10, null, 'ignored'), 33360000);
  const l = scalarOf('LEAST', ['DATE', 'STRING'], [undefined, '2022-06-14']);
  assert.equal(l.impl(null, 'x'), 19157);
  const ts = scalarOf('GREATEST', ['TIMESTAMP', 'STRING'], [undefined, '2022-06-14']);
  assert.equal(ts.impl(0, 'x'), 1655164800000);
  // Not a literal: no cast.
  assert.equal(typeof resolve('GREATEST', ['TIME', 'STRING']), 'string');
});

test('lambdas: parameter types come from earlier arguments, the body type binds the result', () => {
  const lambda = (arity: number, body: (p: readonly import('../../src/types/sql-type.ts').SqlType[]) => import('../../src/types/sql-type.ts').SqlType) => ({
    kind: 'LAMBDA' as const,
    arity,
    bodyType: body,
  });
  const seen: string[] = [];
  const r = scalarOf('TRANSFORM', [
    'ARRAY<INT>',
    lambda(1, (p) => {
      seen.push(formatType(p[0]));
      return T('STRING');
    }),
  ]);
  assert.deepEqual(seen, ['INTEGER']);
  assert.equal(formatType(r.returnType), 'ARRAY<STRING>');
  assert.deepEqual(r.impl([1, 2], (x: number) => `#${x}`), ['#1', '#2']);
  // Wrong arity does not match.
  assert.equal(typeof resolve('TRANSFORM', ['ARRAY<INT>', lambda(2, () => T('STRING'))]), 'string');
  // REDUCE: the state type must be the body type.
  const red = scalarOf('REDUCE', ['ARRAY<INT>', 'BIGINT', lambda(2, (p) => p[0])]);
  assert.equal(formatType(red.returnType), 'BIGINT');
  assert.equal(typeof resolve('REDUCE', ['ARRAY<INT>', 'INT', lambda(2, () => T('STRING'))]), 'string');
});

test('time unit arguments', () => {
  const r = scalarOf('TIMESTAMPADD', [{ kind: 'TIME_UNIT', unit: 'SECONDS' }, 'INT', 'TIMESTAMP']);
  assert.equal(r.impl('SECONDS', 2, 1000), 3000);
  assert.equal(typeof resolve('TIMESTAMPADD', ['STRING', 'INT', 'TIMESTAMP']), 'string');
});

test('non-deterministic functions say so', () => {
  assert.equal(scalarOf('RANDOM', []).deterministic, false);
  assert.equal(scalarOf('UUID', []).deterministic, false);
  assert.equal(scalarOf('ABS', ['INT']).deterministic, true);
});

test('a variadic parameter in the middle: the fixed parameters around it take the first and last arguments', async () => {
  const { fn } = await import('../../src/functions/signature.ts');
  const { resolveOverloads } = await import('../../src/functions/resolve.ts');
  const ov = fn('first BIGINT, rest STRING..., a INT, b INT', 'STRING', (first: unknown, rest: unknown, a: unknown, b: unknown) => JSON.stringify([first, rest, a, b]))('MID');
  assert.equal(ov.signature, 'MID(first BIGINT, rest STRING..., a INTEGER, b INTEGER) -> STRING');
  const ctx = { literalArg: () => undefined };
  const run = (types: string[], args: unknown[]) => {
    const r = resolveOverloads('MID', [ov], types.map(T), ctx);
    assert.ok(typeof r !== 'string', String(r));
    return r.impl(...(r.adapt ? r.adapt(args) : args));
  };
  assert.equal(run(['BIGINT', 'STRING', 'STRING', 'INT', 'INT'], [1, 'x', 'y', 2, 3]), '[1,["x","y"],2,3]');
  assert.equal(run(['BIGINT', 'INT', 'INT'], [1, 2, 3]), '[1,[],2,3]');
  // The variadic STRINGs cannot take the INT arguments that belong to a and b.
  assert.equal(typeof resolveOverloads('MID', [ov], ['BIGINT', 'STRING', 'INT'].map(T), ctx), 'string');
});
