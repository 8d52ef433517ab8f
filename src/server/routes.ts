/**
 * The route table: the extension point other components mount their handlers on (model serving,
 * the web console). A handler gets a RequestContext over Node's own request/response objects
 * (the HTTP/1.1 and HTTP/2 compatibility APIs share that surface), so handlers need no
 * framework; `jsonRoute` adapts a plain `(input) => {status, body}` function.
 * Paths are literal segments and `:name` parameters (`/status/:commandId`, `/v2/models/:model/infer`).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Principal } from './auth.ts';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

/** Who may call a route: anyone (only /healthcheck), any authenticated user, or users allowed to write. */
export type Access = 'public' | 'read' | 'write';

export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** '1.1' or '2.0'. */
  readonly httpVersion: string;
  readonly principal: Principal;
  readonly req: AnyRequest;
  readonly res: AnyResponse;
  /** The request body, at most the configured limit (413 beyond it; 408 when it arrives too slowly). */
  body(): Promise<Buffer>;
  /** The body parsed as JSON (400 in ksqlDB's error shape when it is not). */
  json(): Promise<unknown>;
  /** The body as it arrives, for streaming endpoints (no total limit; they check their own units against `bodyLimit`). */
  textChunks(): AsyncIterable<string>;
  readonly bodyLimit: number;
}

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly access: Access;
  handler(ctx: RequestContext): Promise<void>;
}

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface JsonInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET or an empty body). */
  readonly body: unknown;
  readonly principal: Principal;
}

/** A route from a framework-agnostic function: JSON in, `{status, body}` out. */
export function jsonRoute(method: HttpMethod, path: string, access: Access, fn: (input: JsonInput) => Promise<JsonReply> | JsonReply): Route {
  return {
    method,
    path,
    access,
    async handler(ctx) {
      const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await ctx.body();
      const body = raw.length ? await ctx.json() : undefined;
      const reply = await fn({ params: ctx.params, query: ctx.query, headers: ctx.headers, body, principal: ctx.principal });
      sendJson(ctx.res, reply.status, reply.body, 'application/json', reply.headers);
    },
  };
}

export function sendJson(res: AnyResponse, status: number, body: unknown, contentType = 'application/json', headers: Readonly<Record<string, string>> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  (res as ServerResponse).writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  // Never end(''): Node 24's HTTP/2 compat layer corrupts writes of the same tick then.
  if (text) res.end(text);
  else res.end();
}

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
}

export class RouteTable {
  private readonly routes: Compiled[] = [];

  add(route: Route): void {
    if (this.routes.some((r) => r.route.method === route.method && r.route.path === route.path)) {
      throw new Error(`Route ${route.method} ${route.path} is already registered`);
    }
    this.routes.push({ route, segments: route.path.split('/').filter(Boolean) });
  }

  /** The route for a request, or the methods the path allows (405) or nothing (404). */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: HttpMethod[] } {
    const parts = path.split('/').filter(Boolean);
    const allowed: HttpMethod[] = [];
    for (const c of this.routes) {
      const params = matchSegments(c.segments, parts);
      if (!params) continue;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { route: c.route, params };
      allowed.push(c.route.method);
    }
    return { allowed };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      try {
        params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return null;
      }
    } else if (pattern[i] !== parts[i]) return null;
  }
  return params;
}
