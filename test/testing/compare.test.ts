/**
 * Record values compared as ksqlDB's testing tool compares them (ExpectedRecordComparator).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEquals } from '../../src/testing/compare.ts';

test('struct values: same number of fields; an absent field reads as null, as in ksqlDB', () => {
  assert.equal(jsonEquals({ A: 1, B: null }, { A: 1, C: null }), true);
  assert.equal(jsonEquals({ A: 1, B: 2 }, { A: 1, C: 2 }), false); // absent is null, not 2
  assert.equal(jsonEquals({ A: 1, B: null }, { A: 1, B: null, C: null }), false); // field count differs
  assert.equal(jsonEquals({ a: 1 }, { A: 1 }), true); // names match upper-cased
  assert.equal(jsonEquals({ A: null }, { A: 0 }), false);
});
