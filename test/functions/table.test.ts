import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatType } from '../../src/types/sql-type.ts';
import { dec, decText, tableOf } from './helpers.ts';

test('EXPLODE', () => {
  const e = tableOf('EXPLODE', ['ARRAY<DECIMAL(20, 10)>']);
  assert.equal(formatType(e.returnType), 'DECIMAL(20, 10)');
  assert.deepEqual(decText(e.impl([dec('123.4560000000'), null])), ['123.4560000000', null]);
  assert.deepEqual(e.impl(null), []);
  assert.deepEqual(tableOf('EXPLODE', ['ARRAY<STRUCT<A INT>>']).impl([{ A: 1 }]), [{ A: 1 }]);
});

test('CUBE_EXPLODE', () => {
  const c = tableOf('CUBE_EXPLODE', ['ARRAY<INT>']);
  assert.equal(formatType(c.returnType), 'ARRAY<INTEGER>');
  assert.deepEqual(c.impl([1, 2]), [[null, null], [null, 2], [1, null], [1, 2]]);
  assert.deepEqual(c.impl([1, null]), [[null, null], [1, null]]);
  assert.deepEqual(c.impl(['one', 'two', 'three']).length, 8);
  assert.deepEqual(c.impl([]), [[]]);
  assert.deepEqual(c.impl(null), []);
});
