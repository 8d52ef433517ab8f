import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionCall } from '../../src/sql/ast.ts';
import { parseExpression, parseType } from '../../src/sql/parser.ts';
import { bin, call, cmp, col, expr, int, lit, logical } from './helpers.ts';

test('arithmetic precedence: * / % bind tighter than + -, left associative', () => {
  assert.deepEqual(expr('a + b * c'), bin('+', col('A'), bin('*', col('B'), col('C'))));
  assert.deepEqual(expr('a - b - c'), bin('-', bin('-', col('A'), col('B')), col('C')));
  assert.deepEqual(expr('a / b % c'), bin('%', bin('/', col('A'), col('B')), col('C')));
  assert.deepEqual(expr('(a + b) * c'), bin('*', bin('+', col('A'), col('B')), col('C')));
});

test('unary minus binds tighter than *, postfix tighter than unary', () => {
  const neg = (operand: unknown) => ({ kind: 'ArithmeticUnary', op: '-', operand });
  assert.deepEqual(expr('-a * b'), bin('*', neg(col('A')), col('B')));
  assert.deepEqual(expr('-a[1]'), neg({ kind: 'Subscript', base: col('A'), index: int('1') }));
  assert.deepEqual(expr('-s->f'), neg({ kind: 'Dereference', base: col('S'), field: 'F' }));
  assert.deepEqual(expr('- -a'), neg(neg(col('A'))));
});

test('boolean precedence: OR < AND < NOT < comparison < arithmetic', () => {
  assert.deepEqual(
    expr('a OR b AND c'),
    logical('OR', col('A'), logical('AND', col('B'), col('C'))),
  );
  assert.deepEqual(expr('NOT a AND b'), logical('AND', { kind: 'Not', operand: col('A') }, col('B')));
  assert.deepEqual(expr('NOT a = b'), { kind: 'Not', operand: cmp('=', col('A'), col('B')) });
  assert.deepEqual(expr('a + 1 > b * 2'), cmp('>', bin('+', col('A'), int('1')), bin('*', col('B'), int('2'))));
  assert.deepEqual(
    expr('a = 1 OR b <> 2 AND c != 3'),
    logical('OR', cmp('=', col('A'), int('1')), logical('AND', cmp('<>', col('B'), int('2')), cmp('<>', col('C'), int('3')))),
  );
});

test('predicates: IS [NOT] NULL, [NOT] BETWEEN, [NOT] IN, [NOT] LIKE, IS [NOT] DISTINCT FROM', () => {
  assert.deepEqual(expr('a IS NULL'), { kind: 'IsNull', operand: col('A'), negated: false });
  assert.deepEqual(expr('a + 1 IS NOT NULL'), { kind: 'IsNull', operand: bin('+', col('A'), int('1')), negated: true });
  assert.deepEqual(expr('a NOT BETWEEN 1 AND 2 + 3'), {
    kind: 'Between',
    operand: col('A'),
    low: int('1'),
    high: bin('+', int('2'), int('3')),
    negated: true,
  });
  // BETWEEN's AND is not a logical AND.
  assert.deepEqual(expr('a BETWEEN 1 AND 2 AND b'), logical('AND', {
    kind: 'Between',
    operand: col('A'),
    low: int('1'),
    high: int('2'),
    negated: false,
  }, col('B')));
  assert.deepEqual(expr('a IN (1, 2)'), { kind: 'InList', operand: col('A'), list: [int('1'), int('2')], negated: false });
  assert.deepEqual(expr('a NOT IN (b)'), { kind: 'InList', operand: col('A'), list: [col('B')], negated: true });
  assert.deepEqual(expr("a LIKE 'x%'"), { kind: 'Like', operand: col('A'), pattern: lit('STRING', 'x%'), escape: null, negated: false });
  assert.deepEqual(expr("a NOT LIKE 'x!%' ESCAPE '!'"), {
    kind: 'Like',
    operand: col('A'),
    pattern: lit('STRING', 'x!%'),
    escape: '!',
    negated: true,
  });
  assert.deepEqual(expr('a IS DISTINCT FROM b'), cmp('DISTINCT', col('A'), col('B')));
  assert.deepEqual(expr('a IS NOT DISTINCT FROM b + 1'), cmp('NOT_DISTINCT', col('A'), bin('+', col('B'), int('1'))));
});

