import { test } from 'node:test';
import assert from 'node:assert/strict';
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
import { Decimal } from '../../src/types/decimal.ts';
import { SerdeError, createSerde } from '../../src/serde/index.ts';
import type { Serde, SerdeColumn } from '../../src/serde/index.ts';
import { decimalAsJsonNumber, jsonDecimal } from '../../src/serde/json-write.ts';
import { mulberry32 } from '../helpers/random.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

function value(columns: SerdeColumn[], wrapSingleValue = true): Serde {
  return createSerde('JSON', columns, { isKey: false, wrapSingleValue });
}
const col = (name: string, type: SqlType): SerdeColumn => ({ name, type });
const one = (type: SqlType) => value([col('V', type)]);

test('JSON: every type round-trips and is written as ksqlDB writes it', () => {
  const columns = [
    col('B', BOOLEAN),
    col('I', INTEGER),
    col('L', BIGINT),
    col('BIG', BIGINT),
    col('D', DOUBLE),
    col('DEC', decimal(6, 2)),
    col('S', STRING),
    col('BY', BYTES),
    col('TS', TIMESTAMP),
    col('DT', DATE),
    col('TM', TIME),
    col('A', array(INTEGER)),
    col('M', map(STRING, DOUBLE)),
    col('ST', struct([col('X', INTEGER), col('Y', array(STRING))])),
  ];
  const row = [
    true,
    -7,
    1234567890123,
    2n ** 62n + 1n,
    3,
    new Decimal(1230n, 2),
    'héllo "q" \n',
    new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    1700000000123,
    19000,
    3600000,
    [1, null, 3],
    { a: 1.5, b: null },
    { X: 1, Y: ['p', null] },
  ];
  const serde = value(columns);
  const bytes = serde.serialize(row);
  assert.equal(
    dec(bytes),
    '{"B":true,"I":-7,"L":1234567890123,"BIG":4611686018427387905,"D":3.0,"DEC":12.30,' +
      '"S":"héllo \\"q\\" \\n","BY":"3q2+7w==","TS":1700000000123,"DT":19000,"TM":3600000,' +
      '"A":[1,null,3],"M":{"a":1.5,"b":null},"ST":{"X":1,"Y":["p",null]}}',
  );
  assert.deepEqual(serde.deserialize(bytes), [
    true,
    -7,
    1234567890123,
    2n ** 62n + 1n,
    3,
    new Decimal(1230n, 2),
    'héllo "q" \n',
    Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    1700000000123,
    19000,
    3600000,
    [1, null, 3],
    { a: 1.5, b: null },
    { X: 1, Y: ['p', null] },
  ]);
});

test('JSON: doubles in Java form, non-finite as strings', () => {
  const serde = value([col('A', DOUBLE), col('B', DOUBLE)]);
  const cases: [number, string][] = [
    [10.5, '10.5'],
    [100, '100.0'],
    [1e-5, '1.0E-5'],
    [12345678.9, '1.23456789E7'],
    [-0.25, '-0.25'],
    [NaN, '"NaN"'],
    [-Infinity, '"-Infinity"'],
  ];
  for (const [v, text] of cases) {
    assert.equal(dec(serde.serialize([v, 0.5])), `{"A":${text},"B":0.5}`);
    const back = serde.deserialize(serde.serialize([v, 0.5]))![0];
    assert.ok(Object.is(back, v), `${v} read back as ${back}`);
  }
});

test('JSON: nulls, missing fields and tombstones', () => {
  const serde = value([col('A', INTEGER), col('B', STRING)]);
  assert.equal(dec(serde.serialize([null, undefined])), '{"A":null,"B":null}');
  assert.deepEqual(serde.deserialize(enc('{"A":null}')), [null, null]);
  assert.deepEqual(serde.deserialize(enc('{}')), [null, null]);
  assert.equal(serde.deserialize(null), null);
  assert.equal(serde.deserialize(enc('null')), null); // tombstone
  assert.equal(serde.deserialize(enc(' null ')), null);
});

