/** ksqlDB's test-only functions (src/testing/functions.ts), registered as the conformance runner does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatType } from '../../src/types/sql-type.ts';
import { registerTestingFunctions } from '../../src/testing/functions.ts';
import { aggOf, aggregateRows, call, dec, decText, scalarOf, tableOf } from '../functions/helpers.ts';

registerTestingFunctions();

test('TEST_UDTF', () => {
  const std = tableOf('TEST_UDTF', ['INT', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'STRING', 'DECIMAL(20, 10)', 'STRUCT<A STRING>']);
  assert.deepEqual(std.impl(1, 2, 3.1, true, 'foo', dec('123.456'), { A: 'bar' }), [
    '1', '2', '3.1', 'true', 'foo', '123.4560000000', 'Struct{A=bar}',
  ]);
  const arr = tableOf('TEST_UDTF', [
    'ARRAY<INT>', 'ARRAY<BIGINT>', 'ARRAY<DOUBLE>', 'ARRAY<BOOLEAN>', 'ARRAY<STRING>', 'ARRAY<DECIMAL(20, 10)>', 'ARRAY<STRUCT<A STRING>>',
  ]);
  assert.deepEqual(arr.impl([1], [2], [3.1], [true], ['foo'], [dec('123.456')], [{ A: 'bar' }]), [
    '1', '2', '3.1', 'true', 'foo', '123.4560000000', 'Struct{A=bar}',
  ]);
  const map = tableOf('TEST_UDTF', [
    'MAP<STRING, INT>', 'MAP<STRING, BIGINT>', 'MAP<STRING, DOUBLE>', 'MAP<STRING, BOOLEAN>', 'MAP<STRING, STRING>',
    'MAP<STRING, DECIMAL(20, 10)>', 'MAP<STRING, STRUCT<A STRING>>',
  ]);
  assert.deepEqual(map.impl({ k: 1 }, { k: 2 }, { k: 3.1 }, { k: true }, { k: 'foo' }, { k: dec('123.456') }, { k: { A: 'bar' } })[6], 'Struct{A=bar}');
  assert.deepEqual(tableOf('TEST_UDTF', ['INT']).impl(10), [10]);
  const d = tableOf('TEST_UDTF', ['DECIMAL(20, 10)']);
  assert.equal(formatType(d.returnType), 'DECIMAL(30, 10)');
  assert.deepEqual(decText(d.impl(dec('123.456'))), ['123.4560000000']);
  assert.equal(formatType(tableOf('TEST_UDTF', ['STRUCT<A STRING>']).returnType), 'STRUCT<`A` STRING>');
});

test('THROWING_UDTF, BAD_UDF, WHENCONDITION, WHENRESULT, TOSTRUCT, TEST_UDF(struct)', () => {
  const t = tableOf('THROWING_UDTF', ['BOOLEAN']);
  assert.deepEqual(t.impl(false), [false]);
  assert.throws(() => t.impl(true));
  assert.throws(() => call('BAD_UDF', ['INT'], 1), /boom/);
  assert.equal(call('BAD_UDF', ['BOOLEAN'], false), 0);
  const every = scalarOf('BAD_UDF', ['STRING']);
  assert.deepEqual(['d1', 'd2', 'd1', 'd2'].map((d) => every.impl(d)), [null, 'd2', null, 'd2']);
  assert.equal(scalarOf('BAD_UDF', ['STRING']).impl('fresh call site'), null);
  assert.throws(() => call('BAD_UDF', ['BOOLEAN'], true));
  assert.equal(call('WHENCONDITION', ['BOOLEAN', 'BOOLEAN'], false, true), false);
  assert.throws(() => call('WHENCONDITION', ['BOOLEAN', 'BOOLEAN'], true, false));
  assert.equal(call('WHENRESULT', ['INT', 'BOOLEAN'], 300, true), 300);
  assert.throws(() => call('WHENRESULT', ['INT', 'BOOLEAN'], 100, false));
  assert.deepEqual(call('TOSTRUCT', ['STRING'], 'a'), { A: 'a' });
  assert.equal(call('TEST_UDF', ['STRUCT<A STRING>'], { A: 'expect-result' }), 'expect-result');
  assert.equal(formatType(scalarOf('TEST_UDF', []).returnType), 'STRUCT<`A` STRING>');
});

test('TEST_UDAF', () => {
  const i = aggOf('TEST_UDAF', ['INT']);
  assert.equal(formatType(i.returnType), 'BIGINT');
  assert.deepEqual(aggregateRows(i, [[-2147483647], [5], [2000], [100]]), [-2147483647, -2147483642, -2147481642, -2147481542]);
  const l = aggOf('TEST_UDAF', ['BIGINT']);
  let s = l.add(l.add(l.init(), 1), 2);
  s = l.undo!(s, 1);
  assert.equal(l.result(s), 2);
  const st = aggOf('TEST_UDAF', ['STRUCT<A INT, B INT>']);
  assert.deepEqual(aggregateRows(st, [[{ A: 1, B: 2 }], [{ A: 2, B: 3 }]]), [{ A: 1, B: 2 }, { A: 3, B: 5 }]);
});

const ROWS5 = [
  [6, 'hi', 'apples', null, 9],
  [null, 'hello', 'bananas', 'Venus', 1],
  [5, null, 'grapes', 'Mars', -4],
  [21, 'aggregate', 'avocados', 'Saturn', 2],
];

test('MULTI_ARG, FOUR_ARG, FIVE_ARG: initial value from constant arguments', () => {
  const lits = (n: number) => [...Array(n).fill(undefined), 5, '10', '20', '3'];
  const five = aggOf('FIVE_ARG', ['BIGINT', 'STRING', 'STRING', 'STRING', 'INT', 'INT', 'STRING', 'STRING', 'STRING'], lits(5));
  assert.deepEqual(aggregateRows(five, ROWS5.map((r) => [...r, 5, '10', '20', '3'])), [33, 51, 62, 108]);
  const four = aggOf('FOUR_ARG', ['BIGINT', 'STRING', 'STRING', 'STRING', 'INT', 'STRING', 'STRING', 'STRING'], lits(4));
  assert.deepEqual(aggregateRows(four, ROWS5.map((r) => [...r.slice(0, 4), 5, '10', '20', '3'])), [24, 41, 56, 100]);
  const multi = aggOf('MULTI_ARG', ['BIGINT', 'STRING', 'INT', 'STRING', 'STRING', 'STRING'], [undefined, 'hello', 5, '10', '20', '3']);
  assert.deepEqual(aggregateRows(multi, [[6, 'hello', 5, '10', '20', '3'], [null, 'hello', 5, '10', '20', '3']]), [21, 26]);
  // Without literals the constants come from the first row's values.
  const noLit = aggOf('MULTI_ARG', ['BIGINT', 'STRING', 'INT', 'STRING', 'STRING', 'STRING']);
  assert.deepEqual(aggregateRows(noLit, [[6, 'hello', 5, '10', '20', '3']]), [21]);
});

test('VAR_ARG, GENERIC_VAR_ARG, OBJ_COL_ARG', () => {
  const v = aggOf('VAR_ARG', ['BIGINT', 'STRING', 'STRING', 'STRING', 'STRING', 'STRING']);
  assert.deepEqual(aggregateRows(v, [[6, 'hello', '10', '20', 'hi', '3'], [null, 'hello', '10', '20', 'hello', '3'], [5, 'hello', '10', '20', null, '3']]), [
    18, 33, 48,
  ]);
  assert.deepEqual(aggregateRows(aggOf('VAR_ARG', ['BIGINT']), [[6], [null], [5]]), [6, 6, 11]);
  const g = aggOf('GENERIC_VAR_ARG', ['DECIMAL(5, 1)', 'INT', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
  assert.equal(formatType(g.returnType), 'ARRAY<DECIMAL(5, 1)>');
  assert.deepEqual(decText(aggregateRows(g, [[dec('2.3'), 1, 1.2, 1.44, 8.9], [dec('5.7'), 3, 9.1, 0.9, 2.5], [dec('3.9'), 7, 7.6, null, 8.1]]).at(-1)), ['2.3', '5.7']);
  const g2 = aggOf('GENERIC_VAR_ARG', ['DECIMAL(5, 1)', 'INT']);
  assert.deepEqual(decText(aggregateRows(g2, [[dec('6.1'), 5], [null, 5], [dec('21.8'), 10]]).at(-1)), ['6.1', '21.8']);
  const o = aggOf('OBJ_COL_ARG', ['INT', 'BIGINT', 'BOOLEAN', 'DECIMAL(5, 1)', 'INT', 'ARRAY<INT>']);
  assert.deepEqual(aggregateRows(o, [[2, 1, false, dec('1.4'), 8, [8, 1]], [5, 3, null, dec('0.9'), 2, [1]], [3, 2, false, dec('4.3'), 4, [0, 0]]]).at(-1), [2, 3]);
});
