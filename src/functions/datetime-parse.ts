/**
 * Parsing text with a Java DateTimeFormatter pattern (see datetime-format.ts). Case-insensitive,
 * whole-text, missing fields default to 1970-01-01T00:00:00.000; SMART resolution (a day past the
 * month's end is clamped). Steps are compiled once per pattern.
 */
import { FunctionError } from './types.ts';
import type { Zone } from './timezone.ts';
import { findZone } from './timezone.ts';
import type { Token } from './datetime-format.ts';
import { DAY_NAMES, MONTH_NAMES, tokenize } from './datetime-format.ts';
import { gregorianEpochDay as daysFromCivil } from '../types/java/calendar.ts';
import { Cache } from './util.ts';

interface Parsed {
  year?: number;
  yearOfEra?: number;
  bc?: boolean;
  month?: number;
  day?: number;
  doy?: number;
  hour?: number;
  hour12?: number;
  hourK?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  milli?: number;
  milliOfDay?: number;
  offset?: number;
  zone?: Zone;
}

type Step = (s: string, pos: number, p: Parsed) => number;

const NUMERIC = new Set(['y', 'u', 'Y', 'D', 'd', 'h', 'K', 'k', 'H', 'm', 's', 'S', 'A', 'n', 'N', 'e', 'c', 'F', 'w', 'W', 'Q', 'q']);

function isNumericToken(t: Token): boolean {
  if (t.kind !== 'field') return false;
  if (t.letter === 'M' || t.letter === 'L') return t.count <= 2;
  if (t.letter === 'Q' || t.letter === 'q' || t.letter === 'e' || t.letter === 'c') return t.count <= 2;
  return NUMERIC.has(t.letter);
}

/** [min, max] digits of a numeric field; max 0 means greedy. */
function widths(letter: string, count: number): [number, number] {
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y':
      if (count === 2) return [2, 2];
      return [count, 0];
    case 'S':
      return [count, count];
    case 'A':
    case 'n':
    case 'N':
      return [count, 0];
    case 'D':
      return count === 1 ? [1, 3] : [count, 3];
    default:
      return count === 1 ? [1, 0] : [count, count];
  }
}

function setNumeric(p: Parsed, letter: string, count: number, v: number, digits: number): void {
  switch (letter) {
    case 'y':
      p.yearOfEra = count === 2 ? 2000 + v : v;
      break;
    case 'u':
    case 'Y':
      p.year = count === 2 ? 2000 + v : v;
      break;
    case 'M':
    case 'L':
      p.month = v;
      break;
    case 'd':
      p.day = v;
      break;
    case 'D':
      p.doy = v;
      break;
    case 'H':
      p.hour = v;
      break;
    case 'h':
      p.hour12 = v;
      break;
    case 'K':
      p.hourK = v;
      break;
    case 'k':
      p.hour = v === 24 ? 0 : v;
      break;
    case 'm':
      p.minute = v;
      break;
    case 's':
      p.second = v;
      break;
    case 'S':
      p.milli = Math.floor(v / 10 ** (digits - 3 > 0 ? digits - 3 : 0)) * (digits < 3 ? 10 ** (3 - digits) : 1);
      break;
    case 'A':
      p.milliOfDay = v;
      break;
    case 'n':
      p.milli = Math.floor(v / 1_000_000);
      break;
    case 'N':
      p.milliOfDay = Math.floor(v / 1_000_000);
      break;
    default:
      break; // week-based and localized fields are accepted but not used
  }
}

function numericStep(letter: string, count: number, reserved: number): Step {
  const [min, max] = widths(letter, count);
  return (s, pos, p) => {
    let end = pos;
    const sign = letter === 'y' || letter === 'u' ? (s[pos] === '+' || s[pos] === '-' ? s[pos] : '') : '';
    if (sign) end++;
    const digitsStart = end;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    let n = end - digitsStart;
    if (max > 0) n = Math.min(n, max);
    else n = Math.max(Math.min(n, n - reserved), 0);
    if (n < min) return -1;
    const text = s.slice(digitsStart, digitsStart + n);
    const v = Number(text) * (sign === '-' ? -1 : 1);
    setNumeric(p, letter, count, v, n);
    return digitsStart + n;
  };
}

