/**
 * GET /ws/query (the old web UI's WebSocket): `?request={"ksql": "SELECT ...", "streamsProperties": {}}`.
 * The first message is the schema (`[{"name","schema":{"type",...}}]`), then one
 * `{"row":{"columns":[...]}}` per row; the socket closes when the query ends, and the query
 * ends when the socket closes. Rows go through the same bounded delivery as HTTP.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { deliverPushQuery, type ByteSink } from '../engine/push-delivery.ts';
import { formatType } from '../types/sql-type.ts';
import { ApiError, badRequest, errorBody } from './errors.ts';
import { jsonArray } from './json-values.ts';
import { stringMap, type StatementService } from './statements.ts';
import type { Principal } from './auth.ts';
import type { ActiveQueries } from './queries.ts';
import type { AnyRequest } from './routes.ts';

/** What the WebSocket endpoint needs of the server (./server.ts). */
export interface WebSocketHost {
  authenticate(req: AnyRequest): Promise<Principal>;
  readonly statements: StatementService;
  readonly queries: ActiveQueries;
}

export function websocketHandler(server: WebSocketHost): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  return (req, socket, head) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://riffle');
    if (url.pathname !== '/ws/query') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    void (async () => {
      let principal;
      try {
        principal = await server.authenticate(req);
      } catch (e) {
        const status = e instanceof ApiError ? e.status : 400;
        socket.end(`HTTP/1.1 ${status} Unauthorized\r\nconnection: close\r\nwww-authenticate: Basic realm="riffle"\r\ncontent-length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        void (async () => {
          try {
            let request: Record<string, unknown>;
            try {
              request = JSON.parse(url.searchParams.get('request') ?? '');
            } catch {
              throw badRequest("The 'request' parameter must be JSON: {\"ksql\": \"SELECT ...\"}");
            }
            if (!request || typeof request.ksql !== 'string') throw badRequest("The request needs 'ksql'");
            const settings = { properties: stringMap(request.streamsProperties, 'streamsProperties'), variables: stringMap(request.sessionVariables, 'sessionVariables') };
            const parsed = server.statements.parse(request.ksql, settings);
            if (parsed.length !== 1) throw badRequest('Expected exactly one statement');
            server.statements.authorize(principal, parsed);
            const release = server.queries.reserve(principal);
            let result;
            try {
              result = await server.statements.startQuery(parsed[0], settings);
            } catch (e) {
              release();
              throw e;
            }
            if (result.kind !== 'push') {
              release();
              if (result.kind === 'table') {
                for (const r of result.rows) ws.send(`{"row":{"columns":${jsonArray(r)}}}`);
              }
              ws.close(1000, 'done');
              return;
            }
            const query = result.query;
            const all = [...query.schema.key, ...query.schema.value];
            ws.send(JSON.stringify(all.map((c) => ({ name: c.name, schema: { type: formatType(c.type), fields: null, memberSchema: null } }))));
            const stream = createWebSocketStream(ws, { decodeStrings: false });
            stream.on('error', () => undefined);
            server.queries.add({ id: query.id, principal, stop: () => query.stop() });
            try {
              const d = deliverPushQuery(query, stream as unknown as ByteSink, (rows, put) => {
                for (const r of rows) put(`{"row":{"columns":${jsonArray(r.cols)}}}`);
              });
              await d.ended;
              // Rows still queued in the stream go out before the close frame.
              if (!d.disconnected) await new Promise<void>((r) => stream.end(r));
            } finally {
              server.queries.remove(query.id);
              release();
            }
            if (ws.readyState === ws.OPEN) ws.close(1000, 'query ended');
          } catch (e) {
            const err = e instanceof ApiError ? e : badRequest((e as Error).message);
            ws.send(JSON.stringify(errorBody(err)));
            ws.close(1008, err.message.slice(0, 100));
          }
        })();
      });
    })();
  };
}
