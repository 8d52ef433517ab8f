/**
 * TIMESTAMP, DATE and TIME values (UTC milliseconds, epoch days, milliseconds of the day) as
 * ksqlDB prints and parses them (SqlTimeTypes), and as the java.sql values it holds print
 * inside containers (String.valueOf of a List/Map/Struct):
 * - TIMESTAMP: pattern `yyyy-MM-dd'T'HH:mm:ss.SSS` at UTC; `yyyy` is the year of era, with a
 *   `+` beyond four digits (`+10000-01-01T…`, and 1 BC prints as `0001`);
 * - DATE: LocalDate.toString (`+10000-01-01`, `0000-12-31`, `-0001-01-01`);
 * - TIME: LocalTime.ofSecondOfDay(ms / 1000).toString(): `HH:mm` when the seconds are zero,
 *   else `HH:mm:ss`; milliseconds are not printed;
 * - parsing: TIMESTAMP partial text `2018`, `2018-01`, `2018-01-01T10`, …`T10:15:30.123`, with
 *   `Z` or an offset (`+0445`, `+04:45`, `-05`), years beyond 9999 as `+10000`; DATE
 *   `yyyy[-MM[-dd]]` (also `+10000-01-01`, `-0001-01-01`); TIME `HH:mm[:ss[.f…]]`. The text
 *   is trimmed first (CAST trims). Parsers return null for invalid text.
 */
import { MS_PER_DAY, daysInMonth, gregorianEpochDay, gregorianYmd, javaUtilDate, type CivilDate } from './calendar.ts';

export { MS_PER_DAY } from './calendar.ts';

const pad2 = (n: number): string => (n < 10 ? '0' + n : '' + n);
const pad3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n);
const pad4 = (n: number): string => (n < 1000 ? ('000' + n).slice(-4) : '' + n);

/** `HH:mm:ss.SSS` of a millisecond of the day. */
function clockText(msOfDay: number): string {
  const s = Math.floor(msOfDay / 1000);
  return pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor(s / 60) % 60) + ':' + pad2(s % 60) + '.' + pad3(msOfDay % 1000);
}

/** ksqlDB's TIMESTAMP text (SqlTimeTypes.formatTimestamp). */
export function formatTimestamp(ms: number): string {
  const day = Math.floor(ms / MS_PER_DAY);
  const { year: y, md } = gregorianYmd(day);
  const yoe = y >= 1 ? y : 1 - y; // DateTimeFormatter's `yyyy` is the year of era
  const year = yoe > 9999 ? '+' + yoe : pad4(yoe);
  return year + (md < 1000 ? '-0' : '-') + Math.floor(md / 100) + (md % 100 < 10 ? '-0' : '-') + (md % 100) + 'T' + clockText(ms - day * MS_PER_DAY);
}

/** ksqlDB's DATE text: LocalDate.toString. */
export function formatDate(epochDay: number): string {
  const { year: y, md } = gregorianYmd(epochDay);
  const year = y > 9999 ? '+' + y : y >= 0 ? pad4(y) : y > -10000 ? '-' + pad4(-y) : '' + y;
  return year + (md < 1000 ? '-0' : '-') + Math.floor(md / 100) + (md % 100 < 10 ? '-0' : '-') + (md % 100);
}

/** ksqlDB's TIME text: LocalTime of the whole seconds, `HH:mm` or `HH:mm:ss`. */
export function formatTime(msOfDay: number): string {
  const secs = Math.floor(msOfDay / 1000);
  const s = secs % 60;
  const hm = pad2(Math.floor(secs / 3600)) + ':' + pad2(Math.floor(secs / 60) % 60);
  return s === 0 ? hm : hm + ':' + pad2(s);
}

/** Year as java.util.Date's getYear() + 1900 gives it: the year of era (no BC sign). */
const utilYear = (d: CivilDate): number => (d.year >= 1 ? d.year : 1 - d.year);

