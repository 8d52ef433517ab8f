import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatType } from '../../src/types/sql-type.ts';
import { aggOf, aggregateRows, dec, decText } from './helpers.ts';

test('COUNT: rows, non-NULL values, undo back to zero', () => {
  const rows = aggOf('COUNT', []);
  assert.deepEqual(aggregateRows(rows, [[], [], []]), [1, 2, 3]);
  const c = aggOf('COUNT', ['STRING']);
  assert.equal(formatType(c.returnType), 'BIGINT');
  assert.deepEqual(aggregateRows(c, [['a'], [null], ['b']]), [1, 1, 2]);
  let s = c.add(c.add(c.init(), 'x'), 'y');
  s = c.undo!(s, 'x');
  s = c.undo!(s, 'y');
  assert.equal(c.result(s), 0);
  assert.equal(c.result(c.merge!(c.add(c.init(), 1), c.add(c.init(), 2))), 2);
});

test('COUNT_DISTINCT', () => {
  const c = aggOf('COUNT_DISTINCT', ['STRING']);
  assert.deepEqual(aggregateRows(c, [['one'], ['two'], ['one'], [null]]), [1, 2, 2, 2]);
});

test('SUM keeps the type; INT and BIGINT wrap like Java; DECIMAL overflow fails', () => {
  const si = aggOf('SUM', ['INT']);
  assert.equal(formatType(si.returnType), 'INTEGER');
  assert.deepEqual(aggregateRows(si, [[2147483647], [1], [null]]), [2147483647, -2147483648, -2147483648]);
  const sb = aggOf('SUM', ['BIGINT']);
  assert.deepEqual(aggregateRows(sb, [[9007199254740991], [2], [9223372036854775807n - 9007199254740993n], [1]]), [
    9007199254740991,
    9007199254740993n,
    9223372036854775807n,
    -9223372036854775808n,
  ]);
  const sd = aggOf('SUM', ['DOUBLE']);
  assert.deepEqual(aggregateRows(sd, [[0.5], [null], [1.25]]), [0.5, 0.5, 1.75]);
  const sdec = aggOf('SUM', ['DECIMAL(4, 2)']);
  assert.equal(formatType(sdec.returnType), 'DECIMAL(4, 2)');
  assert.deepEqual(decText(aggregateRows(sdec, [[dec('1.5')], [dec('2.25')]])), ['1.50', '3.75']);
  assert.throws(() => sdec.add(sdec.init(), dec('100.00')));
  assert.equal(decText(sdec.result(sdec.undo!(sdec.add(sdec.init(), dec('1.00')), dec('1.00')))), '0.00');
  assert.equal(aggOf('SUM', ['INT']).result(aggOf('SUM', ['INT']).init()), 0);
});

test('AVG returns DOUBLE, 0.0 when empty, with undo', () => {
  const a = aggOf('AVG', ['INT']);
  assert.equal(formatType(a.returnType), 'DOUBLE');
  assert.equal(a.result(a.init()), 0);
  assert.deepEqual(aggregateRows(a, [[1], [2], [2], [null]]), [1, 1.5, 1.6666666666666667, 1.6666666666666667]);
  assert.equal(a.result(a.undo!(a.add(a.add(a.init(), 2), 4), 4)), 2);
  assert.deepEqual(aggregateRows(aggOf('AVG', ['DECIMAL(3, 1)']), [[dec('1.5')], [dec('2.0')]]), [1.5, 1.75]);
});

test('MIN / MAX ignore NULLs', () => {
  assert.deepEqual(aggregateRows(aggOf('MAX', ['INT']), [[null], [3], [1], [5]]), [null, 3, 3, 5]);
  assert.deepEqual(aggregateRows(aggOf('MIN', ['STRING']), [['b'], ['a'], [null]]), ['b', 'a', 'a']);
  assert.deepEqual(aggregateRows(aggOf('MAX', ['BIGINT']), [[1], [2n ** 62n]]), [1, 2n ** 62n]);
  assert.deepEqual(decText(aggregateRows(aggOf('MIN', ['DECIMAL(3, 1)']), [[dec('1.5')], [dec('-2.0')]])), ['1.5', '-2.0']);
});

