import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, scalarOf } from './helpers.ts';

const UNIT = (unit: string) => ({ kind: 'TIME_UNIT' as const, unit });

test('STRINGTOTIMESTAMP / PARSE_TIMESTAMP', () => {
  const p = scalarOf('STRINGTOTIMESTAMP', ['STRING', 'STRING']);
  const fmt = "yyyy-MM-dd'T'HH:mm:ssX";
  assert.equal(p.impl('2018-05-11T21:58:33Z', fmt), 1526075913000);
  assert.equal(p.impl('2020-05-11T21:58:33z', fmt), 1589234313000);
  assert.equal(p.impl('2020-05-11T23:58:33+02', fmt), 1589234313000);
  assert.throws(() => p.impl('not a timestamp', fmt));
  assert.equal(p.impl(null, fmt), null);
  const pz = scalarOf('PARSE_TIMESTAMP', ['STRING', 'STRING', 'STRING']);
  assert.equal(pz.impl('2018-05-11 14:58:33', 'yyyy-MM-dd HH:mm:ss', 'America/Los_Angeles'), 1526075913000);
  assert.equal(pz.impl('2018-05-11 22:58:33', 'yyyy-MM-dd HH:mm:ss', 'Europe/London'), 1526075913000);
  assert.equal(pz.impl('2018-05-11 21:58:33', 'yyyy-MM-dd HH:mm:ss', 'UTC'), 1526075913000);
  assert.equal(pz.impl('2018-05-11 23:28:33', 'yyyy-MM-dd HH:mm:ss', '+01:30'), 1526075913000);
  assert.throws(() => pz.impl('2018-05-11 21:58:33', 'yyyy-MM-dd HH:mm:ss', 'Mars/Olympus'));
  const p2 = scalarOf('PARSE_TIMESTAMP', ['STRING', 'STRING']);
  assert.equal(p2.impl('2018-05-11T21:58:33.123', "yyyy-MM-dd'T'HH:mm:ss.SSS"), 1526075913123);
  assert.equal(p2.impl('20180511', 'yyyyMMdd'), 1525996800000);
  assert.equal(p2.impl('11-May-2018 09:58:33 PM', 'dd-MMM-yyyy hh:mm:ss a'), 1526075913000);
  assert.equal(p2.impl('2018-05-11 21:58:33 PDT', 'yyyy-MM-dd HH:mm:ss zzz'), 1526101113000);
  assert.equal(p2.impl('2018-05-11 21:58:33 America/New_York', 'yyyy-MM-dd HH:mm:ss VV'), 1526090313000);
  assert.equal(p2.impl('2018-05-11', 'yyyy-MM-dd[ HH:mm]'), 1525996800000);
  assert.equal(p2.impl('2018-05-11 01:02', 'yyyy-MM-dd[ HH:mm]'), 1525996800000 + 3720000);
  assert.equal(p2.impl('1970', 'yyyy'), 0);
  // DST gap (2018-03-11 02:30 does not exist in Los Angeles): shifted forward like Java.
  assert.equal(pz.impl('2018-03-11 02:30:00', 'yyyy-MM-dd HH:mm:ss', 'America/Los_Angeles'), Date.UTC(2018, 2, 11, 10, 30));
});

