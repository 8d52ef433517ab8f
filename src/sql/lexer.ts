/**
 * The lexer: chevrotain turns text into raw tokens; `tokenize` then classifies them into the
 * compact `Token`s the recursive-descent parser reads. Keywords are not separate token types:
 * every bare word is a `WORD` whose `value` is the upper-cased text, and the parser decides
 * from context whether it is a keyword or an identifier (ksqlDB has many non-reserved keywords).
 *
 * Invariants of the output: tokens are in source order, whitespace and comments are dropped,
 * offsets are into the text given, and the array ends with one `EOF` token.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';
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

const T = (name: string, pattern: RegExp, extra: { group?: string } = {}): TokenType =>
  createToken({ name, pattern, ...extra });

// Order matters: chevrotain takes the first pattern that matches. Error tokens (Unterminated*)
// come right after the token they complete, so we can say precisely what went wrong.
const WhiteSpace = T('WS', /[ \t\r\n\f\v\u00a0\ufeff]+/, { group: Lexer.SKIPPED });
const LineComment = T('LineComment', /--[^\n\r]*/, { group: Lexer.SKIPPED });
const BlockComment = T('BlockComment', /\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\//, { group: Lexer.SKIPPED });
const UnterminatedComment = T('UnterminatedComment', /\/\*[\s\S]*/);
const Bytes = T('Bytes', /[xX]'[^']*'/);
const Str = T('String', /'[^']*(?:''[^']*)*'/);
const UnterminatedString = T('UnterminatedString', /'[\s\S]*/);
const DQuoted = T('DQuoted', /"[^"]*(?:""[^"]*)*"/);
const UnterminatedDQuoted = T('UnterminatedDQuoted', /"[\s\S]*/);
const BQuoted = T('BQuoted', /`[^`]*(?:``[^`]*)*`/);
const UnterminatedBQuoted = T('UnterminatedBQuoted', /`[\s\S]*/);
const Variable = T('Variable', /\$\{[A-Za-z_][A-Za-z0-9_]*\}/);
const Double = T('Double', /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+/);
const Decimal = T('Decimal', /[0-9]+\.[0-9]*|\.[0-9]+/);
const DigitWord = T('DigitWord', /[0-9]+[A-Za-z_@][A-Za-z0-9_@]*/);
const Integer = T('Integer', /[0-9]+/);
const Word = T('Word', /[A-Za-z_][A-Za-z0-9_@]*/);
const Op = T('Op', /:=|=>|->|<=|>=|<>|!=|\|\||[=<>+\-*/%()[\],.;:]/);

const ALL_TOKENS = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  Bytes,
  Str,
  UnterminatedString,
  DQuoted,
  UnterminatedDQuoted,
  BQuoted,
  UnterminatedBQuoted,
  Variable,
  Double,
  Decimal,
  DigitWord,
  Integer,
  Word,
  Op,
];

const lexer = new Lexer(ALL_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: true });

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

function lexError(positions: Positions, offset: number, message: string): SqlError {
  return new SqlError('PARSE', message, spanAt(positions, offset, offset + 1));
}

const unquote = (s: string, q: string): string => {
  const inner = s.slice(1, -1);
  return inner.includes(q + q) ? inner.replaceAll(q + q, q) : inner;
};

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
  const result = lexer.tokenize(text);
  let error: SqlError | null = null;
  let stopAt = text.length;
  if (result.errors.length > 0) {
    const e = result.errors[0];
    const ch = text[e.offset];
    const msg =
      ch === '$' && text[e.offset + 1] === '{' ? 'Malformed variable reference: expected ${name}' : `Unexpected character '${ch}'`;
    error = lexError(positions, e.offset, msg);
    stopAt = e.offset;
  }
  const out: Token[] = [];
  const starts = positions.identityLineStarts;
  let li = 0; // with `starts`: index of the line of the current token (tokens come in order)
  for (const t of result.tokens) {
    const image = t.image;
    const start = t.startOffset;
    if (start >= stopAt) break;
    let kind: TokenKind = 'EOF';
    let value = '';
    switch (t.tokenType) {
      case Word:
        kind = 'WORD';
        value = image.toUpperCase();
        break;
      case Op:
        kind = 'OP';
        value = image;
        break;
      case Integer:
        kind = 'INTEGER';
        value = image;
        break;
      case Str:
        kind = 'STRING';
        value = image.length === 2 ? '' : unquote(image, "'");
        break;
      case Decimal:
        kind = 'DECIMAL';
        value = image;
        break;
      case Double:
        kind = 'DOUBLE';
        value = image;
        break;
      case DQuoted:
        kind = 'QUOTED';
        value = unquote(image, '"');
        break;
      case BQuoted:
        kind = 'QUOTED';
        value = unquote(image, '`');
        break;
      case DigitWord:
        kind = 'DIGIT_WORD';
        value = image.toUpperCase();
        break;
      case Bytes:
        kind = 'BYTES';
        value = image.slice(2, -1);
        break;
      case Variable:
        kind = 'VARIABLE';
        value = image.slice(2, -1);
        if (allowVariables) break;
        error = lexError(positions, start, `Unexpected variable reference ${image}`);
        break;
      default:
        error = lexError(positions, start, UNTERMINATED.get(t.tokenType) ?? `Unexpected token '${image}'`);
        break;
    }
    if (error && start >= error.span!.start) {
      stopAt = start;
      break;
    }
    if (starts) {
      while (li + 1 < starts.length && starts[li + 1] <= start) li++;
      out.push({ kind, value, image, start, end: start + image.length, line: li + 1, column: start - starts[li] + 1 });
    } else {
      const { line, column } = positions.lineColumn(positions.toOriginal(start));
      out.push({ kind, value, image, start, end: start + image.length, line, column });
    }
  }
  const endPos = positions.lineColumn(positions.toOriginal(stopAt));
  out.push({ kind: 'EOF', value: '', image: '', start: stopAt, end: stopAt, line: endPos.line, column: endPos.column });
  return { tokens: out, error };
}

const UNTERMINATED: ReadonlyMap<TokenType, string> = new Map([
  [UnterminatedString, "Unterminated string literal: missing closing quote (')"],
  [UnterminatedDQuoted, 'Unterminated quoted identifier: missing closing quote (")'],
  [UnterminatedBQuoted, 'Unterminated quoted identifier: missing closing backquote (`)'],
  [UnterminatedComment, "Unterminated comment: missing '*/'"],
]);
