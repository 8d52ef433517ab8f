/** Numbers as the JVM prints and reads them (src/types/java/number-*.ts, decimal-parse.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../../src/types/decimal.ts';
import { bigDecimalString, decimalJavaString, javaDouble } from '../../../src/types/java/number-text.ts';
import { decimalFromDouble, ensureDecimalFit, parseJavaDecimal, truncateDecimalText } from '../../../src/types/java/decimal-parse.ts';
import { javaTrim, parseBooleanExact, parseJavaBoolean, parseJavaDouble, parseJavaInt, parseJavaLong } from '../../../src/types/java/number-parse.ts';

test("javaDouble prints Java's Double.toString", () => {
  const cases: [number, string][] = [
    [3, '3.0'],
    [-3, '-3.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [10.1, '10.1'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1.5e-5, '1.5E-5'],
    [9999999, '9999999.0'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [1e21, '1.0E21'],
    [5e-324, '4.9E-324'],
    [2.2250738585072014e-308, '2.2250738585072014E-308'],
    [1.7976931348623157e308, '1.7976931348623157E308'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ];
  for (const [v, s] of cases) assert.equal(javaDouble(v), s, `javaDouble(${v})`);
});

test("bigDecimalString prints Java's BigDecimal.toString", () => {
  assert.equal(bigDecimalString(1230n, 2), '12.30');
  assert.equal(bigDecimalString(0n, 7), '0E-7');
  assert.equal(bigDecimalString(0n, 6), '0.000000');
  assert.equal(bigDecimalString(15n, 8), '1.5E-7');
  assert.equal(bigDecimalString(1n, -3), '1E+3');
  assert.equal(bigDecimalString(-123n, -2), '-1.23E+4');
  assert.equal(bigDecimalString(-5n, 3), '-0.005');
  assert.equal(bigDecimalString(7n, 0), '7');
});

test('Java parsers accept what the JDK accepts', () => {
  assert.equal(parseJavaInt('+42'), 42);
  assert.equal(parseJavaInt('-2147483648'), -2147483648);
  for (const bad of ['2147483648', ' 1', '1.0', '', '0x1', '1e3']) assert.throws(() => parseJavaInt(bad), bad);
  assert.equal(parseJavaLong('9007199254740991'), 9007199254740991);
  assert.equal(parseJavaLong('9223372036854775807'), 9223372036854775807n);
  assert.equal(parseJavaLong('-9223372036854775808'), -9223372036854775808n);
  assert.throws(() => parseJavaLong('9223372036854775808'));
  assert.equal(parseJavaDouble(' 1.5 '), 1.5);
  assert.equal(parseJavaDouble('1e3'), 1000);
  assert.equal(parseJavaDouble('.5'), 0.5);
  assert.equal(parseJavaDouble('2.'), 2);
  assert.equal(parseJavaDouble('1.5d'), 1.5);
  assert.equal(parseJavaDouble('-Infinity'), -Infinity);
  assert.ok(Number.isNaN(parseJavaDouble('NaN')));
  for (const bad of ['', 'abc', '1,5', '0x10', 'inf']) assert.throws(() => parseJavaDouble(bad), bad);
  assert.equal(parseJavaBoolean('TRUE'), true);
  assert.equal(parseJavaBoolean('yes'), false);
  assert.deepEqual(parseJavaDecimal('-12.30'), new Decimal(-1230n, 2));
  assert.deepEqual(parseJavaDecimal('1e3'), new Decimal(1000n, 0));
  assert.deepEqual(parseJavaDecimal('.12'), new Decimal(12n, 2));
  for (const bad of ['', '1.2.3', ' 1', 'e3', '1e']) assert.throws(() => parseJavaDecimal(bad), bad);
  assert.equal(truncateDecimalText('-7.9'), -7n);
  assert.equal(truncateDecimalText('1.5e3'), 1500n);
});

test('ensureDecimalFit: rescales, refuses overflow and rounding (ksqlDB DecimalUtil.ensureFit)', () => {
  assert.equal(ensureDecimalFit(new Decimal(1n, 0), 6, 4).toString(), '1.0000');
  assert.equal(ensureDecimalFit(new Decimal(12500n, 4), 4, 2).toString(), '1.25');
  assert.throws(() => ensureDecimalFit(new Decimal(1234n, 3), 4, 2), /without rounding/);
  assert.throws(() => ensureDecimalFit(new Decimal(100n, 0), 4, 2), /Numeric field overflow/);
  assert.equal(ensureDecimalFit(new Decimal(9999n, 2), 4, 2).toString(), '99.99');
  assert.throws(() => ensureDecimalFit(new Decimal(1n, 0), 2, 2), /overflow/);
  assert.equal(ensureDecimalFit(new Decimal(5n, 1), 2, 2).toString(), '0.50');
});

test('decimalFromDouble agrees with the exact text for tokens of up to 15 digits', () => {
  const texts = ['542.45', '-0.05', '10', '0.1', '123456789012.345', '99.99', '1e2', '0.0001'];
  for (const t of texts) {
    for (const [p, s] of [
      [10, 2],
      [18, 4],
      [15, 3],
      [4, 2],
    ]) {
      let fast: string | Error;
      let slow: string | Error;
      try {
        fast = decimalFromDouble(Number(t), p, s).toString();
      } catch (e) {
        fast = e as Error;
      }
      try {
        slow = ensureDecimalFit(parseJavaDecimal(t), p, s).toString();
      } catch (e) {
        slow = e as Error;
      }
      if (typeof slow === 'string') assert.equal(fast, slow, `${t} in DECIMAL(${p}, ${s})`);
      else assert.ok(fast instanceof Error, `${t} in DECIMAL(${p}, ${s}) should fail`);
    }
  }
});

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

test('trim and ksqlDB boolean text', () => {
  assert.equal(javaTrim('\t x \n'), 'x');
  assert.equal(parseBooleanExact('Tr'), true);
  assert.equal(parseBooleanExact('N'), false);
  assert.equal(parseBooleanExact('x'), null);
});