test('TIMESTAMPTOSTRING / FORMAT_TIMESTAMP', () => {
  const f = scalarOf('FORMAT_TIMESTAMP', ['TIMESTAMP', 'STRING', 'STRING']);
  assert.equal(f.impl(1526075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles'), '2018-05-11 14:58:33 PDT');
  assert.equal(f.impl(1526075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'Europe/London'), '2018-05-11 22:58:33 BST');
  assert.equal(f.impl(1516075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'Europe/London'), '2018-01-16 04:11:53 GMT');
  assert.equal(f.impl(null, 'yyyy', 'UTC'), null);
  assert.equal(call('FORMAT_TIMESTAMP', ['TIMESTAMP', 'STRING'], 1526075913000, 'yyyy-MM-dd HH:mm:ss'), '2018-05-11 21:58:33');
  const t = scalarOf('TIMESTAMPTOSTRING', ['BIGINT', 'STRING']);
  assert.equal(t.impl(1526075913123, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), '2018-05-11T21:58:33.123Z');
  assert.equal(t.impl(1526075913123, "EEE, d MMM yyyy h:mm a 'o''clock'"), "Fri, 11 May 2018 9:58 PM o'clock");
  assert.equal(t.impl(1526075913123, 'EEEE MMMM dd D yy'), 'Friday May 11 131 18');
  assert.equal(t.impl(-1, 'yyyy-MM-dd HH:mm:ss.SSS'), '1969-12-31 23:59:59.999');
  const tz = scalarOf('TIMESTAMPTOSTRING', ['BIGINT', 'STRING', 'STRING']);
  assert.equal(tz.impl(1526075913000, 'HH:mm xxx Z X O', 'Asia/Kolkata'), '03:28 +05:30 +0530 +0530 GMT+5:30');
  assert.equal(tz.impl(1526075913000, 'HH:mm zzzz', 'America/Los_Angeles'), '14:58 Pacific Daylight Time');
  assert.equal(tz.impl(1526075913000, 'HH:mm VV', 'America/Los_Angeles'), '14:58 America/Los_Angeles');
  assert.equal(tz.impl(1526075913000, 'HH:mm X', 'UTC'), '21:58 Z');
});

test('dates and times', () => {
  const d = scalarOf('DATETOSTRING', ['INT', 'STRING']);
  assert.equal(d.impl(17662, 'yyyy-MM-dd'), '2018-05-11');
  assert.equal(d.impl(18027, 'dd/MM/yyyy'), '11/05/2019');
  assert.equal(d.impl(18993, 'dd-MMM-yyyy'), '01-Jan-2022');
  assert.equal(d.impl(-1, "dd-MM-yyyy'Sophia'"), '31-12-1969Sophia');
  assert.equal(call('FORMAT_DATE', ['DATE', 'STRING'], 0, 'dd-MM-yyyy'), '01-01-1970');
  const sd = scalarOf('STRINGTODATE', ['STRING', 'STRING']);
  assert.equal(sd.impl('2018-05-11Lit', "yyyy-MM-dd'Lit'"), 17662);
  assert.equal(sd.impl('11/05/2019', 'dd/MM/yyyy'), 18027);
  assert.equal(sd.impl('01-Jan-2022', 'dd-MMM-yyyy'), 18993);
  assert.equal(sd.impl('01-01-1970', 'dd-MM-yyyy'), 0);
  assert.equal(sd.impl('31-12-1969', 'dd-MM-yyyy'), -1);
  assert.throws(() => sd.impl('foo', 'yyyyMMdd'));
  assert.equal(call('PARSE_DATE', ['STRING', 'STRING'], '2022-02-30', 'yyyy-MM-dd'), 19051); // SMART: clamped to Feb 28
  const pt = scalarOf('PARSE_TIME', ['STRING', 'STRING']);
  assert.equal(pt.impl('00:01:05Lit', "HH:mm:ss'Lit'"), 65000);
  assert.equal(pt.impl('11/05/19', 'HH/mm/ss'), 39919000);
  assert.equal(pt.impl('01:00:00 PM', 'hh:mm:ss a'), 46800000);
  assert.equal(pt.impl('01:00:00 Pm', 'hh:mm:ss a'), 46800000);
  assert.equal(pt.impl('12:00:00 AM', 'hh:mm:ss a'), 0);
  assert.equal(call('FORMAT_TIME', ['TIME', 'STRING'], 46800123, 'hh:mm:ss.SSS a'), '01:00:00.123 PM');
});

test('arithmetic on timestamps, dates and times', () => {
  assert.equal(call('TIMESTAMPADD', [UNIT('MILLISECONDS'), 'INT', 'TIMESTAMP'], 'MILLISECONDS', 10, 10), 20);
  assert.equal(call('TIMESTAMPADD', [UNIT('DAYS'), 'INT', 'TIMESTAMP'], 'DAYS', 1, 0), 86400000);
  assert.equal(call('TIMESTAMPADD', [UNIT('HOURS'), 'INT', 'TIMESTAMP'], 'HOURS', null, 0), null);
  assert.equal(call('TIMESTAMPSUB', [UNIT('MILLISECONDS'), 'INT', 'TIMESTAMP'], 'MILLISECONDS', 10, 20), 10);
  assert.equal(call('DATESUB', [UNIT('DAYS'), 'INT', 'DATE'], 'DAYS', 10, 5), -5);
  assert.equal(call('DATEADD', [UNIT('HOURS'), 'INT', 'DATE'], 'HOURS', 49, 0), 2);
  assert.equal(call('TIMEADD', [UNIT('MILLISECONDS'), 'INT', 'TIME'], 'MILLISECONDS', 10, 86399995), 5);
  assert.equal(call('TIMESUB', [UNIT('MILLISECONDS'), 'INT', 'TIME'], 'MILLISECONDS', 10, 5), 86399995);
  assert.equal(call('TIMESUB', [UNIT('HOURS'), 'INT', 'TIME'], 'HOURS', 25, 0), 82800000);
});

test('UNIX_TIMESTAMP, UNIX_DATE, FROM_UNIXTIME, FROM_DAYS, CONVERT_TZ', () => {
  assert.equal(call('UNIX_TIMESTAMP', ['TIMESTAMP'], 100), 100);
  assert.ok((call('UNIX_TIMESTAMP', []) as number) > 1_600_000_000_000);
  assert.equal(call('UNIX_DATE', ['DATE'], 10), 10);
  assert.equal(call('FROM_UNIXTIME', ['BIGINT'], 1000), 1000);
  assert.equal(call('FROM_DAYS', ['INT'], -10), -10);
  assert.equal(call('FROM_DAYS', ['INT'], null), null);
  const c = scalarOf('CONVERT_TZ', ['TIMESTAMP', 'STRING', 'STRING']);
  // 2018-05-11T21:58:33 in UTC is 14:58:33 in Los Angeles (UTC-7 in May).
  assert.equal(c.impl(1526075913000, 'UTC', 'America/Los_Angeles'), 1526075913000 - 7 * 3600000);
  assert.equal(c.impl(1526075913000, 'America/Los_Angeles', 'UTC'), 1526075913000 + 7 * 3600000);
});

test('PARSE_DATE ignores text after the date (FastDateFormat), STRINGTODATE does not (DateTimeFormatter)', () => {
  assert.equal(call('PARSE_DATE', ['STRING', 'STRING'], '2003-12-24-01-01', 'yyyy-MM-dd'), 12410);
  assert.equal(call('PARSE_DATE', ['STRING', 'STRING'], '2003-12-24T10:00', 'yyyy-MM-dd'), 12410);
  assert.throws(() => call('PARSE_DATE', ['STRING', 'STRING'], '2004', 'yyyy-MM-dd'));
  assert.throws(() => call('STRINGTODATE', ['STRING', 'STRING'], '2003-12-24-01-01', 'yyyy-MM-dd'));
});
