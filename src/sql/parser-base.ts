/**
 * The token cursor shared by the recursive-descent parsers (expressions → queries → statements),
 * with the bookkeeping for good syntax errors.
 *
 * Error reporting: every `accept*` that fails records what it wanted at the current position.
 * The parser never backtracks over consumed tokens, so when it fails at position p, the
 * expectations recorded at p are exactly the alternatives it tried there. Operator
 * continuations after an expression are checked with the non-recording `is*` helpers, so
 * messages list clause keywords and punctuation, not every binary operator.
 */
import type { Span } from './ast.ts';
import { KsqlSyntaxError, SqlError } from './errors.ts';
import { RESERVED } from './keywords.ts';
import type { Token } from './lexer.ts';

const MAX_LISTED = 8;
const CLOSING = new Set(["')'", "']'", "'>'"]);

export class ParserBase {
  protected readonly toks: readonly Token[];
  protected pos = 0;
  /** Offset of the statement text in the token offsets: span offsets are `token.start - base`. */
  protected readonly base: number;
  /** How the end of the token list is described when it is expected (`';'`, `end of input`). */
  protected readonly endName: string;
  private expPos = -1;
  private readonly expected: string[] = [];

  constructor(tokens: readonly Token[], base: number, endName: string) {
    this.toks = tokens;
    this.base = base;
    this.endName = endName;
  }

  protected get tok(): Token {
    return this.toks[this.pos];
  }

  protected peek(n: number): Token {
    const i = this.pos + n;
    return i < this.toks.length ? this.toks[i] : this.toks[this.toks.length - 1];
  }

  protected next(): Token {
    const t = this.toks[this.pos];
    if (t.kind !== 'EOF') this.pos++;
    return t;
  }

  /** The last consumed token. */
  protected get prev(): Token {
    return this.toks[this.pos > 0 ? this.pos - 1 : 0];
  }

  protected atEnd(): boolean {
    return this.toks[this.pos].kind === 'EOF';
  }

  /** Records an expectation at the current position (for the error message). */
  protected note(what: string): void {
    if (this.pos !== this.expPos) {
      this.expPos = this.pos;
      this.expected.length = 0;
    }
    this.expected.push(what);
  }

  // --- keywords and operators -------------------------------------------------------------

  protected isKw(kw: string, n = 0): boolean {
    const t = n === 0 ? this.toks[this.pos] : this.peek(n);
    return t.kind === 'WORD' && t.value === kw;
  }

  protected isOp(op: string, n = 0): boolean {
    const t = n === 0 ? this.toks[this.pos] : this.peek(n);
    return t.kind === 'OP' && t.value === op;
  }

  protected acceptKw(kw: string): Token | null {
    const t = this.toks[this.pos];
    if (t.kind === 'WORD' && t.value === kw) {
      this.pos++;
      return t;
    }
    this.note(kw);
    return null;
  }

  protected acceptOp(op: string): Token | null {
    const t = this.toks[this.pos];
    if (t.kind === 'OP' && t.value === op) {
      this.pos++;
      return t;
    }
    this.note(`'${op}'`);
    return null;
  }

  protected expectKw(kw: string): Token {
    return this.acceptKw(kw) ?? this.fail();
  }

  protected expectOp(op: string): Token {
    return this.acceptOp(op) ?? this.fail();
  }

  /** Accepts one of several keywords, returning its (upper-case) text. */
  protected acceptOneOf(kws: readonly string[]): string | null {
    const t = this.toks[this.pos];
    if (t.kind === 'WORD' && kws.includes(t.value)) {
      this.pos++;
      return t.value;
    }
    for (const k of kws) this.note(k);
    return null;
  }

  protected expectOneOf(kws: readonly string[]): string {
    return this.acceptOneOf(kws) ?? this.fail();
  }

  protected expectEnd(): void {
    if (!this.atEnd()) {
      this.note(this.endName);
      this.fail();
    }
  }

  // --- identifiers ------------------------------------------------------------------------

  /** Whether token n ahead can be an identifier: a non-reserved word, a quoted name or `1abc`. */
  protected isIdentifier(n = 0): boolean {
    const t = n === 0 ? this.toks[this.pos] : this.peek(n);
    return (t.kind === 'WORD' && !RESERVED.has(t.value)) || t.kind === 'QUOTED' || t.kind === 'DIGIT_WORD';
  }

  /** Identifier as the engine looks it up: unquoted upper-cased, quoted verbatim. */
  protected acceptIdentifier(what = 'identifier'): string | null {
    if (this.isIdentifier()) return this.toks[this.pos++].value;
    this.note(what);
    return null;
  }

