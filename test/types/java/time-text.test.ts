/** TIMESTAMP/DATE/TIME text and the calendar under it (src/types/java/time-text.ts, calendar.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from '../../../src/types/java/time-text.ts';
import { gregorianDate, gregorianEpochDay, julianDate } from '../../../src/types/java/calendar.ts';

test('timestamp text: partial values, offsets, formatting', () => {
  assert.equal(parseTimestamp('2018'), Date.UTC(2018, 0, 1));
  assert.equal(parseTimestamp('2018-03'), Date.UTC(2018, 2, 1));
  assert.equal(parseTimestamp('2018-03-04T05'), Date.UTC(2018, 2, 4, 5));
  assert.equal(parseTimestamp('2018-03-04T05:06:07.8'), Date.UTC(2018, 2, 4, 5, 6, 7, 800));
  assert.equal(parseTimestamp('2018-03-04T05:06:07.123456789Z'), Date.UTC(2018, 2, 4, 5, 6, 7, 123));
  assert.equal(parseTimestamp('2019-01-01T00:00:00+0445'), Date.UTC(2018, 11, 31, 19, 15));
  assert.equal(parseTimestamp('2019-01-01T00:00:00-05:00'), Date.UTC(2019, 0, 1, 5));
  assert.equal(parseTimestamp('2019-02-30'), Date.UTC(2019, 1, 28)); // SMART resolver: the month's last day
  assert.equal(parseTimestamp('2019-02-32'), null);
  assert.equal(parseDate('2019-02-30'), null); // LocalDate.parse is strict
  assert.equal(parseTimestamp('2019-01-01 00:00'), null);
  assert.equal(formatTimestamp(0), '1970-01-01T00:00:00.000');
  assert.equal(formatTimestamp(Date.UTC(1969, 11, 31, 23, 59, 59, 999)), '1969-12-31T23:59:59.999');
  assert.equal(parseDate('2020-05'), 18383);
  assert.equal(formatDate(-1), '1969-12-31');
  assert.equal(parseTime('09:16'), 33_360_000);
  assert.equal(parseTime('9:16'), null);
  assert.equal(formatTime(33_360_000), '09:16');
  assert.equal(formatTime(33_361_999), '09:16:01');
});

test('calendar: epoch day <-> Gregorian date round trip, agreeing with Date where Date reaches', () => {
  for (let day = -100_000_000; day <= 100_000_000; day += 9_973) {
    const d = gregorianDate(day);
    assert.equal(gregorianEpochDay(d.year, d.month, d.day), day);
    const js = new Date(day * 86_400_000);
    assert.deepEqual([d.year, d.month, d.day], [js.getUTCFullYear(), js.getUTCMonth() + 1, js.getUTCDate()], String(day));
  }
  // Beyond Date's range (+-100,000,000 days) the arithmetic still round-trips (DATE is a 32-bit day count).
  for (const day of [2_147_483_647, -2_147_483_648, 1_000_000_000]) {
    const d = gregorianDate(day);
    assert.equal(gregorianEpochDay(d.year, d.month, d.day), day);
  }
  assert.equal(gregorianEpochDay(2023, 2, 29), null);
  assert.equal(gregorianEpochDay(2024, 2, 29), 19782);
  assert.equal(gregorianEpochDay(1900, 2, 29), null);
  assert.equal(gregorianEpochDay(2000, 2, 29), 11016);
  assert.equal(gregorianEpochDay(2024, 13, 1), null);
});

test('calendar: Julian dates (java.util.Date before 1582-10-15)', () => {
  assert.deepEqual(julianDate(-141428), { year: 1582, month: 10, day: 4 }); // the day before the Gregorian 15th
  assert.deepEqual(julianDate(-719162), { year: 1, month: 1, day: 3 }); // Gregorian 0001-01-01
});
