import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCaster, exactDecimal } from '../../../src/exec/expr/cast.ts';
import { BIGINT, INTEGER, STRING, array, decimal, map, struct } from '../../../src/types/sql-type.ts';
import { dec, run, value } from './helpers.ts';

const str = (v: unknown): string => String(v);

test('STRING to numbers: trimmed Java parsing; invalid text is NULL plus a log message', () => {
  assert.equal(value("CAST(' 42 ' AS INT)"), 42);
  assert.equal(value("CAST('+7' AS INT)"), 7);
  assert.deepEqual(run("CAST('abc' AS INT)"), { value: null, log: ["Cannot cast 'abc' from STRING to INTEGER"] });
  assert.equal(value("CAST('2147483648' AS INT)"), null);
  assert.equal(value("CAST('1.5' AS INT)"), null);
  assert.equal(value("CAST('9223372036854775807' AS BIGINT)"), 9223372036854775807n);
  assert.equal(value("CAST('123' AS BIGINT)"), 123);
  assert.equal(value("CAST('1e3' AS DOUBLE)"), 1000);
  assert.equal(value("CAST('NaN' AS DOUBLE)"), NaN);
  assert.equal(value("CAST('x1' AS DOUBLE)"), null);
  assert.equal(str(value("CAST('12.345' AS DECIMAL(5, 2))")), '12.35');
  assert.equal(str(value("CAST('-12.345' AS DECIMAL(5, 2))")), '-12.35');
  assert.deepEqual(run("CAST('1234.5' AS DECIMAL(5, 2))"), { value: null, log: ["Cannot cast '1234.5' from STRING to DECIMAL(5, 2)"] });
  assert.equal(value("IFNULL(CAST('x' AS INT), -1)"), -1);
});

test('STRING to BOOLEAN accepts prefixes of true/yes; anything else is false', () => {
  for (const [text, expected] of [['true', true], ['TRUE', true], ['t', true], ['yes', true], ['Y', true], ['false', false], ['no', false], ['maybe', false], ['', false]] as const) {
    assert.equal(value(`CAST('${text}' AS BOOLEAN)`), expected, text);
  }
});

test('numbers to narrower numbers: truncation, Java saturation and wrapping', () => {
  assert.equal(value('CAST(D AS INT)', { D: 3.99 }), 3);
  assert.equal(value('CAST(D AS INT)', { D: -3.99 }), -3);
  assert.equal(value('CAST(D AS INT)', { D: 1e12 }), 2147483647);
  assert.equal(value('CAST(D AS INT)', { D: NaN }), 0);
  assert.equal(value('CAST(D AS BIGINT)', { D: 1e300 }), 9223372036854775807n);
  assert.equal(value('CAST(D AS BIGINT)', { D: -1.5 }), -1);
  assert.equal(value('CAST(L AS INT)', { L: 2147483648 }), -2147483648);
  assert.equal(value('CAST(L AS INT)', { L: 2n ** 62n + 5n }), 5);
  assert.equal(value('CAST(DEC AS INT)', { DEC: dec('-12.99') }), -12);
  assert.equal(value('CAST(DEC AS BIGINT)', { DEC: dec('99.99') }), 99);
  assert.equal(value('CAST(DEC AS DOUBLE)', { DEC: dec('1.25') }), 1.25);
  assert.equal(value('CAST(L AS DOUBLE)', { L: 2n ** 60n }), 2 ** 60);
  assert.equal(value('CAST(I AS DOUBLE)', { I: 3 }), 3);
});