/** java.sql.Timestamp.toString at UTC: `2020-01-01 10:00:00.0` (Julian dates before 1582-10-15). */
export function sqlTimestampText(ms: number): string {
  const day = Math.floor(ms / MS_PER_DAY);
  const d = javaUtilDate(day);
  const clock = clockText(ms - day * MS_PER_DAY);
  const millis = clock.slice(9).replace(/0+$/, '');
  return pad4(utilYear(d)) + '-' + pad2(d.month) + '-' + pad2(d.day) + ' ' + clock.slice(0, 8) + '.' + (millis === '' ? '0' : millis);
}

/** java.sql.Date.toString at UTC: `yyyy-mm-dd`, the year cut to its last four digits. */
export function sqlDateText(epochDay: number): string {
  const d = javaUtilDate(epochDay);
  return pad4(utilYear(d) % 10000) + '-' + pad2(d.month) + '-' + pad2(d.day);
}

/** java.sql.Time.toString at UTC: `HH:mm:ss`. */
export const sqlTimeText = (msOfDay: number): string => clockText(msOfDay).slice(0, 8);

// ---------------------------------------------------------------------------------------------
// Parsing

// The year as DateTimeFormatter's `yyyy` reads it: four digits, or a `+` and more digits.
const TS_RE =
  /^(\d{4}|\+\d{5,9})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
// ISO_LOCAL_DATE's year: four digits, `+` and more than four, or `-` and four or more; partial
// text is completed by appending `-01` (ksqlDB's completeDate), which a negative year defeats.
const DATE_RE = /^(?:(\d{4}|\+\d{5,9})(?:-(\d{2})(?:-(\d{2}))?)?|(-\d{4,9})-(\d{2})-(\d{2}))$/;

/** Milliseconds of a fraction-of-second text (`1` = 100 ms, `123456` = 123 ms). */
const fractionMs = (f: string | undefined): number => (f ? Number((f + '00').slice(0, 3)) : 0);

function offsetMs(z: string): number | null {
  if (z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (h > 18 || m > 59) return null;
  return sign * (h * 60 + m) * 60_000;
}

function clock(h: number, mi: number, s: number): number | null {
  if (h > 23 || mi > 59 || s > 59) return null;
  return ((h * 60 + mi) * 60 + s) * 1000;
}

/**
 * ksqlDB's TIMESTAMP text (PartialStringToTimestampParser): the pattern's SMART resolver moves a
 * day past the month's end back to its last day (`2019-02-29` is 2019-02-28), and the year of
 * era must be at least 1.
 */
export function parseTimestamp(text: string): number | null {
  const m = TS_RE.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  const dayOfMonth = m[3] ? Number(m[3]) : 1;
  if (year < 1 || month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > 31) return null;
  const day = gregorianEpochDay(year, month, Math.min(dayOfMonth, daysInMonth(year, month)));
  const time = clock(m[4] ? Number(m[4]) : 0, m[5] ? Number(m[5]) : 0, m[6] ? Number(m[6]) : 0);
  const offset = m[8] ? offsetMs(m[8]) : 0;
  if (day === null || time === null || offset === null) return null;
  return day * MS_PER_DAY + time + fractionMs(m[7]) - offset;
}

/** ksqlDB's DATE text (SqlTimeTypes.parseDate): LocalDate.parse, strict about the day. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  if (m[4]) return gregorianEpochDay(Number(m[4]), Number(m[5]), Number(m[6]));
  return gregorianEpochDay(Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1);
}

/** LocalTime.parse (ISO_LOCAL_TIME): the fraction may be empty (`10:15:30.`), as in Java. */
export function parseTime(text: string): number | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{0,9}))?)?$/.exec(text.trim());
  if (!m) return null;
  const t = clock(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : 0);
  return t === null ? null : t + fractionMs(m[4]);
}

/** TIMESTAMP -> DATE (the UTC day) and TIME (the UTC time of day). */
export const timestampToDate = (ms: number): number => Math.floor(ms / MS_PER_DAY);
export const timestampToTime = (ms: number): number => ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
