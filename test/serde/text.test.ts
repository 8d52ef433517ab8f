import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/types/decimal.ts';
import { mayLosePrecision, parseJsonLossless, stringifyJson } from '../../src/serde/json-text.ts';
import { JsonNumber } from '../../src/types/java/json-number.ts';
import { csvField, parseCsvRecord } from '../../src/serde/csv.ts';
import { base64Decode } from '../../src/serde/bytes.ts';

test('parseJsonLossless: big integers become bigint, fractions keep their text', () => {
  const v = parseJsonLossless('{"a": 12345678901234567890, "b": -9007199254740993, "c": 7, "d": 12.30, "e": 1E-7, "f": [3.0]}');
  assert.deepEqual(v, {
    a: 12345678901234567890n,
    b: -9007199254740993n,
    c: 7,
    d: new JsonNumber('12.30'),
    e: new JsonNumber('1E-7'),
    f: [new JsonNumber('3.0')],
  });
  const d = (v as { d: JsonNumber }).d;
  assert.equal(+d, 12.3);
  assert.equal(d.toString(), '12.30');
  assert.deepEqual(d.toDecimal(), new Decimal(1230n, 2));
});

test('parseJsonLossless with exactFractions=false: plain numbers unless digits would be lost', () => {
  assert.deepEqual(parseJsonLossless('[1.5, 12.30, 0.12345678901234567, 123456789012345678]', { exactFractions: false }), [
    1.5,
    12.3,
    new JsonNumber('0.12345678901234567'),
    123456789012345678n,
  ]);
  assert.deepEqual(parseJsonLossless('{"x": 1.25}', { exactFractions: false }), { x: 1.25 });
  assert.throws(() => parseJsonLossless('{"x": }'), SyntaxError);
});

test('mayLosePrecision: a 16-character run of digits and dots', () => {
  assert.equal(mayLosePrecision('{"a": 123456789012345}'), false);
  assert.equal(mayLosePrecision('{"a": 1234567890123456}'), true);
  assert.equal(mayLosePrecision('{"a": 1234567.890123456}'), true);
  assert.equal(mayLosePrecision('{"a": 1.5, "b": "2024-01-01"}'), false);
});

test('stringifyJson writes bigint, Decimal, JsonNumber and bytes exactly', () => {
  const text = stringifyJson({
    big: 2n ** 70n,
    neg: -(2n ** 63n),
    dec: new Decimal(1230n, 2),
    num: new JsonNumber('1.0E-5'),
    bytes: new Uint8Array([1, 2, 3]),
    plain: [1, 'x', null, true],
  });
  assert.equal(
    text,
    '{"big":1180591620717411303424,"neg":-9223372036854775808,"dec":12.30,"num":1.0E-5,"bytes":"AQID","plain":[1,"x",null,true]}',
  );
  assert.deepEqual(parseJsonLossless(text), {
    big: 2n ** 70n,
    neg: -(2n ** 63n),
    dec: new JsonNumber('12.30'),
    num: new JsonNumber('1.0E-5'),
    bytes: 'AQID',
    plain: [1, 'x', null, true],
  });
  assert.equal(stringifyJson(2n ** 64n), '18446744073709551616');
  assert.equal(stringifyJson({ a: 1 }, 2), '{\n  "a": 1\n}');
});

test('base64Decode is strict', () => {
  assert.deepEqual([...base64Decode('dmFyaWF0aW9ucw==')!], [...Buffer.from('variations')]);
  assert.deepEqual([...base64Decode('dmFyaWF0aW9ucw')!], [...Buffer.from('variations')]);
  assert.deepEqual([...base64Decode('')!], []);
  assert.equal(base64Decode('not base64!'), null);
  assert.equal(base64Decode('abcde'), null);
});

test('CSV printing follows Commons CSV MINIMAL quoting as ksqlDB ships it', () => {
  const comma = 44;
  assert.equal(csvField('abc', true, comma), 'abc');
  assert.equal(csvField('-10', true, comma), '"-10"'); // first field not starting alphanumeric
  assert.equal(csvField('-10', false, comma), '-10');
  assert.equal(csvField('!', false, comma), '"!"'); // starts <= '#'
  assert.equal(csvField('a,b', false, comma), '"a,b"');
  assert.equal(csvField('say "hi"', false, comma), '"say ""hi"""');
  assert.equal(csvField('line\nbreak', false, comma), '"line\nbreak"');
  assert.equal(csvField('trailing ', false, comma), '"trailing "');
  assert.equal(csvField('', true, comma), '""');
  assert.equal(csvField('', false, comma), '');
  assert.equal(csvField('a|b', false, 124), '"a|b"');
  assert.equal(csvField('a,b', false, 124), 'a,b');
});

test('CSV parsing: quotes, doubled quotes, empty fields, first record only', () => {
  const comma = 44;
  assert.deepEqual(parseCsvRecord('a,b,c', comma), ['a', 'b', 'c']);
  assert.deepEqual(parseCsvRecord('"a,b","say ""hi""",', comma), ['a,b', 'say "hi"', '']);
  assert.deepEqual(parseCsvRecord(',', comma), ['', '']);
  assert.deepEqual(parseCsvRecord('"" ,x', comma), ['', 'x']);
  assert.deepEqual(parseCsvRecord('a\r\nb', comma), ['a']);
  assert.deepEqual(parseCsvRecord('\n\na', comma), ['a']);
  assert.deepEqual(parseCsvRecord(' a" ,b', comma), [' a" ', 'b']);
  assert.deepEqual(parseCsvRecord('"multi\nline",2', comma), ['multi\nline', '2']);
  assert.deepEqual(parseCsvRecord('a\tb', 9), ['a', 'b']);
  assert.equal(parseCsvRecord('', comma), null);
  assert.equal(parseCsvRecord('\r\n', comma), null);
  assert.throws(() => parseCsvRecord('"open', comma), /EOF reached/);
  assert.throws(() => parseCsvRecord('"a"b,c', comma), /invalid char/);
});
