import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/types/decimal.ts';
import { mayLosePrecision, parseJsonLossless, stringifyJson } from '../../src/serde/json-text.ts';
import { JsonNumber } from '../../src/types/java/json-number.ts';
import { bigDecimalString, javaDouble } from '../../src/types/java/number-text.ts';
import { decimalFromDouble, ensureDecimalFit, parseJavaDecimal, truncateDecimalText } from '../../src/types/java/decimal-parse.ts';
import { parseJavaBoolean, parseJavaDouble, parseJavaInt, parseJavaLong } from '../../src/types/java/number-parse.ts';
import { csvField, parseCsvRecord } from '../../src/serde/csv.ts';
import { base64Decode } from '../../src/serde/bytes.ts';

test('parseJsonLossless: big integers become bigint, fractions keep their text', () => {
  const v = parseJsonLossless('{"a": 12345678901234567890, "b": -9007199254740993, "c": 7, "d": 12.30, "e": 1E-7, "f": [3.0]}');
  assert.deepEqual(v, {
    a: 12345678901234567890n,
    b: -9007199254740993n,
    c: 7,
    d: new JsonNumber('12.30'),
    e: new JsonNumber('1E-7'),
    f: [new JsonNumber('3.0')],
  });
  const d = (v as { d: JsonNumber }).d;
  assert.equal(+d, 12.3);
  assert.equal(d.toString(), '12.30');
  assert.deepEqual(d.toDecimal(), new Decimal(1230n, 2));
});

test('parseJsonLossless with exactFractions=false: plain numbers unless digits would be lost', () => {
  assert.deepEqual(parseJsonLossless('[1.5, 12.30, 0.12345678901234567, 123456789012345678]', { exactFractions: false }), [
    1.5,
    12.3,
    new JsonNumber('0.12345678901234567'),
    123456789012345678n,
  ]);
  assert.deepEqual(parseJsonLossless('{"x": 1.25}', { exactFractions: false }), { x: 1.25 });
  assert.throws(() => parseJsonLossless('{"x": }'), SyntaxError);
});

test('mayLosePrecision: a 16-character run of digits and dots', () => {
  assert.equal(mayLosePrecision('{"a": 123456789012345}'), false);
  assert.equal(mayLosePrecision('{"a": 1234567890123456}'), true);
  assert.equal(mayLosePrecision('{"a": 1234567.890123456}'), true);
  assert.equal(mayLosePrecision('{"a": 1.5, "b": "2024-01-01"}'), false);
});

test('stringifyJson writes bigint, Decimal, JsonNumber and bytes exactly', () => {
  const text = stringifyJson({
    big: 2n ** 70n,
    neg: -(2n ** 63n),
    dec: new Decimal(1230n, 2),
    num: new JsonNumber('1.0E-5'),
    bytes: new Uint8Array([1, 2, 3]),
    plain: [1, 'x', null, true],
  });
  assert.equal(
    text,
    '{"big":1180591620717411303424,"neg":-9223372036854775808,"dec":12.30,"num":1.0E-5,"bytes":"AQID","plain":[1,"x",null,true]}',
  );
  assert.deepEqual(parseJsonLossless(text), {
    big: 2n ** 70n,
    neg: -(2n ** 63n),
    dec: new JsonNumber('12.30'),
    num: new JsonNumber('1.0E-5'),
    bytes: 'AQID',
    plain: [1, 'x', null, true],
  });
  assert.equal(stringifyJson(2n ** 64n), '18446744073709551616');
  assert.equal(stringifyJson({ a: 1 }, 2), '{\n  "a": 1\n}');
});

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

test('base64Decode is strict', () => {
  assert.deepEqual([...base64Decode('dmFyaWF0aW9ucw==')!], [...Buffer.from('variations')]);
  assert.deepEqual([...base64Decode('dmFyaWF0aW9ucw')!], [...Buffer.from('variations')]);
  assert.deepEqual([...base64Decode('')!], []);
  assert.equal(base64Decode('not base64!'), null);
  assert.equal(base64Decode('abcde'), null);
});

test('CSV printing follows Commons CSV MINIMAL quoting as ksqlDB ships it', () => {
  const comma = 44;
  assert.equal(csvField('abc', true, comma), 'abc');
  assert.equal(csvField('-10', true, comma), '"-10"'); // first field not starting alphanumeric
  assert.equal(csvField('-10', false, comma), '-10');
  assert.equal(csvField('!', false, comma), '"!"'); // starts <= '#'
  assert.equal(csvField('a,b', false, comma), '"a,b"');
  assert.equal(csvField('say "hi"', false, comma), '"say ""hi"""');
  assert.equal(csvField('line\nbreak', false, comma), '"line\nbreak"');
  assert.equal(csvField('trailing ', false, comma), '"trailing "');
  assert.equal(csvField('', true, comma), '""');
  assert.equal(csvField('', false, comma), '');
  assert.equal(csvField('a|b', false, 124), '"a|b"');
  assert.equal(csvField('a,b', false, 124), 'a,b');
});

test('CSV parsing: quotes, doubled quotes, empty fields, first record only', () => {
  const comma = 44;
  assert.deepEqual(parseCsvRecord('a,b,c', comma), ['a', 'b', 'c']);
  assert.deepEqual(parseCsvRecord('"a,b","say ""hi""",', comma), ['a,b', 'say "hi"', '']);
  assert.deepEqual(parseCsvRecord(',', comma), ['', '']);
  assert.deepEqual(parseCsvRecord('"" ,x', comma), ['', 'x']);
  assert.deepEqual(parseCsvRecord('a\r\nb', comma), ['a']);
  assert.deepEqual(parseCsvRecord('\n\na', comma), ['a']);
  assert.deepEqual(parseCsvRecord(' a" ,b', comma), [' a" ', 'b']);
  assert.deepEqual(parseCsvRecord('"multi\nline",2', comma), ['multi\nline', '2']);
  assert.deepEqual(parseCsvRecord('a\tb', 9), ['a', 'b']);
  assert.equal(parseCsvRecord('', comma), null);
  assert.equal(parseCsvRecord('\r\n', comma), null);
  assert.throws(() => parseCsvRecord('"open', comma), /EOF reached/);
  assert.throws(() => parseCsvRecord('"a"b,c', comma), /invalid char/);
});
