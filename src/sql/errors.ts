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
