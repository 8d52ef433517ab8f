import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticJoinKeyName } from '../../src/analyze/synthetic-key.ts';

const schema = (...names: string[]) => ({ key: [], value: names.map((name) => ({ name, type: { kind: 'INTEGER' as const } })) });

test('the synthetic join key is ROWKEY, or ROWKEY_n with the smallest n no source column uses', () => {
  assert.equal(syntheticJoinKeyName([schema('A'), schema('B')]), 'ROWKEY');
  assert.equal(syntheticJoinKeyName([schema('ROWKEY', 'ROWKEY_1'), schema('ROWKEY_3')]), 'ROWKEY_2');
  assert.equal(syntheticJoinKeyName([schema('ROWKEY', 'ROWKEY_1', 'ROWKEY_2'), schema('ROWKEY_3', 'ROWKEY_4', 'ROWKEY_5')]), 'ROWKEY_6');
  assert.equal(syntheticJoinKeyName([schema('ROWKEY_1', 'ROWKEYS', 'MY_ROWKEY')]), 'ROWKEY');
});
