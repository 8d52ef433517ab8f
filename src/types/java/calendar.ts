/**
 * Calendar arithmetic on epoch days, without Date (exact for every integer day, where Date
 * stops at ±100,000,000 days): the proleptic Gregorian calendar of java.time, and the Julian
 * calendar that java.util.Date (so java.sql.Date/Timestamp) uses before 1582-10-15.
 */

export const MS_PER_DAY = 86_400_000;

/** Epoch day of 1582-10-15, the first Gregorian day of java.util.GregorianCalendar. */
export const GREGORIAN_CUTOVER_DAY = -141427;

export interface CivilDate {
  readonly year: number; // proleptic: 0 is 1 BC, -1 is 2 BC
  readonly month: number; // 1-12
  readonly day: number; // 1-31
}

/**
 * The proleptic Gregorian year, and month * 100 + day, of an epoch day (H. Hinnant's
 * civil_from_days). Invariant: the returned object is reused by the next call, so the hot
 * printers allocate nothing; read both fields at once.
 */
export function gregorianYmd(epochDay: number): { readonly year: number; readonly md: number } {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  SCRATCH.year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  SCRATCH.md = month * 100 + day;
  return SCRATCH;
}
const SCRATCH = { year: 0, md: 0 };

/** The proleptic Gregorian date of an epoch day. */
export function gregorianDate(epochDay: number): CivilDate {
  const { year, md } = gregorianYmd(epochDay);
  return { year, month: Math.floor(md / 100), day: md % 100 };
}

/** The epoch day of a proleptic Gregorian date, or null when the date does not exist. */
export function gregorianEpochDay(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The Julian calendar date of an epoch day (proleptic year numbering, as gregorianDate). */
export function julianDate(epochDay: number): CivilDate {
  const c = epochDay + 2440588 + 32082; // Julian day number + 32082
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: d - 4800 + Math.floor(m / 10),
  };
}

/** The date java.util.Date shows for an epoch day: Julian before the cutover, then Gregorian. */
export function javaUtilDate(epochDay: number): CivilDate {
  return epochDay < GREGORIAN_CUTOVER_DAY ? julianDate(epochDay) : gregorianDate(epochDay);
}