test('JSON: single values, wrapped or bare; keys always bare when single', () => {
  const wrapped = value([col('FOO', INTEGER)]);
  assert.equal(dec(wrapped.serialize([10])), '{"FOO":10}');
  assert.deepEqual(wrapped.deserialize(enc('{"FOO":10}')), [10]);

  const bare = value([col('FOO', INTEGER)], false);
  assert.equal(dec(bare.serialize([10])), '10');
  assert.deepEqual(bare.deserialize(enc('10')), [10]);
  assert.equal(bare.serialize([null]), null); // as KsqlJsonSerializer: null bytes
  assert.deepEqual(bare.deserialize(enc('null')), [null]); // UnwrappedDeserializer: a row holding null
  assert.equal(bare.deserialize(null), null);

  const key = createSerde('JSON', [col('K', STRING)], { isKey: true, wrapSingleValue: true });
  assert.equal(dec(key.serialize(['a'])), '"a"');
  assert.deepEqual(key.deserialize(enc('"a"')), ['a']);
  assert.equal(key.serialize([null]), null);

  const multiKey = createSerde('JSON', [col('K', INTEGER), col('K2', INTEGER)], { isKey: true, wrapSingleValue: false });
  assert.equal(dec(multiKey.serialize([1, 2])), '{"K":1,"K2":2}');
  assert.equal(dec(multiKey.serialize([null, 2])), '{"K":null,"K2":2}');
  assert.equal(dec(multiKey.serialize([null, null])), '{"K":null,"K2":null}'); // a key of nulls, not no key
  assert.deepEqual(multiKey.deserialize(enc('{"K":1,"K2":2}')), [1, 2]);

  const bareArray = value([col('V', array(DOUBLE))], false);
  assert.equal(dec(bareArray.serialize([[99.99]])), '[99.99]');
  const bareStruct = value([col('V', struct([col('A', DOUBLE)]))], false);
  assert.deepEqual(bareStruct.deserialize(enc('{"a":45.67}')), [{ A: 45.67 }]);
});

test('JSON: field names match exactly, else by upper-casing the JSON key', () => {
  const serde = value([col('ID', BIGINT), col('NAME', STRING), col('Mixed', INTEGER), col('@TIMESTAMP', BIGINT)]);
  assert.deepEqual(serde.deserialize(enc('{"id":1,"Name":"x","Mixed":2,"@timestamp":4}')), [1, 'x', 2, 4]);
  assert.deepEqual(serde.deserialize(enc('{"ID":1,"id":2}')), [1, null, null, null]); // exact wins
  assert.deepEqual(serde.deserialize(enc('{"id":1,"Id":2}')), [2, null, null, null]); // last wins
  assert.deepEqual(serde.deserialize(enc('{"mixed":2,"MIXED":3}')), [null, null, null, null]); // quoted name: exact only
  // The same on many records (the key cache must not leak between fields or records).
  for (let i = 0; i < 50; i++) {
    assert.deepEqual(serde.deserialize(enc(`{"name":"n${i}","id":${i}}`)), [i, `n${i}`, null, null]);
  }
  const nested = value([col('S', struct([col('F', DOUBLE), col('G', array(struct([col('H', INTEGER)])))]))]);
  assert.deepEqual(nested.deserialize(enc('{"s":{"f":45.67,"g":[{"h":1},null]}}')), [{ F: 45.67, G: [{ H: 1 }, null] }]);
});

test('JSON: column names that are Object.prototype members', () => {
  const serde = value([col('constructor', STRING), col('__proto__', INTEGER), col('toString', STRING)]);
  assert.deepEqual(serde.deserialize(enc('{}')), [null, null, null]);
  const bytes = serde.serialize(['a', 1, 'b']);
  assert.equal(dec(bytes), '{"constructor":"a","__proto__":1,"toString":"b"}');
  assert.deepEqual(serde.deserialize(bytes), ['a', 1, 'b']);
  const nested = value([col('S', struct([col('constructor', INTEGER), col('__proto__', INTEGER)]))]);
  const row = nested.deserialize(enc('{"S":{"__proto__":5}}'))!;
  assert.equal(Object.getPrototypeOf(row[0]), Object.prototype);
  assert.deepEqual(Object.entries(row[0] as object), [
    ['constructor', null],
    ['__proto__', 5],
  ]);
  assert.equal(dec(nested.serialize(row)), '{"S":{"constructor":null,"__proto__":5}}');
});

