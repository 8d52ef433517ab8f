import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatType } from '../../src/types/sql-type.ts';
import { call, dec, scalarOf } from './helpers.ts';

const r13 = (x: unknown): number => Math.round((x as number) * 1e13) / 1e13;

test('ROUND(DOUBLE) -> BIGINT, half towards positive infinity', () => {
  const r = scalarOf('ROUND', ['DOUBLE']);
  assert.equal(formatType(r.returnType), 'BIGINT');
  const cases: [number, number][] = [[1.2, 1], [1.7, 2], [1.5, 2], [-1.1, -1], [-1.5, -1], [-1.7, -2], [12345.678, 12346], [-12345.678, -12346], [0, 0]];
  for (const [x, y] of cases) assert.equal(r.impl(x), y, `ROUND(${x})`);
  assert.equal(r.impl(null), null);
  assert.equal(r.impl(NaN), 0);
  assert.equal(r.impl(1e300), 9223372036854775807n);
  assert.equal(r.impl(2 ** 60 + 0.0), 2n ** 60n);
});

test('ROUND(DOUBLE, n) -> DOUBLE', () => {
  const r = scalarOf('ROUND', ['DOUBLE', 'INT']);
  assert.equal(formatType(r.returnType), 'DOUBLE');
  assert.equal(r.impl(1.234567, 2), 1.23);
  assert.equal(r.impl(1.234567, 10), 1.234567);
  assert.equal(r.impl(12345.678, -1), 12350);
  assert.equal(r.impl(12345.678, -2), 12300);
  assert.equal(r.impl(-12345.678, 1), -12345.7);
  assert.equal(r.impl(1.2, -1), 0);
  assert.equal(r.impl(1.005, 2), 1.01); // decimal text of the double, not its binary value
  assert.equal(r.impl(-1.25, 1), -1.2);
  assert.equal(r.impl(2.5, 0), 3);
  assert.equal(r.impl(null, 1), null);
  assert.equal(r.impl(1.5, null), null);
});

test('ROUND of integers and decimals', () => {
  assert.equal(call('ROUND', ['INT'], 5), 5);
  assert.equal(formatType(scalarOf('ROUND', ['INT']).returnType), 'BIGINT');
  const rd = scalarOf('ROUND', ['DECIMAL(33, 16)']);
  assert.equal(formatType(rd.returnType), 'DECIMAL(18, 0)');
  assert.equal(String(rd.impl(dec('12345678987654321.2345678987654321'))), '12345678987654321');
  const rdn = scalarOf('ROUND', ['DECIMAL(33, 16)', 'INT']);
  assert.equal(formatType(rdn.returnType), 'DECIMAL(33, 16)');
  assert.equal(String(rdn.impl(dec('12345678987654321.2345678987654321'), 0)), '12345678987654321.0000000000000000');
  const r2 = scalarOf('ROUND', ['DECIMAL(4, 2)', 'INT']);
  assert.equal(String(r2.impl(dec('1.25'), 1)), '1.30');
  assert.equal(String(r2.impl(dec('-1.25'), 1)), '-1.20');
  assert.equal(String(r2.impl(dec('-1.26'), 1)), '-1.30');
  assert.equal(String(r2.impl(dec('55.55'), -1)), '60.00');
  assert.equal(String(scalarOf('ROUND', ['DECIMAL(2, 1)']).impl(dec('-1.5'))), '-1');
  assert.equal(String(scalarOf('ROUND', ['DECIMAL(2, 1)']).impl(dec('9.5'))), '10');
});

test('TRUNC', () => {
  const t = scalarOf('TRUNC', ['DOUBLE']);
  assert.equal(t.impl(1.7), 1);
  assert.equal(t.impl(-1.7), -1);
  const tn = scalarOf('TRUNC', ['DOUBLE', 'INT']);
  assert.equal(tn.impl(1.234567, 2), 1.23);
  assert.equal(tn.impl(-12345.678, -2), -12300);
  assert.equal(tn.impl(1.5, -1), 0);
  const td = scalarOf('TRUNC', ['DECIMAL(12, 7)']);
  assert.equal(formatType(td.returnType), 'DECIMAL(5, 0)');
  assert.equal(String(td.impl(dec('-1.7000000'))), '-1');
  const tdn = scalarOf('TRUNC', ['DECIMAL(12, 7)', 'INT']);
  assert.equal(String(tdn.impl(dec('1.2345670'), 2)), '1.2300000');
  assert.equal(String(tdn.impl(dec('111.0000000'), -1)), '110.0000000');
  assert.equal(String(tdn.impl(dec('1.2000000'), -1)), '0.0000000');
  assert.equal(call('TRUNC', ['INT'], -12345), -12345);
});

