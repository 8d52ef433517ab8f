import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, array, decimal } from '../../src/types/sql-type.ts';
import { Decimal } from '../../src/types/decimal.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { ModelColumn } from '../../src/ml/spec.ts';
import { encodeRow, resolveSchema, SchemaError } from '../../src/ml/schema.ts';
import type { DiscoveredModel } from '../../src/ml/schema.ts';
import { parseV2Metadata, parseV2Response } from '../../src/ml/kserve-v2.ts';
import { parseV1Response } from '../../src/ml/kserve-v1.ts';
import { DecodeError, encodeValue, sqlTypeOfDatatype } from '../../src/ml/tensor.ts';
import { toJson } from '../../src/ml/http.ts';

const V2 = { PROVIDER: 'kserve-v2', ENDPOINT: 'http://127.0.0.1:1', MODEL_NAME: 'm' };
const d = (...names: string[]): ModelColumn[] => names.map((name) => ({ name, type: DOUBLE }));

function schemaOf(props: Record<string, string | number | boolean>, ins: ModelColumn[] | null, outs: ModelColumn[] | null, disc: DiscoveredModel | null = null) {
  return resolveSchema(modelSpecFromProperties({ ...V2, ...props }, ins, outs), disc);
}

test('datatype -> SQL type mapping', () => {
  assert.deepEqual(['FP16', 'FP32', 'FP64', 'INT64', 'INT32', 'INT8', 'UINT64', 'BOOL', 'BYTES'].map((t) => sqlTypeOfDatatype(t as never).kind), [
    'DOUBLE', 'DOUBLE', 'DOUBLE', 'BIGINT', 'INTEGER', 'INTEGER', 'BIGINT', 'BOOLEAN', 'STRING',
  ]);
});

test('encoding values', () => {
  assert.equal(encodeValue(1.5, 'FP64'), 1.5);
  assert.equal(encodeValue(3, 'FP32'), 3);
  assert.equal(encodeValue(7n, 'FP64'), 7);
  assert.equal(encodeValue(new Decimal(1234n, 2), 'FP64'), 12.34);
  assert.equal(encodeValue(true, 'FP64'), 1);
  assert.equal(encodeValue(true, 'BOOL'), true);
  assert.equal(encodeValue('a', 'BYTES'), 'a');
  assert.equal(encodeValue(5, 'INT64'), 5);
  assert.equal(encodeValue(2n ** 60n, 'INT64'), 2n ** 60n);
  assert.deepEqual(encodeValue(null, 'FP64'), { error: 'NULL feature value' });
  assert.deepEqual(encodeValue(1.5, 'INT64'), { error: '1.5 is not an integer (INT64)' });
  assert.deepEqual(encodeValue(2 ** 31, 'INT32'), { error: '2147483648 out of range for INT32' });
  assert.deepEqual(encodeValue('x', 'FP64'), { error: "cannot send string 'x' as FP64" });
  assert.deepEqual(encodeValue(NaN, 'FP64'), { error: 'non-finite value NaN' });
  assert.equal(toJson({ a: [1, 2n ** 60n] }), '{"a":[1,1152921504606846976]}');
});

test('declared inputs: matrix by default, columns on request', () => {
  const m = schemaOf({}, d('a', 'b', 'c'), d('y'));
  assert.equal(m.layout, 'matrix');
  assert.deepEqual(m.inputTensors, [{ name: 'input-0', datatype: 'FP64', columns: [0, 1, 2], rank: 2 }]);
  const ints = schemaOf({}, [{ name: 'a', type: INTEGER }, { name: 'b', type: BIGINT }], d('y'));
  assert.equal(ints.inputTensors[0].datatype, 'INT64');
  const c = schemaOf({ TENSOR_LAYOUT: 'columns' }, [{ name: 'a', type: DOUBLE }, { name: 's', type: STRING }], d('y'));
  assert.deepEqual(c.inputTensors, [
    { name: 'a', datatype: 'FP64', columns: [0], rank: 2 },
    { name: 's', datatype: 'BYTES', columns: [1], rank: 2 },
  ]);
  const f32 = schemaOf({ INPUT_DATATYPE: 'FP32', INPUT_TENSOR: 'x' }, d('a', 'b'), d('y'));
  assert.deepEqual(f32.inputTensors, [{ name: 'x', datatype: 'FP32', columns: [0, 1], rank: 2 }]);
});

