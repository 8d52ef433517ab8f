/**
 * The SQL front end's entry points: scripts → statements, one statement, one expression, a type.
 *
 * A script is lexed once, cut at top-level semicolons, and each statement parsed on its own.
 * `${name}` references are substituted per statement, just before it is parsed, from the
 * variables given plus those DEFINEd (UNDEFINEd) earlier in the same script — ksqlDB's semantics
 * for scripts. Substitution applies in code, string literals and quoted identifiers, never in
 * comments; inside a string literal the value's quotes are escaped so it stays one literal.
 * Variable names are case-insensitive.
 *
 * Positions: every span's line/column is in the ORIGINAL text given (so the CLI can point at it,
 * even inside a substituted statement: there the `${` of the reference), while start/end are
 * offsets into the statement's own `text` (ParsedStatement.text, after substitution), so
 * `text.slice(span.start, span.end)` is the node's source.
 */
import { MAX_EXPR_DEPTH } from './nesting.ts';
import type { Expr, ParsedStatement, Statement } from './ast.ts';
import { KsqlSyntaxError, SqlError } from './errors.ts';
import { lexScript, lineColumnIn, lineStarts, plainPositions, tokenize, type Positions, type Token } from './lexer.ts';
import { StatementParser } from './parse-statement.ts';
import type { SqlType } from '../types/sql-type.ts';

export type Variables = ReadonlyMap<string, string>;

export interface ParseOptions {
  /** Custom types (CREATE TYPE) known before the script, by name; read live, like `variables`. */
  readonly types?: ReadonlyMap<string, SqlType>;
  /**
   * Parse each statement only when the iteration reaches it, so a caller that executes
   * statements as it goes sees a syntax error only after running the statements before it, and
   * may change `variables` (the map is read live) between statements.
   */
  readonly lazy?: boolean;
  /**
   * The nesting limit of expressions (default MAX_EXPR_DEPTH, see ./nesting.ts). Replaying the
   * command log passes Infinity: a statement recorded before a stricter limit still replays
   * from its stored plan, or is quarantined if a later stage cannot take it.
   */
  readonly maxExprDepth?: number;
}

/** Parses a script of semicolon-separated statements (the last `;` is optional). */
export function parseStatements(text: string, variables?: Variables, options?: ParseOptions & { readonly lazy?: false }): ParsedStatement[];
export function parseStatements(text: string, variables: Variables | undefined, options: ParseOptions): Iterable<ParsedStatement>;
export function parseStatements(
  text: string,
  variables?: Variables,
  options?: ParseOptions,
): ParsedStatement[] | Iterable<ParsedStatement> {
  if (options?.lazy) return lazily(text, variables, options);
  return guard(() => [...scriptStatements(text, variables, options, false)]);
}

