import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b64, bytes, call, scalarOf } from './helpers.ts';

test('CONCAT skips NULLs; bytes too', () => {
  const c = scalarOf('CONCAT', ['STRING', 'STRING', null, 'STRING']);
  assert.equal(c.impl('a', null, null, 'b'), 'ab');
  assert.equal(c.impl(null, null, null, null), '');
  assert.equal(call('CONCAT', ['STRING', 'STRING'], '"', 'foo\\'), '"foo\\');
  const cb = scalarOf('CONCAT', ['BYTES', null, 'BYTES']);
  assert.equal(b64(cb.impl(bytes('eWVz'), null, bytes('bm8='))), 'eWVzbm8=');
  assert.equal(b64(cb.impl(bytes(''), null, bytes('bm8='))), 'bm8=');
});

test('CONCAT_WS', () => {
  const c = scalarOf('CONCAT_WS', ['STRING', 'STRING', 'STRING', 'STRING', null, 'STRING']);
  assert.equal(c.impl('SEP', 'foo', 'bar', 'baz', null, 'literal'), 'fooSEPbarSEPbazSEPliteral');
  assert.equal(c.impl('SEP', 'foo', null, 'baz', null, 'literal'), 'fooSEPbazSEPliteral');
  assert.equal(c.impl('SEP', null, null, null, null, 'literal'), 'literal');
  assert.equal(c.impl(null, 'foo', 'bar', 'baz', null, 'literal'), null);
  const cb = scalarOf('CONCAT_WS', ['BYTES', 'BYTES', 'BYTES', null, 'BYTES']);
  assert.equal(b64(cb.impl(bytes('YQ=='), bytes('Yg=='), bytes('eWVz'), null, bytes('bm8='))), 'YmF5ZXNhbm8=');
  assert.equal(b64(cb.impl(bytes('YQ=='), bytes('Yg=='), bytes(''), null, bytes('bm8='))), 'YmFhbm8=');
  assert.equal(b64(cb.impl(bytes('YQ=='), null, null, null, null)), '');
  assert.equal(cb.impl(null, bytes('Yg=='), null, null, null), null);
});

test('LCASE, UCASE, TRIM (Java trim), LTRIM, RTRIM', () => {
  assert.equal(call('LCASE', ['STRING'], 'MiXeD'), 'mixed');
  assert.equal(call('UCASE', ['STRING'], ' \t with white space \t'), ' \t WITH WHITE SPACE \t');
  assert.equal(call('TRIM', ['STRING'], ' \t with white space \t'), 'with white space');
  assert.equal(call('LTRIM', ['STRING'], '  a b  '), 'a b  ');
  assert.equal(call('RTRIM', ['STRING'], '  a b  '), '  a b');
  assert.equal(call('TRIM', ['STRING'], null), null);
  assert.equal(call('TRIM', ['STRING'], '\u00a0x\u00a0'), '\u00a0x\u00a0'); // only chars <= U+0020
});

test('SUBSTRING: 1-based, negative from end, clamped', () => {
  const s2 = scalarOf('SUBSTRING', ['STRING', 'INT']);
  const s3 = scalarOf('SUBSTRING', ['STRING', 'INT', 'INT']);
  assert.equal(s3.impl('lower', 2, 5), 'ower');
  assert.equal(s3.impl('s', 2, 5), '');
  assert.equal(s3.impl('long enough', 2, 5), 'ong e');
  assert.equal(s2.impl('some_string', 6), 'string');
  assert.equal(s2.impl('short', 6), '');
  assert.equal(s2.impl('abcdef', -2), 'ef');
  assert.equal(s2.impl('abc', -10), 'abc');
  assert.equal(s2.impl('abc', 0), 'abc');
  assert.equal(s3.impl('abcdef', -3, 2), 'de');
  assert.equal(s3.impl('abc', 1, -1), '');
  assert.equal(s2.impl(null, 1), null);
  assert.equal(s2.impl('abc', null), null);
  assert.equal(s3.impl('abc', 1, null), null);
  const sb = scalarOf('SUBSTRING', ['BYTES', 'INT', 'INT']);
  assert.equal(b64(sb.impl(bytes('c29tZV9zdHJpbmc='), 6, 3)), 'c3Ry');
  assert.equal(b64(sb.impl(bytes('c2hvcnQ='), 6, 3)), '');
});

