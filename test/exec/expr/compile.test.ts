import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpr } from '../../../src/exec/expr/compile.ts';
import { analyze, calls, dec, functions, predicate, project, row, run, value } from './helpers.ts';

const str = (v: unknown): string => String(v);

test('INTEGER arithmetic is Java int: wraps at 32 bits, truncating division', () => {
  assert.equal(value('I + I2', { I: 5, I2: 7 }), 12);
  assert.equal(value('I + 1', { I: 2147483647 }), -2147483648);
  assert.equal(value('I * I2', { I: 65536, I2: 65536 }), 0);
  assert.equal(value('I / 2', { I: -7 }), -3);
  assert.equal(value('I % 2', { I: -7 }), -1);
  assert.equal(value('I / -1', { I: -2147483648 }), -2147483648);
  assert.equal(value('-I', { I: -2147483648 }), -2147483648);
  assert.ok(Object.is(value('I % 2', { I: -4 }), 0), 'no negative zero');
  assert.equal(value('6 % 4 / 2 * 6'), 6);
  assert.equal(value('16 % 6 - 4'), 0);
});

test('BIGINT arithmetic: exact beyond 2^53 (bigint), wraps at 64 bits like Java long', () => {
  assert.equal(value('L + 1', { L: 2 ** 53 - 2 }), 2 ** 53 - 1);
  assert.equal(value('L + 1', { L: 2 ** 53 - 1 }), 2n ** 53n);
  assert.equal(value('L - 1', { L: 2n ** 53n }), 2 ** 53 - 1, 'back to number when safe');
  assert.equal(value('L * 3', { L: 3074457345618258603n }), -9223372036854775807n);
  assert.equal(value('L + 1', { L: 9223372036854775807n }), -9223372036854775808n);
  assert.equal(value('L / 2', { L: -7 }), -3);
  assert.equal(value('L % 3', { L: 10n ** 18n + 1n }), 2);
  assert.equal(value('L / -1', { L: -9223372036854775808n }), -9223372036854775808n);
  assert.equal(value('-L', { L: -9223372036854775808n }), -9223372036854775808n);
  assert.equal(value('L / 3', { L: 9007199254740991 }), 3002399751580330);
  assert.equal(value('I + L', { I: 1, L: 2n ** 60n }), 2n ** 60n + 1n);
});

test('DOUBLE arithmetic follows IEEE (division by zero is Infinity/NaN, as in Java)', () => {
  assert.equal(value('D * 2', { D: 1.5 }), 3);
  assert.equal(value('D / 0', { D: 1.5 }), Infinity);
  assert.ok(Number.isNaN(value('D % 0', { D: 1.5 }) as number));
  assert.equal(value('D + DEC', { D: 0.5, DEC: dec('1.25') }), 1.75);
  assert.equal(value('I + 0.5E0', { I: 1 }), 1.5);
});

test('DECIMAL arithmetic keeps the result scale of the type', () => {
  assert.equal(str(value('DEC + DEC2', { DEC: dec('12.34'), DEC2: dec('1.5') })), '13.84');
  assert.equal(str(value('DEC - DEC2', { DEC: dec('1.00'), DEC2: dec('1.5') })), '-0.50');
  assert.equal(str(value('DEC * DEC2', { DEC: dec('12.34'), DEC2: dec('1.5') })), '18.510');
  assert.equal(str(value('DEC / DEC2', { DEC: dec('10.00'), DEC2: dec('3.0') })), '3.333333');
  assert.equal(str(value('DEC / DEC2', { DEC: dec('20.00'), DEC2: dec('3.0') })), '6.666667');
  assert.equal(str(value('DEC % DEC2', { DEC: dec('10.00'), DEC2: dec('3.0') })), '1.00');
  assert.equal(str(value('DEC + I', { DEC: dec('0.05'), I: 2 })), '2.05');
  assert.equal(str(value('-DEC', { DEC: dec('0.05') })), '-0.05');
  assert.equal(str(value('1.5 / 3')), '0.500000000000');
});

test('errors in an expression: NULL for that row, one processing-log message', () => {
  assert.deepEqual(run('I / I2', { I: 1, I2: 0 }), { value: null, log: ['Error evaluating (I / I2): Division by zero'] });
  assert.deepEqual(run('L % 0', { L: 1 }), { value: null, log: ['Error evaluating (L % 0): Division by zero'] });
  assert.equal(run('DEC / DEC2', { DEC: dec('1.00'), DEC2: dec('0.0') }).log.length, 1);
  assert.equal(run('I + I2', { I: 1, I2: 2 }).log.length, 0);
});

