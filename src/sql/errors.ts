/**
 * A user-facing error in a statement: a code, a message, and where in the statement it is.
 * `toString()` gives `line:column: message`, which the CLI, the server and `riffle test` print.
 */
import type { Span } from './ast.ts';

export type SqlErrorCode =
  | 'PARSE' // syntax: what was found, what was expected
  | 'UNKNOWN_SOURCE'
  | 'UNKNOWN_COLUMN'
  | 'AMBIGUOUS_COLUMN'
  | 'TYPE' // type mismatch, bad cast, wrong function arguments
  | 'UNKNOWN_FUNCTION'
  | 'INVALID' // semantically invalid statement (e.g. missing KAFKA_TOPIC)
  | 'EXISTS' // a stream/table/topic of that name exists
  | 'ASSERTION' // an ASSERT statement's condition did not hold within its timeout
  | 'UNSUPPORTED';

export class SqlError extends Error {
  readonly code: SqlErrorCode;
  readonly span: Span | null;

  constructor(code: SqlErrorCode, message: string, span: Span | null = null) {
    super(span ? `${span.line}:${span.column}: ${message}` : message);
    this.code = code;
    this.span = span;
    this.name = 'SqlError';
  }

  /** The message without the position prefix. */
  get detail(): string {
    return this.span ? this.message.slice(`${this.span.line}:${this.span.column}: `.length) : this.message;
  }
}

/**
 * An error ksqlDB raises while it builds the statement from the parse tree (a ParsingException
 * in its AstBuilder, e.g. a numeric literal out of range). Its text is
 * `Failed to prepare statement: line L:C: ...`, where C is one more than the 1-based column
 * (ksqlDB adds one to a position that already counts from one); Riffle's own `L:C: ` prefix,
 * with the true column, stays in front.
 */
export function preparingError(code: SqlErrorCode, message: string, span: Span): SqlError {
  return new SqlError(code, `Failed to prepare statement: line ${span.line}:${span.column + 1}: ${message}`, span);
}

/**
 * A syntax error worded as ksqlDB's parser words it (its SyntaxErrorValidator over ANTLR):
 * `line L:C: Syntax Error`, then what was expected (`Expecting {',', ')'}`). Raised where
 * Riffle's grammar point and ANTLR's expectations coincide; the statement splitter appends the
 * statement (`Statement: ...`), as ksqlDB's ParseFailedException does.
 */
export class KsqlSyntaxError extends SqlError {
  constructor(detail: string, span: Span) {
    super('PARSE', `line ${span.line}:${span.column}: Syntax Error\n${detail}`, span);
  }
}