function* lazily(text: string, variables: Variables | undefined, options: ParseOptions): Generator<ParsedStatement> {
  const it = guard(() => scriptStatements(text, variables, options, false));
  for (;;) {
    const r = guard(() => it.next());
    if (r.done) return;
    yield r.value;
  }
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseStatement(text: string, variables?: Variables, options?: ParseOptions): Statement {
  return guard(() => {
    const parsed = [...scriptStatements(text, variables, options, true)];
    if (parsed.length === 0) throw new SqlError('PARSE', 'Empty statement: expected a statement', { line: 1, column: 1, start: 0, end: 0 });
    return parsed[0].statement;
  });
}

/** Parses one expression (no variables, no trailing text). */
export function parseExpression(text: string, options?: Pick<ParseOptions, 'types'>): Expr {
  return guard(() => standalone(text, options).parseWholeExpression());
}

/** Parses a SQL type such as `ARRAY<STRUCT<A INT, B STRING>>`. */
export function parseType(text: string, options?: Pick<ParseOptions, 'types'>): SqlType {
  return guard(() => standalone(text, options).parseWholeType());
}

function standalone(text: string, options: Pick<ParseOptions, 'types'> | undefined): StatementParser {
  const p = new StatementParser(tokenize(text, plainPositions(lineStarts(text))), 0, 'end of input');
  const types = options?.types;
  if (types) p.customTypes = (name) => types.get(name);
  return p;
}

/** Turns any non-SqlError escaping the parser (a bug) into a PARSE error rather than a crash. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SqlError) throw e;
    if (e instanceof RangeError) throw new SqlError('PARSE', 'Statement too complex (nested too deeply)');
    throw new SqlError('PARSE', `Internal parser error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * What a script's statements see: `${name}` variables and custom types — first the script's own
 * DEFINE/UNDEFINE and CREATE/DROP TYPE (an `undefined` entry = removed), then the caller's maps.
 */
class Scope {
  private readonly own = new Map<string, string | undefined>();
  private readonly outer: Variables | undefined;
  private readonly ownTypes = new Map<string, SqlType | undefined>();
  private readonly outerTypes: ReadonlyMap<string, SqlType> | undefined;
  maxExprDepth = MAX_EXPR_DEPTH;

  constructor(outer: Variables | undefined, outerTypes: ReadonlyMap<string, SqlType> | undefined) {
    this.outer = outer;
    this.outerTypes = outerTypes;
  }

  readonly type = (name: string): SqlType | undefined =>
    this.ownTypes.has(name) ? this.ownTypes.get(name) : this.outerTypes?.get(name);

  defineType(name: string, type: SqlType | undefined): void {
    this.ownTypes.set(name, type);
  }

  define(name: string, value: string | undefined): void {
    this.own.set(name.toUpperCase(), value);
  }

  lookup(name: string): string | undefined {
    const upper = name.toUpperCase();
    if (this.own.has(upper)) return this.own.get(upper);
    const outer = this.outer;
    if (!outer) return undefined;
    const v = outer.get(name) ?? outer.get(upper);
    if (v !== undefined) return v;
    for (const [k, val] of outer) if (k.toUpperCase() === upper) return val;
    return undefined;
  }
}

function* scriptStatements(
  text: string,
  variables: Variables | undefined,
  options: ParseOptions | undefined,
  single: boolean,
): Generator<ParsedStatement> {
  const starts = lineStarts(text);
  const { tokens, error } = lexScript(text, plainPositions(starts), true);
  const scope = new Scope(variables, options?.types);
  scope.maxExprDepth = options?.maxExprDepth ?? MAX_EXPR_DEPTH;
  let count = 0;
  let i = 0;
  while (i < tokens.length - 1 || (error && i === tokens.length - 1)) {
    let j = i;
    while (tokens[j].kind !== 'EOF' && !(tokens[j].kind === 'OP' && tokens[j].value === ';')) j++;
    // A statement cut short by a lexical error reports that error, not a syntax error (with
    // offsets relative to the statement, like every other span).
    if (error && tokens[j].kind === 'EOF') throw relativeTo(error, j > i ? tokens[i].start : error.span!.start);
    if (j > i) {
      if (single && count > 0) {
        const t = tokens[i];
        throw new SqlError('PARSE', `Expected a single statement, found another one starting at '${t.image}'`, {
          line: t.line,
          column: t.column,
          start: t.start,
          end: t.end,
        });
      }
      const parsed = parseChunk(text, starts, tokens, i, j, scope);
      const s = parsed.statement;
      if (s.kind === 'DefineVariable') scope.define(s.name, s.value);
      else if (s.kind === 'UndefineVariable') scope.define(s.name, undefined);
      else if (s.kind === 'CreateType') scope.defineType(s.name, s.type);
      else if (s.kind === 'DropType') scope.defineType(s.name, undefined);
      count++;
      yield parsed;
    }
    i = tokens[j].kind === 'EOF' ? j : j + 1;
  }
}

/** ksqlDB's syntax errors end with the statement they are in (`Statement: CREATE ...;`). */
function withStatementText<T>(parse: () => T, statementText: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof KsqlSyntaxError) throw new SqlError(e.code, `${e.detail}\nStatement: ${statementText}`, e.span);
    throw e;
  }
}

function relativeTo(e: SqlError, base: number): SqlError {
  const span = e.span!;
  return new SqlError(e.code, e.detail, { ...span, start: span.start - base, end: span.end - base });
}

