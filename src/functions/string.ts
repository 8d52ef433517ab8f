/**
 * String functions (ksqlDB's STRING category): CONCAT, SUBSTRING, TRIM, LPAD, SPLIT, INSTR, ...
 * Positions are 1-based; lengths count UTF-16 code units, as Java's String does.
 */
import { javaTrim } from '../types/java/number-parse.ts';
import type { FunctionDef } from './types.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';

const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

function ltrim(s: string): string {
  let start = 0;
  while (start < s.length && s.charCodeAt(start) <= 32) start++;
  return start === 0 ? s : s.slice(start);
}

function rtrim(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) <= 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** 0-based start index for a 1-based (or negative, from the end) SQL position. */
function startIndex(len: number, pos: number): number {
  return pos < 0 ? Math.max(len + pos, 0) : Math.max(Math.min(pos - 1, len), 0);
}

function endIndex(len: number, start: number, length: number): number {
  return Math.max(Math.min(start + length, len), start);
}

function substr2(s: string | Uint8Array, pos: number): string | Uint8Array {
  const start = startIndex(s.length, pos);
  return typeof s === 'string' ? s.slice(start) : s.subarray(start);
}

function substr3(s: string | Uint8Array, pos: number, len: number): string | Uint8Array {
  const start = startIndex(s.length, pos);
  const end = endIndex(s.length, start, len);
  return typeof s === 'string' ? s.slice(start, end) : s.subarray(start, end);
}

function lpad(input: string, len: number, pad: string): string | null {
  if (pad === null || pad.length === 0 || len === null || len < 0) return null;
  if (input.length >= len) return input.slice(0, len);
  return pad.repeat(Math.ceil((len - input.length) / pad.length)).slice(0, len - input.length) + input;
}

function rpad(input: string, len: number, pad: string): string | null {
  if (pad === null || pad.length === 0 || len === null || len < 0) return null;
  if (input.length >= len) return input.slice(0, len);
  return input + pad.repeat(Math.ceil((len - input.length) / pad.length)).slice(0, len - input.length);
}

function padBytes(input: Uint8Array, len: number, pad: Uint8Array, left: boolean): Uint8Array | null {
  if (pad === null || pad.length === 0 || len === null || len < 0) return null;
  if (input.length >= len) return input.subarray(0, len);
  const out = Buffer.alloc(len);
  const fill = len - input.length;
  const padStart = left ? 0 : input.length;
  for (let i = 0; i < fill; i++) out[padStart + i] = pad[i % pad.length];
  out.set(input, left ? fill : 0);
  return out;
}

/** Splits on a literal delimiter keeping empty parts (Guava Splitter); '' splits into chars. */
export function splitString(s: string, delim: string): string[] {
  if (delim === '') return s === '' ? [''] : Array.from({ length: s.length }, (_, i) => s[i]);
  return s.split(delim);
}

export function splitBytes(b: Uint8Array, delim: Uint8Array): Uint8Array[] {
  const buf = bytes(b);
  if (delim.length === 0) {
    if (b.length === 0) return [buf.subarray(0, 0)];
    return Array.from({ length: b.length }, (_, i) => buf.subarray(i, i + 1));
  }
  const out: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const i = buf.indexOf(delim, start);
    if (i < 0) break;
    out.push(buf.subarray(start, i));
    start = i + delim.length;
  }
  out.push(buf.subarray(start));
  return out;
}

function instr(str: string, sub: string, pos: number, occ: number): number {
  if (str === null || sub === null) return 0;
  if (pos === null || occ === null) return 0;
  if (Math.abs(pos) > str.length || occ <= 0) return 0;
  if (pos > 0) {
    let i = pos - 2;
    for (let k = 0; k < occ; k++) {
      i = str.indexOf(sub, i + 1);
      if (i < 0) return 0;
    }
    return i + 1;
  }
  // Search backwards: the match must end at or before position `pos` from the end.
  let i = str.length + pos - sub.length + 2;
  for (let k = 0; k < occ; k++) {
    if (i - 1 < 0) return 0;
    i = str.lastIndexOf(sub, i - 1);
    if (i < 0) return 0;
  }
  return i + 1;
}

/** Java's \s: [ \t\n\x0B\f\r]. */
const INITCAP_WORD = /[^ \t\n\x0B\f\r]+[ \t\n\x0B\f\r]*/g;

function initcap(s: string): string {
  let out = '';
  for (const m of s.toLowerCase().matchAll(INITCAP_WORD)) {
    const part = m[0];
    out += part.charAt(0).toUpperCase() + part.slice(1);
  }
  return out;
}

function concatStrings(parts: (string | null)[]): string {
  let out = '';
  for (const p of parts) if (p !== null) out += p;
  return out;
}

function concatBytes(parts: (Uint8Array | null)[]): Uint8Array {
  return Buffer.concat(parts.filter((p): p is Uint8Array => p !== null));
}

function concatWs(sep: string | null, parts: (string | null)[]): string | null {
  if (sep === null) return null;
  return parts.filter((p) => p !== null).join(sep);
}

