/**
 * Java DateTimeFormatter patterns ('yyyy-MM-dd''T''HH:mm:ss.SSSX', 'dd-MMM-yyyy', 'hh:mm a zzz')
 * compiled once per pattern text into a formatter and a parser. Parsing is case-insensitive and
 * defaults missing fields to 1970-01-01T00:00:00.000 (as ksqlDB's parsers do); a zone or offset
 * in the text wins over the zone argument. Invalid input throws a FunctionError.
 */
import { FunctionError } from './types.ts';
import type { Zone } from './timezone.ts';
import { MS_PER_DAY, gregorianDate, gregorianEpochDay } from '../types/java/calendar.ts';
import { offsetText, UTC } from './timezone.ts';
import { Cache } from './util.ts';

type Token =
  | { readonly kind: 'lit'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number }
  | { readonly kind: 'opt'; readonly tokens: Token[] };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function tokenize(pattern: string): Token[] {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  let i = 0;
  while (i < pattern.length) {
    const out = stack[stack.length - 1];
    const c = pattern[i];
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      if ('GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ'.includes(c)) out.push({ kind: 'field', letter: c, count: j - i });
      else throw new FunctionError(`Unknown pattern letter: ${c}`);
      i = j;
    } else if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out.push({ kind: 'lit', text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        const k = pattern.indexOf("'", j);
        if (k < 0) throw new FunctionError(`Pattern ends with an incomplete string literal: ${pattern}`);
        text += pattern.slice(j, k);
        if (pattern[k + 1] === "'") {
          text += "'";
          j = k + 2;
        } else {
          j = k + 1;
          break;
        }
      }
      out.push({ kind: 'lit', text });
      i = j;
    } else if (c === '[') {
      const opt: Token = { kind: 'opt', tokens: [] };
      out.push(opt);
      stack.push(opt.tokens);
      i++;
    } else if (c === ']') {
      if (stack.length === 1) throw new FunctionError(`Pattern invalid as it contains ] without previous [: ${pattern}`);
      stack.pop();
      i++;
    } else if (c === '{' || c === '}' || c === '#') {
      throw new FunctionError(`Pattern includes reserved character: '${c}'`);
    } else {
      out.push({ kind: 'lit', text: c });
      i++;
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Formatting

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  milli: number;
  dow: number; // 1 = Monday .. 7 = Sunday
  doy: number;
  offset: number;
  utc: number;
  zone: Zone;
}

const pad = (n: number, w: number): string => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : '0'.repeat(w - s.length) + s);
};

function fieldsOf(utcMs: number, zone: Zone): Fields {
  const offset = zone.offsetAt(utcMs);
  const local = utcMs + offset;
  const days = Math.floor(local / MS_PER_DAY);
  const msOfDay = local - days * MS_PER_DAY;
  const d = gregorianDate(days);
  return {
    year: d.year,
    month: d.month,
    day: d.day,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    milli: msOfDay % 1000,
    dow: ((((days + 3) % 7) + 7) % 7) + 1, // epoch day 0 was a Thursday (4)
    doy: days - gregorianEpochDay(d.year, 1, 1)! + 1,
    offset,
    utc: utcMs,
    zone,
  };
}

function offsetField(off: number, letter: string, count: number): string {
  const zeroZ = letter === 'X' || (letter === 'Z' && count === 5);
  if (off === 0 && zeroZ) return 'Z';
  const total = Math.round(Math.abs(off) / 1000);
  const sign = off < 0 ? '-' : '+';
  const hh = pad(Math.floor(total / 3600), 2);
  const mm = pad(Math.floor(total / 60) % 60, 2);
  const ss = pad(total % 60, 2);
  if (letter === 'Z') {
    if (count <= 3) return sign + hh + mm;
    if (count === 4) return off === 0 ? 'GMT' : 'GMT' + sign + hh + ':' + mm;
    return sign + hh + ':' + mm + (total % 60 ? ':' + ss : '');
  }
  switch (count) {
    case 1:
      return sign + hh + (mm !== '00' ? mm : '');
    case 2:
      return sign + hh + mm;
    case 3:
      return sign + hh + ':' + mm;
    case 4:
      return sign + hh + mm + (total % 60 ? ss : '');
    default:
      return sign + hh + ':' + mm + (total % 60 ? ':' + ss : '');
  }
}

function text(names: string[], idx: number, count: number): string {
  const n = names[idx];
  return count === 4 ? n : count === 5 ? n[0] : n.slice(0, 3);
}

