import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b64, bytes, call, dec, scalarOf } from './helpers.ts';

test('EXTRACTJSONFIELD keeps number text, unquotes strings', () => {
  const f = scalarOf('EXTRACTJSONFIELD', ['STRING', 'STRING']);
  assert.equal(f.impl('{"array": [1, 2, 3]}', '$.array[-1]'), null);
  assert.equal(f.impl('{"array": [1, 2, 3]}', '$.array[0]'), '1');
  assert.equal(f.impl('{"array": [1.23450]}', '$.array[0]'), '1.23450');
  assert.equal(f.impl('{"array": [1.23450]}', '$.array[1]'), null);
  assert.equal(f.impl('{"name": "cdc", "@type": "UDF"}', '$.@type'), 'UDF');
  assert.equal(f.impl('{"a": {"b": [1, {"c": "x"}]}}', '$.a.b[1]'), '{"c":"x"}');
  assert.equal(f.impl('{"a": {"b c": true}}', "$.a['b c']"), 'true');
  assert.equal(f.impl('{"a": null}', '$.a'), 'null');
  assert.equal(f.impl('{"a": "\\u00e9\\n"}', '$.a'), 'é\n');
  assert.equal(f.impl('{"a": 1}', '$.b'), null);
  assert.equal(f.impl('{"a": 1}', '$.a.b'), null);
  assert.equal(f.impl(null, '$.a'), null);
  assert.throws(() => f.impl('not json', '$.a'));
  // As Jackson's readTree: the first complete value counts, text after it is ignored.
  assert.equal(f.impl('{"name": "cdd", "version": "2"}}', '$.name'), 'cdd');
  assert.throws(() => f.impl('{"name": "cdd"', '$.name'));
});

test('JSON_RECORDS, JSON_KEYS, JSON_ITEMS, JSON_ARRAY_LENGTH', () => {
  assert.deepEqual(call('JSON_RECORDS', ['STRING'], '{"Red": 3, "Green": 5}'), { Red: '3', Green: '5' });
  assert.deepEqual(call('JSON_RECORDS', ['STRING'], '{"White": "Seven", "o": {"a": [1]}}'), { White: 'Seven', o: '{"a":[1]}' });
  assert.deepEqual(call('JSON_RECORDS', ['STRING'], '{}'), {});
  for (const bad of ['', '[1]', 'x', null]) assert.equal(call('JSON_RECORDS', ['STRING'], bad), null);
  assert.deepEqual(call('JSON_KEYS', ['STRING'], '{"Red": 3, "Green": 5}'), ['Red', 'Green']);
  assert.equal(call('JSON_KEYS', ['STRING'], ''), null);
  assert.deepEqual(call('JSON_ITEMS', ['STRING'], '[{"type": "A", "timestamp": "2022-01-27"}, 2, "s"]'), [
    '{"type":"A","timestamp":"2022-01-27"}',
    '2',
    '"s"',
  ]);
  assert.deepEqual(call('JSON_ITEMS', ['STRING'], '[]'), []);
  assert.equal(call('JSON_ARRAY_LENGTH', ['STRING'], '[1, [2, 3]]'), 2);
  assert.equal(call('JSON_ARRAY_LENGTH', ['STRING'], '{}'), null);
});

test('JSON_ARRAY_CONTAINS', () => {
  const s = scalarOf('JSON_ARRAY_CONTAINS', ['STRING', 'STRING']);
  assert.equal(s.impl('["Pink", "Yellow"]', 'Pink'), true);
  assert.equal(s.impl('["Black"]', 'Pink'), false);
  assert.equal(s.impl('[["Pink"]]', 'Pink'), false);
  assert.equal(s.impl(null, 'Pink'), false);
  assert.equal(s.impl('not json', 'Pink'), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', ['STRING', 'INT'], '[1, 2.0]', 1), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', ['STRING', 'INT'], '[2.0]', 2), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', ['STRING', 'DOUBLE'], '[2.0]', 2), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', ['STRING', 'BOOLEAN'], '[false]', false), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', ['STRING', 'BIGINT'], '[9223372036854775807]', 9223372036854775807n), true);
});