test('NULL propagates through arithmetic, negation, casts, dereference and subscripts', () => {
  for (const text of ['I + 1', 'L * 2', 'D - 1', 'DEC + 1', '-I', 'CAST(I AS STRING)', 'ST->X', 'ARR[1]', "M['a']", 'S + S']) {
    assert.equal(value(text), null, text);
  }
  assert.equal(value('ST->X', { ST: { X: null, Y: 'y' } }), null);
});

test('comparisons are false (never NULL) with a NULL operand; DISTINCT handles NULLs', () => {
  assert.equal(value('I = I2', { I: 1 }), false);
  assert.equal(value('I <> I2', { I: 1 }), false);
  assert.equal(value('I < 3', { I: 1 }), true);
  assert.equal(value('NOT (I = I2)', { I: 1 }), true);
  assert.equal(value('I IS DISTINCT FROM I2', { I: 1 }), true);
  assert.equal(value('I IS DISTINCT FROM I2', {}), false);
  assert.equal(value('I IS NOT DISTINCT FROM I2', {}), true);
  assert.equal(value('I IS NOT DISTINCT FROM I2', { I: 1, I2: 1 }), true);
  assert.equal(value('I IS DISTINCT FROM L', { I: 1, L: 1 }), false);
  assert.equal(value('L = 9223372036854775807', { L: 9223372036854775807n }), true);
  assert.equal(value('L > I', { L: 2n ** 60n, I: 5 }), true);
  assert.equal(value('DEC = DEC2', { DEC: dec('1.50'), DEC2: dec('1.5') }), true);
  assert.equal(value('DEC < 1.3', { DEC: dec('1.20') }), true);
  assert.equal(value('I > 10.5', { I: 11 }), true);
  assert.equal(value('I > 10.5', { I: 10 }), false);
  assert.equal(value('L BETWEEN 1 AND 2.5', { L: 2 }), true);
  assert.equal(value('L BETWEEN 1 AND 2.5', { L: 3 }), false);
  assert.equal(value('L > 0.5', { L: 2n ** 60n }), true);
  assert.equal(value("S >= 'foo'", { S: 'Foo' }), false);
  assert.equal(value("S < 'b'", { S: 'a' }), true);
  assert.equal(value("TS > '2020-01-01'", { TS: Date.UTC(2020, 0, 1, 0, 0, 1) }), true);
  assert.equal(value('DT < TS', { DT: 1, TS: 86_400_001 }), true);
  assert.equal(value("BYT = X'0102'", { BYT: new Uint8Array([1, 2]) }), true);
  assert.equal(value("BYT < X'80'", { BYT: new Uint8Array([1]) }), false, 'bytes compare signed, like Java');
});

test('containers compare by value (ksqlDB binary-comparison cases)', () => {
  assert.equal(value('ARR = ARRAY[1, 2]', { ARR: [1, 2] }), true);
  assert.equal(value('ARR <> ARRAY[1, 2]', { ARR: [1] }), true);
  assert.equal(value("M = MAP('a' := 1)", { M: { a: 1 } }), true);
  assert.equal(value("M = MAP('a' := 1)", { M: { b: 1 } }), false);
  assert.equal(value('ST = STRUCT(X := 2, Y := CAST(NULL AS STRING))', { ST: { X: 2, Y: null } }), true);
  assert.equal(value('ST IS NOT DISTINCT FROM STRUCT(X := 2, Y := CAST(NULL AS STRING))', { ST: { X: 3, Y: null } }), false);
  assert.equal(value('LARR = ARR', { LARR: [2147483648], ARR: [-2147483648] }), false);
  assert.equal(value('LARR = ARR', { LARR: [1, null], ARR: [1, null] }), true);
});

test('AND/OR/NOT are three-valued and short-circuit', () => {
  const tf = [true, false, null];
  for (const b of tf) {
    for (const b2 of tf) {
      const and = b === false || b2 === false ? false : b === null || b2 === null ? null : true;
      const or = b === true || b2 === true ? true : b === null || b2 === null ? null : false;
      assert.equal(value('B AND B2', { B: b, B2: b2 }), and, `${b} AND ${b2}`);
      assert.equal(value('B OR B2', { B: b, B2: b2 }), or, `${b} OR ${b2}`);
    }
    assert.equal(value('NOT B', { B: b }), b === null ? null : !b);
  }
  calls.counted = 0;
  assert.equal(value('B AND COUNTED(B2)', { B: false, B2: true }), false);
  assert.equal(value('B OR COUNTED(B2)', { B: true, B2: true }), true);
  assert.equal(calls.counted, 0);
  assert.equal(value('I2 <> 0 AND I / I2 > 1', { I: 5, I2: 0 }), false, 'the right side is not evaluated');
  assert.equal(value('true OR false AND true'), true);
});