function formatField(f: Fields, letter: string, count: number): string {
  switch (letter) {
    case 'G':
      return count === 4 ? (f.year > 0 ? 'Anno Domini' : 'Before Christ') : count === 5 ? (f.year > 0 ? 'A' : 'B') : f.year > 0 ? 'AD' : 'BC';
    case 'y':
    case 'u':
    case 'Y': {
      const y = letter === 'u' ? f.year : f.year > 0 ? f.year : 1 - f.year;
      if (count === 2) return pad(((y % 100) + 100) % 100, 2);
      const s = pad(y, count);
      return count >= 4 && y > 9999 ? '+' + s : s;
    }
    case 'M':
    case 'L':
      return count <= 2 ? pad(f.month, count) : text(MONTHS, f.month - 1, count);
    case 'd':
      return pad(f.day, count);
    case 'D':
      return pad(f.doy, count);
    case 'Q':
    case 'q': {
      const q = Math.floor((f.month - 1) / 3) + 1;
      return count <= 2 ? pad(q, count) : count === 3 ? 'Q' + q : ['1st', '2nd', '3rd', '4th'][q - 1] + ' quarter';
    }
    case 'E':
      return text(DAYS, f.dow - 1, count <= 3 ? 3 : count);
    case 'e':
    case 'c':
      return count <= 2 ? pad((f.dow % 7) + 1, count) : text(DAYS, f.dow - 1, count);
    case 'F':
      return String(Math.floor((f.day - 1) / 7) + 1);
    case 'w': {
      // Week of year, US rules (weeks start on Sunday; week 1 contains January 1st).
      const jan1Dow = (((f.dow - 1 - ((f.doy - 1) % 7)) % 7) + 7) % 7; // 0 = Monday
      const jan1Sun = (jan1Dow + 1) % 7; // 0 = Sunday
      return pad(Math.floor((f.doy - 1 + jan1Sun) / 7) + 1, count);
    }
    case 'W':
      return String(Math.floor((f.day - 1 + (((f.dow % 7) - ((f.day - 1) % 7) + 7) % 7)) / 7) + 1);
    case 'a':
      return f.hour < 12 ? 'AM' : 'PM';
    case 'B':
      return f.hour < 12 ? 'in the morning' : f.hour < 18 ? 'in the afternoon' : 'in the evening';
    case 'h':
      return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case 'K':
      return pad(f.hour % 12, count);
    case 'k':
      return pad(f.hour === 0 ? 24 : f.hour, count);
    case 'H':
      return pad(f.hour, count);
    case 'm':
      return pad(f.minute, count);
    case 's':
      return pad(f.second, count);
    case 'S': {
      const digits = pad(f.milli, 3) + '000000';
      return digits.slice(0, count);
    }
    case 'A':
      return pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.milli, count);
    case 'n':
      return pad(f.milli * 1_000_000, count);
    case 'N':
      return pad((((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.milli) * 1_000_000, count);
    case 'V':
      return f.zone.id;
    case 'v':
    case 'z':
      return f.zone.name(f.utc, count >= 4);
    case 'O':
      if (f.offset === 0) return 'GMT';
      return count === 4 ? 'GMT' + offsetText(f.offset, true) : 'GMT' + shortOffset(f.offset);
    case 'X':
    case 'x':
    case 'Z':
      return offsetField(f.offset, letter, count);
    default:
      throw new FunctionError(`Unsupported pattern letter: ${letter}`);
  }
}

function shortOffset(off: number): string {
  const total = Math.round(Math.abs(off) / 60000);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return (off < 0 ? '-' : '+') + h + (m ? ':' + pad(m, 2) : '');
}

function formatTokens(tokens: Token[], f: Fields): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'lit') out += t.text;
    else if (t.kind === 'opt') out += formatTokens(t.tokens, f);
    else out += formatField(f, t.letter, t.count);
  }
  return out;
}

export { tokenize };
export type { Token };
export const DAY_NAMES = DAYS;
export const MONTH_NAMES = MONTHS;

/** A compiled pattern (cached by its text). */
export interface DateTimePattern {
  format(utcMs: number, zone?: Zone): string;
  readonly tokens: Token[];
}

const patterns = new Cache<DateTimePattern>();

export function compilePattern(pattern: string): DateTimePattern {
  return patterns.get(pattern, (p) => {
    const tokens = tokenize(p);
    return { tokens, format: (utcMs: number, zone: Zone = UTC) => formatTokens(tokens, fieldsOf(utcMs, zone)) };
  });
}
