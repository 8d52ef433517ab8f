/**
 * Errors in ksqlDB's shape: `{"@type": "statement_error" | "generic_error", "error_code",
 * "message", "statementText"?, "entities": []}`. error_code is the HTTP status times 100 plus a
 * detail digit, as ksqlDB's Errors class defines them.
 */
import { SqlError } from '../sql/errors.ts';

export const ErrorCode = {
  BAD_REQUEST: 40000,
  BAD_STATEMENT: 40001,
  QUERY_ENDPOINT: 40002,
  UNAUTHORIZED: 40100,
  FORBIDDEN: 40300,
  NOT_FOUND: 40400,
  METHOD_NOT_ALLOWED: 40500,
  NOT_ACCEPTABLE: 40600,
  REQUEST_TIMEOUT: 40800,
  PAYLOAD_TOO_LARGE: 41300,
  UNSUPPORTED_MEDIA_TYPE: 41500,
  ASSERTION_FAILED: 41700,
  TOO_MANY_REQUESTS: 42900,
  SERVER_ERROR: 50000,
  SERVICE_UNAVAILABLE: 50300,
} as const;

export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: number;
  /** Set for errors about a statement: the body is then a `statement_error`. */
  readonly statementText: string | undefined;
  constructor(status: number, errorCode: number, message: string, statementText?: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.statementText = statementText;
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, ErrorCode.BAD_REQUEST, message);

export interface KsqlErrorBody {
  readonly '@type': 'statement_error' | 'generic_error';
  readonly error_code: number;
  readonly message: string;
  readonly statementText?: string;
  readonly entities: readonly unknown[];
}

export function errorBody(e: ApiError): KsqlErrorBody {
  return e.statementText !== undefined
    ? { '@type': 'statement_error', error_code: e.errorCode, message: e.message, statementText: e.statementText, entities: [] }
    : { '@type': 'generic_error', error_code: e.errorCode, message: e.message, entities: [] };
}

/**
 * What a failed statement becomes: a SqlError (the user's mistake) is a 400 statement_error with
 * line:column in the message; anything else is still reported as the statement's error (the
 * engine refused it) rather than a 5xx, since the server itself is fine.
 */
export function statementError(e: unknown, statementText: string): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof SqlError) {
    // An ASSERT that did not hold: ksqlDB answers 417 with a generic error (Errors.assertionFailedError).
    if (e.code === 'ASSERTION') return new ApiError(417, ErrorCode.ASSERTION_FAILED, e.message);
    // The message already starts with line:column when the error has a position.
    return new ApiError(400, ErrorCode.BAD_STATEMENT, e.message, statementText);
  }
  return new ApiError(400, ErrorCode.BAD_STATEMENT, (e as Error)?.message ?? String(e), statementText);
}
