/**
 * Date and time functions. TIMESTAMP is ms since the epoch (UTC), DATE days, TIME ms of day.
 * Patterns are Java DateTimeFormatter patterns (datetime-format.ts), compiled and cached once per
 * pattern text; zone ids are Java's (timezone.ts). Unparseable input fails the record
 * (FunctionError), as ksqlDB does.
 */
import type { FunctionDef } from './types.ts';
import { FunctionError } from './types.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';
import { compilePattern } from './datetime-format.ts';
import { parseDateTime } from './datetime-parse.ts';
import type { Zone } from './timezone.ts';
import { UTC, zoneOf } from './timezone.ts';

const MS_PER_DAY = 86_400_000;

const UNIT_MS: Record<string, number> = {
  NANOSECONDS: 1e-6,
  MICROSECONDS: 1e-3,
  MILLISECONDS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: MS_PER_DAY,
};

function unitMs(unit: string): number {
  const ms = UNIT_MS[unit.toUpperCase()];
  if (ms === undefined) throw new FunctionError(`Unsupported time unit: ${unit}`);
  return ms;
}

/** Java TimeUnit.toMillis / toDays: truncates towards zero. */
const toMillis = (unit: string, n: number): number => Math.trunc(Number(n) * unitMs(unit));
const toDays = (unit: string, n: number): number => Math.trunc((Number(n) * unitMs(unit)) / MS_PER_DAY);

function formatTs(ms: number, pattern: string, zone: Zone = UTC): string {
  return compilePattern(pattern).format(ms, zone);
}

function parseTs(text: string, pattern: string, zone: Zone = UTC): number {
  const p = parseDateTime(text, pattern);
  if (p.offset !== null) return p.local - p.offset;
  return (p.zone ?? zone).toUtc(p.local);
}

function parseDays(text: string, pattern: string): number {
  return Math.floor(parseDateTime(text, pattern).local / MS_PER_DAY);
}