test('literal typing: INTEGER, BIGINT, DECIMAL, DOUBLE, STRING, BYTES, BOOLEAN, NULL', () => {
  assert.deepEqual(expr('12'), int('12'));
  assert.deepEqual(expr('2147483647'), int('2147483647'));
  assert.deepEqual(expr('2147483648'), lit('BIGINT', '2147483648'));
  assert.deepEqual(expr('-2147483648'), int('-2147483648'));
  assert.deepEqual(expr('-2147483649'), lit('BIGINT', '-2147483649'));
  assert.deepEqual(expr('9223372036854775807'), lit('BIGINT', '9223372036854775807'));
  assert.deepEqual(expr('-9223372036854775808'), lit('BIGINT', '-9223372036854775808'));
  assert.deepEqual(expr('1.50'), lit('DECIMAL', '1.50'));
  assert.deepEqual(expr('.5'), lit('DECIMAL', '.5'));
  assert.deepEqual(expr('-0.001'), lit('DECIMAL', '-0.001'));
  assert.deepEqual(expr('1.5E3'), lit('DOUBLE', '1.5E3'));
  assert.deepEqual(expr('2e-3'), lit('DOUBLE', '2e-3'));
  assert.deepEqual(expr("'it''s'"), lit('STRING', "it's"));
  assert.deepEqual(expr("''"), lit('STRING', ''));
  assert.deepEqual(expr("'multi\nline'"), lit('STRING', 'multi\nline'));
  assert.deepEqual(expr("X'0a1B'"), lit('BYTES', '0A1B'));
  assert.deepEqual(expr("x''"), lit('BYTES', ''));
  assert.deepEqual(expr('true'), lit('BOOLEAN', 'TRUE'));
  assert.deepEqual(expr('FALSE'), lit('BOOLEAN', 'FALSE'));
  assert.deepEqual(expr('null'), lit('NULL', 'NULL'));
  assert.deepEqual(expr('+5'), int('5'));
  // A sign before a parenthesised number is an operator, not part of the literal.
  assert.deepEqual(expr('-(5)'), { kind: 'ArithmeticUnary', op: '-', operand: int('5') });
});

test('identifiers: unquoted upper-cased, double- and back-quoted verbatim, escapes', () => {
  assert.deepEqual(expr('abc'), col('ABC'));
  assert.deepEqual(expr('"abc"'), col('abc'));
  assert.deepEqual(expr('`a b`'), col('a b'));
  assert.deepEqual(expr('"say ""hi"""'), col('say "hi"'));
  assert.deepEqual(expr('`a``b`'), col('a`b'));
  assert.deepEqual(expr('s.col'), col('COL', 'S'));
  assert.deepEqual(expr('`s`.`c`'), col('c', 's'));
  assert.deepEqual(expr('a_1@x'), col('A_1@X'));
  assert.deepEqual(expr('1abc'), col('1ABC'));
});

test('non-reserved keywords are column names', () => {
  for (const w of ['KEY', 'VALUE', 'TIMESTAMP', 'SIZE', 'DATE', 'TIME', 'TYPE', 'ID', 'NAME', 'WINDOW', 'EMIT', 'MAP', 'ARRAY', 'STRUCT', 'SECOND', 'PARTITION', 'SESSION']) {
    assert.deepEqual(expr(w.toLowerCase()), col(w), w);
    assert.deepEqual(expr(`s.${w}`), col(w, 'S'), w);
  }
  assert.deepEqual(expr('map[1]'), { kind: 'Subscript', base: col('MAP'), index: int('1') });
  assert.deepEqual(expr('REDUCE(map, 0, (s, x) => s)').kind, 'FunctionCall');
});

