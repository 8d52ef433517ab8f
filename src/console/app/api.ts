/**
 * The console's client of the Riffle REST API (same origin): POST /ksql for statements,
 * POST /query-stream (delimited) for SELECT and PRINT, POST /close-query to stop, and the
 * console's JSON statistics. Credentials are kept for the browser tab only (sessionStorage) and
 * sent as HTTP Basic on every call; `x-requested-with` keeps the server from sending a Basic
 * challenge, which would make the browser open its own login dialog.
 */
const AUTH_KEY = 'riffle.console.auth';
let authorization: string | null = sessionStorage.getItem(AUTH_KEY);

export function setCredentials(user: string, password: string): void {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
  sessionStorage.setItem(AUTH_KEY, authorization);
}

/** Set once the credentials were accepted: a later 401 means they stopped working. */
let loggedIn = false;
export function markLoggedIn(): void {
  loggedIn = true;
}

export function clearCredentials(): void {
  authorization = null;
  sessionStorage.removeItem(AUTH_KEY);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-requested-with': 'riffle-console', ...(authorization ? { authorization } : {}), ...extra };
}

/** An error answer of the server: ksqlDB's shape (`message`, `statementText`, `error_code`). */
export class ServerError extends Error {
  readonly status: number;
  readonly errorCode: number | null;
  readonly statementText: string | null;
  constructor(status: number, body: unknown) {
    const b = (body ?? {}) as { message?: unknown; error_code?: unknown; statementText?: unknown };
    super(typeof b.message === 'string' ? b.message : `HTTP ${status}`);
    this.status = status;
    this.errorCode = typeof b.error_code === 'number' ? b.error_code : null;
    this.statementText = typeof b.statementText === 'string' ? b.statementText : null;
  }
}

async function failure(res: Response): Promise<ServerError> {
  // Credentials that stopped working (user removed, password changed): back to the login form.
  if (res.status === 401 && authorization && loggedIn) {
    clearCredentials();
    location.reload();
  }
  const text = await res.text();
  let body: unknown = { message: text || `HTTP ${res.status}` };
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text is the message
  }
  return new ServerError(res.status, body);
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export type Entity = Record<string, unknown> & { '@type': string; statementText?: string };

/** Runs statements on /ksql; one entity per statement. */
export async function ksql(sql: string): Promise<Entity[]> {
  const res = await fetch('/ksql', {
    method: 'POST',
    headers: headers({ 'content-type': 'application/vnd.ksql.v1+json', accept: 'application/vnd.ksql.v1+json' }),
    body: JSON.stringify({ ksql: sql, streamsProperties: {} }),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as Entity[];
}

export interface Whoami {
  readonly name: string;
  readonly role: 'admin' | 'read-only';
}

export interface StreamHeader {
  readonly queryId: string | null;
  readonly columnNames: readonly string[];
  readonly columnTypes: readonly string[];
}

export interface StreamCallbacks {
  /** SELECT: the header; never called for PRINT. */
  onHeader(h: StreamHeader): void;
  onRows(rows: unknown[][]): void;
  /** PRINT: each line as the server wrote it. */
  onLines(lines: string[]): void;
  onEnd(error: Error | null): void;
}

/**
 * Over plain HTTP the browser speaks HTTP/1.1 and opens at most 6 connections to a server; each
 * running query holds one. Past 4 the console's own calls (statements, statistics) would wait
 * behind them without end, so a fifth query is refused with the reason. Over HTTPS the server
 * speaks HTTP/2 (ALPN) and one connection carries them all.
 */
const MAX_STREAMS_HTTP1 = 4;
let openStreams = 0;

/**
 * A streaming statement (SELECT, PRINT). Pausing stops reading the response: HTTP flow control
 * then holds the query back on the server (it polls no more input), nothing piles up here.
 */
export class StreamingQuery {
  private readonly abort = new AbortController();
  private queryId: string | null = null;
  private paused = false;
  private resumeWaiter: (() => void) | null = null;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(sql: string, cb: StreamCallbacks, isPrint: boolean, properties: Record<string, string> = {}) {
    this.done = this.run(sql, cb, isPrint, properties);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.resumeWaiter?.();
    this.resumeWaiter = null;
  }

  /** Closes the query on the server (POST /close-query) and the connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const id = this.queryId;
    if (id) {
      await fetch('/close-query', { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify({ queryId: id }) }).catch(() => undefined);
    }
    this.abort.abort();
    this.resume();
  }

  private async run(sql: string, cb: StreamCallbacks, isPrint: boolean, properties: Record<string, string>): Promise<void> {
    // Callbacks only after the constructor has returned: they may refer to this query.
    await Promise.resolve();
    let error: Error | null = null;
    if (location.protocol === 'http:' && openStreams >= MAX_STREAMS_HTTP1) {
      cb.onEnd(
        new Error(
          `${openStreams} queries are running: over plain HTTP the browser keeps at most 6 connections to the server and each running query holds one. Stop one first (or serve Riffle over HTTPS, where HTTP/2 carries them all on one connection).`,
        ),
      );
      return;
    }
    openStreams++;
    try {
      const res = await fetch('/query-stream', {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json', accept: 'application/vnd.ksqlapi.delimited.v1' }),
        body: JSON.stringify({ sql, properties }),
        signal: this.abort.signal,
      });
      if (!res.ok) throw await failure(res);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let pending = '';
      let sawHeader = isPrint;
      for (;;) {
        const { value, done } = await reader.read();
        // A read under way when the user paused is held back too: nothing shows until resume.
        if (this.paused) await new Promise<void>((r) => (this.resumeWaiter = r));
        if (done || this.stopped) break;
        pending += decoder.decode(value, { stream: true });
        const cut = pending.lastIndexOf('\n');
        if (cut < 0) continue;
        const lines = pending.slice(0, cut).split('\n');
        pending = pending.slice(cut + 1);
        if (isPrint) {
          cb.onLines(lines.filter((l) => l.length));
          continue;
        }
        const rows: unknown[][] = [];
        for (const line of lines) {
          if (!line.trim()) continue;
          const parsed = JSON.parse(line) as unknown;
          if (!sawHeader) {
            const hdr = parsed as { queryId?: string; columnNames?: string[]; columnTypes?: string[] };
            sawHeader = true;
            this.queryId = hdr.queryId ?? null;
            cb.onHeader({ queryId: hdr.queryId ?? null, columnNames: hdr.columnNames ?? [], columnTypes: hdr.columnTypes ?? [] });
          } else if (Array.isArray(parsed)) rows.push(parsed);
          else if (parsed && typeof parsed === 'object' && 'message' in parsed) error = new ServerError(500, parsed);
        }
        if (rows.length) cb.onRows(rows);
      }
    } catch (e) {
      if (!this.stopped) error = e as Error;
    } finally {
      openStreams--;
    }
    cb.onEnd(error);
  }
}