test('STDDEV_SAMP is the sample variance (as ksqlDB), STDDEV_SAMPLE its root', () => {
  const rows = [[10.0], [12.0], [13.0], [14.0], [16.0]];
  assert.deepEqual(aggregateRows(aggOf('STDDEV_SAMP', ['DOUBLE']), rows).map((x) => Math.round((x as number) * 1e9) / 1e9), [
    0, 2, 2.333333333, 2.916666667, 5,
  ]);
  const sample = aggregateRows(aggOf('STDDEV_SAMPLE', ['DOUBLE']), rows) as number[];
  assert.ok(Math.abs(sample[4] - 2.23606797749979) < 1e-9);
  assert.ok(Math.abs(sample[1] - 1.4142135623730951) < 1e-9);
});

test('CORRELATION', () => {
  const c = aggOf('CORRELATION', ['INT', 'INT']);
  const out = aggregateRows(c, [[1, 8], [-1, -2], [-4, -1], [null, -6]]) as number[];
  assert.ok(Number.isNaN(out[0]));
  assert.equal(out[1], 1);
  assert.ok(Math.abs(out[2] - 0.7455284088780169) < 1e-12);
  assert.ok(Math.abs(out[3] - 0.7455284088780169) < 1e-12);
  const d = aggregateRows(aggOf('CORRELATION', ['DOUBLE', 'DOUBLE']), [[1.5, 8.0], [-1.0, -2.0], [-4.5, -1.0]]) as number[];
  assert.ok(Math.abs(d[2] - 0.7580764521133173) < 1e-12);
});

test('HISTOGRAM with undo', () => {
  const h = aggOf('HISTOGRAM', ['STRING']);
  assert.deepEqual(aggregateRows(h, [['baz'], ['baz'], ['foo'], [null]]), [{ baz: 1 }, { baz: 2 }, { baz: 2, foo: 1 }, { baz: 2, foo: 1 }]);
  assert.deepEqual(h.result(h.undo!(h.add(h.init(), 'a'), 'a')), {});
});

test('ATTR: the single value, else NULL; retractable', () => {
  const a = aggOf('ATTR', ['STRING']);
  assert.deepEqual(aggregateRows(a, [['1'], ['2'], ['3']]), ['1', null, null]);
  assert.deepEqual(aggregateRows(a, [[null], ['2'], ['2']]), [null, null, null]);
  let s = a.add(a.add(a.init(), '1'), '1');
  s = a.undo!(s, '1');
  assert.equal(a.result(s), '1');
  s = a.undo!(s, '1');
  assert.equal(a.result(s), null);
  s = a.add(a.add(s, '2'), '3');
  assert.equal(a.result(s), null);
  s = a.undo!(s, '3');
  assert.equal(a.result(s), '2');
  const st = aggOf('ATTR', ['STRUCT<A STRING, B INT>']);
  assert.deepEqual(aggregateRows(st, [[{ A: 'a', B: 1 }], [{ B: 1, A: 'a' }]]), [{ A: 'a', B: 1 }, { A: 'a', B: 1 }]);
});

test('SUM_LIST', () => {
  const s = aggOf('SUM_LIST', ['ARRAY<INT>']);
  assert.equal(formatType(s.returnType), 'INTEGER');
  assert.deepEqual(aggregateRows(s, [[[1, 1]], [[2, 2]], [[100, 100, null]], [null]]), [2, 6, 206, 206]);
  const d = aggOf('SUM_LIST', ['ARRAY<DOUBLE>']);
  assert.deepEqual(aggregateRows(d, [[[1.0, 1.0]], [[922337203685.0, 1.0]]]), [2, 922337203688]);
});

test('COLLECT_LIST / COLLECT_SET include NULLs; undo', () => {
  const l = aggOf('COLLECT_LIST', ['DECIMAL(4, 1)']);
  assert.equal(formatType(l.returnType), 'ARRAY<DECIMAL(4, 1)>');
  assert.deepEqual(decText(aggregateRows(l, [[dec('500.9')], [null], [dec('300.8')]]).at(-1)), ['500.9', null, '300.8']);
  assert.deepEqual(l.result(l.undo!(l.add(l.init(), 'x'), 'x')), []);
  const s = aggOf('COLLECT_SET', ['STRUCT<A STRING, B BIGINT>']);
  assert.deepEqual(aggregateRows(s, [[{ A: 'Record0', B: 100 }], [{ B: 100, A: 'Record0' }], [null]]).at(-1), [{ A: 'Record0', B: 100 }, null]);
  const ss = aggOf('COLLECT_SET', ['STRING']);
  assert.deepEqual(ss.result(ss.undo!(ss.add(ss.add(ss.init(), 'a'), 'b'), 'a')), ['b']);
  const big = aggOf('COLLECT_LIST', ['BIGINT']);
  assert.deepEqual(aggregateRows(big, [[2n ** 63n - 1n]]), [[2n ** 63n - 1n]]);
  assert.equal((aggregateRows(aggOf('COLLECT_LIST', ['INT']), Array.from({ length: 1005 }, (_, i) => [i])).at(-1) as unknown[]).length, 1000);
});