test('REPLACE is literal, replaces all, handles $ in replacement', () => {
  const r = scalarOf('REPLACE', ['STRING', 'STRING', 'STRING']);
  assert.equal(r.impl('a.b.c', '.', '$&'), 'a$&b$&c');
  assert.equal(r.impl('abc', '', '-'), '-a-b-c-');
  assert.equal(r.impl('\\"x\\"', '\\"', '"'), '"x"');
  assert.equal(r.impl(null, 'a', 'b'), null);
});

test('INSTR', () => {
  const i2 = scalarOf('INSTR', ['STRING', 'STRING']);
  const i3 = scalarOf('INSTR', ['STRING', 'STRING', 'INT']);
  const i4 = scalarOf('INSTR', ['STRING', 'STRING', 'INT', 'INT']);
  assert.equal(i2.impl('corporate floor', 'or'), 2);
  assert.equal(i2.impl('should I stay or should I go', 'or'), 15);
  assert.equal(i2.impl('short', 'or'), 3);
  assert.equal(i2.impl('no substring', 'or'), 0);
  assert.equal(i3.impl('corporate floor', 'or', -4), 5);
  assert.equal(i3.impl('short', 'or', -4), 0);
  assert.equal(i3.impl('corporate floor', 'or', 4), 5);
  assert.equal(i3.impl('short', 'or', 4), 0);
  assert.equal(i4.impl('corporate floor', 'or', 1, 2), 5);
  assert.equal(i4.impl('corporate floor', 'or', 1, 3), 14);
  assert.equal(i4.impl('corporate floor', 'or', -1, 2), 5);
  assert.equal(i4.impl('corporate floor', 'or', 1, 4), 0);
  assert.equal(i2.impl(null, 'or'), 0);
});

test('INITCAP', () => {
  const f = scalarOf('INITCAP', ['STRING']);
  assert.equal(f.impl('the quick  BROWN fox'), 'The Quick  Brown Fox');
  assert.equal(f.impl('  leading'), 'Leading');
  assert.equal(f.impl('élan vital'), 'Élan Vital');
  assert.equal(f.impl(''), '');
  assert.equal(f.impl(null), null);
});

test('LPAD / RPAD', () => {
  const l = scalarOf('LPAD', ['STRING', 'INT', 'STRING']);
  const r = scalarOf('RPAD', ['STRING', 'INT', 'STRING']);
  assert.equal(l.impl('foo', 7, 'Bar'), 'BarBfoo');
  assert.equal(l.impl('foo', 2, 'Bar'), 'fo');
  assert.equal(l.impl('foo', 3, 'Bar'), 'foo');
  assert.equal(l.impl('', 3, 'ab'), 'aba');
  assert.equal(l.impl('foo', -1, 'Bar'), null);
  assert.equal(l.impl('foo', 5, ''), null);
  assert.equal(l.impl('foo', 5, null), null);
  assert.equal(l.impl(null, 5, 'x'), null);
  assert.equal(r.impl('foo', 7, 'Bar'), 'fooBarB');
  assert.equal(r.impl('foo', 2, 'Bar'), 'fo');
  const lb = scalarOf('LPAD', ['BYTES', 'INT', 'BYTES']);
  const rb = scalarOf('RPAD', ['BYTES', 'INT', 'BYTES']);
  assert.deepEqual([...(lb.impl(new Uint8Array([1, 2]), 5, new Uint8Array([9, 8])) as Uint8Array)], [9, 8, 9, 1, 2]);
  assert.deepEqual([...(rb.impl(new Uint8Array([1, 2]), 5, new Uint8Array([9, 8])) as Uint8Array)], [1, 2, 9, 8, 9]);
  assert.deepEqual([...(rb.impl(new Uint8Array([1, 2, 3]), 2, new Uint8Array([9])) as Uint8Array)], [1, 2]);
});

test('SPLIT keeps empty parts; empty delimiter splits characters', () => {
  const s = scalarOf('SPLIT', ['STRING', 'STRING']);
  assert.deepEqual(s.impl('a,b,c', ','), ['a', 'b', 'c']);
  assert.deepEqual(s.impl(',A,', ','), ['', 'A', '']);
  assert.deepEqual(s.impl('..a..', '.'), ['', '', 'a', '', '']);
  assert.deepEqual(s.impl('a$$b.c', '$$'), ['a', 'b.c']);
  assert.deepEqual(s.impl('', '.'), ['']);
  assert.deepEqual(s.impl('abc', ''), ['a', 'b', 'c']);
  assert.deepEqual(s.impl('', ''), ['']);
  assert.equal(s.impl(null, ','), null);
  const sb = scalarOf('SPLIT', ['BYTES', 'BYTES']);
  assert.deepEqual((sb.impl(bytes('LmFiYy4='), Buffer.from('.')) as Uint8Array[]).map(b64), ['', 'YWJj', '']);
  assert.deepEqual((sb.impl(bytes('YWJj'), new Uint8Array()) as Uint8Array[]).map(b64), ['YQ==', 'Yg==', 'Yw==']);
  assert.deepEqual((sb.impl(bytes(''), Buffer.from('.')) as Uint8Array[]).map(b64), ['']);
});

