import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auctionJson, BASE_TIME, bid, bidJson, bidTime, FIRST_AUCTION, longKey } from '../../../bench/nexmark/generator.ts';
import { querySpec, querySql } from '../../../bench/nexmark/queries.ts';
import { canonicalJson, compareSummaries, flinkWindow, SummaryBuilder } from '../../../bench/nexmark/summary.ts';
import { type ProgressSample, steadyRate } from '../../../bench/nexmark/steady.ts';

const enc = (s: string) => Buffer.from(s);

test('bids are deterministic, ~163 B, in event-time order, on auctions that exist', () => {
  assert.equal(bidJson(12345, 100_000), bidJson(12345, 100_000));
  let bytes = 0;
  for (let i = 0; i < 10_000; i++) {
    const b = bid(i, 100_000);
    bytes += bidJson(i, 100_000).length;
    assert.ok(b.auction >= FIRST_AUCTION && b.auction < FIRST_AUCTION + 100_000);
    if (i > 0) assert.ok(bidTime(i) >= bidTime(i - 1));
  }
  assert.ok(Math.abs(bytes / 10_000 - 163) < 5, `average ${bytes / 10_000} B`);
  assert.equal(bidTime(10_000), BASE_TIME + 1000); // 10,000 bids per event-time second
  assert.equal(JSON.parse(auctionJson(7)).id, FIRST_AUCTION + 7);
  assert.equal(longKey(258).toString('hex'), '0000000000000102');
});

test('canonical JSON ignores key order, name case and number formatting', () => {
  assert.equal(canonicalJson(enc('{"b":1.50,"A":2}')), canonicalJson(enc('{"A":2.0,"B":1.5}')));
  assert.notEqual(canonicalJson(enc('{"A":2}')), canonicalJson(enc('{"A":3}')));
  assert.equal(canonicalJson(null), 'null');
});

test('stream summaries do not depend on the order of records, and see a changed value', () => {
  const values = ['{"X":1}', '{"X":2}', '{"X":2}', '{"X":3}'];
  const a = new SummaryBuilder('stream');
  const b = new SummaryBuilder('stream');
  values.forEach((v, i) => a.add({ partition: 0, offset: i, key: null, value: enc(v) }));
  [...values].reverse().forEach((v, i) => b.add({ partition: i % 2, offset: i, key: null, value: enc(v) }));
  assert.deepEqual(compareSummaries(a.build(), b.build()), []);
  const c = new SummaryBuilder('stream');
  ['{"X":1}', '{"X":2}', '{"X":3}', '{"X":3}'].forEach((v, i) => c.add({ partition: 0, offset: i, key: null, value: enc(v) }));
  assert.equal(compareSummaries(a.build(), c.build()).length, 1);
});

test('windowed summaries keep the last value per key by offset, and count updates', () => {
  const k1 = enc('k1');
  const k2 = enc('k2');
  const a = new SummaryBuilder('windowed');
  a.add({ partition: 0, offset: 0, key: k1, value: enc('{"NUM":1}') });
  a.add({ partition: 1, offset: 0, key: k2, value: enc('{"NUM":1}') });
  a.add({ partition: 0, offset: 1, key: k1, value: enc('{"NUM":2}') });
  const b = new SummaryBuilder('windowed');
  b.add({ partition: 1, offset: 0, key: k2, value: enc('{"NUM":1}') });
  b.add({ partition: 0, offset: 0, key: k1, value: enc('{"NUM":1}') });
  b.add({ partition: 0, offset: 1, key: k1, value: enc('{"NUM":2}') });
  assert.deepEqual(compareSummaries(a.build(), b.build()), []);
  assert.equal(a.build().keys, 2);
  const c = new SummaryBuilder('windowed');
  c.add({ partition: 0, offset: 0, key: k1, value: enc('{"NUM":2}') });
  c.add({ partition: 1, offset: 0, key: k2, value: enc('{"NUM":1}') });
  const diffs = compareSummaries(a.build(), c.build());
  assert.deepEqual(diffs, ['records 3 vs 2']); // same finals, fewer updates
  const d = new SummaryBuilder('windowed');
  d.add({ partition: 0, offset: 0, key: k1, value: enc('{"NUM":3}') });
  d.add({ partition: 0, offset: 1, key: k1, value: enc('{"NUM":1}') });
  d.add({ partition: 1, offset: 0, key: k2, value: enc('{"NUM":1}') });
  assert.match(compareSummaries(a.build(), d.build()).join(), /digest/);
});

test('query SQL names its output topic with 4 partitions; unknown queries are refused', () => {
  assert.match(querySql(querySpec('q5'), 'out-topic'), /^CREATE TABLE out WITH \(KAFKA_TOPIC='out-topic', PARTITIONS=4, VALUE_FORMAT='JSON'\) AS SELECT auction, COUNT\(\*\)/);
  assert.throws(() => querySpec('q99'), /unknown Nexmark query 'q99'/);
});

