import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatType } from '../../src/types/sql-type.ts';
import { call, dec, decText, scalarOf, T } from './helpers.ts';

test('ARRAY_LENGTH, ARRAY_CONTAINS', () => {
  assert.equal(call('ARRAY_LENGTH', ['ARRAY<INT>'], [1, 2]), 2);
  assert.equal(call('ARRAY_LENGTH', ['ARRAY<STRUCT<V BIGINT>>'], [{}, {}, {}]), 3);
  assert.equal(call('ARRAY_LENGTH', ['ARRAY<INT>'], null), null);
  const c = scalarOf('ARRAY_CONTAINS', ['ARRAY<STRING>', 'STRING']);
  assert.equal(c.impl(['Pink', null], 'Pink'), true);
  assert.equal(c.impl(['Black'], 'Pink'), false);
  assert.equal(c.impl(null, 'Pink'), false);
  assert.equal(c.impl(['a', null], null), true);
  assert.equal(call('ARRAY_CONTAINS', ['ARRAY<BIGINT>', 'BIGINT'], [1, 2n ** 60n], 2n ** 60n), true);
});

test('set functions keep first-appearance order', () => {
  assert.deepEqual(call('ARRAY_DISTINCT', ['ARRAY<INT>'], [0, null, 1, 0, -1, null]), [0, null, 1, -1]);
  assert.deepEqual(
    call('ARRAY_DISTINCT', ['ARRAY<MAP<STRING, INT>>'], [{ apple: 1, banana: 2 }, { apple: 3 }, { banana: 2, apple: 1 }, null]),
    [{ apple: 1, banana: 2 }, { apple: 3 }, null],
  );
  assert.deepEqual(decText(call('ARRAY_DISTINCT', ['ARRAY<DECIMAL(2, 1)>'], [dec('1.0'), dec('1.1'), dec('1.1'), null])), ['1.0', '1.1', null]);
  assert.equal(call('ARRAY_DISTINCT', ['ARRAY<INT>'], null), null);
  assert.deepEqual(call('ARRAY_EXCEPT', ['ARRAY<INT>', 'ARRAY<INT>'], [0, 0, 1, 0, -1], [1, -2]), [0, -1]);
  assert.equal(call('ARRAY_EXCEPT', ['ARRAY<INT>', 'ARRAY<INT>'], [0], null), null);
  assert.deepEqual(call('ARRAY_INTERSECT', ['ARRAY<INT>', 'ARRAY<INT>'], [0, 0, 1, 0, -1], [1, -2, 0]), [0, 1]);
  assert.deepEqual(call('ARRAY_UNION', ['ARRAY<INT>', 'ARRAY<INT>'], [0, 0, 1, 0, -1], [1, -2, 0]), [0, 1, -1, -2]);
  assert.equal(call('ARRAY_UNION', ['ARRAY<INT>', 'ARRAY<INT>'], null, [1]), null);
  const cat = scalarOf('ARRAY_CONCAT', ['ARRAY<INT>', 'ARRAY<INT>']);
  assert.deepEqual(cat.impl([0, 1], [1, -2]), [0, 1, 1, -2]);
  assert.deepEqual(cat.impl(null, [1, -2]), [1, -2]);
  assert.deepEqual(cat.impl([1], null), [1]);
  assert.equal(cat.impl(null, null), null);
  assert.deepEqual(call('ARRAY_REMOVE', ['ARRAY<INT>', 'INT'], [1, 2, null, 1], 1), [2, null]);
  assert.deepEqual(call('ARRAY_REMOVE', ['ARRAY<INT>', 'INT'], [1, null], null), [1]);
});

test('ARRAY_SORT: NULLs last both ways; ARRAY_MAX/MIN ignore NULLs', () => {
  const asc = scalarOf('ARRAY_SORT', ['ARRAY<STRING>']);
  assert.deepEqual(asc.impl(['foo', 'fo', 'Food', null, 'F', 'food']), ['F', 'Food', 'fo', 'foo', 'food', null]);
  const desc = scalarOf('ARRAY_SORT', ['ARRAY<INT>', 'STRING']);
  assert.deepEqual(desc.impl([0, null, 1, 0, -1], 'desc'), [1, 0, 0, -1, null]);
  assert.equal(desc.impl([1], 'sideways'), null);
  assert.deepEqual(call('ARRAY_SORT', ['ARRAY<BOOLEAN>'], [null, false, true]), [false, true, null]);
  assert.deepEqual(decText(call('ARRAY_SORT', ['ARRAY<DECIMAL(2, 1)>'], [dec('1.0'), dec('-9.9'), dec('9.0')])), ['-9.9', '1.0', '9.0']);
  assert.deepEqual(call('ARRAY_SORT', ['ARRAY<BIGINT>'], [3, 2n ** 60n, -(2n ** 60n)]), [-(2n ** 60n), 3, 2n ** 60n]);
  assert.equal(call('ARRAY_MAX', ['ARRAY<STRING>'], ['foo', 'fo', 'Food', null, 'F', 'food']), 'food');
  assert.equal(call('ARRAY_MAX', ['ARRAY<BOOLEAN>'], [null, false, true]), true);
  assert.equal(call('ARRAY_MIN', ['ARRAY<DOUBLE>'], [0.0, 0.1, -12345.678, null]), -12345.678);
  assert.equal(call('ARRAY_MAX', ['ARRAY<INT>'], []), null);
  assert.equal(call('ARRAY_MAX', ['ARRAY<INT>'], null), null);
});