test('to DECIMAL: HALF_UP to the scale, overflow of the integer digits is NULL plus a log message', () => {
  assert.equal(str(value('CAST(DEC AS DECIMAL(5, 3))', { DEC: dec('10.12') })), '10.120');
  assert.equal(str(value('CAST(DEC AS DECIMAL(5, 3))', { DEC: dec('1.00') })), '1.000');
  assert.equal(str(value('CAST(DEC AS DECIMAL(3, 1))', { DEC: dec('12.35') })), '12.4');
  assert.equal(str(value('CAST(DEC AS DECIMAL(3, 1))', { DEC: dec('-12.35') })), '-12.4');
  assert.deepEqual(run('CAST(DEC AS DECIMAL(2, 1))', { DEC: dec('12.34') }), {
    value: null,
    log: ['Cannot cast 12.34 from DECIMAL(4, 2) to DECIMAL(2, 1): numeric overflow'],
  });
  assert.equal(value('CAST(DEC AS DECIMAL(3, 1))', { DEC: dec('99.99') }), null, 'rounds up into overflow');
  assert.equal(str(value('CAST(I AS DECIMAL(5, 2))', { I: 123 })), '123.00');
  assert.equal(value('CAST(I AS DECIMAL(5, 2))', { I: 1000 }), null);
  assert.equal(str(value('CAST(D AS DECIMAL(5, 2))', { D: 0.1 })), '0.10');
  // As Java's new BigDecimal(1.005, new MathContext(4)).setScale(2, HALF_UP): rounded to the precision first.
  assert.equal(str(value('CAST(D AS DECIMAL(4, 2))', { D: 1.005 })), '1.01');
  assert.equal(str(value('CAST(D AS DECIMAL(20, 2))', { D: 1.005 })), '1.00');
  assert.equal(str(value('CAST(D AS DECIMAL(4, 2))', { D: 1.125 })), '1.13');
  assert.equal(value('CAST(D AS DECIMAL(4, 2))', { D: Infinity }), null);
});

test('exact decimal value of doubles', () => {
  assert.equal(exactDecimal(0.5).toString(), '0.5');
  assert.equal(exactDecimal(-3).toString(), '-3');
  assert.equal(exactDecimal(0.1).toString(), '0.1000000000000000055511151231257827021181583404541015625');
  assert.equal(exactDecimal(2 ** 70).toString(), (2n ** 70n).toString());
});

test('to STRING as ksqlDB prints values (Java conventions)', () => {
  assert.equal(value('CAST(I AS STRING)', { I: -5 }), '-5');
  assert.equal(value('CAST(L AS STRING)', { L: 2n ** 62n }), '4611686018427387904');
  assert.equal(value('CAST(B AS STRING)', { B: true }), 'true');
  for (const [d, s] of [[1e10, '1.0E10'], [1.5, '1.5'], [100, '100.0'], [0.001, '0.001'], [0.0001, '1.0E-4'], [1234567.0, '1234567.0'], [12345678.9, '1.23456789E7'], [-0.5, '-0.5'], [NaN, 'NaN'], [-Infinity, '-Infinity']] as const) {
    assert.equal(value('CAST(D AS STRING)', { D: d }), s, String(d));
  }
  assert.equal(value('CAST(DEC AS STRING)', { DEC: dec('1.50') }), '1.50');
  assert.equal(value('CAST(TS AS STRING)', { TS: Date.UTC(2020, 1, 3, 4, 5, 6, 7) }), '2020-02-03T04:05:06.007');
  assert.equal(value('CAST(DT AS STRING)', { DT: 18000 }), '2019-04-14');
  assert.equal(value('CAST(TM AS STRING)', { TM: 3_723_000 }), '01:02:03');
  assert.equal(value('CAST(TM AS STRING)', { TM: 3_720_500 }), '01:02');
  assert.equal(value('CAST(BYT AS STRING)', { BYT: new Uint8Array([1, 2]) }), 'AQI=');
  // ksqlDB cast__array_to_string, cast__map_to_string, cast__struct_to_string
  assert.equal(value('CAST(ARR AS STRING)', { ARR: [1, 3] }), '[1, 3]');
  assert.equal(value('CAST(ARR AS STRING)', { ARR: [1, null] }), '[1, null]');
  assert.equal(value('CAST(M AS STRING)', { M: { this: 1 } }), '{this=1}');
  assert.equal(value('CAST(ST AS STRING)', { ST: { X: 1, Y: 'a' } }), 'Struct{X=1,Y=a}');
  assert.equal(value('CAST(ST AS STRING)', { ST: { X: 1, Y: null } }), 'Struct{X=1}');
  assert.equal(value("CAST(ARRAY[1.5E0, 2E0] AS STRING)"), '[1.5, 2.0]');
});