test('JSON: ksqlDB coercions into numbers and booleans', () => {
  assert.deepEqual(one(INTEGER).deserialize(enc('{"V":"123"}')), [123]);
  // Fractions truncate toward zero as in ksqlDB (Jackson intValue()/asLong()) ...
  assert.deepEqual(one(INTEGER).deserialize(enc('{"V":1.9}')), [1]);
  assert.deepEqual(one(INTEGER).deserialize(enc('{"V":-1.9}')), [-1]);
  assert.deepEqual(one(INTEGER).deserialize(enc('{"V":2147483647.9}')), [2147483647]);
  assert.deepEqual(one(BIGINT).deserialize(enc('{"V":12.7}')), [12]);
  assert.deepEqual(one(BIGINT).deserialize(enc('{"V":1e-9}')), [0]);
  assert.deepEqual(one(INTEGER).deserialize(enc('{"V":1e2}')), [100]);
  assert.deepEqual(one(INTEGER).deserialize(enc('{"V":-2147483648}')), [-2147483648]);
  assert.deepEqual(one(BIGINT).deserialize(enc('{"V":"9223372036854775807"}')), [9223372036854775807n]);
  assert.deepEqual(one(BIGINT).deserialize(enc('{"V":9223372036854775807}')), [9223372036854775807n]);
  assert.deepEqual(one(BIGINT).deserialize(enc('{"V":-9223372036854775808}')), [-9223372036854775808n]);
  assert.deepEqual(one(BIGINT).deserialize(enc('{"V":1.2e3}')), [1200]);
  assert.deepEqual(one(DOUBLE).deserialize(enc('{"V":1e308}')), [1e308]);
  assert.deepEqual(one(DOUBLE).deserialize(enc('{"V":1e-400}')), [0]); // underflow rounds, as any double
  assert.deepEqual(one(DOUBLE).deserialize(enc('{"V":"Infinity"}')), [Infinity]);
  assert.deepEqual(one(DOUBLE).deserialize(enc('{"V":"1e3"}')), [1000]);
  assert.deepEqual(one(DOUBLE).deserialize(enc('{"V":7}')), [7]);
  assert.deepEqual(one(TIMESTAMP).deserialize(enc('{"V":"1700000000000"}')), [1700000000000]);
  assert.deepEqual(one(DATE).deserialize(enc('{"V":-10}')), [-10]);
  assert.deepEqual(one(TIME).deserialize(enc('{"V":"10"}')), [10]);
  assert.deepEqual(one(BOOLEAN).deserialize(enc('{"V":false}')), [false]);
});

test('JSON: ksqlDB coercions into STRING keep the text of numbers', () => {
  const s = one(STRING);
  assert.deepEqual(s.deserialize(enc('{"V":123}')), ['123']);
  assert.deepEqual(s.deserialize(enc('{"V":1.50}')), ['1.50']);
  assert.deepEqual(s.deserialize(enc('{"V":1e3}')), ['1E+3']);
  assert.deepEqual(s.deserialize(enc('{"V":12345678901234567890}')), ['12345678901234567890']);
  assert.deepEqual(s.deserialize(enc('{"V":true}')), ['true']);
  assert.deepEqual(s.deserialize(enc('{"V":{"a": 1.0, "b": [1, "x"]}}')), ['{"a":1.0,"b":[1,"x"]}']);
  assert.deepEqual(s.deserialize(enc('{"V":["a", 1, null, 2.50]}')), ['[a, 1, null, 2.50]']);
});

