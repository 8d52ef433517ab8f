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
import { SerdeError, createSerde, parseDelimiter } from '../../src/serde/index.ts';
import type { Serde, SerdeColumn } from '../../src/serde/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const col = (name: string, type: SqlType): SerdeColumn => ({ name, type });

function delimited(columns: SerdeColumn[], delimiter?: string, isKey = false): Serde {
  return createSerde('DELIMITED', columns, { isKey, wrapSingleValue: true, delimiter });
}

test('DELIMITED: every supported type round-trips in its text form', () => {
  const columns = [
    col('B', BOOLEAN),
    col('I', INTEGER),
    col('L', BIGINT),
    col('D', DOUBLE),
    col('DEC', decimal(33, 16)),
    col('S', STRING),
    col('BY', BYTES),
    col('TS', TIMESTAMP),
    col('DT', DATE),
    col('TM', TIME),
  ];
  const serde = delimited(columns);
  const row = [
    true,
    -2147483648,
    9223372036854775807n,
    1e-5,
    new Decimal(123456789876543212345678987654321n, 16),
    'a,"b"',
    Buffer.from('variations'),
    1700000000000,
    -10,
    1000,
  ];
  const bytes = serde.serialize(row);
  assert.equal(
    dec(bytes),
    'true,-2147483648,9223372036854775807,1.0E-5,12345678987654321.2345678987654321,"a,""b""",dmFyaWF0aW9ucw==,1700000000000,-10,1000',
  );
  assert.deepEqual(serde.deserialize(bytes), row);
});

test('DELIMITED: ksqlDB test expectations (quoting of the first field, decimals, doubles)', () => {
  const dec33 = delimited([col('V', decimal(33, 16))]);
  const through = (s: Serde, text: string) => dec(s.serialize(s.deserialize(enc(text))!));
  assert.equal(through(dec33, '12345678987654321.2345678987654321'), '12345678987654321.2345678987654321');
  assert.equal(through(dec33, '.12'), '0.1200000000000000');
  assert.equal(through(dec33, '-12345.12'), '"-12345.1200000000000000"');
  assert.equal(through(dec33, '"-12345.12"'), '"-12345.1200000000000000"');
  assert.equal(through(dec33, '0'), '0.0000000000000000');

  const doubles = delimited([col('A', INTEGER), ...['B', 'C', 'D', 'E', 'F', 'G'].map((n) => col(n, DOUBLE))]);
  const text = '0,4.9E-324,-4.9E-324,2.2250738585072014E-308,-2.2250738585072014E-308,1.7976931348623157E308,-1.7976931348623157E308';
  assert.equal(through(doubles, text), text);

  const date = delimited([col('D', DATE)]);
  assert.equal(through(date, '10'), '10');
  assert.equal(through(date, '-10'), '"-10"');

  const bytesStr = delimited([col('S', STRING), col('B', BYTES), col('T', STRING)]);
  assert.equal(dec(bytesStr.serialize(['!', Buffer.from('!'), '!'])), '"!",IQ==,"!"');
  assert.equal(dec(bytesStr.serialize(['#', Buffer.from('#'), '#'])), '"#",Iw==,"#"');

  const ws = delimited([col('A', STRING), col('B', STRING), col('C', STRING), col('D', STRING)]);
  assert.equal(
    dec(ws.serialize([' \t with white space \t', ' \t WITH WHITE SPACE \t', 'with white space', '\t wit'])),
    '" \t with white space \t"," \t WITH WHITE SPACE \t",with white space,"\t wit"',
  );

  const values = delimited([col('ID', BIGINT), col('NAME', STRING), col('VALUE', INTEGER)]);
  assert.equal(through(values, '0,zero,0'), '0,zero,0');
  assert.equal(through(values, '100,100,500'), '100,100,500');
});

test('DELIMITED: empty fields are null, nulls are empty fields', () => {
  const serde = delimited([col('A', INTEGER), col('B', STRING), col('C', STRING)]);
  assert.deepEqual(serde.deserialize(enc(',,')), [null, null, null]);
  assert.deepEqual(serde.deserialize(enc('"",x,""')), [null, 'x', null]);
  assert.equal(dec(serde.serialize([null, null, 'bar'])), ',,bar');
  assert.equal(dec(serde.serialize([1, '', null])), '1,,'); // an empty string reads back as null
  assert.equal(dec(delimited([col('S', STRING), col('T', STRING)]).serialize(['', 'x'])), '"",x');
  assert.equal(serde.deserialize(null), null);
  // A single null value is an empty record, as in ksqlDB (which cannot read it back).
  assert.equal(dec(delimited([col('V', INTEGER)]).serialize([null])), '');
  assert.throws(() => delimited([col('V', INTEGER)]).deserialize(enc('')), { message: 'Failed to deserialise value: No fields in record' });
});

