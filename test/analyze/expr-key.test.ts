import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpression } from '../../src/sql/parser.ts';
import { ExprIds } from '../../src/analyze/expr-key.ts';
import { sameTypedExpr, type TypedExpr } from '../../src/types/typed-expr.ts';

const e = (text: string) => parseExpression(text);

test('ExprIds: equal for the same expression written elsewhere, with or without qualifiers', () => {
  const ids = new ExprIds();
  assert.ok(ids.same(e('UCASE(s.a) + 1'), e('UCASE( a )   +   1')));
  assert.ok(ids.same(e('CASE WHEN a THEN b ELSE c END'), e('CASE WHEN a THEN b ELSE c END')));
  assert.ok(ids.same(e('SUM(a) OVER (PARTITION BY b)'), e('SUM(a) OVER (PARTITION BY b)')));
});

test('ExprIds: every own field and the shape of the children count', () => {
  const ids = new ExprIds();
  const differ = [
    ['UCASE(a)', 'LCASE(a)'],
    ['a + b', 'a - b'],
    ['CAST(a AS INT)', 'CAST(a AS BIGINT)'],
    ['1', '1.0'],
    ['1', "'1'"],
    ['a->x', 'a->y'],
    ['a IN (b, c)', 'a NOT IN (b, c)'],
    ['CASE WHEN a THEN b END', 'CASE a WHEN b THEN NULL END'],
    ['CASE WHEN a THEN b ELSE c END', 'CASE WHEN a THEN b WHEN c THEN NULL END'],
    ['COUNT(a)', 'COUNT(DISTINCT a)'],
    ['SUM(a) OVER (PARTITION BY b)', 'SUM(a)'],
    ['SUM(a) OVER (PARTITION BY b)', 'SUM(a) OVER (PARTITION BY c)'],
    ['TRANSFORM(arr, x => x)', 'TRANSFORM(arr, y => y)'],
    ['STRUCT(A := 1)', 'STRUCT(B := 1)'],
    ["a LIKE b ESCAPE '!'", 'a LIKE b'],
  ];
  for (const [a, b] of differ) assert.ok(!ids.same(e(a), e(b)), `${a} vs ${b}`);
});

test('ExprIds: a column identity that keeps qualifiers tells sources apart', () => {
  const ids = new ExprIds((ref) => JSON.stringify([ref.source, ref.name]));
  assert.ok(!ids.same(e('l.a'), e('r.a')));
  assert.ok(ids.same(e('l.a + 1'), e('l.a + 1')));
});

test('ExprIds: linear and iterative on a deep chain', () => {
  const text = Array.from({ length: 400 }, (_, i) => `c${i}`).join(' OR ');
  const ids = new ExprIds();
  assert.ok(ids.same(e(text), e(text)));
});

test('sameTypedExpr: names of columns are display only; function names, fields and types are not', () => {
  const INT = { kind: 'INTEGER' } as const;
  const STRING = { kind: 'STRING' } as const;
  const col = (name: string): TypedExpr => ({ kind: 'Column', index: 0, name, type: STRING });
  const call = (name: string): TypedExpr => ({ kind: 'Call', name, args: [col('A')], argTypes: [STRING], type: STRING });
  assert.ok(sameTypedExpr(col('A'), col('B')));
  assert.ok(sameTypedExpr(call('UCASE'), call('UCASE')));
  assert.ok(!sameTypedExpr(call('UCASE'), call('LCASE')));
  assert.ok(!sameTypedExpr({ kind: 'Literal', value: 1, type: INT }, { kind: 'Literal', value: 2, type: INT }));
  assert.ok(!sameTypedExpr({ kind: 'Dereference', base: col('A'), field: 'X', type: INT }, { kind: 'Dereference', base: col('A'), field: 'Y', type: INT }));
});
