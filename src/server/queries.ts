/**
 * The streaming endpoints: POST /query-stream (HTTP/2 and HTTP/1.1; delimited or JSON), POST
 * /query (the older chunked endpoint), POST /close-query. Every push query goes through
 * engine/push-delivery.ts: rows are written as they come, the query pauses while the client's
 * stream is full, and a disconnect stops the query and frees what it held.
 */
import type { ParsedStatement } from '../sql/ast.ts';
import type { LogicalSchema } from '../types/schema.ts';
import type { PushQuery, PrintHandle, StatementResult } from '../engine/results.ts';
import { deliverPushQuery, type ByteSink, type RowEncoder } from '../engine/push-delivery.ts';
import { formatType } from '../types/sql-type.ts';
import type { Principal } from './auth.ts';
import { ApiError, ErrorCode, badRequest, errorBody } from './errors.ts';
import { jsonArray } from './json-values.ts';
import type { ServerResponse } from 'node:http';
import { sendJson, type RequestContext } from './routes.ts';
import { stringMap, type RequestSettings, type StatementService } from './statements.ts';
import { expectObject } from './validate.ts';
import { FrameWriter } from './frame-writer.ts';

export const DELIMITED = 'application/vnd.ksqlapi.delimited.v1';
export const KSQL_V1 = 'application/vnd.ksql.v1+json';

interface Running {
  readonly id: string;
  readonly principal: Principal;
  stop(): Promise<void>;
}

export interface QueryLimits {
  /** Concurrent push queries (and PRINTs) per user. */
  readonly maxPushQueriesPerUser: number;
}

/** The push queries running for clients, by id: what /close-query and the per-user limit look at. */
export class ActiveQueries {
  private readonly byId = new Map<string, Running>();
  private readonly perUser = new Map<string, number>();
  readonly limits: QueryLimits;

  constructor(limits: QueryLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.byId.size;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** 429 when the user already has the most push queries allowed. */
  reserve(principal: Principal): () => void {
    const n = this.perUser.get(principal.name) ?? 0;
    if (n >= this.limits.maxPushQueriesPerUser) {
      throw new ApiError(429, ErrorCode.TOO_MANY_REQUESTS, `User '${principal.name}' already runs ${n} push queries (the limit is ${this.limits.maxPushQueriesPerUser})`);
    }
    this.perUser.set(principal.name, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const m = (this.perUser.get(principal.name) ?? 1) - 1;
      if (m <= 0) this.perUser.delete(principal.name);
      else this.perUser.set(principal.name, m);
    };
  }

  add(r: Running): void {
    this.byId.set(r.id, r);
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  async close(id: string, principal: Principal): Promise<void> {
    const r = this.byId.get(id);
    if (!r) throw badRequest(`No query with id ${id} is running`);
    if (r.principal.name !== principal.name && principal.role !== 'admin') throw new ApiError(403, ErrorCode.FORBIDDEN, `Query ${id} belongs to another user`);
    await r.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.byId.values()].map((r) => r.stop().catch(() => undefined)));
  }
}

const QUERY_STREAM_FIELDS = ['sql', 'properties', 'streamsProperties', 'sessionVariables', 'requestProperties'];
const QUERY_FIELDS = ['ksql', 'streamsProperties', 'sessionVariables', 'requestProperties', 'commandSequenceNumber'];

function schemaColumns(schema: LogicalSchema): { names: string[]; types: string[] } {
  const all = [...schema.key, ...schema.value];
  return { names: all.map((c) => c.name), types: all.map((c) => formatType(c.type)) };
}

function oneStatement(service: StatementService, sql: string, settings: RequestSettings): ParsedStatement {
  const parsed = service.parse(sql, settings);
  if (parsed.length !== 1) throw new ApiError(400, ErrorCode.BAD_STATEMENT, `Expected exactly one statement, got ${parsed.length}`, sql);
  return parsed[0];
}

