/**
 * The Riffle server: one engine behind a ksqlDB-compatible REST API. Owns the listener, the
 * route table (the extension point: `server.routes.add(route)`), authentication, limits,
 * metrics and the push queries it runs for clients. Every failure of a request becomes a 4xx in
 * ksqlDB's error shape (or a 500 for a genuine server bug, which is logged); no request can
 * stop the server.
 */
import { URL } from 'node:url';
import type { Engine } from '../engine/engine.ts';
import { ANONYMOUS, type Authenticator, type Principal } from './auth.ts';
import { ApiError, ErrorCode, badRequest, errorBody } from './errors.ts';
import { listen, type Listener } from './listener.ts';
import { RouteTable, sendJson, type AnyRequest, type AnyResponse, type RequestContext, type Route } from './routes.ts';
import { StatementService } from './statements.ts';
import { ActiveQueries, closeQuery, queryChunked, queryStream } from './queries.ts';
import { ksqlRoutes } from './ksql-endpoints.ts';
import { topicRoutes } from './topic-routes.ts';
import { modelRoutes } from './model-routes.ts';
import { ensureProcessingLogStream } from './processing-log-stream.ts';
import { createLogger, type Logger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import { websocketHandler } from './websocket.ts';
import { consoleRoutes } from './console-routes.ts';
import { consoleStatsRoutes } from './console-stats.ts';

export interface ServerOptions {
  readonly engine: Engine;
  readonly host?: string;
  readonly port?: number;
  /** null: no authentication (then only loopback addresses unless `allowInsecureRemote`). */
  readonly authenticator?: Authenticator | null;
  readonly allowInsecureRemote?: boolean;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | null;
  /** Largest request body (and largest inserts-stream row), bytes. */
  readonly bodyLimitBytes?: number;
  /** A request body must arrive within this time (slow clients get 408). */
  readonly bodyTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxPushQueriesPerUser?: number;
  readonly logger?: Logger;
  /** Serve /metrics (default true). */
  readonly metrics?: boolean;
  /** Where the built web console is (default dist/console of the installation). */
  readonly consoleDir?: string;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8088,
  bodyLimitBytes: 2 * 1024 * 1024,
  bodyTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxPushQueriesPerUser: 64,
} as const;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export class RiffleServer {
  readonly engine: Engine;
  readonly routes = new RouteTable();
  readonly statements: StatementService;
  readonly queries: ActiveQueries;
  readonly logger: Logger;
  readonly metrics: ServerMetrics | null;
  private readonly options: ServerOptions;
  private listener: Listener | null = null;
  private readonly bodyLimit: number;
  private readonly bodyTimeoutMs: number;

  constructor(options: ServerOptions) {
    this.options = options;
    this.engine = options.engine;
    this.logger = options.logger ?? createLogger('info');
    this.bodyLimit = options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs;
    const host = options.host ?? DEFAULTS.host;
    if (!options.authenticator && !isLoopback(host)) {
      if (!options.allowInsecureRemote) {
        throw new Error(`Refusing to listen on ${host} without authentication: configure users (--users FILE) or pass --allow-insecure-remote`);
      }
      this.logger.warn('listening on a non-loopback address without authentication: anyone who can reach it can run any statement', { host });
    }
    this.statements = new StatementService(this.engine);
    this.queries = new ActiveQueries({ maxPushQueriesPerUser: options.maxPushQueriesPerUser ?? DEFAULTS.maxPushQueriesPerUser });
    for (const r of ksqlRoutes(this.statements, { serverId: `${host}:${options.port ?? DEFAULTS.port}`, startedAt: Date.now() })) this.routes.add(r);
    this.routes.add({ method: 'POST', path: '/query-stream', access: 'read', handler: (ctx) => queryStream(ctx, this.statements, this.queries) });
    this.routes.add({ method: 'POST', path: '/query', access: 'read', handler: (ctx) => queryChunked(ctx, this.statements, this.queries) });
    for (const r of topicRoutes(this.engine)) this.routes.add(r);
    for (const r of modelRoutes(this.engine)) this.routes.add(r);
    for (const r of [...consoleStatsRoutes(this.engine), ...consoleRoutes(options.consoleDir)]) this.routes.add(r);
    this.routes.add({ method: 'POST', path: '/close-query', access: 'read', handler: (ctx) => closeQuery(ctx, this.queries) });
    this.metrics = options.metrics === false ? null : new ServerMetrics(this.engine, this.queries);
    if (this.metrics) {
      const metrics = this.metrics;
      this.routes.add({
        method: 'GET',
        path: '/metrics',
        access: 'read',
        async handler(ctx) {
          sendJson(ctx.res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
        },
      });
    }
  }

  /** Mounts a handler (model serving, the console): see ./routes.ts for what handlers get. */
  addRoute(route: Route): void {
    this.routes.add(route);
  }

  get url(): string {
    if (!this.listener) throw new Error('The server is not listening');
    const host = this.listener.host.includes(':') ? `[${this.listener.host}]` : this.listener.host;
    return `${this.options.tls ? 'https' : 'http'}://${host}:${this.listener.port}`;
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  async start(): Promise<void> {
    await ensureProcessingLogStream(this.engine);
    const ws = websocketHandler(this);
    this.listener = await listen({
      host: this.options.host ?? DEFAULTS.host,
      port: this.options.port ?? DEFAULTS.port,
      tls: this.options.tls ?? null,
      idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      onRequest: (req, res) => void this.handle(req, res),
      onUpgrade: ws,
    });
    this.logger.info('listening', { url: this.url, auth: this.options.authenticator ? 'on' : 'off', tls: Boolean(this.options.tls) });
  }

  /** Stops accepting requests, ends the push queries it runs for clients, closes connections. */
  async stop(): Promise<void> {
    await this.queries.stopAll();
    await this.listener?.close();
    this.listener = null;
    this.metrics?.close();
  }

  /** The principal for a request, or an ApiError (401) — shared by HTTP routes and the WebSocket upgrade. */
  async authenticate(req: AnyRequest): Promise<Principal> {
    const auth = this.options.authenticator;
    if (!auth) return ANONYMOUS;
    const principal = await auth.authenticate(req.headers);
    if (!principal) throw new ApiError(401, ErrorCode.UNAUTHORIZED, 'Unauthorized: valid credentials are required (HTTP Basic or a bearer token)');
    return principal;
  }

  private async handle(req: AnyRequest, res: AnyResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let routePath = 'unmatched';
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://riffle');
      } catch {
        throw badRequest('Malformed request URL');
      }
      const found = this.routes.match(req.method ?? 'GET', url.pathname);
      if (!('route' in found)) {
        if (found.allowed.length) throw new ApiError(405, ErrorCode.METHOD_NOT_ALLOWED, `Method ${req.method} is not allowed on ${url.pathname} (allowed: ${found.allowed.join(', ')})`);
        throw new ApiError(404, ErrorCode.NOT_FOUND, `No endpoint ${url.pathname}`);
      }
      const { route, params } = found;
      routePath = route.path;
      const principal = route.access === 'public' ? ANONYMOUS : await this.authenticate(req);
      if (route.access === 'write' && principal.role !== 'admin') {
        throw new ApiError(403, ErrorCode.FORBIDDEN, `User '${principal.name}' (role ${principal.role}) may not call ${route.method} ${route.path}`);
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.bodyLimit) throw new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `The request body (${declared} bytes) is larger than the limit of ${this.bodyLimit} bytes`);
      await route.handler(this.context(req, res, url, params, principal));
    } catch (e) {
      this.fail(req, res, e);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics?.observeRequest(req.method ?? 'GET', routePath, res.statusCode, seconds);
      this.logger.debug('request', { method: req.method, route: routePath, status: res.statusCode, ms: Math.round(seconds * 1000), http: req.httpVersion });
    }
  }

  private fail(req: AnyRequest, res: AnyResponse, e: unknown): void {
    let error: ApiError;
    if (e instanceof ApiError) error = e;
    else {
      this.logger.error('request failed', { method: req.method, url: req.url, error: (e as Error)?.stack ?? String(e) });
      error = new ApiError(500, ErrorCode.SERVER_ERROR, `Internal error: ${(e as Error)?.message ?? String(e)}`);
    }
    if (res.headersSent) {
      // A streaming response already started: all that can be done is to end it.
      if (!res.destroyed) res.end();
      return;
    }
    const headers: Record<string, string> = {};
    // Not for the web console's own calls: a Basic challenge would make the browser open its login dialog.
    if (error.status === 401 && req.headers['x-requested-with'] !== 'riffle-console') headers['www-authenticate'] = 'Basic realm="riffle", Bearer';
    if (error.status === 413 && req.httpVersion === '1.1') headers.connection = 'close';
    sendJson(res, error.status, errorBody(error), 'application/json', headers);
    // Whatever of the body was not read is discarded, so the client gets the answer.
    if (!req.readableEnded) req.resume();
  }

  private context(req: AnyRequest, res: AnyResponse, url: URL, params: Record<string, string>, principal: Principal): RequestContext {
    let bodyPromise: Promise<Buffer> | null = null;
    const limit = this.bodyLimit;
    const timeoutMs = this.bodyTimeoutMs;
    const body = (): Promise<Buffer> =>
      (bodyPromise ??= new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const timer = setTimeout(() => done(new ApiError(408, ErrorCode.REQUEST_TIMEOUT, `The request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
        const onData = (c: Buffer) => {
          size += c.length;
          if (size > limit) done(new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than the limit of ${limit} bytes`));
          else chunks.push(c);
        };
        const onEnd = () => done(null);
        const onAbort = () => done(badRequest('The request was aborted'));
        function done(err: ApiError | null) {
          clearTimeout(timer);
          req.off('data', onData);
          req.off('end', onEnd);
          req.off('error', onAbort);
          req.off('aborted', onAbort);
          if (err) reject(err);
          else resolve(Buffer.concat(chunks));
        }
        req.on('data', onData);
        req.on('end', onEnd);
        req.on('error', onAbort);
        req.on('aborted', onAbort);
      }));
    return {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      params,
      headers: req.headers,
      httpVersion: req.httpVersion,
      principal,
      req,
      res,
      bodyLimit: limit,
      body,
      async json() {
        const raw = await body();
        const text = raw.toString('utf8');
        if (!text.trim()) throw badRequest('The request body is empty; it must be a JSON object');
        try {
          return JSON.parse(text);
        } catch (e) {
          throw badRequest(`Malformed JSON in the request body: ${(e as Error).message}`);
        }
      },
      async *textChunks() {
        req.setEncoding('utf8');
        for await (const chunk of req) yield chunk as string;
      },
    };
  }
}