test('JSON: values that cannot be coerced fail the record with path and reason', () => {
  const cases: [SqlType, string, string][] = [
    [BOOLEAN, '"true"', "Can't convert type. sourceType: TextNode, requiredType: BOOLEAN, path: $.V"],
    [INTEGER, '"abc"', "Can't coerce string to type. targetType: INTEGER, path: $.V"],
    [INTEGER, '"2147483648"', "Can't coerce string to type. targetType: INTEGER, path: $.V"],
    // ... but beyond the type's range is an error, never a wrapped value (ksqlDB's Jackson
    // intValue()/asLong() keep the low bits silently; its DELIMITED format rejects these).
    [INTEGER, '4294967301', "Can't convert 4294967301 to INTEGER: out of range, path: $.V"],
    [INTEGER, '2147483648', "Can't convert 2147483648 to INTEGER: out of range, path: $.V"],
    [INTEGER, '-2147483649.5', "Can't convert -2147483649.5 to INTEGER: out of range, path: $.V"],
    [BIGINT, '9223372036854775808', "Can't convert 9223372036854775808 to BIGINT: out of range, path: $.V"],
    [BIGINT, '-9223372036854775809', "Can't convert -9223372036854775809 to BIGINT: out of range, path: $.V"],
    [BIGINT, '1e19', "Can't convert 1e19 to BIGINT: out of range, path: $.V"],
    [BIGINT, '1e999999999', "Can't convert 1e999999999 to BIGINT: out of range, path: $.V"],
    [TIMESTAMP, '1e30', "Can't convert 1e30 to TIMESTAMP: out of range, path: $.V"],
    [DOUBLE, '1e400', "Can't convert 1e400 to DOUBLE: out of range, path: $.V"],
    [DOUBLE, '-1e400', "Can't convert -1e400 to DOUBLE: out of range, path: $.V"],
    [DOUBLE, '"1e400"', "Can't convert 1e400 to DOUBLE: out of range, path: $.V"],
    [decimal(4, 2), '1e999999999', "Numeric value out of range: '1e999999999', path: $.V"],
    [INTEGER, 'true', "Can't convert type. sourceType: BooleanNode, requiredType: INTEGER, path: $.V"],
    [BIGINT, '[1]', "Can't convert type. sourceType: ArrayNode, requiredType: BIGINT, path: $.V"],
    [DOUBLE, '"x"', "Can't coerce string to type. targetType: DOUBLE, path: $.V"],
    [DOUBLE, '{}', "Can't convert type. sourceType: ObjectNode, requiredType: DOUBLE, path: $.V"],
    [BYTES, '"!!"', 'Value is not a valid Base64 encoded string: !!, path: $.V'],
    [BYTES, '12', "Can't convert type. sourceType: IntNode, requiredType: BYTES, path: $.V"],
    [array(INTEGER), '{"a":1}', "Can't convert type. sourceType: ObjectNode, requiredType: ARRAY<INTEGER>, path: $.V"],
    [array(INTEGER), '[1, "x"]', "Can't coerce string to type. targetType: INTEGER, path: $.V[1]"],
    [map(STRING, INTEGER), '{"k":"x"}', "Can't coerce string to type. targetType: INTEGER, path: $.V.k.value"],
    [struct([col('A', struct([col('B', BOOLEAN)]))]), '{"a":{"b":1}}', "Can't convert type. sourceType: IntNode, requiredType: BOOLEAN, path: $.V.A.B"],
    [decimal(4, 2), '123.4', 'Numeric field overflow: A field with precision 4 and scale 2 must round to an absolute value less than 10^2. Got 123.4, path: $.V'],
    [decimal(4, 2), '1.234', "Cannot fit decimal '1.234' into DECIMAL(4, 2) without rounding. (Requires 4,3), path: $.V"],
    [decimal(4, 2), '"x"', "Can't coerce string to type. targetType: DECIMAL(4, 2), path: $.V"],
  ];
  for (const [type, json, message] of cases) {
    assert.throws(
      () => one(type).deserialize(enc(`{"V":${json}}`)),
      (e: unknown) => e instanceof SerdeError && e.message === `Failed to deserialise value: ${message}`,
      `${json} as ${type.kind}`,
    );
  }
  assert.throws(
    () => value([col('A', INTEGER), col('B', INTEGER)]).deserialize(enc('[1,2]')),
    { message: "Failed to deserialise value: Can't convert type. sourceType: ArrayNode, requiredType: STRUCT<`A` INTEGER, `B` INTEGER>, path: $" },
  );
});