test('function calls: COUNT(*), DISTINCT, nested, keyword-named args', () => {
  assert.deepEqual(expr('substring(s, 1, 2)'), call('SUBSTRING', col('S'), int('1'), int('2')));
  assert.deepEqual(expr('COUNT(*)'), call('COUNT', { kind: 'Star' }));
  assert.deepEqual(expr('count(distinct x)'), { ...call('COUNT', col('X')), distinct: true });
  assert.deepEqual(expr('now()'), call('NOW'));
  assert.deepEqual(expr('f(g(1), "x")'), call('F', call('G', int('1')), col('x')));
  assert.deepEqual(expr('"MyFn"(1)'), call('MyFn', int('1')));
});

test('time units as function arguments', () => {
  assert.deepEqual(expr('TIMESTAMPADD(SECONDS, 5, ts)'), call('TIMESTAMPADD', { kind: 'IntervalUnitRef', unit: 'SECONDS' }, int('5'), col('TS')));
  assert.deepEqual(expr('f(millisecond)'), call('F', { kind: 'IntervalUnitRef', unit: 'MILLISECONDS' }));
  assert.deepEqual(expr('f(days, hours)'), call('F', { kind: 'IntervalUnitRef', unit: 'DAYS' }, { kind: 'IntervalUnitRef', unit: 'HOURS' }));
  // Singular DAY/SECOND stay column names (as in ksqlDB); so do units inside larger expressions.
  assert.deepEqual(expr('f(second)'), call('F', col('SECOND')));
  assert.deepEqual(expr('f(seconds + 1)'), call('F', bin('+', col('SECONDS'), int('1'))));
  assert.deepEqual(expr('f(`SECONDS`)'), call('F', col('SECONDS')));
});

test('lambdas as function arguments', () => {
  assert.deepEqual(expr('TRANSFORM(arr, x => x + 1)'), call('TRANSFORM', col('ARR'), {
    kind: 'Lambda',
    params: ['X'],
    body: bin('+', col('X'), int('1')),
  }));
  assert.deepEqual(expr('REDUCE(a, 0, (s, x) => s + x)'), call('REDUCE', col('A'), int('0'), {
    kind: 'Lambda',
    params: ['S', 'X'],
    body: bin('+', col('S'), col('X')),
  }));
  // A parenthesised expression is not mistaken for lambda parameters.
  assert.deepEqual(expr('f((a), b)'), call('F', col('A'), col('B')));
  assert.deepEqual((expr('f((a, b) => a)') as FunctionCall).args[0], { kind: 'Lambda', params: ['A', 'B'], body: col('A') });
});

test('OVER clauses', () => {
  const e = expr('SUM(x) OVER (PARTITION BY k, j ORDER BY ts DESC, y ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)');
  assert.deepEqual(e, {
    ...call('SUM', col('X')),
    over: {
      partitionBy: [col('K'), col('J')],
      orderBy: [
        { expr: col('TS'), descending: true },
        { expr: col('Y'), descending: false },
      ],
      frame: { kind: 'ROWS', preceding: 5 },
    },
  });
  const r = expr("AVG(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)");
  assert.deepEqual(r.kind === 'FunctionCall' && r.over?.frame, { kind: 'RANGE', preceding: { value: 1, unit: 'HOURS' } });
  const u = expr('COUNT(*) OVER (PARTITION BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)');
  assert.deepEqual(u.kind === 'FunctionCall' && u.over?.frame, { kind: 'ROWS', preceding: 'UNBOUNDED' });
  assert.deepEqual(expr('f(x) OVER ()'), { ...call('F', col('X')), over: { partitionBy: [], orderBy: [], frame: null } });
});