test('TOPK and TOPKDISTINCT', () => {
  const t = aggOf('TOPK', ['BIGINT', 'INT'], [undefined, 3]);
  assert.deepEqual(aggregateRows(t, [[2147483648, 3], [100, 3], [99, 3], [null, 3], [100, 3], [7, 3]]).at(-1), [2147483648, 100, 100]);
  // k from the argument value when no literal is known.
  assert.deepEqual(aggregateRows(aggOf('TOPK', ['INT', 'INT']), [[1, 2], [3, 2], [2, 2]]).at(-1), [3, 2]);
  const ts = aggOf('TOPK', ['BIGINT', 'STRING', 'INT'], [undefined, undefined, 3]);
  assert.equal(formatType(ts.returnType), 'ARRAY<STRUCT<`sort_col` BIGINT, `col0` STRING>>');
  const out = aggregateRows(ts, [[2147483648, 'zero', 3], [100, 'one', 3], [99, 'two', 3], [null, 'three', 3], [100, null, 3]]);
  assert.deepEqual(out[2], [{ sort_col: 2147483648, col0: 'zero' }, { sort_col: 100, col0: 'one' }, { sort_col: 99, col0: 'two' }]);
  assert.deepEqual(out[4], [{ sort_col: 2147483648, col0: 'zero' }, { sort_col: 100, col0: 'one' }, { sort_col: 100, col0: null }]);
  const d = aggOf('TOPKDISTINCT', ['BIGINT', 'INT'], [undefined, 3]);
  assert.deepEqual(aggregateRows(d, [[2147483648], [100], [99], [7], [100]]).at(-1), [2147483648, 100, 99]);
  assert.deepEqual(aggregateRows(aggOf('TOPK', ['STRING', 'INT'], [undefined, 2]), [['a'], ['c'], ['b']]).at(-1), ['c', 'b']);
});

test('EARLIEST_BY_OFFSET / LATEST_BY_OFFSET', () => {
  const e = aggOf('EARLIEST_BY_OFFSET', ['INT']);
  assert.deepEqual(aggregateRows(e, [[null], [12], [21]]), [null, 12, 12]);
  const en = aggOf('EARLIEST_BY_OFFSET', ['INT', 'INT'], [undefined, 2]);
  assert.equal(formatType(en.returnType), 'ARRAY<INTEGER>');
  assert.deepEqual(aggregateRows(en, [[12], [21], [31]]), [[12], [12, 21], [12, 21]]);
  const enf = aggOf('EARLIEST_BY_OFFSET', ['INT', 'INT', 'BOOLEAN'], [undefined, 2, false]);
  assert.deepEqual(aggregateRows(enf, [[null], [13]]), [[null], [null, 13]]);
  const ef = aggOf('EARLIEST_BY_OFFSET', ['INT', 'BOOLEAN'], [undefined, false]);
  assert.deepEqual(aggregateRows(ef, [[null], [13]]), [null, null]);
  const l = aggOf('LATEST_BY_OFFSET', ['INT']);
  assert.deepEqual(aggregateRows(l, [[1], [null], [3]]), [1, 1, 3]);
  const lf = aggOf('LATEST_BY_OFFSET', ['INT', 'BOOLEAN'], [undefined, false]);
  assert.deepEqual(aggregateRows(lf, [[1], [null]]), [1, null]);
  const ln = aggOf('LATEST_BY_OFFSET', ['INT', 'INT'], [undefined, 2]);
  assert.deepEqual(aggregateRows(ln, [[null], [null]]), [[], []]);
  assert.deepEqual(aggregateRows(ln, [[1], [2], [3]]), [[1], [1, 2], [2, 3]]);
  // Session merge: the earlier/later arrival wins.
  const a = l.add(l.init(), 1);
  const b = l.add(l.init(), 2);
  assert.equal(l.result(l.merge!(b, a)), 2);
  assert.equal(e.result(e.merge!(e.add(e.init(), 2), e.add(e.init(), 1))), 2);
  const m = en.merge!(en.add(en.init(), 1), en.add(en.add(en.init(), 2), 3));
  assert.deepEqual(en.result(m), [1, 2]);
  const lnn = aggOf('LATEST_BY_OFFSET', ['BIGINT']);
  assert.deepEqual(aggregateRows(lnn, [[2n ** 62n]]), [2n ** 62n]);
});
