import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalJavaString, javaDouble } from '../../../src/types/java/number-text.ts';
import { javaHashMapOrder } from '../../../src/types/java/value-text.ts';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from '../../../src/types/java/time-text.ts';
import { stringNumericType } from '../../../src/analyze/expr/literals.ts';
import { javaTrim, parseBooleanExact } from '../../../src/types/java/number-parse.ts';
import { suggest } from '../../../src/analyze/expr/scope.ts';
import { formatType } from '../../../src/types/sql-type.ts';
import { STRING } from '../../../src/types/sql-type.ts';
import { Decimal } from '../../../src/types/decimal.ts';

test("Java's Double.toString", () => {
  const cases: [number, string][] = [
    [1e10, '1.0E10'], [1.5, '1.5'], [100, '100.0'], [0, '0.0'], [-0, '-0.0'], [1e-3, '0.001'], [9999999, '9999999.0'],
    [1e7, '1.0E7'], [1.0e-4, '1.0E-4'], [4.9e-324, '4.9E-324'], [1.7976931348623157e308, '1.7976931348623157E308'],
    [-2.2250738585072014e-308, '-2.2250738585072014E-308'], [123456789.123, '1.23456789123E8'], [0.1 + 0.2, '0.30000000000000004'],
  ];
  for (const [d, s] of cases) assert.equal(javaDouble(d), s, String(d));
});

test("Java's BigDecimal.toString (exponent form for small values)", () => {
  assert.equal(decimalJavaString(new Decimal(1230n, 2)), '12.30');
  assert.equal(decimalJavaString(new Decimal(0n, 7)), '0E-7');
  assert.equal(decimalJavaString(new Decimal(1n, 7)), '1E-7');
  assert.equal(decimalJavaString(new Decimal(-123n, 10)), '-1.23E-8');
  assert.equal(decimalJavaString(new Decimal(1n, 6)), '0.000001');
});

test('HashMap iteration order of string keys', () => {
  assert.deepEqual(javaHashMapOrder(['b', 'a'], STRING), ['a', 'b']);
  assert.deepEqual(javaHashMapOrder(['key3', 'key2', 'key1'], STRING), ['key1', 'key2', 'key3']);
});

test('timestamp text: partial values, offsets, formatting', () => {
  assert.equal(parseTimestamp('2018'), Date.UTC(2018, 0, 1));
  assert.equal(parseTimestamp('2018-03'), Date.UTC(2018, 2, 1));
  assert.equal(parseTimestamp('2018-03-04T05'), Date.UTC(2018, 2, 4, 5));
  assert.equal(parseTimestamp('2018-03-04T05:06:07.8'), Date.UTC(2018, 2, 4, 5, 6, 7, 800));
  assert.equal(parseTimestamp('2018-03-04T05:06:07.123456789Z'), Date.UTC(2018, 2, 4, 5, 6, 7, 123));
  assert.equal(parseTimestamp('2019-01-01T00:00:00+0445'), Date.UTC(2018, 11, 31, 19, 15));
  assert.equal(parseTimestamp('2019-01-01T00:00:00-05:00'), Date.UTC(2019, 0, 1, 5));
  assert.equal(parseTimestamp('2019-02-30'), null);
  assert.equal(parseTimestamp('2019-01-01 00:00'), null);
  assert.equal(formatTimestamp(0), '1970-01-01T00:00:00.000');
  assert.equal(formatTimestamp(Date.UTC(1969, 11, 31, 23, 59, 59, 999)), '1969-12-31T23:59:59.999');
  assert.equal(parseDate('2020-05'), 18383);
  assert.equal(formatDate(-1), '1969-12-31');
  assert.equal(parseTime('09:16'), 33_360_000);
  assert.equal(parseTime('9:16'), null);
  assert.equal(formatTime(33_360_000), '09:16');
  assert.equal(formatTime(33_361_999), '09:16:01');
});

test('literal text helpers', () => {
  assert.equal(javaTrim('\t x \n'), 'x');
  assert.equal(parseBooleanExact('Tr'), true);
  assert.equal(parseBooleanExact('N'), false);
  assert.equal(parseBooleanExact('x'), null);
  assert.equal(formatType(stringNumericType('10')!), 'INTEGER');
  assert.equal(formatType(stringNumericType('2147483648')!), 'BIGINT');
  assert.equal(formatType(stringNumericType('4.000')!), 'DECIMAL(4, 3)');
  assert.equal(formatType(stringNumericType('2e1')!), 'DECIMAL(2, 0)');
  assert.equal(stringNumericType('abc'), null);
});

test('did-you-mean suggestions', () => {
  assert.equal(suggest('FOO', ['BAR', 'FOO_ID']), 'FOO_ID');
  assert.equal(suggest('foo', ['FOO']), 'FOO');
  assert.equal(suggest('ADRESS', ['ADDRESS', 'NAME']), 'ADDRESS');
  assert.equal(suggest('X', ['A', 'B']), null);
  assert.equal(suggest('COMPLETELY', ['OTHER']), null);
});