test('JSON_CONCAT and IS_JSON_STRING', () => {
  const c = scalarOf('JSON_CONCAT', ['STRING', 'STRING']);
  assert.equal(c.impl('{"a": 1}', '{"b": 2, "a": 3}'), '{"a":3,"b":2}');
  assert.equal(c.impl('[1, 2]', '[3]'), '[1,2,3]');
  assert.equal(c.impl('{"a": 1}', '[3]'), '[{"a":1},3]');
  assert.equal(c.impl('1', '"x"'), '[1,"x"]');
  assert.equal(c.impl('{"a": 1}', null), null);
  assert.equal(c.impl('{"a": 1}', 'oops'), null);
  const j = scalarOf('IS_JSON_STRING', ['STRING']);
  assert.deepEqual(['1', 'abc', '[1, 2, 3]', '"abc"', '', null, ' {"a": [true, null]} '].map((s) => j.impl(s)), [
    true, false, true, true, false, false, true,
  ]);
});

test('TO_JSON_STRING is type-aware', () => {
  assert.equal(call('TO_JSON_STRING', ['ARRAY<INT>'], [1, 2, 3]), '[1,2,3]');
  assert.equal(call('TO_JSON_STRING', ['ARRAY<INT>'], null), 'null');
  assert.equal(call('TO_JSON_STRING', ['BIGINT'], 2n ** 63n - 1n), '9223372036854775807');
  assert.equal(call('TO_JSON_STRING', ['DATE'], 1000), '"1972-09-27"');
  assert.equal(call('TO_JSON_STRING', ['TIMESTAMP'], 60220000000), '"1971-11-28T23:46:40.000"');
  assert.equal(call('TO_JSON_STRING', ['TIME'], 60220000), '"16:43:40"');
  // SqlTimeTypes.formatTime: LocalTime of the whole seconds (ksqlDB's ToJsonStringTest: 06:02:20.588 -> "06:02:20").
  assert.equal(call('TO_JSON_STRING', ['TIME'], 60220005), '"16:43:40"');
  assert.equal(call('TO_JSON_STRING', ['TIME'], 60180000), '"16:43"');
  // The UDF copies maps and structs into a TreeMap: keys in sorted order.
  assert.equal(call('TO_JSON_STRING', ['MAP<STRING, INT>'], { c: 2, a: 1, B: 3 }), '{"B":3,"a":1,"c":2}');
  assert.equal(call('TO_JSON_STRING', ['STRUCT<Z INT, A INT>'], { Z: 1, A: 2 }), '{"A":2,"Z":1}');
  assert.equal(call('TO_JSON_STRING', ['DECIMAL(6, 3)'], dec('123.456')), '123.456');
  assert.equal(call('TO_JSON_STRING', ['DOUBLE'], 123.456), '123.456');
  assert.equal(call('TO_JSON_STRING', ['DOUBLE'], 1), '1.0');
  assert.equal(call('TO_JSON_STRING', ['MAP<STRING, INT>'], { id: 1 }), '{"id":1}');
  assert.equal(call('TO_JSON_STRING', ['STRUCT<A STRING, B ARRAY<DOUBLE>>'], { A: 'x"y', B: [1.5] }), '{"A":"x\\"y","B":[1.5]}');
  assert.equal(call('TO_JSON_STRING', ['STRUCT<A STRING>'], { A: null }), '{"A":null}');
  assert.equal(call('TO_JSON_STRING', ['BYTES'], bytes('eWVz')), '"eWVz"');
  assert.equal(call('TO_JSON_STRING', ['STRING'], 'a'), '"a"');
});

test('TO_BYTES / FROM_BYTES', () => {
  const from = scalarOf('FROM_BYTES', ['BYTES', 'STRING']);
  const to = scalarOf('TO_BYTES', ['STRING', 'STRING']);
  assert.equal(from.impl(bytes('GrI='), 'hex'), '1AB2');
  assert.equal(b64(to.impl('1aB2', 'hex')), 'GrI=');
  assert.equal(from.impl(bytes('IQ=='), 'ascii'), '!');
  assert.equal(from.impl(bytes('IQ=='), 'UTF8'), '!');
  assert.equal(b64(to.impl('€', 'utf8')), b64(Buffer.from('€')));
  assert.equal(from.impl(bytes('IQ=='), 'base64'), 'IQ==');
  assert.equal(b64(to.impl('IQ==', 'base64')), 'IQ==');
  assert.throws(() => to.impl('abc', 'hex'));
  assert.throws(() => to.impl('abc', 'latin9'));
  assert.equal(from.impl(null, 'hex'), null);
});

