/**
 * toTestJson / fromTestJson, and the serdes end to end against ksqlDB's own expectations:
 * pass-through cases (`CREATE STREAM OUTPUT AS SELECT * FROM INPUT`) of the conformance suite,
 * run as input JSON -> bytes -> source serde -> sink serde -> bytes -> output JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  BIGINT,
  BOOLEAN,
  BYTES,
  DATE,
  DOUBLE,
  INTEGER,
  STRING,
  TIME,
  TIMESTAMP,
  array,
  decimal,
  map,
  struct,
} from '../../src/types/sql-type.ts';
import type { SqlType } from '../../src/types/sql-type.ts';
import {
  JsonNumber,
  createSerde,
  fromTestJson,
  parseJsonLossless,
  stringifyJson,
  toTestJson,
} from '../../src/serde/index.ts';
import type { FormatName, SerdeColumn } from '../../src/serde/index.ts';

const col = (name: string, type: SqlType): SerdeColumn => ({ name, type });
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

test('fromTestJson / toTestJson per format', () => {
  const k = [col('K', INTEGER)];
  assert.equal(text(fromTestJson('JSON', k, { V: 1, X: new JsonNumber('10.10') })), '{"V":1,"X":10.10}');
  assert.deepEqual(toTestJson('JSON', k, new TextEncoder().encode('{"V":10.10,"B":998877665544332211}')), {
    V: new JsonNumber('10.10'),
    B: 998877665544332211n,
  });
  assert.equal(text(fromTestJson('DELIMITED', k, 'foo,bar')), 'foo,bar');
  assert.equal(toTestJson('DELIMITED', k, new TextEncoder().encode('"-10"')), '"-10"');
  assert.equal(fromTestJson('JSON', k, null), null);
  assert.equal(toTestJson('KAFKA', k, null), null);

  const kafka = (type: SqlType, json: unknown) => {
    const columns = [col('V', type)];
    return toTestJson('KAFKA', columns, fromTestJson('KAFKA', columns, json));
  };
  assert.equal(kafka(INTEGER, 33), 33);
  assert.equal(kafka(INTEGER, '22'), 22);
  assert.equal(kafka(BIGINT, 10000000000), 10000000000);
  assert.equal(kafka(BIGINT, 998877665544332211n), 998877665544332211n);
  assert.deepEqual(kafka(DOUBLE, new JsonNumber('3.0')), new JsonNumber('3.0'));
  assert.deepEqual(kafka(DOUBLE, 10.1), new JsonNumber('10.1'));
  assert.equal(kafka(STRING, ''), '');
  assert.equal(kafka(BYTES, 'dmFyaWF0aW9ucw=='), 'dmFyaWF0aW9ucw==');
  assert.throws(() => fromTestJson('KAFKA', [col('V', INTEGER)], 'x'), /Cannot write "x" as KAFKA INTEGER/);
  assert.throws(() => fromTestJson('KAFKA', [col('V', INTEGER)], 2 ** 40), /KAFKA INTEGER/);

  assert.equal(toTestJson('NONE', [], new TextEncoder().encode('anything')), null);
  assert.equal(text(fromTestJson('NONE', [], 'data that should be ignored')), 'data that should be ignored');
});

// ---------------------------------------------------------------------------------------------
// Pass-through cases of the conformance suite.

const SUITE = process.env.RIFFLE_CONFORMANCE_DIR ?? new URL('../../../shared/conformance/ksql', import.meta.url).pathname;

interface Side {
  readonly format: FormatName;
  readonly columns: SerdeColumn[];
  readonly wrap?: boolean;
}
interface Case {
  readonly key: Side;
  readonly value: Side;
  readonly sinkKey?: Side;
  readonly sinkValue?: Side;
}

const kafkaKey = (type: SqlType, name = 'K'): Side => ({ format: 'KAFKA', columns: [col(name, type)] });
const json = (...columns: SerdeColumn[]): Side => ({ format: 'JSON', columns });
const bareJson = (...columns: SerdeColumn[]): Side => ({ format: 'JSON', columns, wrap: false });
const delim = (...columns: SerdeColumn[]): Side => ({ format: 'DELIMITED', columns });
const kafkaValue = (name: string, type: SqlType): Side => ({ format: 'KAFKA', columns: [col(name, type)] });

const CASES: Record<string, Case> = {
  'delimited__BOOLEAN_-_key': { key: delim(col('K', BOOLEAN)), value: delim(col('V', INTEGER)) },
  'delimited__DOUBLE_-_key': { key: delim(col('K', DOUBLE)), value: delim(col('V', INTEGER)) },
  'delimited__INT_-_key': { key: delim(col('K', INTEGER)), value: delim(col('V', INTEGER)) },
  delimited__deserialize_DELIMITED_with_WRAP_SINGLE_VALUE_false: { key: kafkaKey(STRING), value: delim(col('FOO', INTEGER)) },
  'delimited__multi-column_key': {
    key: delim(col('K1', STRING), col('K2', STRING)),
    value: delim(col('V', INTEGER)),
    sinkKey: json(col('K1', STRING), col('K2', STRING)),
  },
  delimited__read_written_decimals: { key: kafkaKey(STRING, 'ID'), value: delim(col('V', decimal(33, 16))) },
  delimited__select_delimited_value_format: {
    key: kafkaKey(STRING),
    value: delim(col('ID', BIGINT), col('NAME', STRING), col('VALUE', INTEGER)),
  },
  kafka__BIGINT: { key: kafkaKey(BIGINT), value: kafkaValue('FOO', BIGINT) },
  kafka__STRING: { key: kafkaKey(STRING), value: kafkaValue('FOO', STRING) },
  kafka__Unwrapped_single_values: { key: kafkaKey(STRING), value: kafkaValue('FOO', INTEGER) },
  'json__ARRAY_-_key': { key: json(col('K', array(DOUBLE))), value: json(col('V', INTEGER)) },
  'json__BIGINT_-_key': { key: json(col('K', BIGINT)), value: json(col('V', INTEGER)) },
  'json__BOOLEAN_-_key': { key: json(col('K', BOOLEAN)), value: json(col('V', INTEGER)) },
  'json__DECIMAL_-_key': { key: json(col('K', decimal(6, 4))), value: json(col('V', INTEGER)) },
  'json__STRUCT_-_key': { key: json(col('K', struct([col('F', DOUBLE)]))), value: json(col('V', INTEGER)) },
  'json__ARRAY_-_value_-_anonymous_-_serialize': { key: kafkaKey(STRING), value: json(col('V', array(DOUBLE))), sinkValue: bareJson(col('V', array(DOUBLE))) },
  'json__BOOLEAN_-_value_-_anonymous_-_serialize': { key: kafkaKey(STRING), value: json(col('V', BOOLEAN)), sinkValue: bareJson(col('V', BOOLEAN)) },
  'json__DECIMAL_-_value_-_anonymous_-_deserialize': { key: kafkaKey(STRING), value: bareJson(col('V', decimal(4, 2))), sinkValue: json(col('V', decimal(4, 2))) },
  'json__DOUBLE_-_value_-_anonymous_-_deserialize': { key: kafkaKey(STRING), value: bareJson(col('V', DOUBLE)), sinkValue: json(col('V', DOUBLE)) },
  'json__DOUBLE_-_value_-_anonymous_-_serialize': { key: kafkaKey(STRING), value: json(col('V', DOUBLE)), sinkValue: bareJson(col('V', DOUBLE)) },
  'json__MAP_-_value_-_anonymous_-_deserialize': { key: kafkaKey(STRING), value: bareJson(col('V', map(STRING, DOUBLE))), sinkValue: json(col('V', map(STRING, DOUBLE))) },
  'json__MAP_-_value_-_anonymous_-_serialize': { key: kafkaKey(STRING), value: json(col('V', map(STRING, DOUBLE))), sinkValue: bareJson(col('V', map(STRING, DOUBLE))) },
  'json__STRING_-_value_-_anonymous_-_deserialize': { key: kafkaKey(STRING), value: bareJson(col('V', STRING)), sinkValue: json(col('V', STRING)) },
  'json__STRING_-_value_-_anonymous_-_serialize': { key: kafkaKey(STRING), value: json(col('V', STRING)), sinkValue: bareJson(col('V', STRING)) },
  'json__STRUCT_-_value_-_anonymous_-_deserialize': { key: kafkaKey(STRING), value: bareJson(col('V', struct([col('A', DOUBLE)]))), sinkValue: json(col('V', struct([col('A', DOUBLE)]))) },
  'json__STRUCT_-_value_-_anonymous_-_serialize': { key: kafkaKey(STRING), value: json(col('V', struct([col('A', DOUBLE)]))), sinkValue: bareJson(col('V', struct([col('A', DOUBLE)]))) },
  'json__deserialize_anonymous_array_-_value': { key: kafkaKey(STRING), value: bareJson(col('FOO', array(STRING))), sinkValue: json(col('FOO', array(STRING))) },
  'json__deserialize_anonymous_map_-_value': { key: kafkaKey(STRING), value: bareJson(col('FOO', map(STRING, INTEGER))), sinkValue: json(col('FOO', map(STRING, INTEGER))) },
  'json__deserialize_nested_array_-_value': { key: kafkaKey(STRING), value: json(col('FOO', array(STRING))) },
  'json__deserialize_nested_primitive_-_value': { key: kafkaKey(STRING), value: json(col('FOO', INTEGER)) },
  'json__serialize_anonymous_primitive_-_value': { key: kafkaKey(STRING), value: json(col('FOO', BOOLEAN)), sinkValue: bareJson(col('FOO', BOOLEAN)) },
  'json__serialize_anonymous_struct_-_value': { key: kafkaKey(STRING), value: json(col('FOO', struct([col('F0', INTEGER)]))), sinkValue: bareJson(col('FOO', struct([col('F0', INTEGER)]))) },
  'json__serialize_nested_array_-_value': { key: kafkaKey(STRING), value: json(col('FOO', array(BIGINT))) },
  'json__serialize_nested_map_-_value': { key: kafkaKey(STRING), value: json(col('FOO', map(STRING, DOUBLE))) },
  'json__serialize_nested_primitive_-_value': { key: kafkaKey(STRING), value: json(col('FOO', BOOLEAN)) },
  bytes__DELIMITED_in_out: { key: kafkaKey(STRING, 'ID'), value: delim(col('B', BYTES)) },
  bytes__JSON_in_out: { key: kafkaKey(STRING, 'ID'), value: json(col('B', BYTES)) },
  bytes__KAFKA_in_out: { key: kafkaKey(STRING, 'ID'), value: kafkaValue('B', BYTES) },
  decimal__DELIMITED_in_out: { key: kafkaKey(STRING, 'ID'), value: delim(col('DEC', decimal(21, 19))) },
  decimal__DELIMITED_should_not_trim_trailing_zeros: { key: kafkaKey(STRING, 'ID'), value: delim(col('DEC', decimal(6, 4))) },
  decimal__JSON_in_out: { key: kafkaKey(STRING, 'ID'), value: json(col('DEC', decimal(21, 19))) },
  decimal__JSON_scale_in_data_less_than_scale_in_type: { key: kafkaKey(STRING, 'ID'), value: json(col('DEC', decimal(6, 4))) },
  decimal__JSON_should_not_trim_trailing_zeros: { key: kafkaKey(STRING, 'ID'), value: json(col('DEC', decimal(6, 4))) },
  date__DELIMITED_in_out: { key: kafkaKey(STRING, 'ID'), value: delim(col('DATE', DATE)) },
  date__JSON_in_out: { key: kafkaKey(STRING, 'ID'), value: json(col('DATE', DATE)) },
  time__JSON_in_out: { key: kafkaKey(STRING, 'ID'), value: json(col('TIME', TIME)) },
  timestamp__DELIMITED_in_out: { key: kafkaKey(STRING, 'ID'), value: delim(col('TIME', TIMESTAMP)) },
  timestamp__JSON_in_out: { key: kafkaKey(STRING, 'ID'), value: json(col('TIME', TIMESTAMP)) },
  elements__validate_bigint_elements_OK__DELIMITED: { key: kafkaKey(STRING), value: delim(col('V0', BIGINT)) },
  elements__validate_bigint_elements_OK__JSON: { key: kafkaKey(STRING), value: json(col('V0', BIGINT)) },
  elements__validate_bigint_elements_OK__KAFKA: { key: kafkaKey(STRING), value: kafkaValue('V0', BIGINT) },
  elements__validate_double_elements_OK__DELIMITED: { key: kafkaKey(STRING), value: delim(col('V0', DOUBLE)) },
  elements__validate_double_elements_OK__JSON: { key: kafkaKey(STRING), value: json(col('V0', DOUBLE)) },
  elements__validate_double_elements_OK__KAFKA: { key: kafkaKey(STRING), value: kafkaValue('V0', DOUBLE) },
  elements__validate_int_elements_OK__DELIMITED: { key: kafkaKey(STRING), value: delim(col('V0', INTEGER)) },
  elements__validate_int_elements_OK__JSON: { key: kafkaKey(STRING), value: json(col('V0', INTEGER)) },
  elements__validate_int_elements_OK__KAFKA: { key: kafkaKey(STRING), value: kafkaValue('V0', INTEGER) },
  elements__validate_string_elements_OK__JSON: { key: kafkaKey(STRING), value: json(col('V0', STRING)) },
  elements__validate_string_elements_OK__KAFKA: { key: kafkaKey(STRING), value: kafkaValue('V0', STRING) },
  elements__validate_boolean_elements_OK__JSON: { key: kafkaKey(STRING), value: json(col('V0', BOOLEAN)) },
  elements__validate_array_element_OK__JSON: { key: { format: 'NONE', columns: [] }, value: json(col('V0', array(INTEGER))) },
  elements__validate_map_element_OK__JSON: { key: { format: 'NONE', columns: [] }, value: json(col('V0', map(STRING, INTEGER))) },
  'elements__with_invalid_or_reserved_words_in_schema_-_JSON': { key: { format: 'NONE', columns: [] }, value: json(col('@TIMESTAMP', BIGINT), col('FROM', BIGINT)) },
};

interface TestRecord {
  readonly key?: unknown;
  readonly value: unknown;
}

function load(dir: string, file: string): TestRecord[] {
  const doc = parseJsonLossless(readFileSync(`${SUITE}/${dir}/${file}`, 'utf8')) as Record<string, TestRecord[]>;
  return doc.inputs ?? doc.outputs;
}

function serdeOf(side: Side, isKey: boolean) {
  return createSerde(side.format, side.columns, { isKey, wrapSingleValue: side.wrap ?? true });
}

/** Pass one test-file key or value through source and sink serdes. */
function pass(json: unknown, source: Side, sink: Side, isKey: boolean): unknown {
  const row = serdeOf(source, isKey).deserialize(fromTestJson(source.format, source.columns, json ?? null));
  const bytes = row === null ? null : serdeOf(sink, isKey).serialize(row);
  return toTestJson(sink.format, sink.columns, bytes);
}

test('pass-through cases of the conformance suite give ksqlDB output exactly', { skip: !existsSync(SUITE) }, () => {
  for (const [dir, c] of Object.entries(CASES)) {
    const inputs = load(dir, 'input.json');
    const outputs = load(dir, 'output.json');
    assert.equal(inputs.length, outputs.length, dir);
    inputs.forEach((input, i) => {
      const key = pass(input.key, c.key, c.sinkKey ?? c.key, true);
      const value = pass(input.value, c.value, c.sinkValue ?? c.value, false);
      // Exact comparison of the JSON text: numbers must carry the same digits and scale.
      assert.equal(stringifyJson(key), stringifyJson(outputs[i].key ?? null), `${dir} #${i} key`);
      assert.equal(stringifyJson(value), stringifyJson(outputs[i].value), `${dir} #${i} value`);
    });
  }
});