test('IS NULL, BETWEEN, IN', () => {
  assert.equal(value('I IS NULL'), true);
  assert.equal(value('I IS NOT NULL', { I: 0 }), true);
  assert.equal(value('NULL IS NULL'), true);
  assert.equal(value('I BETWEEN 1 AND 3', { I: 3 }), true);
  assert.equal(value('I BETWEEN 1 AND 3', { I: 4 }), false);
  assert.equal(value('I BETWEEN I2 AND 3', { I: 2 }), false);
  assert.equal(value('I NOT BETWEEN I2 AND 3', { I: 2 }), true, 'as ksqlDB: NOT (false)');
  assert.equal(value('DEC BETWEEN 1.19 AND 1.21', { DEC: dec('1.20') }), true);
  assert.equal(value("S BETWEEN 'b' AND 'c'", { S: 'ba' }), true);
  assert.equal(value('I IN (1, 5)', { I: 5 }), true);
  assert.equal(value('I IN (11, NULL, I2)', {}), false);
  assert.equal(value('I NOT IN (1, 2)', {}), true);
  assert.equal(value('I IN (1, 2, 3, 4, 5, 6, 7)', { I: 6 }), true);
  assert.equal(value('I IN (1, 2, 3, 4, 5, 6, 7)', { I: 8 }), false);
  assert.equal(value("S IN ('a', 'b', 'c', 'd', 'e')", { S: 'e' }), true);
  assert.equal(value("L IN (1, 2.0, 3.00, '4.000', 5.10, I, D, DEC)", { L: 4 }), true);
  assert.equal(value("L IN (1, 2.0, 3.00, '4.000', 5.10, I, D, DEC)", { L: 5 }), false);
  assert.equal(value("L IN (1, 2.0, 3.00, '4.000', 5.10, I, D, DEC)", { L: 2147483648, I: -2147483648, D: 2147483648 }), true);
  assert.equal(value("S IN (true, 10, '10.1', 10.30, S)", { S: '10.30' }), true);
  assert.equal(value("S IN (true, 10, '10.1', 10.30)", { S: '10.3' }), false);
  assert.equal(value('DEC IN (1.5, 2)', { DEC: dec('2.00') }), true);
});

test('IN with structs and arrays (ksqlDB in__struct / in__array cases)', () => {
  const list = "(STRUCT(X:=1,Y:='2'),STRUCT(X:=3,Y:='2',Z:=4),STRUCT(Y:='2',X:=4),STRUCT(X:=5),STRUCT(X:='7',Y:='2'))";
  const inList = (st: unknown) => value(`ST IN ${list}`, { ST: st });
  assert.equal(inList({ X: 1, Y: '2' }), true);
  assert.equal(inList({ X: 2, Y: '2' }), false);
  assert.equal(inList({ X: 3, Y: '2' }), false, 'the list struct has an extra field Z');
  assert.equal(inList({ X: 4, Y: '2' }), true, 'field order does not matter');
  assert.equal(inList({ X: 5, Y: null }), true);
  assert.equal(inList({ X: 7, Y: '2' }), true, "'7' coerces to INTEGER");
  assert.equal(value("LARR IN (ARRAY[1,2], ARRAY[5,123456789000], ARRAY['3',NULL], ARR)", { LARR: [3, null] }), true);
  assert.equal(value("LARR IN (ARRAY[1,2], ARRAY[5,123456789000], ARRAY['3',NULL], ARR)", { LARR: [5, 123456789000] }), true);
  assert.equal(value('LARR IN (ARR)', { LARR: [2147483648], ARR: [-2147483648] }), false);
});

test('LIKE: %, _, escapes, regex characters; NULL is false', () => {
  assert.equal(value("S LIKE '%hi%'", { S: 'this' }), true);
  assert.equal(value("S LIKE 'f%'", { S: 'foo' }), true);
  assert.equal(value("S LIKE '%o'", { S: 'foo' }), true);
  assert.equal(value("S LIKE 'f'", { S: 'foo' }), false);
  assert.equal(value("S LIKE '%_9'", { S: 'STATE_9' }), true);
  assert.equal(value("S LIKE '_o_'", { S: 'foo' }), true);
  assert.equal(value("S LIKE '_o_'", { S: 'fooo' }), false);
  assert.equal(value("S LIKE 'a.c%'", { S: 'abc' }), false);
  assert.equal(value("S LIKE '(x)*%'", { S: '(x)*y' }), true);
  assert.equal(value("S LIKE '100!%' ESCAPE '!'", { S: '100%' }), true);
  assert.equal(value("S LIKE '100!%' ESCAPE '!'", { S: '1000' }), false);
  assert.equal(value("S LIKE '%'", { S: 'line\nbreak' }), true);
  assert.equal(value("S LIKE 'a%b'", { S: 'a\nb' }), true);
  assert.equal(value("S LIKE 'x%'"), false);
  assert.equal(value("S NOT LIKE 'x%'"), true);
  assert.equal(value('S LIKE S', { S: 'abc' }), true, 'pattern from a column');
  assert.equal(value('S LIKE S', { S: 'a_c' }), true);
  assert.equal(value('S LIKE S'), false);
});