  protected expectIdentifier(what = 'identifier'): string {
    return this.acceptIdentifier(what) ?? this.fail();
  }

  /** A name in a position where no keyword can be meant (after `->`, a struct field): any word. */
  protected expectAnyName(what = 'identifier'): string {
    const t = this.toks[this.pos];
    if (t.kind === 'WORD' || t.kind === 'QUOTED' || t.kind === 'DIGIT_WORD') {
      this.pos++;
      return t.value;
    }
    this.note(what);
    return this.fail();
  }

  // --- spans ------------------------------------------------------------------------------

  /** Span from token `first` to the last consumed token (or `last`). */
  protected span(first: Token, last: Token = this.prev): Span {
    const end = last.end >= first.end ? last.end : first.end;
    return { line: first.line, column: first.column, start: first.start - this.base, end: end - this.base };
  }

  /** Span from an existing node's start to the last consumed token. */
  protected spanFrom(from: Span, last: Token = this.prev): Span {
    const end = last.end - this.base;
    return { line: from.line, column: from.column, start: from.start, end: end >= from.end ? end : from.end };
  }

  // --- errors -----------------------------------------------------------------------------

  /** A syntax error at the current token: what was found and what was expected there. */
  protected fail(): never {
    const t = this.toks[this.pos];
    const expected = this.pos === this.expPos ? [...new Set(this.expected)] : [];
    // Only a closing bracket fits here: ANTLR (ksqlDB's parser) reports it as a missing token.
    if (expected.length === 1 && CLOSING.has(expected[0]) && !(t.kind === 'EOF' && t.image !== ';')) {
      throw new KsqlSyntaxError(`missing ${expected[0]} at ${describe(t)}`, this.tokenSpan(t));
    }
    let msg = `Syntax error at ${describe(t)}`;
    if (expected.length > 0) {
      const listed = expected.length > MAX_LISTED ? [...expected.slice(0, MAX_LISTED - 1), '...'] : expected;
      msg += `: expected ${listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}`}`;
    }
    if (t.kind === 'WORD' && RESERVED.has(t.value) && expected.some((e) => (e.includes('identifier') || e.includes('name')) && !e.includes('quotes'))) {
      msg += ` (${t.value} is a reserved word; quote it, as in \`${t.value}\`, to use it as a name)`;
    }
    msg += this.hyphenatedNameHint();
    throw new SqlError('PARSE', msg, this.tokenSpan(t));
  }

  /**
   * At a '-' joining two words (`my-stream`): a name with '-' is an identifier only in
   * backquotes, so the hint repeats the statement with the name quoted.
   */
  private hyphenatedNameHint(): string {
    const i = this.pos;
    const t = this.toks[i];
    const adjacentWord = (x: Token | undefined) => x !== undefined && /^[A-Za-z0-9_.-]+$/.test(x.image) && x.kind !== 'EOF';
    if (t.image !== '-' || i === 0 || this.toks[i - 1].end !== t.start || !adjacentWord(this.toks[i - 1])) return '';
    let from = i - 1;
    while (from > 0 && this.toks[from - 1].end === this.toks[from].start && adjacentWord(this.toks[from - 1])) from--;
    let to = i;
    while (to + 1 < this.toks.length && this.toks[to + 1].start === this.toks[to].end && adjacentWord(this.toks[to + 1])) to++;
    if (to === i) return '';
    const name = this.toks.slice(from, to + 1).map((x) => x.image).join('');
    let text = '';
    for (let k = 0; k < this.toks.length && this.toks[k].kind !== 'EOF'; k++) {
      if (k > from && k <= to) continue;
      const x = this.toks[k];
      if (k > 0 && this.toks[k - 1].end < x.start && text !== '') text += ' ';
      text += k === from ? `\`${name}\`` : x.image;
    }
    return `\nA name containing '-' must be quoted with backticks, as in:\n${text};`;
  }

  /** An error with a specific message at token `t` (default: the current one). */
  protected errorAt(message: string, t: Token = this.toks[this.pos]): SqlError {
    return new SqlError('PARSE', message, this.tokenSpan(t));
  }

  protected tokenSpan(t: Token): Span {
    return { line: t.line, column: t.column, start: t.start - this.base, end: t.end - this.base };
  }
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { line: a.line, column: a.column, start: a.start, end: b.end };
}

function describe(t: Token): string {
  if (t.kind === 'EOF') return t.image === ';' ? "';'" : 'end of input';
  const img = t.image.length > 40 ? `${t.image.slice(0, 37)}...` : t.image;
  return `'${img}'`;
}