test('ENCODE', () => {
  const e = scalarOf('ENCODE', ['STRING', 'STRING', 'STRING']);
  assert.equal(e.impl('Example!', 'ascii', 'hex'), '4578616d706c6521');
  assert.equal(e.impl('Example!', 'ascii', 'base64'), 'RXhhbXBsZSE=');
  assert.equal(e.impl('Ελλάδα', 'ascii', 'utf8'), '??????');
  assert.equal(e.impl('4578616d706C6521', 'hex', 'ascii'), 'Example!');
  assert.equal(e.impl('ce95cebbcebbceacceb4ceb1', 'hex', 'utf8'), 'Ελλάδα');
  assert.equal(e.impl('c39c6265726d656e736368', 'hex', 'ascii'), '\ufffd\ufffdbermensch');
  assert.equal(e.impl('0x4578616d706C6521', 'hex', 'utf8'), 'Example!');
  assert.equal(e.impl("X'4578616d706C6521'", 'hex', 'base64'), 'RXhhbXBsZSE=');
  assert.equal(e.impl('0x', 'hex', 'utf8'), '');
  assert.equal(e.impl("x''", 'hex', 'utf8'), '');
  for (const bad of ['0x0x', "X'", "x'4578616d706C6521", "x'578616d706C6521'", '578616d706C6521']) {
    assert.equal(e.impl(bad, 'hex', 'utf8'), null, bad);
  }
  assert.equal(e.impl('0x578616d706C6521', 'hex', 'utf8'), '\u0005xample!');
  assert.equal(e.impl('RXhhbXBsZSE=', 'base64', 'null'), null);
  assert.equal(e.impl(null, 'base64', 'utf8'), null);
});

test('INT/BIGINT/DOUBLE_FROM_BYTES', () => {
  assert.equal(call('INT_FROM_BYTES', ['BYTES'], bytes('AAAH5Q==')), 2021);
  assert.equal(call('BIGINT_FROM_BYTES', ['BYTES'], bytes('AAAAASoF8gA=')), 5000000000);
  assert.equal(call('DOUBLE_FROM_BYTES', ['BYTES'], bytes('QICm/ZvJ9YI=')), 532.8738323);
  assert.equal(call('INT_FROM_BYTES', ['BYTES', 'STRING'], bytes('5QcAAA=='), 'LITTLE_ENDIAN'), 2021);
  assert.equal(call('BIGINT_FROM_BYTES', ['BYTES', 'STRING'], bytes('APIFKgEAAAA='), 'LITTLE_ENDIAN'), 5000000000);
  assert.equal(call('DOUBLE_FROM_BYTES', ['BYTES', 'STRING'], bytes('gvXJm/2mgEA='), 'LITTLE_ENDIAN'), 532.8738323);
  assert.equal(call('BIGINT_FROM_BYTES', ['BYTES'], new Uint8Array([0x7f, 255, 255, 255, 255, 255, 255, 255])), 9223372036854775807n);
  assert.throws(() => call('INT_FROM_BYTES', ['BYTES'], new Uint8Array(3)));
});

