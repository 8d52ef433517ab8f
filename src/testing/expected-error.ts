/**
 * Must-fail conformance cases (`expected-error.json`): ksqlDB rejects one of the statements, or the
 * query fails at run time. A case is met when Riffle rejects too, with a message that contains
 * ksqlDB's, compared as the conformance README says: case-insensitively, quote characters
 * removed, whitespace collapsed, a final `.` optional. An expectation without a message is met by
 * any rejection.
 */
export interface ExpectedError {
  readonly type: string;
  readonly message?: string | null;
  readonly source?: string;
  readonly name?: string;
  readonly flags?: readonly string[];
}

/** How a must-fail case ended: accepted (wrong), rejected with ksqlDB's message, or rejected otherwise. */
export type RejectionVerdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected-same'; readonly message: string }
  | { readonly kind: 'rejected-other'; readonly message: string };

export function normalizeMessage(m: string): string {
  return m
    .replace(/[`'"]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
}

export function judgeRejection(expected: ExpectedError, actualMessage: string | null): RejectionVerdict {
  if (actualMessage === null) return { kind: 'accepted' };
  if (!expected.message) return { kind: 'rejected-same', message: actualMessage };
  const same = normalizeMessage(actualMessage).includes(normalizeMessage(expected.message));
  return same ? { kind: 'rejected-same', message: actualMessage } : { kind: 'rejected-other', message: actualMessage };
}