test('JSON: malformed documents are SerdeErrors with the parser reason', () => {
  const serde = value([col('A', INTEGER)]);
  for (const text of ['{"A":', '{A:1}', '', '{"A":1} x', '\u0000']) {
    assert.throws(
      () => serde.deserialize(enc(text)),
      (e: unknown) => e instanceof SerdeError && /^Failed to deserialise value: \S/.test(e.message),
      JSON.stringify(text),
    );
  }
  const key = createSerde('JSON', [col('K', INTEGER)], { isKey: true, wrapSingleValue: true });
  assert.throws(() => key.deserialize(enc('{')), /^Error: Failed to deserialise key: /);
});

test('JSON: BIGINT and DECIMAL lose no digits', () => {
  const big = value([col('K', BIGINT)], false);
  assert.deepEqual(big.deserialize(enc('998877665544332211')), [998877665544332211n]);
  assert.equal(dec(big.serialize([998877665544332211n])), '998877665544332211');
  assert.deepEqual(big.deserialize(enc('-9007199254740993')), [-9007199254740993n]);
  assert.deepEqual(big.deserialize(enc('9007199254740991')), [9007199254740991]);

  const d = value([col('DEC', decimal(21, 19))]);
  const bytes = enc('{"DEC":10.1234512345123451234}');
  const row = d.deserialize(bytes)!;
  assert.deepEqual(row, [new Decimal(101234512345123451234n, 19)]);
  assert.equal(dec(d.serialize(row)), '{"DEC":10.1234512345123451234}');

  const scaled = value([col('DEC', decimal(6, 4))]);
  const out = ['10', '1', '0.1', '0.01', '0.001', '0.0001', '10.0', '"2.5"'].map((t) => dec(scaled.serialize(scaled.deserialize(enc(`{"dec":${t}}`))!)));
  assert.deepEqual(out, [10.0, 1.0, 0.1, 0.01, 0.001, 0.0001, 10.0, 2.5].map((_, i) => `{"DEC":${['10.0000', '1.0000', '0.1000', '0.0100', '0.0010', '0.0001', '10.0000', '2.5000'][i]}}`));

  const tiny = value([col('R', decimal(8, 7))]);
  assert.equal(dec(tiny.serialize([new Decimal(0n, 7)])), '{"R":0E-7}'); // BigDecimal.toString, as Jackson
  assert.deepEqual(tiny.deserialize(enc('{"R":0E-7}')), [new Decimal(0n, 7)]);
  assert.equal(dec(tiny.serialize([new Decimal(12000000n, 7)])), '{"R":1.2000000}');

  const inArray = value([col('A', array(decimal(30, 2)))]);
  assert.deepEqual(inArray.deserialize(enc('{"A":[1234567890123456789012.5, null]}')), [[new Decimal(123456789012345678901250n, 2), null]]);
});

test('JSON: serialising a value of the wrong type is a SerdeError naming the column', () => {
  const serde = value([col('A', INTEGER), col('B', STRING)]);
  assert.throws(() => serde.serialize([1, 2]), { message: 'Failed to serialise value: column B: expected STRING, got number 2' });
  assert.throws(() => serde.serialize(['x', 'y']), /column A: expected INTEGER, got string "x"/);
  assert.throws(() => serde.serialize([1]), /Column count mismatch on serialization. expected: 2, got: 1/);
  assert.throws(() => value([col('S', struct([col('X', BOOLEAN)]))]).serialize([{ X: 'no' }]), /column S: expected BOOLEAN/);
});

test('JSON: creation errors', () => {
  assert.throws(
    () => createSerde('JSON', [col('A', INTEGER), col('B', INTEGER)], { isKey: false, wrapSingleValue: false }),
    (e: unknown) => e instanceof SerdeError && e.message === "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas",
  );
  const none = createSerde('JSON', [], { isKey: true, wrapSingleValue: true });
  assert.equal(none.serialize([]), null);
  assert.deepEqual(none.deserialize(enc('"x"')), []);
  assert.equal(none.deserialize(null), null);
});