function matchText(s: string, pos: number, options: readonly string[]): number {
  let best = -1;
  let bestLen = 0;
  const rest = s.slice(pos).toLowerCase();
  options.forEach((o, i) => {
    if (o.length > bestLen && rest.startsWith(o.toLowerCase())) {
      best = i;
      bestLen = o.length;
    }
  });
  return best < 0 ? -1 : best * 1000 + bestLen;
}

function textStep(options: readonly string[], set: (p: Parsed, idx: number) => void): Step {
  return (s, pos, p) => {
    const m = matchText(s, pos, options);
    if (m < 0) return -1;
    set(p, Math.floor(m / 1000));
    return pos + (m % 1000);
  };
}

const OFFSET_RE = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/;

function offsetStep(allowZ: boolean, gmtPrefix: boolean): Step {
  return (s, pos, p) => {
    let i = pos;
    if (allowZ && (s[i] === 'Z' || s[i] === 'z')) {
      p.offset = 0;
      return i + 1;
    }
    if (gmtPrefix) {
      if (s.slice(i, i + 3).toUpperCase() !== 'GMT') return -1;
      i += 3;
      if (!/[+-]/.test(s[i] ?? '')) {
        p.offset = 0;
        return i;
      }
    }
    const m = OFFSET_RE.exec(s.slice(i)) ?? (gmtPrefix ? /^([+-])(\d{1,2})(?::(\d{2}))?()/.exec(s.slice(i)) : null);
    if (!m) return -1;
    const sign = m[1] === '-' ? -1 : 1;
    p.offset = sign * ((Number(m[2]) * 60 + (m[3] ? Number(m[3]) : 0)) * 60 + (m[4] ? Number(m[4]) : 0)) * 1000;
    return i + m[0].length;
  };
}

const zoneStep: Step = (s, pos, p) => {
  const m = /^[A-Za-z][A-Za-z0-9_/+\-:]*/.exec(s.slice(pos));
  if (!m) return -1;
  // Longest prefix that names a zone (the text may continue with other fields).
  for (let len = m[0].length; len > 0; len--) {
    const z = findZone(m[0].slice(0, len));
    if (z) {
      p.zone = z;
      return pos + len;
    }
  }
  return -1;
};

function literalStep(text: string): Step {
  const lower = text.toLowerCase();
  return (s, pos) => (s.slice(pos, pos + text.length).toLowerCase() === lower ? pos + text.length : -1);
}

function fieldStep(t: Extract<Token, { kind: 'field' }>, reserved: number): Step {
  const { letter, count } = t;
  if (isNumericToken(t)) return numericStep(letter === 'L' ? 'M' : letter, count, reserved);
  switch (letter) {
    case 'M':
    case 'L':
      return textStep(count === 3 ? MONTH_NAMES.map((m) => m.slice(0, 3)) : MONTH_NAMES, (p, i) => (p.month = i + 1));
    case 'E':
    case 'e':
    case 'c':
      return textStep([...DAY_NAMES, ...DAY_NAMES.map((d) => d.slice(0, 3))], () => {});
    case 'a':
      return textStep(['AM', 'PM'], (p, i) => (p.pm = i === 1));
    case 'G':
      return textStep(['AD', 'BC', 'Anno Domini', 'Before Christ'], (p, i) => (p.bc = i % 2 === 1));
    case 'Q':
    case 'q':
      return textStep(['Q1', 'Q2', 'Q3', 'Q4'], () => {});
    case 'X':
      return offsetStep(true, false);
    case 'x':
      return offsetStep(false, false);
    case 'Z':
      return count === 4 ? offsetStep(false, true) : offsetStep(count === 5, false);
    case 'O':
      return offsetStep(false, true);
    case 'V':
    case 'v':
    case 'z':
      return zoneStep;
    default:
      return () => -1;
  }
}