test('ARRAY_JOIN uses Java text of elements', () => {
  assert.equal(call('ARRAY_JOIN', ['ARRAY<BOOLEAN>', 'STRING'], [true, null, false], '|'), 'true|null|false');
  assert.equal(call('ARRAY_JOIN', ['ARRAY<BIGINT>'], [-4294967297, 8589934592]), '-4294967297,8589934592');
  assert.equal(call('ARRAY_JOIN', ['ARRAY<DOUBLE>', 'STRING'], [1.23, -23.42, 0.0], ' '), '1.23 -23.42 0.0');
  assert.equal(call('ARRAY_JOIN', ['ARRAY<DECIMAL(5, 2)>', 'STRING'], [dec('123.45'), dec('987.65')], ''), '123.45987.65');
  assert.equal(call('ARRAY_JOIN', ['ARRAY<STRING>', 'STRING'], ['Hello', 'From', '', 'Ksqldb'], null), 'HelloFromKsqldb');
  assert.equal(call('ARRAY_JOIN', ['ARRAY<STRING>'], null), null);
  assert.throws(() => call('ARRAY_JOIN', ['ARRAY<ARRAY<INT>>'], [[1]]));
});

test('SLICE and GENERATE_SERIES', () => {
  const s = scalarOf('SLICE', ['ARRAY<ARRAY<STRING>>', 'INT', 'INT']);
  assert.deepEqual(s.impl([['a'], ['b'], ['c'], ['d']], 2, 3), [['b'], ['c']]);
  assert.deepEqual(s.impl([1, 2, 3], null, 2), [1, 2]);
  assert.equal(s.impl([1, 2, 3], 2, 5), null);
  assert.equal(s.impl(null, 1, 1), null);
  assert.deepEqual(call('GENERATE_SERIES', ['INT', 'INT'], 1, 3), [1, 2, 3]);
  assert.deepEqual(call('GENERATE_SERIES', ['INT', 'INT'], 3, 1), [3, 2, 1]);
  assert.deepEqual(call('GENERATE_SERIES', ['INT', 'INT', 'INT'], 0, 10, 5), [0, 5, 10]);
  assert.throws(() => call('GENERATE_SERIES', ['INT', 'INT', 'INT'], 0, 10, -1));
});

test('maps', () => {
  assert.deepEqual(call('MAP_KEYS', ['MAP<STRING, ARRAY<INT>>'], { foo: [1], bar: null }), ['foo', 'bar']);
  assert.deepEqual(call('MAP_KEYS', ['MAP<INT, STRING>'], { 1: 'a', 20: 'b' }), [1, 20]);
  assert.equal(call('MAP_KEYS', ['MAP<STRING, INT>'], null), null);
  assert.deepEqual(call('MAP_VALUES', ['MAP<STRING, INT>'], { foo: 10, bar: null }), [10, null]);
  assert.equal(formatType(scalarOf('MAP_VALUES', ['MAP<STRING, ARRAY<INT>>']).returnType), 'ARRAY<ARRAY<INTEGER>>');
  const u = scalarOf('MAP_UNION', ['MAP<STRING, INT>', 'MAP<STRING, INT>']);
  assert.deepEqual(u.impl({ foo: 10, bar: 20, baz: 30 }, { foo: 99, apple: -1 }), { foo: 99, bar: 20, baz: 30, apple: -1 });
  assert.deepEqual(u.impl({ foo: 10, bar: 20 }, { foo: null }), { foo: null, bar: 20 });
  assert.deepEqual(u.impl(null, { foo: null }), { foo: null });
  assert.equal(u.impl(null, null), null);
  assert.deepEqual(call('AS_MAP', ['ARRAY<STRING>', 'ARRAY<INT>'], ['a', 'b', 'c'], [1, 2]), { a: 1, b: 2, c: null });
  const stm = scalarOf('SPLIT_TO_MAP', ['STRING', 'STRING', 'STRING']);
  assert.deepEqual(stm.impl('apple:green/banana:yellow/cherry:red', '/', ':'), { apple: 'green', banana: 'yellow', cherry: 'red' });
  assert.deepEqual(stm.impl('apple:green/banana:yellow/cherry:red', '&&', ':'), { apple: 'green/banana' });
  assert.deepEqual(stm.impl('apple:green//banana:yellow//cherry:red/', '/', ':'), { apple: 'green', banana: 'yellow', cherry: 'red' });
  assert.deepEqual(stm.impl('apple:green/banana:yellow', '/', '='), {});
  assert.equal(stm.impl('a:b', '', ':'), null);
  assert.equal(stm.impl('a:b', '/', ''), null);
  assert.equal(stm.impl('a:b', null, ':'), null);
  assert.deepEqual(stm.impl('', '/', ':'), {});
  const entries = scalarOf('ENTRIES', ['MAP<STRING, INT>', 'BOOLEAN']);
  assert.equal(formatType(entries.returnType), 'ARRAY<STRUCT<`K` STRING, `V` INTEGER>>');
  assert.deepEqual(entries.impl({ b: 2, a: 1 }, true), [{ K: 'a', V: 1 }, { K: 'b', V: 2 }]);
});