/** Parses tokens [from, to) of the script (to = the `;` or EOF) as one statement. */
function parseChunk(
  script: string,
  starts: readonly number[],
  tokens: readonly Token[],
  from: number,
  to: number,
  scope: Scope,
): ParsedStatement {
  const stop = tokens[to];
  const base = tokens[from].start;
  const end = tokens[to - 1].end;
  let needsSubstitution = false;
  for (let k = from; k < to; k++) {
    const t = tokens[k];
    if (t.kind === 'VARIABLE' || ((t.kind === 'STRING' || t.kind === 'QUOTED') && t.image.includes('${'))) {
      needsSubstitution = true;
      break;
    }
  }
  // The end sentinel: the terminating ';' (named as such in errors) or the end of the script.
  const sentinel: Token = { ...stop, kind: 'EOF', value: '', image: stop.kind === 'EOF' ? '' : ';' };
  if (!needsSubstitution) {
    const chunk = tokens.slice(from, to);
    chunk.push(sentinel);
    return { statement: withStatementText(() => parseTokens(chunk, base, scope), script.slice(base, stop.kind === 'EOF' ? end : stop.end)), text: script.slice(base, end) };
  }
  const { text, positions } = substitute(script, starts, tokens, from, to, scope);
  const chunk = tokenize(text, positions);
  const last = chunk[chunk.length - 1];
  chunk[chunk.length - 1] = { ...last, image: sentinel.image, line: sentinel.line, column: sentinel.column };
  return { statement: withStatementText(() => parseTokens(chunk, 0, scope), text + sentinel.image), text };
}

function parseTokens(tokens: readonly Token[], base: number, scope: Scope): Statement {
  const p = new StatementParser(tokens, base, "';'");
  p.customTypes = scope.type;
  p.maxExprDepth = scope.maxExprDepth;
  return p.parseOne();
}

const VAR_IN_TEXT = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** One substituted reference: [newStart, newEnd) in the new text replaced [origStart, origEnd) of the script. */
interface Replacement {
  readonly newStart: number;
  readonly newEnd: number;
  readonly origStart: number;
  readonly origEnd: number;
}

function substitute(
  script: string,
  starts: readonly number[],
  tokens: readonly Token[],
  from: number,
  to: number,
  scope: Scope,
): { text: string; positions: Positions } {
  const base = tokens[from].start;
  const end = tokens[to - 1].end;
  const reps: Replacement[] = [];
  let out = '';
  let copied = base; // script offset up to which text has been copied
  /** `quote`: the delimiter of the literal or quoted identifier the reference is in, doubled in the value. */
  const replace = (origStart: number, origEnd: number, name: string, quote: string | null): void => {
    const value = scope.lookup(name);
    if (value === undefined) {
      const { line, column } = lineColumnIn(starts, origStart);
      throw new SqlError('PARSE', `Undefined variable \${${name}}: DEFINE it first`, {
        line,
        column,
        start: origStart - base,
        end: origEnd - base,
      });
    }
    out += script.slice(copied, origStart);
    const newStart = out.length;
    out += quote === null ? value : value.replaceAll(quote, quote + quote);
    reps.push({ newStart, newEnd: out.length, origStart, origEnd });
    copied = origEnd;
  };
  for (let k = from; k < to; k++) {
    const t = tokens[k];
    if (t.kind === 'VARIABLE') replace(t.start, t.end, t.value, null);
    else if ((t.kind === 'STRING' || t.kind === 'QUOTED') && t.image.includes('${')) {
      for (const m of t.image.matchAll(VAR_IN_TEXT)) {
        replace(t.start + m.index, t.start + m.index + m[0].length, m[1], t.image[0]);
      }
    }
  }
  out += script.slice(copied, end);
  const positions: Positions = {
    toOriginal(o: number): number {
      let prevNewEnd = 0;
      let prevOrigEnd = base;
      for (const r of reps) {
        if (o < r.newStart) break;
        if (o < r.newEnd) return r.origStart;
        prevNewEnd = r.newEnd;
        prevOrigEnd = r.origEnd;
      }
      return o - prevNewEnd + prevOrigEnd;
    },
    lineColumn: (o: number) => lineColumnIn(starts, o),
  };
  return { text: out, positions };
}
