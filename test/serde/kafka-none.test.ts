import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INTEGER, STRING, TIME, TIMESTAMP, array, decimal, map, struct } from '../../src/types/sql-type.ts';
import type { SqlType } from '../../src/types/sql-type.ts';
import { SerdeError, createSerde } from '../../src/serde/index.ts';
import type { Serde, SerdeColumn } from '../../src/serde/index.ts';
import { writeSafeInt64BE } from '../../src/serde/kafka.ts';

const col = (name: string, type: SqlType): SerdeColumn => ({ name, type });
const kafka = (type: SqlType, isKey = false): Serde => createSerde('KAFKA', [col('V', type)], { isKey, wrapSingleValue: false });
const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

test("KAFKA: Kafka's primitive serializers, big-endian", () => {
  assert.equal(hex(kafka(INTEGER).serialize([1])), '00000001');
  assert.equal(hex(kafka(INTEGER).serialize([-2])), 'fffffffe');
  assert.equal(hex(kafka(BIGINT).serialize([2])), '0000000000000002');
  assert.equal(hex(kafka(BIGINT).serialize([-(2n ** 63n)])), '8000000000000000');
  assert.equal(hex(kafka(DOUBLE).serialize([1.5])), '3ff8000000000000');
  assert.equal(hex(kafka(STRING).serialize(['bär'])), '62c3a472');
  assert.equal(hex(kafka(BYTES).serialize([new Uint8Array([1, 2])])), '0102');
});

test('KAFKA: round trips, including 64-bit values beyond 2^53', () => {
  const cases: [SqlType, unknown[]][] = [
    [INTEGER, [0, 1, -1, 2147483647, -2147483648]],
    [BIGINT, [0, 10000000000, 9007199254740991, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]],
    [DOUBLE, [0, 10.1, -1e300, 5e-324, Infinity]],
    [STRING, ['', 'foo', 'ünï ✓']],
    [BYTES, [new Uint8Array([]), new Uint8Array([0, 255, 7])]],
  ];
  for (const [type, values] of cases) {
    const serde = kafka(type);
    for (const v of values) assert.deepEqual(serde.deserialize(serde.serialize([v]))![0], v instanceof Uint8Array ? v : v);
  }
  assert.ok(Number.isNaN(kafka(DOUBLE).deserialize(kafka(DOUBLE).serialize([NaN]))![0]));
});

test('KAFKA: null is null bytes; empty bytes are an empty string, not null', () => {
  for (const t of [INTEGER, BIGINT, DOUBLE, STRING, BYTES]) {
    assert.equal(kafka(t).serialize([null]), null);
    assert.equal(kafka(t).deserialize(null), null);
  }
  assert.deepEqual(kafka(STRING).deserialize(new Uint8Array(0)), ['']);
  assert.equal(kafka(STRING).serialize([''])!.length, 0);
});

test('KAFKA: wrong sizes and wrong values are errors', () => {
  assert.throws(() => kafka(INTEGER).deserialize(new Uint8Array(3)), {
    message: 'Failed to deserialise value: Size of data received by IntegerDeserializer is not 4',
  });
  assert.throws(() => kafka(BIGINT, true).deserialize(new Uint8Array(4)), {
    message: 'Failed to deserialise key: Size of data received by LongDeserializer is not 8',
  });
  assert.throws(() => kafka(DOUBLE).deserialize(new Uint8Array(0)), /Size of data received by Deserializer is not 8/);
  assert.throws(() => kafka(INTEGER).serialize([2147483648]), SerdeError);
  assert.throws(() => kafka(INTEGER).serialize(['1']), SerdeError);
  assert.throws(() => kafka(STRING).serialize([1]), SerdeError);
  assert.throws(() => kafka(INTEGER).serialize([1, 2]), /Column count mismatch/);
});

test('KAFKA: unsupported types and several columns are rejected at creation', () => {
  for (const t of [BOOLEAN, decimal(4, 2), TIMESTAMP, DATE, TIME, array(INTEGER), map(STRING, INTEGER), struct([col('F', INTEGER)])]) {
    assert.throws(
      () => kafka(t),
      (e: unknown) => e instanceof SerdeError && e.message === `The 'KAFKA' format does not support type '${t.kind}'`,
    );
  }
  assert.throws(
    () => createSerde('KAFKA', [col('A', INTEGER), col('B', STRING)], { isKey: false, wrapSingleValue: true }),
    (e: unknown) => e instanceof SerdeError && e.message === "The 'KAFKA' format only supports a single field. Got: [`A` INTEGER, `B` STRING]",
  );
  const empty = createSerde('KAFKA', [], { isKey: true, wrapSingleValue: false });
  assert.equal(empty.serialize([]), null);
  assert.deepEqual(empty.deserialize(new Uint8Array([1])), []);
});

test('NONE: writes nothing, ignores whatever it reads, takes no columns', () => {
  const none = createSerde('NONE', [], { isKey: true, wrapSingleValue: false });
  assert.equal(none.serialize([]), null);
  assert.deepEqual(none.deserialize(new TextEncoder().encode('data that should be ignored')), []);
  assert.deepEqual(none.deserialize(null), []);
  assert.throws(
    () => createSerde('NONE', [col('K', STRING)], { isKey: true, wrapSingleValue: false }),
    (e: unknown) => e instanceof SerdeError && /The 'NONE' format can only be used when no columns are defined/.test(e.message),
  );
});

test('writeSafeInt64BE writes what writeBigInt64BE writes, for safe integers of both signs', () => {
  const values = [0, 1, -1, 255, -256, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 1_700_000_000_000, -1_700_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (const n of values) {
    const a = Buffer.alloc(10);
    const b = Buffer.alloc(10);
    writeSafeInt64BE(a, 1, n);
    b.writeBigInt64BE(BigInt(n), 1);
    assert.deepEqual(a, b, String(n));
  }
});