test('CEIL and FLOOR keep types', () => {
  assert.equal(call('CEIL', ['DOUBLE'], 1.2), 2);
  assert.equal(call('FLOOR', ['DOUBLE'], -1.2), -2);
  assert.equal(call('CEIL', ['INT'], 3), 3);
  const c = scalarOf('CEIL', ['DECIMAL(4, 2)']);
  assert.equal(formatType(c.returnType), 'DECIMAL(4, 2)');
  assert.equal(String(c.impl(dec('1.01'))), '2.00');
  assert.equal(String(c.impl(dec('-1.99'))), '-1.00');
  assert.equal(String(scalarOf('FLOOR', ['DECIMAL(4, 2)']).impl(dec('-1.01'))), '-2.00');
});

test('ABS and SIGN', () => {
  assert.equal(call('ABS', ['INT'], -3), 3);
  assert.equal(call('ABS', ['BIGINT'], -9007199254740993n), 9007199254740993n);
  assert.equal(call('ABS', ['DOUBLE'], -0.5), 0.5);
  assert.equal(String(call('ABS', ['DECIMAL(3, 1)'], dec('-1.5'))), '1.5');
  assert.equal(call('ABS', ['INT'], null), null);
  assert.equal(call('SIGN', ['DOUBLE'], -3), -1);
  assert.equal(call('SIGN', ['BIGINT'], -2), -1);
  assert.equal(call('SIGN', ['INT'], 0), 0);
  assert.equal(call('SIGN', ['DECIMAL(3, 1)'], dec('0.5')), 1);
  assert.equal(formatType(scalarOf('SIGN', ['DOUBLE']).returnType), 'INTEGER');
});

test('SQRT, CBRT, EXP, POWER, LN, LOG', () => {
  assert.ok(Number.isNaN(call('SQRT', ['INT'], -1) as number));
  assert.equal(call('SQRT', ['BIGINT'], 2), 1.4142135623730951);
  assert.equal(call('CBRT', ['INT'], -8), -2);
  assert.equal(call('CBRT', ['BIGINT'], 3), 1.4422495703074083);
  assert.equal(call('EXP', ['INT'], 1), 2.718281828459045);
  assert.equal(call('EXP', ['BIGINT'], -2), 0.1353352832366127);
  const p = scalarOf('POWER', ['INT', 'INT']);
  assert.equal(p.impl(15, -1), 0.06666666666666667);
  assert.equal(p.impl(0, 0), 1);
  assert.equal(p.impl(15, 13), 1946195068359375);
  assert.equal(p.impl(null, 13), null);
  assert.equal(call('LN', ['DOUBLE'], Math.E), 1);
  assert.equal(call('LOG', ['DOUBLE', 'DOUBLE'], 2, 8), 3);
});

test('trigonometry and angles', () => {
  assert.equal(r13(call('COS', ['INT'], -7)), 0.7539022543433);
  assert.equal(r13(call('SIN', ['DOUBLE'], 0.43)), r13(Math.sin(0.43)));
  assert.equal(r13(call('COT', ['INT'], 6)), -3.4363530041801);
  assert.equal(call('COT', ['INT'], 0), Infinity);
  assert.ok(Number.isNaN(call('ASIN', ['INT'], 2) as number));
  assert.equal(r13(call('ACOS', ['DOUBLE'], -0.43)), 2.0152891037307);
  assert.equal(r13(call('ATAN2', ['INT', 'INT'], -2, -3)), -2.5535900500422);
  assert.equal(call('ATAN2', ['DOUBLE', 'DOUBLE'], null, 1), null);
  assert.equal(Math.round((call('DEGREES', ['DOUBLE'], 1.2345) as number) * 1e12) / 1e12, 70.7316398089);
  assert.equal(call('RADIANS', ['INT'], 180), Math.PI);
  assert.equal(call('PI', []), 3.141592653589793);
  const rnd = call('RANDOM', []) as number;
  assert.ok(rnd >= 0 && rnd < 1);
});