function fixedWidth(t: Token): number {
  if (t.kind !== 'field' || !isNumericToken(t)) return -1;
  const [min, max] = widths(t.letter, t.count);
  return max > 0 && min === max ? max : -1;
}

function compileSteps(tokens: Token[]): Step[] {
  const steps: Step[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === 'lit') steps.push(literalStep(t.text));
    else if (t.kind === 'opt') {
      const sub = compileSteps(t.tokens);
      steps.push((s, pos, p) => {
        const copy = { ...p };
        let at = pos;
        for (const st of sub) {
          at = st(s, at, copy);
          if (at < 0) return pos;
        }
        Object.assign(p, copy);
        return at;
      });
    } else {
      // Adjacent value parsing: a greedy field leaves the digits of following fixed-width fields.
      let reserved = 0;
      for (let j = i + 1; j < tokens.length; j++) {
        const w = fixedWidth(tokens[j]);
        if (w < 0) break;
        reserved += w;
      }
      steps.push(fieldStep(t, reserved));
    }
  });
  return steps;
}

export interface ParsedDateTime {
  /** Local date-time in ms since the epoch (as if UTC). */
  readonly local: number;
  /** Offset or zone found in the text, if any. */
  readonly offset: number | null;
  readonly zone: Zone | null;
}

const compiled = new Cache<Step[]>();

function monthLength(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function fail(text: string, pattern: string): never {
  throw new FunctionError(`Failed to parse '${text}' with pattern '${pattern}'`);
}

/**
 * Parses `text` with a DateTimeFormatter pattern. `prefix`: text after the pattern's last field is
 * ignored, as java.text.DateFormat.parse(String) does (ksqlDB's PARSE_DATE uses FastDateFormat).
 */
export function parseDateTime(text: string, pattern: string, prefix = false): ParsedDateTime {
  const steps = compiled.get(pattern, (pt) => compileSteps(tokenize(pt)));
  const p: Parsed = {};
  let pos = 0;
  for (const st of steps) {
    pos = st(text, pos, p);
    if (pos < 0) fail(text, pattern);
  }
  if (pos !== text.length && !prefix) fail(text, pattern);
  let year = p.year ?? (p.yearOfEra !== undefined ? (p.bc ? 1 - p.yearOfEra : p.yearOfEra) : 1970);
  let month = p.month ?? 1;
  let day = p.day ?? 1;
  if (p.doy !== undefined && p.month === undefined && p.day === undefined) {
    const d = new Date(0);
    d.setUTCFullYear(year, 0, p.doy);
    if (d.getUTCFullYear() !== year) fail(text, pattern);
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
    year = d.getUTCFullYear();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) fail(text, pattern);
  day = Math.min(day, monthLength(year, month));
  let hour = p.hour ?? 0;
  if (p.hour === undefined && p.hour12 !== undefined) {
    if (p.hour12 < 1 || p.hour12 > 12) fail(text, pattern);
    hour = (p.hour12 % 12) + (p.pm ? 12 : 0);
  } else if (p.hour === undefined && p.hourK !== undefined) {
    hour = (p.hourK % 12) + (p.pm ? 12 : 0);
  }
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  if (hour > 23 || minute > 59 || second > 59) fail(text, pattern);
  const days = daysFromCivil(year, month, day);
  if (days === null) fail(text, pattern);
  const timeOfDay = p.milliOfDay ?? ((hour * 60 + minute) * 60 + second) * 1000 + (p.milli ?? 0);
  return { local: days * 86_400_000 + timeOfDay, offset: p.offset ?? null, zone: p.zone ?? null };
}