function concatWsBytes(sep: Uint8Array | null, parts: (Uint8Array | null)[]): Uint8Array | null {
  if (sep === null) return null;
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    if (p === null) continue;
    if (chunks.length) chunks.push(sep);
    chunks.push(p);
  }
  return Buffer.concat(chunks);
}

export const stringFunctions: FunctionDef[] = [
  scalar('CONCAT', 'Concatenates strings or bytes; NULL arguments are skipped.', [
    fn('inputs STRING...', 'STRING', (parts: (string | null)[]) => concatStrings(parts)),
    fn('inputs BYTES...', 'BYTES', (parts: (Uint8Array | null)[]) => concatBytes(parts)),
  ]),
  scalar(
    'CONCAT_WS',
    'Concatenates strings or bytes with a separator; NULL inputs are skipped, a NULL separator gives NULL.',
    [
      fn('separator STRING, inputs STRING...', 'STRING', concatWs),
      fn('separator BYTES, inputs BYTES...', 'BYTES', concatWsBytes),
    ],
  ),
  scalar('LEN', 'The length of a string (UTF-16 code units) or of bytes.', [
    fn('input STRING', 'INT', (s: string | null) => (s === null ? null : s.length)),
    fn('input BYTES', 'INT', (b: Uint8Array | null) => (b === null ? null : b.length)),
  ]),
  scalar('LCASE', 'Converts a string to lower case.', [
    fn('input STRING', 'STRING', (s: string | null) => (s === null ? null : s.toLowerCase())),
  ]),
  scalar('UCASE', 'Converts a string to upper case.', [
    fn('input STRING', 'STRING', (s: string | null) => (s === null ? null : s.toUpperCase())),
  ]),
  scalar('TRIM', 'Removes leading and trailing whitespace (chars <= U+0020).', [
    fn('input STRING', 'STRING', (s: string | null) => (s === null ? null : javaTrim(s))),
  ]),
  scalar('LTRIM', 'Removes leading whitespace.', [
    fn('input STRING', 'STRING', (s: string | null) => (s === null ? null : ltrim(s))),
  ]),
  scalar('RTRIM', 'Removes trailing whitespace.', [
    fn('input STRING', 'STRING', (s: string | null) => (s === null ? null : rtrim(s))),
  ]),
  scalar(
    'SUBSTRING',
    'The part of a string or bytes from a 1-based position (negative counts from the end), optionally of a given length.',
    [
      fn('str STRING, pos INT', 'STRING', strict(substr2)),
      fn('str STRING, pos INT, length INT', 'STRING', strict(substr3)),
      fn('bytes BYTES, pos INT', 'BYTES', strict(substr2)),
      fn('bytes BYTES, pos INT, length INT', 'BYTES', strict(substr3)),
    ],
  ),
  scalar('REPLACE', 'Replaces every occurrence of a substring with another string.', [
    fn(
      'str STRING, substring STRING, replacement STRING',
      'STRING',
      strict((s: string, sub: string, rep: string) => s.replaceAll(sub, () => rep)),
    ),
  ]),
  scalar(
    'INSTR',
    'The 1-based position of the occurrence-th match of substring, searching from position (backwards when negative); 0 when not found.',
    [
      fn('str STRING, substring STRING', 'INT', (s: string, sub: string) => instr(s, sub, 1, 1)),
      fn('str STRING, substring STRING, position INT', 'INT', (s: string, sub: string, p: number) => instr(s, sub, p, 1)),
      fn('str STRING, substring STRING, position INT, occurrence INT', 'INT', instr),
    ],
  ),
  scalar('INITCAP', 'Capitalizes the first letter of each word and lower-cases the rest.', [
    fn('input STRING', 'STRING', strict(initcap)),
  ]),
  scalar(
    'LPAD',
    'Pads the input on the left to the target length with the padding (truncating longer input); NULL for empty padding or negative length.',
    [
      fn('input STRING, length INT, padding STRING', 'STRING', (s: string | null, l: number, p: string) =>
        s === null ? null : lpad(s, l, p),
      ),
      fn('input BYTES, length INT, padding BYTES', 'BYTES', (s: Uint8Array | null, l: number, p: Uint8Array) =>
        s === null ? null : padBytes(s, l, p, true),
      ),
    ],
  ),
  scalar(
    'RPAD',
    'Pads the input on the right to the target length with the padding (truncating longer input); NULL for empty padding or negative length.',
    [
      fn('input STRING, length INT, padding STRING', 'STRING', (s: string | null, l: number, p: string) =>
        s === null ? null : rpad(s, l, p),
      ),
      fn('input BYTES, length INT, padding BYTES', 'BYTES', (s: Uint8Array | null, l: number, p: Uint8Array) =>
        s === null ? null : padBytes(s, l, p, false),
      ),
    ],
  ),
  scalar(
    'SPLIT',
    'Splits a string or bytes on a literal delimiter, keeping empty parts; an empty delimiter splits every character.',
    [
      fn('input STRING, delimiter STRING', 'ARRAY<STRING>', strict(splitString)),
      fn('input BYTES, delimiter BYTES', 'ARRAY<BYTES>', strict(splitBytes)),
    ],
  ),
];
