/** String.valueOf and CAST(x AS STRING) of SQL values (src/types/java/value-text.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../../src/types/decimal.ts';
import { STRING, type SqlType } from '../../../src/types/sql-type.ts';
import { castToString, javaHashMapOrder, javaText, javaValueText } from '../../../src/types/java/value-text.ts';

test('HashMap iteration order of string keys', () => {
  assert.deepEqual(javaHashMapOrder(['b', 'a'], STRING), ['a', 'b']);
  assert.deepEqual(javaHashMapOrder(['key3', 'key2', 'key1'], STRING), ['key1', 'key2', 'key3']);
});

test('containers print their elements as the java.sql / BigDecimal objects ksqlDB holds', () => {
  const arr = (element: SqlType): SqlType => ({ kind: 'ARRAY', element });
  assert.equal(javaText(arr({ kind: 'TIMESTAMP' }))([Date.UTC(2020, 0, 1, 10), null]), '[2020-01-01 10:00:00.0, null]');
  assert.equal(javaText(arr({ kind: 'DATE' }))([0]), '[1970-01-01]');
  assert.equal(javaText(arr({ kind: 'TIME' }))([37_200_000]), '[10:20:00]');
  assert.equal(javaText(arr({ kind: 'DECIMAL', precision: 8, scale: 7 }))([new Decimal(0n, 7)]), '[0E-7]');
  assert.equal(javaText(arr({ kind: 'DOUBLE' }))([1e7, 3]), '[1.0E7, 3.0]');
  const struct: SqlType = { kind: 'STRUCT', fields: [{ name: 'A', type: { kind: 'INTEGER' } }, { name: 'B', type: STRING }] };
  assert.equal(javaText(struct)({ A: 1, B: null }), 'Struct{A=1}');
  assert.equal(javaValueText([1.5, 2, new Decimal(1n, 7)], null), '[1.5, 2, 1E-7]');
});

test('CAST to STRING: DECIMAL plain, temporal types as SqlTimeTypes, BYTES base64', () => {
  assert.equal(castToString({ kind: 'DECIMAL', precision: 8, scale: 7 })(new Decimal(0n, 7)), '0.0000000');
  assert.equal(castToString({ kind: 'TIMESTAMP' })(Date.UTC(10000, 0, 1)), '+10000-01-01T00:00:00.000');
  assert.equal(castToString({ kind: 'DATE' })(-719893), '-0001-01-01');
  assert.equal(castToString({ kind: 'TIME' })(37_200_500), '10:20');
  assert.equal(castToString({ kind: 'BYTES' })(new Uint8Array([1, 2, 3])), 'AQID');
  assert.equal(castToString({ kind: 'DOUBLE' })(Number.MIN_VALUE), '4.9E-324');
});
