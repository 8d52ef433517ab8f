/**
 * One CSV record as ksqlDB reads and writes it: Apache Commons CSV, `CSVFormat.DEFAULT` with a
 * custom delimiter (quote `"`, no escape character, no trimming, empty lines skipped).
 *
 * Printing follows Commons CSV's MINIMAL quote mode as ksqlDB ships it (the expected outputs
 * of its tests pin this down: `"-10"` is quoted when it is the first field, not elsewhere):
 * - null prints nothing (unquoted);
 * - an empty string is quoted only as the first field of the record;
 * - the first field is quoted when it starts with anything but an ASCII letter or digit;
 * - any field is quoted when it starts with a character <= '#', contains CR, LF, the quote or
 *   the delimiter, or ends with a character <= ' ';
 * - quoting doubles embedded quotes.
 */

export class CsvError extends Error {}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Whether Commons CSV (MINIMAL) quotes this non-null field. */
export function needsQuotes(s: string, first: boolean, delim: number): boolean {
  const len = s.length;
  if (len === 0) return first;
  let c = s.charCodeAt(0);
  if (first && (c < 48 || (c > 57 && c < 65) || (c > 90 && c < 97) || c > 122)) return true;
  if (c <= 35) return true; // up to '#', the default comment marker
  for (let i = 0; i < len; i++) {
    c = s.charCodeAt(i);
    if (c === LF || c === CR || c === QUOTE || c === delim) return true;
  }
  return s.charCodeAt(len - 1) <= 32;
}

/** The printed form of a non-null field. */
export function csvField(s: string, first: boolean, delim: number): string {
  if (!needsQuotes(s, first, delim)) return s;
  return '"' + (s.indexOf('"') < 0 ? s : s.replaceAll('"', '""')) + '"';
}

/** Java's Character.isWhitespace for the characters that can follow a closing quote. */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || (c >= 28 && c <= 31);
}

/**
 * The fields of the first record in `s` (later records are ignored, as ksqlDB does), or null
 * when there is no record (empty text or only line breaks). Throws CsvError when a quoted
 * field is not closed or is followed by something other than a delimiter or line end.
 */
export function parseCsvRecord(s: string, delim: number): string[] | null {
  const n = s.length;
  let i = 0;
  while (i < n && (s.charCodeAt(i) === LF || s.charCodeAt(i) === CR)) i++;
  if (i >= n) return null;
  const out: string[] = [];
  for (;;) {
    if (i < n && s.charCodeAt(i) === QUOTE) {
      // Encapsulated field: "" inside stands for one quote.
      let value = '';
      let start = ++i;
      for (;;) {
        if (i >= n) throw new CsvError('EOF reached before encapsulated token finished');
        if (s.charCodeAt(i) !== QUOTE) {
          i++;
          continue;
        }
        if (i + 1 < n && s.charCodeAt(i + 1) === QUOTE) {
          value += s.slice(start, i + 1);
          i += 2;
          start = i;
          continue;
        }
        value += s.slice(start, i);
        i++;
        break;
      }
      out.push(value);
      for (;;) {
        if (i >= n) return out;
        const c = s.charCodeAt(i);
        if (c === delim) break;
        if (c === LF || c === CR) return out;
        if (!isSpace(c)) throw new CsvError('invalid char between encapsulated token and delimiter');
        i++;
      }
      i++; // past the delimiter
      continue;
    }
    const start = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === delim || c === LF || c === CR) break;
      i++;
    }
    out.push(s.slice(start, i));
    if (i >= n || s.charCodeAt(i) !== delim) return out;
    i++; // past the delimiter; a trailing delimiter yields a last empty field
  }
}
