/**
 * One JSON request over Node's global fetch (undici: keep-alive connection pooling by default),
 * with a per-request timeout, mapped onto CallFailure so callers never see raw fetch errors.
 */
import { ModelCallError, connectionCode } from './errors.ts';

export interface HttpOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborts the request when the invoker closes. */
  readonly signal?: AbortSignal;
}

export interface HttpAnswer {
  readonly status: number;
  /** Parsed JSON body (undefined when the body is empty). */
  readonly body: unknown;
}

const MAX_ERROR_BODY = 300;

/** `Retry-After: 2` or an HTTP date -> milliseconds from now. */
export function parseRetryAfter(v: string | null, now: number = Date.now()): number | null {
  if (v === null) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

function errorText(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as unknown;
    if (j && typeof j === 'object' && typeof (j as { error?: unknown }).error === 'string') msg = (j as { error: string }).error;
    else if (j && typeof j === 'object' && typeof (j as { detail?: unknown }).detail === 'string') msg = (j as { detail: string }).detail;
  } catch {
    // not JSON: keep the text
  }
  msg = msg.replace(/\s+/g, ' ').trim();
  return msg.length > MAX_ERROR_BODY ? msg.slice(0, MAX_ERROR_BODY) + '...' : msg;
}

/**
 * Sends `body` (already JSON text, or undefined for GET) and returns the parsed answer.
 * Throws ModelCallError: timeout, connection, closed, http (non-2xx unless `okStatuses` lists it),
 * malformed (a 2xx whose body is not JSON).
 */
export async function requestJson(
  method: 'GET' | 'POST',
  url: string,
  body: string | undefined,
  opts: HttpOptions,
  okStatuses: readonly number[] = [],
): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const where = `${method} ${url}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method, headers, body, signal });
    text = await res.text();
  } catch (err) {
    if (opts.signal?.aborted) throw new ModelCallError({ kind: 'closed' }, where);
    if (timeout.aborted) throw new ModelCallError({ kind: 'timeout', afterMs: opts.timeoutMs }, where);
    throw new ModelCallError({ kind: 'connection', code: connectionCode(err) }, where);
  }
  if ((res.status < 200 || res.status >= 300) && !okStatuses.includes(res.status)) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    throw new ModelCallError({ kind: 'http', status: res.status, body: errorText(text), retryAfterMs }, where);
  }
  if (text.trim() === '') return { status: res.status, body: undefined };
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    const shown = text.length > 80 ? text.slice(0, 80) + '...' : text;
    throw new ModelCallError({ kind: 'malformed', why: `body is not JSON: ${JSON.stringify(shown)}` }, where);
  }
}

/** JSON text of a request; 64-bit integers beyond 2^53 (bigint) go out as exact digits. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? rawJson(v.toString()) : v));
}

// JSON.rawJSON is in Node >= 21 (V8) but not yet in the es2023 lib typings.
const rawJson = (JSON as unknown as { rawJSON: (text: string) => unknown }).rawJSON;