test('GREATEST and LEAST', () => {
  const g = scalarOf('GREATEST', ['BIGINT', 'BIGINT', 'BIGINT', null]);
  assert.equal(g.impl(9223372036854775807n, -9223372036854775808n, null, null), 9223372036854775807n);
  const gs = scalarOf('GREATEST', ['STRING', 'STRING', 'STRING']);
  assert.equal(gs.impl('apple', 'banana', 'aardvark'), 'banana');
  assert.equal(gs.impl(null, null, null), null);
  const ls = scalarOf('LEAST', ['STRING', 'STRING', 'STRING']);
  assert.equal(ls.impl('!', 'Zebra', 'aardvark'), '!');
  const gd = scalarOf('GREATEST', ['DECIMAL(9, 2)', 'DECIMAL(7, 6)']);
  assert.equal(formatType(gd.returnType), 'DECIMAL(13, 6)');
  assert.equal(String(gd.impl(dec('1234567.89'), dec('0.123456'))), '1234567.89');
  assert.equal(String(scalarOf('LEAST', ['DECIMAL(9, 2)', 'DECIMAL(7, 6)']).impl(dec('1234567.89'), dec('0.123456'))), '0.123456');
  assert.equal(call('GREATEST', ['INT', 'INT'], 1, 2), 2);
});

test('GEO_DISTANCE with implicit casts', () => {
  const within = (a: unknown, b: number) => assert.ok(Math.abs((a as number) - b) < 1e-6, `${a} ~ ${b}`);
  within(call('GEO_DISTANCE', ['DOUBLE', 'DOUBLE', 'INT', 'INT'], 37.4439, -122.1663, 51, 0), 8682.459061368269);
  within(call('GEO_DISTANCE', ['DOUBLE', 'DOUBLE', 'DECIMAL(3, 1)', 'INT'], 37.4439, -122.1663, dec('51.0'), 0), 8682.459061368269);
  within(call('GEO_DISTANCE', ['DOUBLE', 'DOUBLE', 'BIGINT', 'INT'], 37.4439, -122.1663, 51, 0), 8682.459061368269);
  within(call('GEO_DISTANCE', ['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'STRING'], 37.4439, -122.1663, 51, 0, 'mi'), (8682.459061368269 / 6371) * 3959);
  assert.equal(call('GEO_DISTANCE', ['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE'], null, 0, 0, 0), null);
  assert.throws(() => call('GEO_DISTANCE', ['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE'], 91, 0, 0, 0));
});

test('ROUND/TRUNC(DOUBLE, n) fast path agrees with exact decimal rounding', async () => {
  const { rescale } = await import('../../src/functions/math.ts');
  const { Decimal } = await import('../../src/types/decimal.ts');
  const round = scalarOf('ROUND', ['DOUBLE', 'INT']);
  const trunc = scalarOf('TRUNC', ['DOUBLE', 'INT']);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = [0.5, -0.5, 2.5, -2.5, 0.125, -0.125, 9.995, -9.995, 99.99, 1e-7, 123456789.987654321];
  for (let i = 0; i < 3000; i++) values.push((rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 4));
  for (const x of values) {
    for (const n of [0, 1, 2, 3, 5, 8, 13]) {
      const d = Decimal.fromNumber(x);
      assert.equal(round.impl(x, n), rescale(d, n, 'HALF_CEIL').toNumber(), `ROUND(${x}, ${n})`);
      assert.equal(trunc.impl(x, n), rescale(d, n, 'DOWN').toNumber(), `TRUNC(${x}, ${n})`);
    }
  }
});

test('REGEXP_REPLACE group references', () => {
  const r = scalarOf('REGEXP_REPLACE', ['STRING', 'STRING', 'STRING']);
  assert.equal(r.impl('ab', '(a)(b)', '$2$1$0'), 'baab');
  assert.equal(r.impl('ab', '(a)', '$12'), 'a2b');
  assert.equal(r.impl('ab', '(?<x>a)', '[${x}]'), '[a]b');
  assert.equal(r.impl('a$b', '\\$', '\\\\'), 'a\\b');
  assert.throws(() => r.impl('ab', '(a)', '$2'));
});

test('LOG(base, value): no logarithm for a base <= 0 or 1 (NaN, as ksqlDB), else ln(v)/ln(b)', () => {
  const r = scalarOf('LOG', ['DOUBLE', 'DOUBLE']);
  for (const base of [0, -2.5, 1]) assert.ok(Number.isNaN(r.impl(base, 13) as number), `base ${base}`);
  assert.ok(Number.isNaN(r.impl(10, -5) as number));
  assert.equal(r.impl(10, 0), -Infinity);
  assert.equal(r13(r.impl(2, 8)), 3);
  assert.equal(r.impl(null, 8), null);
  const ints = scalarOf('LOG', ['INT', 'INT']);
  assert.ok(Number.isNaN(ints.impl(1, 100) as number));
});
