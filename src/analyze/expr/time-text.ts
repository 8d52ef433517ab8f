/**
 * Text forms of TIMESTAMP, DATE and TIME values as ksqlDB parses and prints them (UTC):
 * - TIMESTAMP prints `yyyy-MM-ddTHH:mm:ss.SSS`; parses partial text: `2018`, `2018-01`,
 *   `2018-01-01T10`, `2018-01-01T10:15:30.123`, optionally followed by `Z` or an offset
 *   (`+0445`, `+04:45`, `-05`);
 * - DATE prints `yyyy-MM-dd` and parses `yyyy[-MM[-dd]]`;
 * - TIME prints like Java's LocalTime of whole seconds (`HH:mm`, or `HH:mm:ss` when the seconds
 *   are not zero) and parses `HH:mm[:ss[.fffffffff]]`.
 * Parsers return null for invalid text. Used by the analyzer (literal folding) and at runtime.
 */

export const MS_PER_DAY = 86_400_000;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Days since the epoch of a proleptic Gregorian date, or null when the date does not exist. */
function epochDay(y: number, m: number, d: number): number | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return Math.round(t.getTime() / MS_PER_DAY);
}

const TS_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

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

export function parseTimestamp(text: string): number | null {
  const m = TS_RE.exec(text.trim());
  if (!m) return null;
  const day = epochDay(Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1);
  const time = clock(m[4] ? Number(m[4]) : 0, m[5] ? Number(m[5]) : 0, m[6] ? Number(m[6]) : 0);
  const offset = m[8] ? offsetMs(m[8]) : 0;
  if (day === null || time === null || offset === null) return null;
  return day * MS_PER_DAY + time + fractionMs(m[7]) - offset;
}

export function parseDate(text: string): number | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  return epochDay(Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1);
}

export function parseTime(text: string): number | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text.trim());
  if (!m) return null;
  const t = clock(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : 0);
  return t === null ? null : t + fractionMs(m[4]);
}

function isoDate(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 4);
  return `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${isoDate(ms)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export const formatDate = (days: number): string => isoDate(days * MS_PER_DAY);

export function formatTime(msOfDay: number): string {
  const secs = Math.floor(msOfDay / 1000);
  const h = Math.floor(secs / 3600);
  const mi = Math.floor(secs / 60) % 60;
  const s = secs % 60;
  return s === 0 ? `${pad(h)}:${pad(mi)}` : `${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** TIMESTAMP -> DATE (the UTC day) and TIME (the UTC time of day). */
export const timestampToDate = (ms: number): number => Math.floor(ms / MS_PER_DAY);
export const timestampToTime = (ms: number): number => ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
