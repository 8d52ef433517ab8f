/**
 * The lexer: turns text into the compact `Token`s the recursive-descent parser reads, in one
 * hand-written pass over the characters. Keywords are not separate token types: every bare word
 * is a `WORD` whose `value` is the upper-cased text, and the parser decides from context whether
 * it is a keyword or an identifier (ksqlDB has many non-reserved keywords).
 *
 * Token rules, tried in this order at each position (the first that matches wins, as in a
 * table of regular expressions; `scan` below is that table written out):
 *   whitespace [ \t\r\n\f\v\u00a0\ufeff]+, line comments (-- to the line end) and block
 *   comments (slash-star to the next star-slash) are skipped; an unclosed comment is an error;
 *   BYTES X'hex' (x or X); STRING '...' with '' for a quote; QUOTED "..." ("" for ") or `...`
 *   (`` for `); an unclosed string or quoted identifier is an error at its opening quote;
 *   VARIABLE ${name}; DOUBLE 1.5E3, 1E3, .5e-3, 1.e2; DECIMAL 1.5, 1., .5; DIGIT_WORD 1abc
 *   (an identifier in ksqlDB); INTEGER; WORD [A-Za-z_][A-Za-z0-9_@]*; OP := => -> <= >= <> !=
 *   || and = < > + - * / % ( ) [ ] , . ; :
 *   anything else is `Unexpected character`.
 *
 * Invariants of the output: tokens are in source order, whitespace and comments are dropped,
 * offsets are into the text given, and the array ends with one `EOF` token.
 */
import { SqlError } from './errors.ts';
import type { Span } from './ast.ts';

export type TokenKind =
  | 'WORD' // bare word: keyword or identifier; value = upper-cased
  | 'QUOTED' // "x" or `x`; value = the verbatim name
  | 'DIGIT_WORD' // 1abc, an identifier in ksqlDB; value = upper-cased
  | 'STRING' // 'x'; value = unescaped text
  | 'INTEGER'
  | 'DECIMAL' // 1.5, .5, 1.
  | 'DOUBLE' // 1.5E3
  | 'BYTES' // X'0A'; value = the hex digits
  | 'VARIABLE' // ${name}; value = name (only seen before substitution)
  | 'OP' // punctuation and operators; value = the text
  | 'EOF';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** The source text of the token. */
  readonly image: string;
  /** Offsets into the lexed text, [start, end). */
  readonly start: number;
  readonly end: number;
  /** 1-based position in the original script (see Positions). */
  readonly line: number;
  readonly column: number;
}

/**
 * Maps offsets of the lexed text to line/column of the original script. For a plain statement
 * it is a shift; for a statement after `${var}` substitution, offsets inside a substituted value
 * map to the `${` of the reference.
 */
export interface Positions {
  /** Set when offsets are the script's own (no shift, no substitution): enables incremental line tracking. */
  readonly identityLineStarts?: readonly number[];
  /** Offset in the lexed text -> offset in the original script. */
  toOriginal(offset: number): number;
  /** 1-based line and column of an offset in the original script. */
  lineColumn(originalOffset: number): { line: number; column: number };
}

/** Line starts of a text, for offset -> line/column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function lineColumnIn(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** Positions for a text that is the original script itself (offset 0 = script offset `base`). */
export function plainPositions(starts: readonly number[], base = 0): Positions {
  return {
    toOriginal: (o) => o + base,
    lineColumn: (o) => lineColumnIn(starts, o),
    identityLineStarts: base === 0 ? starts : undefined,
  };
}

export function spanAt(positions: Positions, start: number, end: number): Span {
  const { line, column } = positions.lineColumn(positions.toOriginal(start));
  return { line, column, start, end };
}

/** What `scan` found at a position: a token (with its kind), text to skip, or an error. */
type Scanned =
  | { readonly kind: TokenKind; readonly end: number; readonly quote?: string }
  | { readonly kind: 'SKIP'; readonly end: number }
  | { readonly kind: 'ERROR'; readonly message: string };

const UNTERMINATED_STRING = "Unterminated string literal: missing closing quote (')";
const UNTERMINATED_DQUOTED = 'Unterminated quoted identifier: missing closing quote (")';
const UNTERMINATED_BQUOTED = 'Unterminated quoted identifier: missing closing backquote (`)';
const UNTERMINATED_COMMENT = "Unterminated comment: missing '*/'";