test('map to string in Java HashMap order', () => {
  const caster = makeCaster(map(STRING, INTEGER), STRING, () => {})!;
  // Java: new HashMap<>() with put(k1), put(k2), put(k3) iterates by bucket of the hash.
  assert.equal(caster({ k1: 1, k2: 2, k3: 3 }), '{k1=1, k2=2, k3=3}');
  assert.equal(caster({ b: 1, a: 2 }), '{a=2, b=1}');
  assert.equal(caster({ foo: 1, bar: 2, baz: 3 }), '{bar=2, foo=1, baz=3}');
});

test('STRING to temporal types and BYTES; temporal conversions', () => {
  assert.equal(value("CAST('2020-02-03T04:05:06.007' AS TIMESTAMP)"), Date.UTC(2020, 1, 3, 4, 5, 6, 7));
  assert.equal(value("CAST(S AS TIMESTAMP)", { S: '2020-02-03T04:05+0100' }), Date.UTC(2020, 1, 3, 3, 5));
  assert.equal(value("CAST(S AS TIMESTAMP)", { S: 'not a time' }), null);
  assert.equal(value("CAST(S AS DATE)", { S: '2019-04-14' }), 18000);
  assert.equal(value("CAST(S AS TIME)", { S: '01:02:03.5' }), 3_723_500);
  assert.equal(value("CAST(S AS TIME)", { S: '25:00' }), null);
  assert.deepEqual(value("CAST(S AS BYTES)", { S: 'AQI=' }), new Uint8Array([1, 2]));
  assert.equal(value('CAST(TS AS DATE)', { TS: Date.UTC(2019, 3, 14, 23, 59) }), 18000);
  assert.equal(value('CAST(TS AS TIME)', { TS: Date.UTC(2019, 3, 14, 1, 2, 3) }), 3_723_000);
  assert.equal(value('CAST(TS AS TIME)', { TS: -1 }), 86_399_999);
  assert.equal(value('CAST(DT AS TIMESTAMP)', { DT: 1 }), 86_400_000);
});

test('containers cast element-wise (ksqlDB cast__* cases)', () => {
  assert.deepEqual(value('CAST(LARR AS ARRAY<INT>)', { LARR: [1, 3, 2147483648] }), [1, 3, -2147483648]);
  assert.deepEqual(value('CAST(LARR AS ARRAY<STRING>)', { LARR: [1, 3, 2147483648, null] }), ['1', '3', '2147483648', null]);
  assert.deepEqual(value('CAST(ARR AS ARRAY<INTEGER>)', { ARR: [1, 3] }), [1, 3]);
  assert.deepEqual(value('CAST(M AS MAP<STRING, DOUBLE>)', { M: { a: 1 } }), { a: 1 });
  assert.deepEqual(value('CAST(ST AS STRUCT<X BIGINT, Q STRING>)', { ST: { X: 2, Y: 'y' } }), { X: 2, Q: null });
  const nested = makeCaster(map(STRING, map(STRING, STRING)), map(STRING, map(STRING, INTEGER)), () => {})!;
  assert.deepEqual(nested({ k1: { k2: '10' } }), { k1: { k2: 10 } });
  const keys = makeCaster(map(INTEGER, STRING), map(STRING, STRING), () => {})!;
  assert.deepEqual(keys({ '1': 'a' }), { '1': 'a' });
  const bad: string[] = [];
  const elements = makeCaster(array(STRING), array(INTEGER), (m) => bad.push(m))!;
  assert.deepEqual(elements(['1', 'x']), [1, null]);
  assert.deepEqual(bad, ["Cannot cast 'x' from STRING to INTEGER"]);
  const structs = makeCaster(struct([{ name: 'A', type: BIGINT }]), struct([{ name: 'A', type: decimal(3, 1) }]), () => {})!;
  assert.equal(String((structs({ A: 12 }) as { A: unknown }).A), '12.0');
});

test('CAST(NULL AS T) is NULL for every type (ksqlDB cast__of_nulls)', () => {
  for (const t of ['BOOLEAN', 'INT', 'BIGINT', 'DOUBLE', 'STRING', 'ARRAY<INT>', 'MAP<STRING, INT>', 'STRUCT<F0 INT>']) {
    assert.equal(value(`CAST(NULL AS ${t})`), null, t);
  }
});
