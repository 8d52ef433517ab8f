/**
 * Parsing of ksqlDB's temporal literal text ('2022-06-14', '2022-06-14T10:15:00.000Z',
 * '09:16:00'), used for implicit casts of string literals to TIMESTAMP/DATE/TIME arguments and
 * exported for the analyzer's CAST of strings. Returns null when the text is not valid.
 */

import { MS_PER_DAY, gregorianEpochDay as daysFromCivil } from '../types/java/calendar.ts';

const DATE_RE = /^([+-]?\d{4,})-(\d{1,2})-(\d{1,2})$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TS_RE =
  /^([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function fraction(text: string | undefined): number {
  return text ? Math.floor(Number((text + '00').slice(0, 3))) : 0;
}

export function parseDateText(s: string): number | null {
  const m = DATE_RE.exec(s.trim());
  if (!m) return null;
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function parseTimeText(s: string): number | null {
  const m = TIME_RE.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const sec = m[3] ? Number(m[3]) : 0;
  if (h > 23 || mi > 59 || sec > 59) return null;
  return ((h * 60 + mi) * 60 + sec) * 1000 + fraction(m[4]);
}

/** Offset text `Z`, `+05`, `+0530`, `+05:30` in milliseconds. */
export function parseOffset(z: string): number {
  if (z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (h * 60 + m) * 60_000;
}

export function parseTimestampText(s: string): number | null {
  const m = TS_RE.exec(s.trim());
  if (!m) return null;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  if (days === null) return null;
  const h = m[4] ? Number(m[4]) : 0;
  const mi = m[5] ? Number(m[5]) : 0;
  const sec = m[6] ? Number(m[6]) : 0;
  if (h > 23 || mi > 59 || sec > 59) return null;
  const local = days * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + fraction(m[7]);
  return m[8] ? local - parseOffset(m[8]) : local;
}