test('regex functions (pattern first for EXTRACT)', () => {
  const e3 = scalarOf('REGEXP_EXTRACT', ['STRING', 'STRING', 'INT']);
  assert.equal(e3.impl('(.*) (.*)', 'steven zhang', 2), 'zhang');
  assert.equal(e3.impl('(.*) (.*)', 'agavra', 2), null);
  assert.equal(e3.impl('(.*) (.*)', null, 2), null);
  assert.throws(() => e3.impl('(a)', 'a', 2));
  const e2 = scalarOf('REGEXP_EXTRACT', ['STRING', 'STRING']);
  assert.equal(e2.impl('test.', 'some_test_string'), 'test_');
  assert.equal(e2.impl('test.', 'anothertest'), null);
  assert.equal(e2.impl('(?i)TEST', 'a Test'), 'Test');
  const a3 = scalarOf('REGEXP_EXTRACT_ALL', ['STRING', 'STRING', 'INT']);
  assert.deepEqual(a3.impl('(\\w+) (\\w*)', 'apurva mehta agavra ', 2), ['mehta', '']);
  assert.deepEqual(a3.impl('(\\w+) (\\w*)', 'agavra', 2), []);
  assert.deepEqual(call('REGEXP_EXTRACT_ALL', ['STRING', 'STRING'], 'test.', 'some_test_string_testabab'), ['test_', 'testa']);
  const r = scalarOf('REGEXP_REPLACE', ['STRING', 'STRING', 'STRING']);
  assert.equal(r.impl('baababaa', '(ab)+', 'cat'), 'bacataa');
  assert.equal(r.impl('baabbabaa', '(ab)+', 'cat'), 'bacatbcataa');
  assert.equal(r.impl('john smith', '(\\w+) (\\w+)', '$2, $1'), 'smith, john');
  assert.equal(r.impl('a.b', '\\.', '\\$'), 'a$b');
  assert.equal(r.impl('baababaa', null, 'cat'), null);
  const sp = scalarOf('REGEXP_SPLIT_TO_ARRAY', ['STRING', 'STRING']);
  assert.deepEqual(sp.impl('a--b-c', '-+'), ['a', 'b', 'c']);
  assert.deepEqual(sp.impl('-a-', '-'), ['', 'a', '']);
  assert.deepEqual(sp.impl('a(b)c', '(\\()'), ['a', 'b)c']);
  assert.deepEqual(sp.impl('abc', 'x'), ['abc']);
  assert.deepEqual(sp.impl('abc', ''), ['a', 'b', 'c', '']);
});

test('URL functions', () => {
  assert.equal(call('URL_DECODE_PARAM', ['STRING'], '%3Ffoo+%24bar'), '?foo $bar');
  assert.equal(call('URL_DECODE_PARAM', ['STRING'], '%zz'), null);
  assert.equal(call('URL_ENCODE_PARAM', ['STRING'], '?foo $bar'), '%3Ffoo+%24bar');
  assert.equal(call('URL_ENCODE_PARAM', ['STRING'], "a*b-c_d.e!f'(~)"), "a*b-c_d.e%21f%27%28%7E%29");
  assert.equal(call('URL_ENCODE_PARAM', ['STRING'], 'é'), '%C3%A9');
  assert.equal(call('URL_EXTRACT_FRAGMENT', ['STRING'], 'http://www.test.com/?query#fragment'), 'fragment');
  assert.equal(call('URL_EXTRACT_FRAGMENT', ['STRING'], 'http://www.nofragment.com'), null);
  const path = scalarOf('URL_EXTRACT_PATH', ['STRING']);
  assert.equal(path.impl('http://www.test.com?query#fragment'), '');
  assert.equal(path.impl('http://test@confluent.io:8080/nested/path?query&jobs'), '/nested/path');
  assert.equal(path.impl('http://x.com/a%20b'), '/a b');
  const proto = scalarOf('URL_EXTRACT_PROTOCOL', ['STRING']);
  assert.equal(proto.impl('https://test@confluent.io:8080/nested/path?query&jobs'), 'https');
  assert.equal(proto.impl('www.confluent.io'), null);
  const q = scalarOf('URL_EXTRACT_QUERY', ['STRING']);
  assert.equal(q.impl('http://www.test.com/path?q1&q2'), 'q1&q2');
  assert.equal(q.impl('http://test@confluent.io:8080/path'), null);
  assert.equal(call('URL_EXTRACT_HOST', ['STRING'], 'http://test@confluent.io:8080/path'), 'confluent.io');
  assert.equal(call('URL_EXTRACT_PORT', ['STRING'], 'http://test@confluent.io:8080/path'), 8080);
  assert.equal(call('URL_EXTRACT_PORT', ['STRING'], 'http://confluent.io/path'), null);
  const p = scalarOf('URL_EXTRACT_PARAMETER', ['STRING', 'STRING']);
  assert.equal(p.impl('http://www.test.com/?one=a&two=url%20encoded', 'two'), 'url%20encoded');
  assert.equal(p.impl('http://www.test.com/?one=a', 'three'), null);
});