function parseTimeOfDay(text: string, pattern: string): number {
  const local = parseDateTime(text, pattern).local;
  return ((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
}

const wrapDay = (ms: number): number => ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;

const asNumber = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v);

function convertTz(ts: number, from: string, to: string): number {
  const f = zoneOf(from);
  const t = zoneOf(to);
  return ts + t.offsetAt(ts) - f.offsetAt(ts);
}

export const datetimeFunctions: FunctionDef[] = [
  scalar('UNIX_TIMESTAMP', 'Milliseconds since the epoch of a TIMESTAMP, or of now.', [
    fn('', 'BIGINT', () => Date.now(), { deterministic: false }),
    fn('timestamp TIMESTAMP', 'BIGINT', (t: number | null) => t),
  ]),
  scalar('UNIX_DATE', 'Days since the epoch of a DATE, or of today (UTC).', [
    fn('', 'INT', () => Math.floor(Date.now() / MS_PER_DAY), { deterministic: false }),
    fn('date DATE', 'INT', (d: number | null) => d),
  ]),
  scalar('FROM_UNIXTIME', 'The TIMESTAMP of milliseconds since the epoch.', [
    fn('millis BIGINT', 'TIMESTAMP', (v: number | bigint | null) => (v === null ? null : asNumber(v))),
  ]),
  scalar('FROM_DAYS', 'The DATE of days since the epoch.', [fn('days INT', 'DATE', (d: number | null) => d)]),
  scalar(
    'STRINGTOTIMESTAMP',
    'Parses a string with a DateTimeFormatter pattern into milliseconds since the epoch, in UTC or the given zone.',
    [
      fn('formattedTimestamp STRING, formatPattern STRING', 'BIGINT', strict((s: string, p: string) => parseTs(s, p))),
      fn('formattedTimestamp STRING, formatPattern STRING, timeZone STRING', 'BIGINT', strict((s: string, p: string, z: string) =>
        parseTs(s, p, zoneOf(z)),
      )),
    ],
  ),
  scalar('PARSE_TIMESTAMP', 'Parses a string with a DateTimeFormatter pattern into a TIMESTAMP, in UTC or the given zone.', [
    fn('formattedTimestamp STRING, formatPattern STRING', 'TIMESTAMP', strict((s: string, p: string) => parseTs(s, p))),
    fn('formattedTimestamp STRING, formatPattern STRING, timeZone STRING', 'TIMESTAMP', strict((s: string, p: string, z: string) =>
      parseTs(s, p, zoneOf(z)),
    )),
  ]),
  scalar(
    'TIMESTAMPTOSTRING',
    'Formats milliseconds since the epoch with a DateTimeFormatter pattern, in UTC or the given zone.',
    [
      fn('epochMilli BIGINT, formatPattern STRING', 'STRING', strict((t: number | bigint, p: string) => formatTs(asNumber(t), p))),
      fn('epochMilli BIGINT, formatPattern STRING, timeZone STRING', 'STRING', strict((t: number | bigint, p: string, z: string) =>
        formatTs(asNumber(t), p, zoneOf(z)),
      )),
    ],
  ),
  scalar('FORMAT_TIMESTAMP', 'Formats a TIMESTAMP with a DateTimeFormatter pattern, in UTC or the given zone.', [
    fn('timestamp TIMESTAMP, formatPattern STRING', 'STRING', strict((t: number, p: string) => formatTs(t, p))),
    fn('timestamp TIMESTAMP, formatPattern STRING, timeZone STRING', 'STRING', strict((t: number, p: string, z: string) =>
      formatTs(t, p, zoneOf(z)),
    )),
  ]),
  scalar('STRINGTODATE', 'Parses a string with a DateTimeFormatter pattern into days since the epoch.', [
    fn('formattedDate STRING, formatPattern STRING', 'INT', strict(parseDays)),
  ]),
  scalar('PARSE_DATE', 'Parses a string with a DateTimeFormatter pattern into a DATE.', [
    // ksqlDB parses with FastDateFormat: text after the date is ignored.
    fn('formattedDate STRING, formatPattern STRING', 'DATE', strict((t: string, p: string) => Math.floor(parseDateTime(t, p, true).local / MS_PER_DAY))),
  ]),
  scalar('DATETOSTRING', 'Formats days since the epoch with a DateTimeFormatter pattern.', [
    fn('epochDays INT, formatPattern STRING', 'STRING', strict((d: number, p: string) => formatTs(d * MS_PER_DAY, p))),
  ]),
  scalar('FORMAT_DATE', 'Formats a DATE with a DateTimeFormatter pattern.', [
    fn('date DATE, formatPattern STRING', 'STRING', strict((d: number, p: string) => formatTs(d * MS_PER_DAY, p))),
  ]),
  scalar('PARSE_TIME', 'Parses a string with a DateTimeFormatter pattern into a TIME.', [
    fn('formattedTime STRING, formatPattern STRING', 'TIME', strict(parseTimeOfDay)),
  ]),
  scalar('FORMAT_TIME', 'Formats a TIME with a DateTimeFormatter pattern.', [
    fn('time TIME, formatPattern STRING', 'STRING', strict((t: number, p: string) => formatTs(t, p))),
  ]),
  scalar('TIMESTAMPADD', 'Adds an interval in the given unit to a TIMESTAMP.', [
    fn('unit UNIT, interval BIGINT, timestamp TIMESTAMP', 'TIMESTAMP', (u: string, n: number | bigint | null, t: number | null) =>
      n === null || t === null ? null : t + toMillis(u, asNumber(n)),
    ),
  ]),
  scalar('TIMESTAMPSUB', 'Subtracts an interval in the given unit from a TIMESTAMP.', [
    fn('unit UNIT, interval BIGINT, timestamp TIMESTAMP', 'TIMESTAMP', (u: string, n: number | bigint | null, t: number | null) =>
      n === null || t === null ? null : t - toMillis(u, asNumber(n)),
    ),
  ]),
  scalar('DATEADD', 'Adds an interval in the given unit (days or longer count) to a DATE.', [
    fn('unit UNIT, interval INT, date DATE', 'DATE', (u: string, n: number | null, d: number | null) =>
      n === null || d === null ? null : d + toDays(u, n),
    ),
  ]),
  scalar('DATESUB', 'Subtracts an interval in the given unit from a DATE.', [
    fn('unit UNIT, interval INT, date DATE', 'DATE', (u: string, n: number | null, d: number | null) =>
      n === null || d === null ? null : d - toDays(u, n),
    ),
  ]),
  scalar('TIMEADD', 'Adds an interval in the given unit to a TIME, wrapping around midnight.', [
    fn('unit UNIT, interval INT, time TIME', 'TIME', (u: string, n: number | null, t: number | null) =>
      n === null || t === null ? null : wrapDay(t + toMillis(u, n)),
    ),
  ]),
  scalar('TIMESUB', 'Subtracts an interval in the given unit from a TIME, wrapping around midnight.', [
    fn('unit UNIT, interval INT, time TIME', 'TIME', (u: string, n: number | null, t: number | null) =>
      n === null || t === null ? null : wrapDay(t - toMillis(u, n)),
    ),
  ]),
  scalar('CONVERT_TZ', 'Converts a TIMESTAMP from one time zone to another (shifts the wall-clock time).', [
    fn('timestamp TIMESTAMP, fromTimeZone STRING, toTimeZone STRING', 'TIMESTAMP', strict(convertTz)),
  ]),
];
