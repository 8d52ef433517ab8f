/**
 * POST /ksql, POST /ksql/terminate, GET /info, /healthcheck, /clusterStatus, /status/:commandId,
 * POST /is_valid_property/:name, and POST /inserts-stream.
 */
import { VERSION } from '../version.ts';
import { rowInserter } from '../engine/insert-rows.ts';
import type { ProducerRecord } from '../log/log.ts';
import { ApiError, ErrorCode, badRequest, statementError } from './errors.ts';
import { jsonRoute, sendJson, type Route, type RequestContext } from './routes.ts';
import { stringMap, type StatementService } from './statements.ts';
import { expectObject } from './validate.ts';
import { DELIMITED, KSQL_CONTENT_TYPE } from './queries.ts';

const KSQL_FIELDS = ['ksql', 'streamsProperties', 'sessionVariables', 'requestProperties', 'commandSequenceNumber', 'sessionProperties'];

export function ksqlRoutes(service: StatementService, info: { serverId: string; startedAt: number }): Route[] {
  const engine = service.engine;
  return [
    {
      method: 'POST',
      path: '/ksql',
      access: 'read',
      async handler(ctx) {
        const body = expectObject(await ctx.json(), KSQL_FIELDS);
        if (typeof body.ksql !== 'string') throw badRequest("The body needs 'ksql': the statements to run");
        if (body.commandSequenceNumber !== undefined && typeof body.commandSequenceNumber !== 'number') throw badRequest("'commandSequenceNumber' must be a number");
        stringMap(body.requestProperties, 'requestProperties');
        const settings = { properties: stringMap(body.streamsProperties, 'streamsProperties'), variables: stringMap(body.sessionVariables, 'sessionVariables') };
        const statements = service.parse(body.ksql, settings);
        service.authorize(ctx.principal, statements);
        const entities = await service.executeAll(statements, settings);
        sendJson(ctx.res, 200, entities, KSQL_CONTENT_TYPE);
      },
    },
    {
      method: 'POST',
      path: '/ksql/terminate',
      access: 'write',
      async handler(ctx) {
        const raw = await ctx.body();
        const body = raw.length ? expectObject(await ctx.json(), ['deleteTopicList']) : {};
        if (body.deleteTopicList !== undefined && (!Array.isArray(body.deleteTopicList) || body.deleteTopicList.some((t) => typeof t !== 'string'))) {
          throw badRequest("'deleteTopicList' must be an array of topic names");
        }
        const statements = service.parse('TERMINATE ALL;', { properties: {}, variables: {} });
        await service.executeAll(statements, { properties: {}, variables: {} });
        sendJson(ctx.res, 200, { status: 'SUCCESS', message: 'All persistent queries terminated' }, KSQL_CONTENT_TYPE);
      },
    },
    jsonRoute('GET', '/info', 'read', () => ({
      status: 200,
      body: { KsqlServerInfo: { version: VERSION, kafkaClusterId: engine.log.kind === 'kafka' ? 'kafka' : 'riffle-embedded', ksqlServiceId: engine.serviceId, serverStatus: 'RUNNING' } },
    })),
    jsonRoute('GET', '/healthcheck', 'public', () => ({
      status: 200,
      body: { isHealthy: true, details: { metastore: { isHealthy: true }, kafka: { isHealthy: true }, commandRunner: { isHealthy: true } } },
    })),
    jsonRoute('GET', '/clusterStatus', 'read', () => ({
      status: 200,
      body: {
        clusterStatus: {
          [info.serverId]: {
            hostAlive: true,
            lastStatusUpdateMs: Date.now(),
            activeStandbyPerQuery: {},
            hostStoreLags: { stateStoreLags: {}, updateTimeMs: Date.now() },
          },
        },
      },
    })),
    jsonRoute('GET', '/status/:commandId', 'read', ({ params }) => {
      const record = service.commands.get(params.commandId);
      if (!record) return { status: 404, body: { '@type': 'generic_error', error_code: ErrorCode.NOT_FOUND, message: `Command not found: ${params.commandId}`, entities: [] } };
      return { status: 200, body: { status: 'SUCCESS', message: record.message, queryId: null } };
    }),
    jsonRoute('GET', '/status', 'read', () => ({
      status: 200,
      body: { commandStatuses: Object.fromEntries([...service.commands.values()].map((c) => [c.commandId, 'SUCCESS'])) },
    })),
    jsonRoute('POST', '/is_valid_property/:name', 'read', ({ params }) => {
      // Riffle accepts any property name (unknown ones are ignored by the engine), as ksqlDB does for non-denied ones.
      if (!/^[A-Za-z0-9._-]+$/.test(params.name)) throw badRequest(`Not a valid property name: ${params.name}`);
      return { status: 200, body: true };
    }),
    {
      method: 'POST',
      path: '/inserts-stream',
      access: 'write',
      handler: (ctx) => insertsStream(ctx, service),
    },
  ];
}