test('DELIMITED: keys', () => {
  const key = delimited([col('K', BOOLEAN)], undefined, true);
  assert.deepEqual(key.deserialize(enc('true')), [true]);
  assert.deepEqual(key.deserialize(enc('"true"')), [true]);
  assert.deepEqual(key.deserialize(enc('False')), [false]);
  assert.deepEqual(key.deserialize(enc('yes')), [false]); // Boolean.parseBoolean
  assert.equal(key.serialize([null]), null);
  const multi = delimited([col('K1', STRING), col('K2', STRING)], undefined, true);
  assert.deepEqual(multi.deserialize(enc('foo,bar')), ['foo', 'bar']);
  assert.deepEqual(multi.deserialize(enc('"foo","bar"')), ['foo', 'bar']);
  assert.equal(dec(multi.serialize(['a', '2'])), 'a,2');
  assert.equal(dec(multi.serialize([null, null])), ',');
  const dbl = delimited([col('K', DOUBLE)], undefined, true);
  assert.deepEqual(dbl.deserialize(enc('"123.456"')), [123.456]);
  assert.equal(dec(dbl.serialize([654.321])), '654.321');
});

test('DELIMITED: delimiters', () => {
  assert.equal(parseDelimiter(undefined), ',');
  assert.equal(parseDelimiter('TAB'), '\t');
  assert.equal(parseDelimiter('SPACE'), ' ');
  assert.equal(parseDelimiter('|'), '|');
  for (const bad of ['', ' ', '\t', 'ab', '"']) assert.throws(() => parseDelimiter(bad), SerdeError, JSON.stringify(bad));
  const tab = delimited([col('A', STRING), col('B', STRING)], 'TAB');
  assert.equal(dec(tab.serialize(['a,b', 'c\td'])), 'a,b\t"c\td"');
  assert.deepEqual(tab.deserialize(enc('a,b\t"c\td"')), ['a,b', 'c\td']);
  const pipe = delimited([col('A', INTEGER), col('B', STRING)], '|');
  assert.deepEqual(pipe.deserialize(enc('1|x,y')), [1, 'x,y']);
  const space = delimited([col('A', INTEGER), col('B', INTEGER)], 'SPACE');
  assert.deepEqual(space.deserialize(enc('1 2')), [1, 2]);
  assert.equal(dec(space.serialize([1, 2])), '1 2');
});

test('DELIMITED: bad records fail with a reason', () => {
  const serde = delimited([col('A', INTEGER), col('B', DOUBLE), col('C', decimal(4, 2))]);
  const cases: [string, RegExp][] = [
    ['1,2', /Column count mismatch on deserialization. expected: 3, got: 2/],
    ['1,2,3,4', /Column count mismatch on deserialization. expected: 3, got: 4/],
    ['x,2,3', /column A: For input string: "x"/],
    [' 1,2,3', /column A: For input string: " 1"/],
    ['1,abc,3', /column B: For input string: "abc"/],
    ['1,2,123', /column C: Numeric field overflow/],
    ['1.5,2,3', /column A: For input string: "1.5"/],
    ['2147483648,2,3', /column A: For input string: "2147483648"/],
    ['1,1e400,3', /column B: Can't convert 1e400 to DOUBLE: out of range/],
    ['1,-1e400,3', /column B: Can't convert -1e400 to DOUBLE: out of range/],
    ['1,2,1e999999999', /column C: Numeric value out of range/],
    ['1,2,1.234', /column C: Cannot fit decimal '1.234' into DECIMAL\(4, 2\) without rounding/],
    ['"1,2,3', /EOF reached before encapsulated token finished/],
    ['', /No fields in record/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => serde.deserialize(enc(text)),
      (e: unknown) => e instanceof SerdeError && e.message.startsWith('Failed to deserialise value: ') && re.test(e.message),
      text,
    );
  }
  assert.throws(() => delimited([col('B', BYTES)]).deserialize(enc('@@@')), /Value is not a valid Base64 encoded string/);
  assert.throws(() => serde.serialize(['1', 2, null]), /Failed to serialise value: column A: expected INTEGER, got string/);
  assert.throws(() => serde.serialize([1]), /Column count mismatch on serialization/);
});

test('DELIMITED: nested types are rejected when the serde is created', () => {
  for (const t of [array(INTEGER), map(STRING, INTEGER), struct([col('F', INTEGER)])]) {
    assert.throws(
      () => delimited([col('ID', INTEGER), col('V', t)]),
      (e: unknown) => e instanceof SerdeError && e.message === `The 'DELIMITED' format does not support type '${t.kind}', column: \`V\``,
    );
  }
});