test('JSON: strings with every kind of character survive', () => {
  const serde = value([col('S', STRING), col('T', STRING)]);
  const samples = ['', 'plain', 'quote " and \\ backslash', 'tab\tnl\ncr\r', '\u0000\u001f', 'ünïcödé ✓ 𝄞', '\ud800 lone', '`${x}`'];
  for (const s of samples) {
    const bytes = serde.serialize([s, 'x'])!;
    const back = serde.deserialize(bytes)![0] as string;
    assert.equal(back, s, JSON.stringify(s));
    assert.deepEqual(JSON.parse(dec(bytes)!), { S: s, T: 'x' });
  }
  // Field names that need escaping in JSON and in generated code.
  const odd = value([col('with"quote`${x}\\', INTEGER), col('ä', map(STRING, INTEGER))]);
  const bytes = odd.serialize([1, { 'k"': 2 }])!;
  assert.equal(dec(bytes), '{"with\\"quote`${x}\\\\":1,"ä":{"k\\"":2}}');
  assert.deepEqual(odd.deserialize(bytes), [1, { 'k"': 2 }]);
});

test('JSON: the literal and template writers agree; random rows round-trip', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const doubles = [0.5, 100, -3, 1e-5, 12345678.9, 0.001, 9999999.5, -0, 1 / 3, 5e-324];
  const strings = ['', 'a', 'ü', 'q"', 'back\\slash', 'x'.repeat(50), '\n'];
  const columns = [col('I', INTEGER), col('L', BIGINT), col('D', DOUBLE), col('S', STRING), col('B', BOOLEAN), col('T', TIMESTAMP)];
  const serde = value(columns);
  const indexNamed = value(columns.map((c, i) => col(String(i), c.type))); // no object-literal path
  for (let k = 0; k < 500; k++) {
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const row = [
      rnd() < 0.1 ? null : Math.floor(rnd() * 2 ** 31) - 2 ** 30,
      rnd() < 0.1 ? null : rnd() < 0.2 ? 2n ** 60n + BigInt(k) : Math.floor(rnd() * 2 ** 40),
      rnd() < 0.1 ? null : pick(doubles),
      rnd() < 0.1 ? null : pick(strings),
      rnd() < 0.1 ? null : rnd() < 0.5,
      rnd() < 0.1 ? null : 1700000000000 + k,
    ];
    const a = dec(serde.serialize(row))!;
    const b = dec(indexNamed.serialize(row))!;
    assert.equal(b, a.replace(/"([A-Z])":/g, (_, n: string) => `"${'ILDSBT'.indexOf(n)}":`), a);
    const back = serde.deserialize(enc(a))!;
    back.forEach((v, i) => assert.ok(Object.is(v, row[i]) || (v === 0 && row[i] === -0 && i !== 2), `${a} column ${i}: ${String(v)}`));
  }
});

test('JSON: a DECIMAL schema reads records with long digit runs exactly, other fields intact', () => {
  const serde = value([col('ID', STRING), col('N', BIGINT), col('P', decimal(38, 2)), col('D', DOUBLE)]);
  const row = serde.deserialize(enc('{"id":"12345678901234567890","n":12345678901234567,"p":123456789012345678901234.5,"d":0.1}'))!;
  assert.deepEqual(row, ['12345678901234567890', 12345678901234567n, new Decimal(12345678901234567890123450n, 2), 0.1]);
  assert.equal(dec(serde.serialize(row)), '{"ID":"12345678901234567890","N":12345678901234567,"P":123456789012345678901234.50,"D":0.1}');
});