test('COALESCE, IFNULL, NULLIF, AS_VALUE', () => {
  const c = scalarOf('COALESCE', ['INT', null, 'INT']);
  assert.equal(c.impl(null, null, 3), 3);
  assert.equal(c.impl(1, null, 3), 1);
  assert.equal(c.impl(null, null, null), null);
  assert.equal(call('COALESCE', ['STRING'], null), null);
  assert.equal(call('IFNULL', ['STRING', 'STRING'], null, 'alt'), 'alt');
  assert.equal(call('IFNULL', ['STRING', 'STRING'], 'v', 'alt'), 'v');
  assert.equal(call('NULLIF', ['INT', 'INT'], 1, 1), null);
  assert.equal(call('NULLIF', ['INT', 'INT'], 1, 2), 1);
  assert.deepEqual(call('AS_VALUE', ['ARRAY<INT>'], [1]), [1]);
});

test('TRANSFORM, FILTER, REDUCE', () => {
  const lam = (arity: number, ret: string) => ({ kind: 'LAMBDA' as const, arity, bodyType: () => T(ret) });
  const tr = scalarOf('TRANSFORM', ['ARRAY<INT>', lam(1, 'INT')]);
  assert.deepEqual(tr.impl([3, 6], (x: number) => x + 5), [8, 11]);
  assert.equal(tr.impl(null, (x: number) => x), null);
  assert.throws(() => tr.impl([1], () => {
    throw new Error('lambda failed');
  }));
  const tm = scalarOf('TRANSFORM', ['MAP<STRING, INT>', lam(2, 'STRING'), lam(2, 'BIGINT')]);
  assert.equal(formatType(tm.returnType), 'MAP<STRING, BIGINT>');
  assert.deepEqual(tm.impl({ a: 1 }, (k: string) => k + 'x', (_k: string, v: number) => v * 2), { ax: 2 });
  const f = scalarOf('FILTER', ['ARRAY<INT>', lam(1, 'BOOLEAN')]);
  assert.deepEqual(f.impl([1, 2, 3, null], (x: number | null) => (x === null ? null : x > 1)), [2, 3]);
  const fm = scalarOf('FILTER', ['MAP<STRING, ARRAY<INT>>', lam(2, 'BOOLEAN')]);
  assert.deepEqual(fm.impl({ a: [1], bcd: [2] }, (k: string) => k.length > 2), { bcd: [2] });
  const rd = scalarOf('REDUCE', ['ARRAY<STRING>', 'STRING', lam(2, 'STRING')]);
  const concat = (s: string, x: string | null) => s + (x ?? '');
  assert.equal(rd.impl(['blah', 'blah', 'blaaah'], '', concat), 'blahblahblaaah');
  assert.equal(rd.impl(null, '', concat), '');
  assert.equal(rd.impl(['x'], null, concat), null);
  const rm = scalarOf('REDUCE', ['MAP<STRING, INT>', 'BIGINT', lam(3, 'BIGINT')]);
  assert.equal(rm.impl({ test1: 6, test2: 7 }, 1, (s: number, _k: string, v: number) => s + v), 14);
  assert.equal(rm.impl({ test1: 6 }, null, (s: number) => s), null);
  assert.equal(rm.impl(null, 5, (s: number) => s), 5);
});