test('CASE, CAST, constructors, subscripts and dereferences', () => {
  assert.deepEqual(expr("CASE WHEN a > 1 THEN 'x' WHEN b THEN 'y' ELSE 'z' END"), {
    kind: 'Case',
    operand: null,
    whens: [
      { when: cmp('>', col('A'), int('1')), then: lit('STRING', 'x') },
      { when: col('B'), then: lit('STRING', 'y') },
    ],
    else: lit('STRING', 'z'),
  });
  assert.deepEqual(expr('CASE a WHEN 1 THEN 2 END'), { kind: 'Case', operand: col('A'), whens: [{ when: int('1'), then: int('2') }], else: null });
  assert.deepEqual(expr('CAST(a AS DECIMAL(4, 2))'), { kind: 'Cast', operand: col('A'), type: { kind: 'DECIMAL', precision: 4, scale: 2 } });
  assert.deepEqual(expr('ARRAY[1, 2]'), { kind: 'CreateArray', elements: [int('1'), int('2')] });
  assert.deepEqual(expr('ARRAY[]'), { kind: 'CreateArray', elements: [] });
  assert.deepEqual(expr("MAP('a' := 1, 'b' := 2)"), {
    kind: 'CreateMap',
    entries: [
      { key: lit('STRING', 'a'), value: int('1') },
      { key: lit('STRING', 'b'), value: int('2') },
    ],
  });
  assert.deepEqual(expr("STRUCT(a := 1, `b` := 'x')"), {
    kind: 'CreateStruct',
    fields: [
      { name: 'A', value: int('1') },
      { name: 'b', value: lit('STRING', 'x') },
    ],
  });
  assert.deepEqual(expr("s->f->g['k'][1]"), {
    kind: 'Subscript',
    base: {
      kind: 'Subscript',
      base: { kind: 'Dereference', base: { kind: 'Dereference', base: col('S'), field: 'F' }, field: 'G' },
      index: lit('STRING', 'k'),
    },
    index: int('1'),
  });
  assert.deepEqual(expr('arr[-1]'), { kind: 'Subscript', base: col('ARR'), index: int('-1') });
  assert.deepEqual(expr('s->`key`'), { kind: 'Dereference', base: col('S'), field: 'key' });
  assert.deepEqual(expr('s->from'), { kind: 'Dereference', base: col('S'), field: 'FROM' });
});

test('types', () => {
  assert.deepEqual(parseType('ARRAY<MAP<STRING, STRUCT<a INT, `B` ARRAY<BIGINT>>>>'), {
    kind: 'ARRAY',
    element: {
      kind: 'MAP',
      key: { kind: 'STRING' },
      value: {
        kind: 'STRUCT',
        fields: [
          { name: 'A', type: { kind: 'INTEGER' } },
          { name: 'B', type: { kind: 'ARRAY', element: { kind: 'BIGINT' } } },
        ],
      },
    },
  });
  for (const [text, kind] of [
    ['boolean', 'BOOLEAN'],
    ['int', 'INTEGER'],
    ['integer', 'INTEGER'],
    ['bigint', 'BIGINT'],
    ['double', 'DOUBLE'],
    ['string', 'STRING'],
    ['varchar', 'STRING'],
    ['VARCHAR(STRING)', 'STRING'],
    ['bytes', 'BYTES'],
    ['timestamp', 'TIMESTAMP'],
    ['date', 'DATE'],
    ['time', 'TIME'],
  ]) {
    assert.deepEqual(parseType(text), { kind }, text);
  }
  assert.deepEqual(parseType('STRUCT<>'), { kind: 'STRUCT', fields: [] });
  assert.deepEqual(parseType('ADDR', { types: new Map([['ADDR', { kind: 'STRING' }]]) }), { kind: 'STRING' });
});

test('spans of expression nodes', () => {
  const e = parseExpression('foo(a, b + 1)\n  AND x->y IS NULL');
  assert.equal(e.kind, 'Logical');
  if (e.kind !== 'Logical') return;
  assert.deepEqual(e.span, { line: 1, column: 1, start: 0, end: 32 });
  const right = e.right;
  assert.deepEqual(right.span, { line: 2, column: 7, start: 20, end: 32 });
  if (right.kind !== 'IsNull') return assert.fail();
  assert.deepEqual(right.operand.span, { line: 2, column: 7, start: 20, end: 24 });
  const call = e.left;
  if (call.kind !== 'FunctionCall') return assert.fail();
  assert.deepEqual(call.span, { line: 1, column: 1, start: 0, end: 13 });
  assert.deepEqual(call.args[1].span, { line: 1, column: 8, start: 7, end: 12 });
  // Parenthesised expressions span their parentheses.
  const p = parseExpression('(a + b) * c');
  if (p.kind !== 'ArithmeticBinary') return assert.fail();
  assert.deepEqual(p.left.span, { line: 1, column: 1, start: 0, end: 7 });
  assert.deepEqual(p.span, { line: 1, column: 1, start: 0, end: 11 });
});