test("Flink's final windows (window_start in the value) compare equal to ksqlDB's windowed keys' last updates", () => {
  const start = BASE_TIME; // 2023-11-14 22:13:20 UTC
  const windowedKey = (auction: number, windowStart: number) => Buffer.concat([longKey(auction), longKey(windowStart)]);
  const updates = new SummaryBuilder('windowed');
  updates.add({ partition: 0, offset: 0, key: windowedKey(1000, start), value: enc('{"MAXPRICE":5,"NUM":1}') });
  updates.add({ partition: 0, offset: 1, key: windowedKey(1000, start), value: enc('{"MAXPRICE":9,"NUM":2}') });
  updates.add({ partition: 2, offset: 0, key: windowedKey(1001, start + 10_000), value: enc('{"MAXPRICE":7,"NUM":1}') });
  const finals = new SummaryBuilder('windowed', 'flink');
  finals.add({ partition: 3, offset: 0, key: longKey(1001), value: enc('{"window_start":"2023-11-14 22:13:30","window_end":"2023-11-14 22:13:40","maxprice":7,"num":1}') });
  finals.add({ partition: 1, offset: 0, key: longKey(1000), value: enc('{"window_start":"2023-11-14 22:13:20","window_end":"2023-11-14 22:13:30","maxprice":9,"num":2}') });
  const u = updates.build();
  const f = finals.build();
  assert.equal(u.emits, 'updates');
  assert.equal(f.emits, 'final');
  assert.deepEqual(compareSummaries(u, f), []); // 3 updates against 2 finals: not a difference
  // A final value that differs from the last update, or a window start one second off, is.
  const wrong = new SummaryBuilder('windowed', 'flink');
  wrong.add({ partition: 3, offset: 0, key: longKey(1001), value: enc('{"window_start":"2023-11-14 22:13:30","window_end":"2023-11-14 22:13:40","maxprice":7,"num":1}') });
  wrong.add({ partition: 1, offset: 0, key: longKey(1000), value: enc('{"window_start":"2023-11-14 22:13:21","window_end":"2023-11-14 22:13:31","maxprice":9,"num":2}') });
  assert.match(compareSummaries(u, wrong.build()).join(), /digest/);
  // Two engines that both emit final values still compare their record counts.
  assert.deepEqual(compareSummaries(f, finals.build()), []);
  assert.throws(() => flinkWindow(longKey(1000), enc('{"num":1}')), /without window_start/);
  assert.equal(flinkWindow(longKey(1000), enc('{"window_start":"2023-11-14T22:13:20.000Z","num":1}')).key, windowedKey(1000, start).toString('hex'));
  // flink-updates: every update under a JSON key of (auction, window_start), as the upsert sink writes it.
  const upserts = new SummaryBuilder('windowed', 'flink', 'updates');
  const jsonKey = (auction: number, ws: string) => enc(JSON.stringify({ auction, window_start: ws }));
  upserts.add({ partition: 0, offset: 0, key: jsonKey(1000, '2023-11-14 22:13:20'), value: enc('{"maxprice":5,"num":1}') });
  upserts.add({ partition: 1, offset: 0, key: jsonKey(1001, '2023-11-14 22:13:30'), value: enc('{"maxprice":7,"num":1}') });
  upserts.add({ partition: 0, offset: 1, key: jsonKey(1000, '2023-11-14 22:13:20'), value: enc('{"maxprice":9,"num":2}') });
  assert.equal(upserts.build().emits, 'updates');
  assert.deepEqual(compareSummaries(u, upserts.build()), []);
  assert.throws(() => flinkWindow(enc('{"a":1,"b":2,"window_start":0}'), enc('{"num":1}')), /one BIGINT group key/);
});

test('steady-state rate: CPU time between the marks at ~25% and ~90% of the input; none from marks too sparse or too close', () => {
  const marks: ProgressSample[] = [];
  // 1% of 100,000 bids per 10 ticks (0.1 s at 100 ticks a second): 10,000 bids per CPU-second, after a slow start.
  for (let p = 1; p <= 100; p++) marks.push({ fraction: p / 100, ticks: 500 + p * 10 });
  const r = steadyRate(marks, 100_000, 100);
  assert.ok(r);
  assert.equal(r.from, 0.25);
  assert.equal(r.to, 0.9);
  assert.equal(r.recordsPerCpuS, 10_000);
  assert.equal(steadyRate([{ fraction: 0.1, ticks: 0 }, { fraction: 1, ticks: 100 }], 100_000, 100), null);
  assert.equal(steadyRate([{ fraction: 0.25, ticks: 0 }, { fraction: 0.9, ticks: 3 }], 100_000, 100), null);
});