test('CASE: first TRUE branch, NULL conditions skip, ELSE or NULL, lazy branches', () => {
  const c = "CASE WHEN I > 2 THEN 'big' WHEN I > 0 THEN 'small' ELSE 'none' END";
  assert.equal(value(c, { I: 3 }), 'big');
  assert.equal(value(c, { I: 1 }), 'small');
  assert.equal(value(c, { I: 0 }), 'none');
  assert.equal(value(c), 'none');
  assert.equal(value('CASE WHEN D < 2.0 THEN L + 2 END', { D: 1.9, L: 4 }), 6);
  assert.equal(value('CASE WHEN D < 2.0 THEN L + 2 END', { D: 2, L: 4 }), null);
  assert.equal(value("CASE I WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", { I: 2 }), 'two');
  calls.counted = 0;
  assert.equal(value('CASE WHEN false THEN COUNTED(1) WHEN true THEN 2 ELSE COUNTED(3) END'), 2);
  assert.equal(calls.counted, 0);
});

test('pseudo columns read the row context', () => {
  const ctx = { ts: 1514764800001, partition: 3, offset: 77, windowStart: 1000, windowEnd: 2000 };
  assert.equal(value('ROWTIME', {}, ctx), 1514764800001);
  assert.equal(value('ROWPARTITION + 3', {}, ctx), 6);
  assert.equal(value('ROWOFFSET * 3', {}, ctx), 231);
  assert.equal(value('WINDOWEND - WINDOWSTART', {}, ctx), 1000);
  assert.equal(value('WINDOWSTART'), null);
  assert.equal(value("ROWTIME BETWEEN '2018-01-01T00:00:00.001' AND '2018-01-01T00:00:01'", {}, ctx), true);
});

test('struct, array and map access', () => {
  const st = { X: 7, Y: 'y' };
  assert.equal(value('ST->X', { ST: st }), 7);
  assert.equal(value('ARR[1]', { ARR: [10, 20, 30] }), 10);
  assert.equal(value('ARR[-1]', { ARR: [10, 20, 30] }), 30);
  assert.equal(value('ARR[0]', { ARR: [10, 20, 30] }), null);
  assert.equal(value('ARR[4]', { ARR: [10, 20, 30] }), null);
  assert.equal(value('ARR[-4]', { ARR: [10, 20, 30] }), null);
  assert.equal(value('ARR[10 - 5 - 4]', { ARR: [10, 20] }), 10);
  assert.equal(value("M['a']", { M: { a: 1 } }), 1);
  assert.equal(value("M['b']", { M: { a: 1 } }), null);
  assert.equal(value("M['constructor']", { M: { a: 1 } }), null, 'no prototype keys');
  assert.equal(value("M['__proto__']", { M: { a: 1 } }), null);
  assert.equal(value('ARR[I]', { ARR: [1] }), null);
});

test('constructors build plain values', () => {
  assert.deepEqual(value("ARRAY[1, I, NULL, '2e1']", { I: 5 }), [dec('1'), dec('5'), null, dec('20')]);
  assert.deepEqual(value("MAP('a' := I, 'b' := 2)", { I: 1 }), { a: 1, b: 2 });
  assert.deepEqual(value('STRUCT(F1 := S, F2 := STRUCT(C1 := I))', { S: 'foo', I: 1 }), { F1: 'foo', F2: { C1: 1 } });
  assert.deepEqual(value('ARRAY[STRUCT(A := 123), STRUCT(A := 123)]'), [{ A: 123 }, { A: 123 }]);
  assert.deepEqual(value('STRUCT()'), {});
  assert.deepEqual(value('ARRAY[NULL, STRUCT(X := I, Y := L), STRUCT(Y := I, Z := L)]', { I: 30, L: 40 }), [
    null,
    { X: 30, Y: 40, Z: null },
    { X: null, Y: 30, Z: 40 },
  ]);
  const proto = value('STRUCT(`__proto__` := 1)') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(Object.hasOwn(proto, '__proto__'), true);
  const m = value("MAP('__proto__' := 1)") as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(m), Object.prototype);
  assert.equal(Object.hasOwn(m, '__proto__'), true);
});