/** Picks the response type from Accept: delimited (the default) or JSON. */
function wantsJson(ctx: RequestContext): boolean {
  const accept = String(ctx.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes(DELIMITED);
}

/**
 * Starts the query; a push query counts against the user's limit (429 beyond it) until the
 * returned `release` is called, and is released at once when it fails to start.
 */
async function startCounted(
  ctx: RequestContext,
  service: StatementService,
  active: ActiveQueries,
  parsed: Parameters<StatementService['startQuery']>[0],
  settings: RequestSettings,
): Promise<{ result: StatementResult; release: () => void }> {
  const release = isPush(parsed) ? active.reserve(ctx.principal) : () => undefined;
  try {
    return { result: await service.startQuery(parsed, settings), release };
  } catch (e) {
    release();
    throw e;
  }
}

export async function queryStream(ctx: RequestContext, service: StatementService, active: ActiveQueries): Promise<void> {
  const body = expectObject(await ctx.json(), QUERY_STREAM_FIELDS);
  if (typeof body.sql !== 'string') throw badRequest("The body needs 'sql': the query to run");
  const settings: RequestSettings = {
    properties: { ...stringMap(body.streamsProperties, 'streamsProperties'), ...stringMap(body.properties, 'properties') },
    variables: stringMap(body.sessionVariables, 'sessionVariables'),
  };
  stringMap(body.requestProperties, 'requestProperties');
  const parsed = oneStatement(service, body.sql, settings);
  service.authorize(ctx.principal, [parsed]);
  const json = wantsJson(ctx);
  if (parsed.statement.kind === 'Print' && json) throw new ApiError(406, ErrorCode.NOT_ACCEPTABLE, `PRINT only answers in ${DELIMITED}`);
  const { result, release } = await startCounted(ctx, service, active, parsed, settings);
  const res = ctx.res as ServerResponse;
  const perRow = ctx.httpVersion === '2.0';
  switch (result.kind) {
    case 'table': {
      const header = { columnNames: result.columns, columnTypes: result.columnTypes ?? result.columns.map(() => 'STRING') };
      const rows = result.rows.map((r) => jsonArray(r));
      if (perRow && !json) {
        // HTTP/2 delimited: one frame per line, as for push queries (clients parse frame by frame).
        res.writeHead(200, { 'content-type': DELIMITED });
        const frames = new FrameWriter(res);
        frames.write(JSON.stringify(header) + '\n');
        for (const r of rows) frames.write(r + '\n');
        frames.end();
        return;
      }
      const text = json ? `[${[JSON.stringify(header), ...rows].join(',')}]` : [JSON.stringify(header), ...rows].map((l) => l + '\n').join('');
      sendJson(res, 200, text, json ? 'application/json' : DELIMITED);
      return;
    }
    case 'push': {
      const query = result.query;
      const { names, types } = schemaColumns(query.schema);
      res.writeHead(200, { 'content-type': json ? 'application/json' : DELIMITED });
      const header = JSON.stringify({ queryId: query.id, columnNames: names, columnTypes: types });
      res.write(json ? `[${header}` : `${header}\n`);
      const encode: RowEncoder = json
        ? (rows, put) => {
            if (perRow) for (const r of rows) put(`,${jsonArray(r.cols)}`);
            else {
              let s = '';
              for (const r of rows) s += `,${jsonArray(r.cols)}`;
              put(s);
            }
          }
        : (rows, put) => {
            // HTTP/2 clients (ksqldb-client) parse each DATA frame as one JSON row.
            if (perRow) for (const r of rows) put(`${jsonArray(r.cols)}\n`);
            else {
              let s = '';
              for (const r of rows) s += `${jsonArray(r.cols)}\n`;
              put(s);
            }
          };
      await runPush(query, res, encode, ctx.principal, active, release, () => (json ? ']' : ''), undefined, perRow);
      return;
    }
    case 'print':
      res.writeHead(200, { 'content-type': DELIMITED });
      await runPrint(result.print, res, ctx.principal, active, release);
      return;
    default:
      release();
      throw badRequest('Not a query');
  }
}

function isPush(p: ParsedStatement): boolean {
  const s = p.statement;
  return s.kind === 'Print' || (s.kind === 'QueryStatement' && s.query.emit !== null);
}

async function runPush(query: PushQuery, res: ServerResponse, encode: RowEncoder, principal: Principal, active: ActiveQueries, release: () => void, trailer: () => string, onError?: (e: Error) => string, frames = false): Promise<void> {
  active.add({ id: query.id, principal, stop: () => query.stop() });
  try {
    const sink: ByteSink & { end(last?: string): void } = frames ? new FrameWriter(res) : (res as unknown as ByteSink & { end(last?: string): void });
    const delivery = deliverPushQuery(query, sink, encode);
    const error = await delivery.ended;
    if (!delivery.disconnected && !res.destroyed) {
      if (error && onError) sink.write(onError(error));
      // Never end(''): Node 24's HTTP/2 compat layer corrupts the preceding writes of the same tick then.
      const last = trailer();
      if (last) sink.end(last);
      else sink.end();
    }
  } finally {
    active.remove(query.id);
    release();
  }
}

async function runPrint(print: PrintHandle, res: ServerResponse, principal: Principal, active: ActiveQueries, release: () => void): Promise<void> {
  const id = `print_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  active.add({ id, principal, stop: () => print.stop() });
  const stop = () => void print.stop();
  res.on('close', stop);
  try {
    print.onLine = (line) => res.write(line + '\n');
    print.start();
    await print.done;
    if (!res.destroyed) res.end();
  } finally {
    res.off('close', stop);
    active.remove(id);
    release();
  }
}

/** POST /query: `[{"header":...},\n{"row":{"columns":[...]}},\n...,{"finalMessage":...}]` in chunks. */
export async function queryChunked(ctx: RequestContext, service: StatementService, active: ActiveQueries): Promise<void> {
  const body = expectObject(await ctx.json(), QUERY_FIELDS);
  if (typeof body.ksql !== 'string') throw badRequest("The body needs 'ksql': the query to run");
  const settings: RequestSettings = { properties: stringMap(body.streamsProperties, 'streamsProperties'), variables: stringMap(body.sessionVariables, 'sessionVariables') };
  const parsed = oneStatement(service, body.ksql, settings);
  service.authorize(ctx.principal, [parsed]);
  const { result, release } = await startCounted(ctx, service, active, parsed, settings);
  const res = ctx.res as ServerResponse;
  const schemaText = (names: readonly string[], types: readonly string[]) => names.map((n, i) => `\`${n}\` ${types[i]}`).join(', ');
  switch (result.kind) {
    case 'table': {
      const header = JSON.stringify({ header: { queryId: `query_${Date.now()}`, schema: schemaText(result.columns, result.columnTypes ?? result.columns.map(() => 'STRING')) } });
      const rows = result.rows.map((r) => `{"row":{"columns":${jsonArray(r)}}}`);
      sendJson(res, 200, `[${[header, ...rows].join(',\n')}]\n`, KSQL_V1);
      return;
    }
    case 'push': {
      const query = result.query;
      const { names, types } = schemaColumns(query.schema);
      res.writeHead(200, { 'content-type': KSQL_V1 });
      res.write(`[${JSON.stringify({ header: { queryId: query.id, schema: schemaText(names, types) } })}`);
      const encode: RowEncoder = (rows, put) => {
        let s = '';
        for (const r of rows) s += `,\n{"row":{"columns":${jsonArray(r.cols)}}}`;
        put(s);
      };
      await runPush(query, res, encode, ctx.principal, active, release, () => `,\n{"finalMessage":"Query Completed"}]\n`, (e) => `,\n${JSON.stringify({ errorMessage: errorBody(new ApiError(400, ErrorCode.BAD_STATEMENT, e.message)) })}`);
      return;
    }
    case 'print':
      res.writeHead(200, { 'content-type': 'text/plain' });
      await runPrint(result.print, res, ctx.principal, active, release);
      return;
    default:
      release();
      throw badRequest('Not a query');
  }
}

export async function closeQuery(ctx: RequestContext, active: ActiveQueries): Promise<void> {
  const body = expectObject(await ctx.json(), ['queryId']);
  if (typeof body.queryId !== 'string') throw badRequest("The body needs 'queryId': the id of the push query to close");
  await active.close(body.queryId, ctx.principal);
  sendJson(ctx.res, 200, '', 'application/json');
}

export { KSQL_V1 as KSQL_CONTENT_TYPE };