test('row encoding reports the column and why', () => {
  const s = schemaOf({}, [{ name: 'a', type: DOUBLE }, { name: 'n', type: BIGINT }], d('y'));
  assert.deepEqual(encodeRow(s, [1.5, 2]), [1.5, 2]);
  assert.equal(encodeRow(s, [1.5, null]), 'input n: NULL feature value');
  assert.equal(encodeRow(s, [1.5]), 'row has 1 feature values, model 2 inputs');
  assert.equal(encodeRow(s, ['x', 1]), "input a: cannot send string 'x' as FP64");
});

test('discovery from V2 metadata', () => {
  const meta = parseV2Metadata(
    { name: 'iris', inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'predict', datatype: 'INT64', shape: [-1, 1] }, { name: 'proba', datatype: 'FP64', shape: [-1, 3] }] },
    'GET x',
  );
  const s = schemaOf({}, null, null, meta);
  assert.deepEqual(s.inputs.map((c) => c.name), ['input_0_0', 'input_0_1', 'input_0_2', 'input_0_3']);
  assert.ok(s.inputs.every((c) => c.type.kind === 'DOUBLE'));
  assert.equal(s.layout, 'matrix');
  assert.deepEqual(s.inputTensors, [{ name: 'input-0', datatype: 'FP32', columns: [0, 1, 2, 3], rank: 2 }]);
  assert.deepEqual(s.outputs, [{ name: 'predict', type: BIGINT }, { name: 'proba', type: array(DOUBLE) }]);
  assert.deepEqual(s.outputTensors, ['predict', 'proba']);

  const multi = parseV2Metadata({ inputs: [{ name: 'age', datatype: 'INT32', shape: [-1] }, { name: 'vip', datatype: 'BOOL', shape: [-1, 1] }], outputs: [{ name: 'p', datatype: 'FP32', shape: [-1] }] }, 'GET x');
  const m = schemaOf({}, null, null, multi);
  assert.equal(m.layout, 'columns');
  assert.deepEqual(m.inputs, [{ name: 'age', type: INTEGER }, { name: 'vip', type: BOOLEAN }]);
  assert.deepEqual(m.inputTensors.map((t) => [t.name, t.rank]), [['age', 1], ['vip', 2]]);

  // Declared inputs, discovered datatype and width check.
  const s2 = schemaOf({}, d('a', 'b', 'c', 'e'), null, meta);
  assert.equal(s2.inputTensors[0].datatype, 'FP32');
  assert.throws(() => schemaOf({}, d('a', 'b'), null, meta), /tensor input-0 takes 4 features per row, but INPUT declares 2 columns/);
  assert.throws(() => schemaOf({}, null, d('y'), { inputs: [{ name: 'img', datatype: 'FP32', shape: [-1, 3, 224, 224] }], outputs: [], source: 'GET x' }), SchemaError);
  assert.throws(() => schemaOf({}, null, d('y'), null), /no metadata to discover inputs from: declare INPUT/);
  assert.throws(() => parseV2Metadata({ inputs: [{ name: 'x', datatype: 'FLOAT', shape: [1] }] }, 'GET x'), /inputs\[0\] is not a tensor description/);
});

test('V2 response: well-formed answers decode; output bound by name, else by position', () => {
  const s = schemaOf({}, d('a'), [{ name: 'label', type: BIGINT }]);
  const body = (outputs: unknown[], id: unknown = 'r1') => ({ id, model_name: 'm', outputs });
  assert.deepEqual(parseV2Response(s, body([{ name: 'predict', shape: [2], datatype: 'INT64', data: [1, 0] }]), 2, 'r1'), [[1], [0]]);
  assert.deepEqual(parseV2Response(s, body([{ name: 'label', shape: [2, 1], datatype: 'INT64', data: [[1], [0]] }], undefined), 2, 'r1'), [[1], [0]]);
  const two = schemaOf({}, d('a'), [{ name: 'proba', type: array(DOUBLE) }, { name: 'label', type: STRING }]);
  assert.deepEqual(
    parseV2Response(two, body([{ name: 'label', shape: [2], datatype: 'BYTES', data: ['x', 'y'] }, { name: 'proba', shape: [2, 2], datatype: 'FP64', data: [0.1, 0.9, 0.8, 0.2] }]), 2, 'r1'),
    [[[0.1, 0.9], 'x'], [[0.8, 0.2], 'y']],
  );
  const dec = schemaOf({}, d('a'), [{ name: 'y', type: decimal(5, 2) }]);
  const [[v]] = parseV2Response(dec, body([{ name: 'y', shape: [1], datatype: 'FP64', data: [1.234] }]), 1, 'r1') as Decimal[][];
  assert.equal(v.toString(), '1.23');
});