test('function calls: values, errors become NULL with a log message, lambdas', () => {
  assert.deepEqual(run('FAIL(1) + 1'), { value: null, log: ['Error in function FAIL: boom'] });
  assert.deepEqual(value('ARRAY[44, FAIL(1)]'), [44, null]);
  assert.equal(value('IFNULL(FAIL(1), 5)'), 5);
  assert.equal(value('UNDEF()'), null);
  assert.equal(value('UNIT(SECONDS)'), 'SECONDS');
  assert.deepEqual(value('TRANSFORM(ARR, x => x * 2)', { ARR: [1, 2] }), [2, 4]);
  // ksqlDB (transform-array conformance case): arithmetic on NULL in a lambda fails the call.
  assert.deepEqual(run('TRANSFORM(ARR, x => x + 5)', { ARR: [5, null] }), { value: null, log: ['Error in function TRANSFORM: NULL operand of arithmetic in a lambda'] });
  assert.deepEqual(value('TRANSFORM(ARR, x => IFNULL(x, 0) + 5)', { ARR: [5, null] }), [10, 5]);
  assert.deepEqual(value('TRANSFORM(ARR, x => x + I)', { ARR: [1, 2], I: 10 }), [11, 12]);
  assert.equal(value('REDUCE(ARR, 0, (acc, x) => acc + x)', { ARR: [1, 2, 3] }), 6);
  assert.deepEqual(value('TRANSFORM(ARR, x => TRANSFORM(ARR, y => x * 10 + y))', { ARR: [1, 2] }), [
    [11, 12],
    [21, 22],
  ]);
  assert.deepEqual(value('TRANSFORM(ARR, x => TRANSFORM(ARR, x => x + 100))', { ARR: [1] }), [[101]], 'inner parameter shadows');
  assert.deepEqual(run('TRANSFORM(ARR, x => 10 / x)', { ARR: [1, 0] }), { value: null, log: ['Error in function TRANSFORM: Division by zero'] });
});

test('compileProjection: one function; a failing expression is NULL, the others keep their values', () => {
  assert.deepEqual(project(['I + 1', 'S', 'I / I2'], { I: 1, S: 'x', I2: 2 }), { value: [2, 'x', 0], log: [] });
  assert.deepEqual(project(['I + 1', 'I / I2', 'S'], { I: 1, S: 'x', I2: 0 }), {
    value: [2, null, 'x'],
    log: ['Error evaluating (I / I2): Division by zero'],
  });
  assert.deepEqual(project(['FAIL(1)', 'I / I2'], { I: 1, I2: 0 }), {
    value: [null, null],
    log: ['Error in function FAIL: boom', 'Error evaluating (I / I2): Division by zero'],
  });
  assert.deepEqual(project(['FAIL(1)', 'I'], { I: 1 }), { value: [null, 1], log: ['Error in function FAIL: boom'] });
});

test('compilePredicate: only TRUE passes; errors are false and logged', () => {
  assert.deepEqual(predicate('I > 1', { I: 2 }), { value: true, log: [] });
  assert.deepEqual(predicate('I > 1'), { value: false, log: [] });
  assert.deepEqual(predicate('B'), { value: false, log: [] });
  assert.deepEqual(predicate('B OR B2', { B2: true }), { value: true, log: [] });
  assert.deepEqual(predicate('I / I2 > 0', { I: 1, I2: 0 }), { value: false, log: ['Error evaluating condition ((I / I2) > 0): Division by zero'] });
});

test('compiling a round-tripped (JSON) plan gives the same results', () => {
  const t = analyze("CASE WHEN S LIKE 'a%' THEN DEC * 2 ELSE CAST(L AS DECIMAL(10, 2)) END");
  const f1 = compileExpr(t, functions);
  const f2 = compileExpr(JSON.parse(JSON.stringify(t)), functions);
  const r = row({ S: 'abc', DEC: dec('1.25'), L: 3 });
  assert.equal(String(f2(r)), String(f1(r)));
  assert.equal(String(f2(r)), '2.50');
});

test('compile-time re-resolution fails clearly when the function library changed', () => {
  const t = analyze('IFNULL(I, 1)');
  assert.throws(() => compileExpr(t, () => undefined), /Can't find any functions with the name 'IFNULL'/);
});