// Character codes.
const QUOTE = 39; // '
const DQUOTE = 34; // "
const BACKQUOTE = 96; // `
const DOT = 46;
const MINUS = 45;
const SLASH = 47;
const STAR = 42;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** [A-Za-z_] */
const isWordStart = (c: number): boolean => isLetter(c) || c === 95;
/** [A-Za-z0-9_@] */
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 64;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff;

/** One-character operators: = < > + - * / % ( ) [ ] , . ; : */
const SINGLE_OPS = new Set('=<>+-*/%()[],.;:'.split('').map((ch) => ch.charCodeAt(0)));
/** Two-character operators, tried before the single ones. */
const DOUBLE_OPS = new Set([':=', '=>', '->', '<=', '>=', '<>', '!=', '||']);

function digitsEnd(text: string, i: number): number {
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The end of a quoted text opened at `i` (quote `q`, doubled inside for itself), or -1 when it
 * is not closed. As the regular expression '[^']*(?:''[^']*)*' would: when the text after a
 * doubled quote never closes, the first quote of the last doubled pair closes it instead.
 */
function quotedEnd(text: string, i: number, q: string): number {
  let from = i + 1;
  let lastPair = -1;
  for (;;) {
    const k = text.indexOf(q, from);
    if (k < 0) return lastPair < 0 ? -1 : lastPair + 1;
    if (text[k + 1] !== q) return k + 1;
    lastPair = k;
    from = k + 2;
  }
}

/** DOUBLE at `i`: (digits[.digits*] | .digits) [eE] [+-] digits; -1 when none. */
function doubleEnd(text: string, i: number): number {
  let j: number;
  if (isDigit(text.charCodeAt(i))) {
    j = digitsEnd(text, i);
    if (text.charCodeAt(j) === DOT) j = digitsEnd(text, j + 1);
  } else {
    j = digitsEnd(text, i + 1);
    if (j === i + 1) return -1;
  }
  const e = text.charCodeAt(j);
  if (e !== 69 && e !== 101) return -1;
  j++;
  const sign = text.charCodeAt(j);
  if (sign === 43 || sign === MINUS) j++;
  const end = digitsEnd(text, j);
  return end > j ? end : -1;
}

/** The token (or skipped text, or error) at `i`, by the rules in the header, in their order. */
function scan(text: string, i: number): Scanned {
  const c = text.charCodeAt(i);
  if (isSpace(c)) {
    let j = i + 1;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    return { kind: 'SKIP', end: j };
  }
  const next = text.charCodeAt(i + 1);
  if (c === MINUS && next === MINUS) {
    let j = i + 2;
    while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
    return { kind: 'SKIP', end: j };
  }
  if (c === SLASH && next === STAR) {
    const close = text.indexOf('*/', i + 2);
    return close < 0 ? { kind: 'ERROR', message: UNTERMINATED_COMMENT } : { kind: 'SKIP', end: close + 2 };
  }
  if ((c === 88 || c === 120) && next === QUOTE) {
    const close = text.indexOf("'", i + 2);
    if (close >= 0) return { kind: 'BYTES', end: close + 1 };
  }
  if (c === QUOTE || c === DQUOTE || c === BACKQUOTE) {
    const q = text[i];
    const end = quotedEnd(text, i, q);
    if (end >= 0) return { kind: c === QUOTE ? 'STRING' : 'QUOTED', end, quote: q };
    return { kind: 'ERROR', message: c === QUOTE ? UNTERMINATED_STRING : c === DQUOTE ? UNTERMINATED_DQUOTED : UNTERMINATED_BQUOTED };
  }
  if (c === 36 && next === 123 && isWordStart(text.charCodeAt(i + 2))) {
    let j = i + 3;
    while (j < text.length && (isWordStart(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) j++;
    if (text.charCodeAt(j) === 125) return { kind: 'VARIABLE', end: j + 1 };
  }
  if (isDigit(c) || (c === DOT && isDigit(next))) {
    const double = doubleEnd(text, i);
    if (double >= 0) return { kind: 'DOUBLE', end: double };
    if (c === DOT) return { kind: 'DECIMAL', end: digitsEnd(text, i + 1) };
    const digits = digitsEnd(text, i);
    if (text.charCodeAt(digits) === DOT) return { kind: 'DECIMAL', end: digitsEnd(text, digits + 1) };
    const after = text.charCodeAt(digits);
    if (isWordStart(after) || after === 64) {
      let j = digits + 1;
      while (j < text.length && isWordPart(text.charCodeAt(j))) j++;
      return { kind: 'DIGIT_WORD', end: j };
    }
    return { kind: 'INTEGER', end: digits };
  }
  if (isWordStart(c)) {
    let j = i + 1;
    while (j < text.length && isWordPart(text.charCodeAt(j))) j++;
    return { kind: 'WORD', end: j };
  }
  if (DOUBLE_OPS.has(text.slice(i, i + 2))) return { kind: 'OP', end: i + 2 };
  if (SINGLE_OPS.has(c)) return { kind: 'OP', end: i + 1 };
  const ch = text[i];
  return { kind: 'ERROR', message: ch === '$' && text[i + 1] === '{' ? 'Malformed variable reference: expected ${name}' : `Unexpected character '${ch}'` };
}

function lexError(positions: Positions, offset: number, message: string): SqlError {
  return new SqlError('PARSE', message, spanAt(positions, offset, offset + 1));
}

const unquote = (s: string, q: string): string => {
  const inner = s.slice(1, -1);
  return inner.includes(q + q) ? inner.replaceAll(q + q, q) : inner;
};

/** The token value of an image, by kind (upper-cased words, unquoted strings, bare hex digits). */
function valueOf(kind: TokenKind, image: string, quote: string | undefined): string {
  switch (kind) {
    case 'WORD':
    case 'DIGIT_WORD':
      return image.toUpperCase();
    case 'STRING':
    case 'QUOTED':
      return image.length === 2 ? '' : unquote(image, quote!);
    case 'BYTES':
    case 'VARIABLE':
      return image.slice(2, -1);
    case 'OP':
    case 'INTEGER':
    case 'DECIMAL':
    case 'DOUBLE':
    case 'EOF':
      return image;
  }
}

/**
 * Tokenizes `text`, throwing the first lexical error. Line/column come from `positions` (so
 * they refer to the original script).
 */
export function tokenize(text: string, positions: Positions): Token[] {
  const { tokens, error } = lexScript(text, positions, false);
  if (error) throw error;
  return tokens;
}

/**
 * Tokenizes a script, allowing `${name}` references when `allowVariables`. A lexical error does
 * not throw: the tokens before it are returned (ending with EOF at the error) with the error, so
 * the statements before it can still run.
 */
export function lexScript(
  text: string,
  positions: Positions,
  allowVariables: boolean,
): { tokens: Token[]; error: SqlError | null } {
  const out: Token[] = [];
  const starts = positions.identityLineStarts;
  let li = 0; // with `starts`: index of the line of the current token (tokens come in order)
  let error: SqlError | null = null;
  let i = 0;
  while (i < text.length) {
    const found = scan(text, i);
    if (found.kind === 'SKIP') {
      i = found.end;
      continue;
    }
    if (found.kind === 'ERROR') {
      error = lexError(positions, i, found.message);
      break;
    }
    const { kind, end } = found;
    const image = text.slice(i, end);
    if (kind === 'VARIABLE' && !allowVariables) {
      error = lexError(positions, i, `Unexpected variable reference ${image}`);
      break;
    }
    const value = valueOf(kind, image, found.quote);
    if (starts) {
      while (li + 1 < starts.length && starts[li + 1] <= i) li++;
      out.push({ kind, value, image, start: i, end, line: li + 1, column: i - starts[li] + 1 });
    } else {
      const { line, column } = positions.lineColumn(positions.toOriginal(i));
      out.push({ kind, value, image, start: i, end, line, column });
    }
    i = end;
  }
  const stopAt = error ? i : text.length;
  const endPos = positions.lineColumn(positions.toOriginal(stopAt));
  out.push({ kind: 'EOF', value: '', image: '', start: stopAt, end: stopAt, line: endPos.line, column: endPos.column });
  return { tokens: out, error };
}