/**
 * POST /inserts-stream: the first line names the target (`{"target": "S"}`), each further line is
 * a row object. Every row is acknowledged (`{"status":"ok","seq":n}`) once written, or rejected
 * with its error; a bad row never stops the stream. Reading pauses while rows are being written.
 */
async function insertsStream(ctx: RequestContext, service: StatementService): Promise<void> {
  const json = String(ctx.headers.accept ?? '').includes('application/json');
  const res = ctx.res as import('node:http').ServerResponse;
  let inserter: ReturnType<typeof rowInserter> | null = null;
  let seq = 0;
  const acks: string[] = [];
  let started = false;
  const emit = (ack: Record<string, unknown>) => {
    const text = JSON.stringify(ack);
    if (json) acks.push(text);
    else res.write(text + '\n');
  };
  const start = () => {
    if (started) return;
    started = true;
    if (!json) res.writeHead(200, { 'content-type': DELIMITED });
  };
  const handleLines = async (lines: string[]): Promise<void> => {
    const batch: ProducerRecord[] = [];
    const seqs: number[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        if (!inserter) throw badRequest('The first line must be a JSON object {"target": "<stream>"}');
        start();
        emit({ status: 'error', seq: seq++, error_code: ErrorCode.BAD_REQUEST, message: 'Malformed JSON row' });
        continue;
      }
      if (!inserter) {
        const head = expectObject(parsed, ['target', 'properties', 'requestProperties']);
        if (typeof head.target !== 'string') throw badRequest("The first line needs 'target': the stream to insert into");
        try {
          inserter = rowInserter(service.engine, head.target);
        } catch (e) {
          throw statementError(e, JSON.stringify(head));
        }
        start();
        continue;
      }
      const n = seq++;
      try {
        batch.push(inserter.encode(parsed));
        seqs.push(n);
      } catch (e) {
        emit({ status: 'error', seq: n, error_code: ErrorCode.BAD_STATEMENT, message: (e as Error).message });
      }
    }
    if (batch.length && inserter) {
      await inserter.send(batch);
      for (const n of seqs) emit({ status: 'ok', seq: n });
    }
  };
  let pending = '';
  for await (const chunk of ctx.textChunks()) {
    pending += chunk;
    if (pending.length > ctx.bodyLimit && pending.indexOf('\n') < 0) throw new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `A row is larger than the limit of ${ctx.bodyLimit} bytes`);
    const cut = pending.lastIndexOf('\n');
    if (cut < 0) continue;
    const lines = pending.slice(0, cut).split('\n');
    pending = pending.slice(cut + 1);
    await handleLines(lines);
  }
  await handleLines([pending]);
  if (!inserter) throw badRequest('The body must start with {"target": "<stream>"}');
  if (json) sendJson(res, 200, `[${acks.join(',')}]`, 'application/json');
  else res.end();
}

export { ApiError };
