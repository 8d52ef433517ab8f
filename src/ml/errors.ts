/**
 * Why one call to a model failed, as a kind-tagged cause. The kind decides retries and the
 * circuit breaker: transport failures, timeouts, 5xx/408/429 and malformed answers are the
 * server's trouble (retried, counted by the breaker); other 4xx, 501/505 and runtime errors are
 * the request's (never retried: the same request would fail the same way).
 */
export type CallFailure =
  | { readonly kind: 'timeout'; readonly afterMs: number }
  | { readonly kind: 'connection'; readonly code: string }
  | { readonly kind: 'http'; readonly status: number; readonly body: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'malformed'; readonly why: string }
  /** The breaker is open: no request was sent. */
  | { readonly kind: 'breaker-open'; readonly lastFailure: string }
  /** An in-process model (ONNX) threw. */
  | { readonly kind: 'runtime'; readonly why: string }
  | { readonly kind: 'closed' };

export type CallFailureKind = CallFailure['kind'];

export class ModelCallError extends Error {
  readonly failure: CallFailure;

  constructor(failure: CallFailure, where: string) {
    super(`${where}: ${describeFailure(failure)}`);
    this.failure = failure;
    this.name = 'ModelCallError';
  }
}

export function describeFailure(f: CallFailure): string {
  switch (f.kind) {
    case 'timeout':
      return `timed out after ${f.afterMs}ms`;
    case 'connection':
      return `connection failed (${f.code})`;
    case 'http':
      return `HTTP ${f.status}${f.body ? `: ${f.body}` : ''}`;
    case 'malformed':
      return `malformed response: ${f.why}`;
    case 'breaker-open':
      return `circuit breaker open, not calling the model (last failure: ${f.lastFailure})`;
    case 'runtime':
      return `model runtime error: ${f.why}`;
    case 'closed':
      return 'model invoker closed';
  }
}

/** Whether sending the same request again may succeed. */
export function isRetryable(f: CallFailure): boolean {
  switch (f.kind) {
    case 'timeout':
    case 'connection':
    case 'malformed':
      return true;
    case 'http':
      // 501/505 say "never", not "not now".
      return (f.status >= 500 && f.status !== 501 && f.status !== 505) || f.status === 408 || f.status === 429;
    case 'breaker-open':
    case 'runtime':
    case 'closed':
      return false;
  }
}

/** Whether the failure says the server is unwell (feeds the circuit breaker). */
export function countsAgainstServer(f: CallFailure): boolean {
  return isRetryable(f);
}

/** Whether the request itself was rejected as bad input (4xx other than 408/429): worth isolating the bad rows. */
export function isInputRejection(f: CallFailure): boolean {
  return f.kind === 'http' && (f.status === 400 || f.status === 422);
}

/** Node's fetch wraps the socket error in `cause`; dig out its code for a readable reason. */
export function connectionCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}
