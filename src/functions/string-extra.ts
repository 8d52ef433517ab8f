/**
 * More string functions: the MASK family, CHR, ELT, FIELD, UUID, MD5.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FunctionDef } from './types.ts';
import { FunctionError } from './types.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';

/** A mask character of -1 leaves that class of character unmasked (a NULL mask argument). */
interface Masks {
  upper: number;
  lower: number;
  digit: number;
  other: number;
}

const DEFAULT_MASKS: Masks = { upper: 0x58, lower: 0x78, digit: 0x6e, other: 0x2d };
const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const DIGIT = /^\p{Nd}$/u;

function maskChar(arg: string | null): number {
  if (arg === null) return -1;
  const cps = Array.from(arg);
  if (cps.length !== 1) throw new FunctionError(`Invalid mask character. Must be only single character, but was '${arg}'`);
  return cps[0].codePointAt(0)!;
}

function masksOf(upper: string | null, lower: string | null, digit: string | null, other: string | null): Masks {
  return { upper: maskChar(upper), lower: maskChar(lower), digit: maskChar(digit), other: maskChar(other) };
}

function maskText(s: string, m: Masks): string {
  let out = '';
  for (const ch of s) {
    let mask: number;
    if (UPPER.test(ch)) mask = m.upper;
    else if (LOWER.test(ch)) mask = m.lower;
    else if (DIGIT.test(ch)) mask = m.digit;
    else mask = m.other;
    out += mask < 0 ? ch : String.fromCodePoint(mask);
  }
  return out;
}

type Region = 'all' | 'left' | 'right' | 'keepLeft' | 'keepRight';

function applyMask(name: string, region: Region, input: string | null, n: number, m: Masks): string | null {
  if (region !== 'all' && (n === null || n < 0)) {
    throw new FunctionError(`function ${name} requires a non-negative number of characters to mask or skip`);
  }
  if (input === null) return null;
  const k = Math.min(n, input.length);
  switch (region) {
    case 'all':
      return maskText(input, m);
    case 'left':
      return maskText(input.slice(0, k), m) + input.slice(k);
    case 'right':
      return input.slice(0, input.length - k) + maskText(input.slice(input.length - k), m);
    case 'keepLeft':
      return input.slice(0, k) + maskText(input.slice(k), m);
    case 'keepRight':
      return maskText(input.slice(0, input.length - k), m) + input.slice(input.length - k);
  }
}

function maskFunction(name: string, region: Exclude<Region, 'all'>, what: string): FunctionDef {
  return scalar(
    name,
    `${what} Default masks: upper-case 'X', lower-case 'x', digits 'n', others '-'; a NULL mask leaves that class unmasked.`,
    [
      fn('input STRING, numChars INT', 'STRING', (s: string | null, n: number) =>
        applyMask(name, region, s, n, DEFAULT_MASKS),
      ),
      fn(
        'input STRING, numChars INT, upper STRING, lower STRING, digit STRING, other STRING',
        'STRING',
        (s: string | null, n: number, u: string | null, l: string | null, d: string | null, o: string | null) =>
          applyMask(name, region, s, n, masksOf(u, l, d, o)),
      ),
    ],
  );
}

/** CHR('\u004b'): Java-style unicode escapes (a surrogate pair is two escapes). */
const UNICODE_ESCAPES = /^(?:\\u[0-9a-fA-F]{4})+$/;

function chrOfText(code: string): string | null {
  if (code.length < 6 || !code.startsWith('\\u')) return null;
  if (!UNICODE_ESCAPES.test(code)) return null;
  let out = '';
  for (let i = 0; i < code.length; i += 6) out += String.fromCharCode(parseInt(code.slice(i + 2, i + 6), 16));
  return out;
}

export const stringExtraFunctions: FunctionDef[] = [
  scalar(
    'MASK',
    "Masks every character: upper-case 'X', lower-case 'x', digits 'n', others '-' unless other masks are given.",
    [
      fn('input STRING', 'STRING', (s: string | null) => applyMask('mask', 'all', s, 0, DEFAULT_MASKS)),
      fn(
        'input STRING, upper STRING, lower STRING, digit STRING, other STRING',
        'STRING',
        (s: string | null, u: string | null, l: string | null, d: string | null, o: string | null) =>
          applyMask('mask', 'all', s, 0, masksOf(u, l, d, o)),
      ),
    ],
  ),
  maskFunction('MASK_LEFT', 'left', 'Masks the first numChars characters.'),
  maskFunction('MASK_RIGHT', 'right', 'Masks the last numChars characters.'),
  maskFunction('MASK_KEEP_LEFT', 'keepLeft', 'Masks all but the first numChars characters.'),
  maskFunction('MASK_KEEP_RIGHT', 'keepRight', 'Masks all but the last numChars characters.'),
  scalar('CHR', "The character for a decimal code point, or for a UTF-16 escape like '\\u004b'.", [
    fn('decimalCode INT', 'STRING', (c: number | null) =>
      c === null || c < 0 || c > 0x10ffff ? null : String.fromCodePoint(c),
    ),
    fn('utf16Code STRING', 'STRING', (c: string | null) => (c === null ? null : chrOfText(c))),
  ]),
  scalar('ELT', 'The n-th (1-based) of the string arguments, or NULL when n is out of range.', [
    fn('n INT, args STRING...', 'STRING', (n: number | null, args: (string | null)[]) =>
      n === null || n < 1 || n > args.length ? null : args[n - 1],
    ),
  ]),
  scalar('FIELD', 'The 1-based position of str among the arguments, or 0 when absent or NULL.', [
    fn('str STRING, args STRING...', 'INT', (s: string | null, args: (string | null)[]) =>
      s === null ? 0 : args.indexOf(s) + 1,
    ),
  ]),
  scalar('UUID', 'A random RFC 4122 type 4 UUID, or the UUID text of 16 bytes.', [
    fn('', 'STRING', () => randomUUID(), { deterministic: false }),
    fn(
      'bytes BYTES',
      'STRING',
      strict((b: Uint8Array) => {
        if (b.length !== 16) return null;
        const h = Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }),
    ),
  ]),
  scalar('MD5', 'The MD5 hash of the UTF-8 bytes of a string, as lower-case hex.', [
    fn('input STRING', 'STRING', (s: string | null) =>
      s === null ? null : createHash('md5').update(s, 'utf8').digest('hex'),
    ),
  ]),
];
