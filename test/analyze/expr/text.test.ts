import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringNumericType } from '../../../src/analyze/expr/literals.ts';
import { suggest } from '../../../src/analyze/expr/scope.ts';
import { formatType } from '../../../src/types/sql-type.ts';

test('literal text helpers', () => {
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