test('LEN counts UTF-16 units and bytes', () => {
  assert.equal(call('LEN', ['STRING'], 'ABC'), 3);
  assert.equal(call('LEN', ['STRING'], '\ud820\udeb8'), 2);
  assert.equal(call('LEN', ['BYTES'], bytes('YWJj')), 3);
  assert.equal(call('LEN', ['STRING'], null), null);
});

test('MASK family', () => {
  assert.equal(call('MASK', ['STRING'], 'AbCd#$123xy Z'), 'XxXx--nnnxx-X');
  const m5 = scalarOf('MASK', ['STRING', 'STRING', 'STRING', 'STRING', 'STRING']);
  assert.equal(m5.impl('AbCd#$123xy Z', '*', '-', '!', '$'), '*-*-$$!!!--$*');
  assert.equal(m5.impl('AbCd#$123xy Z', null, '-', null, null), 'A-C-#$123-- Z');
  assert.equal(call('MASK_LEFT', ['STRING', 'INT'], 'AbCd#$123xy Z', 5), 'XxXx-$123xy Z');
  assert.equal(call('MASK_RIGHT', ['STRING', 'INT'], 'AbCd#$123xy Z', 5), 'AbCd#$12nxx-X');
  assert.equal(call('MASK_KEEP_LEFT', ['STRING', 'INT'], 'AbCd#$123xy Z', 5), 'AbCd#-nnnxx-X');
  assert.equal(call('MASK_KEEP_RIGHT', ['STRING', 'INT'], 'AbCd#$123xy Z', 5), 'XxXx--nn3xy Z');
  assert.equal(call('MASK_LEFT', ['STRING', 'INT'], 'ab', 10), 'xx');
  assert.equal(call('MASK', ['STRING'], null), null);
  assert.throws(() => call('MASK_LEFT', ['STRING', 'INT'], 'ab', -1));
});

test('CHR', () => {
  const ci = scalarOf('CHR', ['INT']);
  assert.equal(ci.impl(75), 'K');
  assert.equal(ci.impl(22909), '\u597d');
  assert.equal(ci.impl(99000), '\ud820\udeb8');
  assert.equal(ci.impl(-1), null);
  assert.equal(ci.impl(null), null);
  const cs = scalarOf('CHR', ['STRING']);
  assert.equal(cs.impl('\\u004b'), 'K');
  assert.equal(cs.impl('\\ud820\\udeb8'), '\ud820\udeb8');
  for (const bad of ['75', '004b', 'bogus', '', null]) assert.equal(cs.impl(bad), null);
});

test('ELT and FIELD', () => {
  const e = scalarOf('ELT', ['INT', 'STRING', 'STRING']);
  assert.equal(e.impl(2, 'ignored', 'something'), 'something');
  assert.equal(e.impl(2, 'ignored', null), null);
  assert.equal(e.impl(0, 'a', 'b'), null);
  assert.equal(e.impl(3, 'a', 'b'), null);
  const f = scalarOf('FIELD', ['STRING', 'STRING', 'STRING']);
  assert.equal(f.impl('hello', 'hello', 'world'), 1);
  assert.equal(f.impl('hello', null, 'world'), 0);
  assert.equal(f.impl('hello', 'world', 'hello'), 2);
  assert.equal(f.impl(null, null, null), 0);
});

test('UUID and MD5', () => {
  assert.match(call('UUID', []) as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(call('UUID', ['BYTES'], new Uint8Array(16)), '00000000-0000-0000-0000-000000000000');
  assert.equal(call('UUID', ['BYTES'], new Uint8Array(3)), null);
  const md5 = scalarOf('MD5', ['STRING']);
  assert.equal(md5.impl('r1'), '7c92cf1eee8d99cc85f8355a3d6e4b86');
  assert.equal(md5.impl(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5.impl('  '), '23b58def11b45727d3351702515f86af');
  assert.equal(md5.impl(null), null);
});