test('V2 response: malformed answers are rejected with a reason', () => {
  const s = schemaOf({}, d('a'), [{ name: 'y', type: DOUBLE }]);
  const bad = (b: unknown, re: RegExp, rows = 2) => assert.throws(() => parseV2Response(s, b, rows, 'r1'), (e: unknown) => e instanceof DecodeError && re.test(e.message));
  const t = (x: object) => ({ outputs: [{ name: 'y', shape: [2], datatype: 'FP64', data: [1, 2], ...x }] });
  bad([], /not a JSON object/);
  bad({ predictions: [1, 2] }, /no "outputs" list/);
  bad({ ...t({}), id: 'other' }, /response id "other" does not match request id "r1"/);
  bad(t({ shape: [3] }), /output y has 3 rows \(shape \[3\]\), 2 were sent/);
  bad(t({ data: [1] }), /output y has 1 values for shape \[2\] \(want 2\)/);
  bad(t({ shape: [2, 2], data: [1, 2, 3, 4] }), /output y has 2 values per row, but column y is a scalar: declare it ARRAY/);
  bad(t({ datatype: 'FLOAT' }), /unknown datatype "FLOAT"/);
  bad(t({ shape: [-1] }), /invalid shape/);
  bad(t({ data: 'AAAA' }), /no "data" list/);
  bad(t({ data: [1, 'x'] }), /output y row 1: 'x' is not a valid DOUBLE/);
  bad({ outputs: [{ name: 'z', shape: [2], datatype: 'FP64', data: [1, 2] }, { name: 'w', shape: [2], datatype: 'FP64', data: [1, 2] }] }, /no output named y \(it has: z, w\)/);
});

test('V1 response: scalars, lists, objects; strict row count', () => {
  const one = schemaOf({ PROVIDER: 'kserve-v1', TENSOR_LAYOUT: 'matrix' }, d('a'), [{ name: 'y', type: BIGINT }]);
  assert.deepEqual(parseV1Response(one, { predictions: [1, 0] }, 2), [[1], [0]]);
  assert.deepEqual(parseV1Response(one, { predictions: [{ y: 1 }, { Y: 2 }] }, 2), [[1], [2]]);
  assert.deepEqual(parseV1Response(one, { predictions: [{ other: 3 }] }, 1), [[3]]);
  const vec = schemaOf({ PROVIDER: 'kserve-v1' }, d('a'), [{ name: 'p', type: array(DOUBLE) }]);
  assert.deepEqual(parseV1Response(vec, { predictions: [[0.1, 0.9]] }, 1), [[[0.1, 0.9]]]);
  const two = schemaOf({ PROVIDER: 'kserve-v1' }, d('a'), [{ name: 'label', type: STRING }, { name: 'score', type: DOUBLE }]);
  assert.deepEqual(parseV1Response(two, { predictions: [['cat', 0.9]] }, 1), [['cat', 0.9]]);
  assert.deepEqual(parseV1Response(two, { predictions: [{ score: 0.5, label: 'dog' }] }, 1), [['dog', 0.5]]);
  assert.throws(() => parseV1Response(one, { predictions: [1] }, 2), /1 predictions, 2 rows were sent/);
  assert.throws(() => parseV1Response(one, { outputs: [1] }, 1), /no "predictions" list/);
  assert.throws(() => parseV1Response(two, { predictions: [1] }, 1), /single value, model has 2 output columns/);
  assert.throws(() => parseV1Response(two, { predictions: [{ score: 1 }] }, 1), /has no field label/);
  assert.throws(() => parseV1Response(one, { predictions: [1.5] }, 1), /1.5 is not a valid BIGINT/);
});