test('field names by upper case, document after document: keys in new orders and cases, duplicates (the last wins), exact names first', () => {
  const s = value([col('A', BIGINT), col('B', STRING), col('Cc', BIGINT)]);
  const read = (text: string) => s.deserialize(enc(text));
  // The same keys again and again (the fast path), then changes of order, case and count.
  for (let i = 0; i < 3; i++) assert.deepEqual(read(`{"a": ${i}, "b": "x${i}", "Cc": 1}`), [i, `x${i}`, 1]);
  assert.deepEqual(read('{"b": "y", "a": 5}'), [5, 'y', null]);
  assert.deepEqual(read('{"a": 1, "A": 2, "b": "z"}'), [2, 'z', null]); // exact name wins
  assert.deepEqual(read('{"b": "p", "B": "q", "a": 3}'), [3, 'q', null]); // exact name wins
  assert.deepEqual(read('{"b": "first", "a": 4, "x": 0}'), [4, 'first', null]);
  assert.deepEqual(read('{"a": 6, "b": "k", "cc": 9}'), [6, 'k', null]); // a quoted mixed-case field matches only itself
  assert.deepEqual(read('{"a": 6, "b": "k", "CC": 9, "Cc": 10}'), [6, 'k', 10]);
  // Several lower/mixed case variants of one field: the last one in the document wins.
  assert.deepEqual(read('{"bb": 0, "b": "one", "a": 1}'), [1, 'one', null]);
  assert.deepEqual(read('{"a": 7, "b": "s", "aa": 1}'), [7, 's', null]);
  const dup = value([col('X', BIGINT)]);
  assert.deepEqual(dup.deserialize(enc('{"x": 1, "Y": 2}')), [1]);
  assert.deepEqual(dup.deserialize(enc('{"x": 1, "y": 2}')), [1]);
  assert.deepEqual(dup.deserialize(enc('{"y": 2, "x": 3}')), [3]);
  const two = value([col('AB', BIGINT)]);
  assert.deepEqual(two.deserialize(enc('{"ab": 1, "aB": 2}')), [2]);
  assert.deepEqual(two.deserialize(enc('{"ab": 1, "aB": 2}')), [2]);
  assert.deepEqual(two.deserialize(enc('{"aB": 3, "ab": 4}')), [4]);
  assert.deepEqual(two.deserialize(enc('{"Ab": 5}')), [5]);
});

test('JSON: a DECIMAL written through JSON.stringify as a double prints exactly its BigDecimal text, or is left to the template writer', () => {
  const rnd = mulberry32(17);
  let viaDouble = 0;
  for (let k = 0; k < 200_000; k++) {
    const scale = Math.floor(rnd() * 26);
    const digits = 1 + Math.floor(rnd() * 20);
    let unscaled = 0n;
    for (let d = 0; d < digits; d++) unscaled = unscaled * 10n + BigInt(Math.floor(rnd() * 10));
    if (rnd() < 0.3) unscaled *= 10n; // trailing zeros
    if (rnd() < 0.5) unscaled = -unscaled;
    const d = new Decimal(unscaled, scale);
    const n = decimalAsJsonNumber(d, scale);
    if (n === undefined) continue;
    viaDouble++;
    assert.equal(JSON.stringify(n), jsonDecimal(d, scale), `${unscaled}e-${scale}`);
  }
  assert.ok(viaDouble > 50_000, `${viaDouble} of the random decimals took the double`);
  // The edges: trailing zeros, zero, small values in exponent form, other scales, too many digits.
  for (const [u, s] of [[1230n, 2], [0n, 3], [1n, 7], [1n, 6], [999_999_999_999_999n, 0], [1_000_000_000_000_000n, 0], [5n, 23], [-7n, 1]] as const) {
    const n = decimalAsJsonNumber(new Decimal(u, s), s);
    if (n !== undefined) assert.equal(JSON.stringify(n), jsonDecimal(new Decimal(u, s), s), `${u}e-${s}`);
  }
  assert.equal(decimalAsJsonNumber(new Decimal(1230n, 2), 2), undefined);
  assert.equal(decimalAsJsonNumber(new Decimal(1n, 7), 7), undefined);
  assert.equal(decimalAsJsonNumber(new Decimal(123n, 2), 3), undefined, 'a value at another scale is rescaled by the template writer');
  assert.equal(decimalAsJsonNumber(12.5, 1), undefined);

  // Whole rows: the serde's output equals the template writer's (a column name the object
  // literal cannot take sends every row there) for decimals of every kind.
  const columns = [col('A', BIGINT), col('P', decimal(23, 3)), col('S', STRING)];
  const serde = value(columns);
  const template = value(columns.map((c, i) => col(String(i), c.type)));
  for (let k = 0; k < 5000; k++) {
    const p = rnd() < 0.1 ? null : new Decimal(BigInt(Math.floor(rnd() * 2 ** 52) - 2 ** 51) / 10n ** BigInt(Math.floor(rnd() * 16)), 3);
    const row = [k, p, 'x'];
    const a = dec(serde.serialize(row))!;
    assert.equal(dec(template.serialize(row))!, a.replace(/"([A-Z])":/g, (_, c: string) => `"${'APS'.indexOf(c)}":`), a);
    assert.deepEqual(serde.deserialize(enc(a)), row);
  }
});
