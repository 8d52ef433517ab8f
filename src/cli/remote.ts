/**
 * The CLI as a client of a Riffle server: statements go to POST /ksql, queries and PRINT to
 * POST /query-stream (HTTP/1.1, delimited), topics to /riffle/topics. Credentials come from
 * RIFFLE_USER + RIFFLE_PASSWORD (Basic) or RIFFLE_TOKEN (bearer). The response stream is piped
 * to the output with backpressure: a terminal or pipe that stops reading stops the reading of
 * the response, and the server then pauses the query (HTTP flow control).
 */
import http from 'node:http';
import https from 'node:https';
import type { Writable } from 'node:stream';
import { renderTable, cellText } from './render.ts';

export class RemoteError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    const b = body as { message?: string } | null;
    super(typeof b?.message === 'string' ? b.message : `HTTP ${status}`);
    this.name = 'RemoteError';
    this.status = status;
    this.body = body;
  }
}

export class RemoteClient {
  readonly url: URL;
  private readonly agent: http.Agent;
  private readonly auth: string | undefined;

  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    this.url = new URL(url);
    this.agent = this.url.protocol === 'https:' ? new https.Agent({ keepAlive: true, rejectUnauthorized: env.RIFFLE_TLS_INSECURE !== '1' }) : new http.Agent({ keepAlive: true });
    if (env.RIFFLE_TOKEN) this.auth = `Bearer ${env.RIFFLE_TOKEN}`;
    else if (env.RIFFLE_USER) this.auth = `Basic ${Buffer.from(`${env.RIFFLE_USER}:${env.RIFFLE_PASSWORD ?? ''}`).toString('base64')}`;
  }

  close(): void {
    this.agent.destroy();
  }

  /** Sends a request; resolves with the (not yet read) response. */
  request(method: string, path: string, body: unknown, accept = 'application/json', signal?: AbortSignal): Promise<http.IncomingMessage> {
    const mod = this.url.protocol === 'https:' ? https : http;
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = mod.request(
        new URL(path, this.url),
        {
          method,
          agent: this.agent,
          signal,
          headers: {
            accept,
            ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}),
            ...(this.auth ? { authorization: this.auth } : {}),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.request(method, path, body);
    let text = '';
    res.setEncoding('utf8');
    for await (const c of res) text += c;
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { message: text };
    }
    if ((res.statusCode ?? 500) >= 300) throw new RemoteError(res.statusCode ?? 500, parsed);
    return parsed;
  }

  /** Runs non-streaming statements; returns the rendered text of each entity. */
  async execute(sql: string, properties: Readonly<Record<string, string>>): Promise<string[]> {
    const entities = (await this.json('POST', '/ksql', { ksql: sql, streamsProperties: properties })) as Record<string, unknown>[];
    return entities.map(renderEntity);
  }

  /**
   * Streams a query or PRINT to `out` as a live table (or PRINT's lines) until it ends, the
   * signal aborts (Ctrl-C: the connection is closed and the server stops the query), or `out`
   * closes. Resolves with the number of rows shown.
   */
  async stream(sql: string, properties: Readonly<Record<string, string>>, out: Writable, signal?: AbortSignal, idleMs?: number): Promise<number> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    let res: http.IncomingMessage;
    try {
      res = await this.request('POST', '/query-stream', { sql, properties }, 'application/vnd.ksqlapi.delimited.v1', controller.signal);
    } catch (e) {
      signal?.removeEventListener('abort', abort);
      if (controller.signal.aborted) return 0;
      throw e;
    }
    if ((res.statusCode ?? 500) >= 300) {
      let text = '';
      for await (const c of res) text += c;
      signal?.removeEventListener('abort', abort);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = { message: text };
      }
      throw new RemoteError(res.statusCode ?? 500, body);
    }
    const isPrint = /^\s*print\b/i.test(sql);
    let rows = 0;
    let widths: number[] = [];
    let pending = '';
    let header = false;
    let idleTimer: NodeJS.Timeout | null = null;
    const armIdle = () => {
      if (!idleMs) return;
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(abort, idleMs);
    };
    armIdle();
    const onOutClose = () => abort();
    out.once('close', onOutClose);
    out.once('error', onOutClose);
    // Waits for the output to drain (or close, or the query to be stopped): the response is not
    // read meanwhile, so HTTP flow control holds the server's query back.
    const write = async (s: string) => {
      if (out.write(s) || controller.signal.aborted) return;
      await new Promise<void>((r) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          controller.signal.removeEventListener('abort', done);
          r();
        };
        out.once('drain', done);
        out.once('close', done);
        controller.signal.addEventListener('abort', done, { once: true });
      });
    };
    try {
      res.setEncoding('utf8');
      for await (const chunk of res) {
        armIdle();
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        let text = '';
        for (const line of lines) {
          if (!line) continue;
          if (isPrint) {
            text += line + '\n';
            rows++;
            continue;
          }
          if (!header) {
            header = true;
            const h = JSON.parse(line) as { columnNames: string[] };
            widths = h.columnNames.map((c) => Math.max(c.length, 12));
            const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
            text += `${rule}\n|${h.columnNames.map((c, i) => ` ${c.padEnd(widths[i])} `).join('|')}|\n${rule}\n`;
            continue;
          }
          const values = JSON.parse(line) as unknown[];
          text += '|' + values.map((v, i) => ` ${(typeof v === 'object' && v !== null ? JSON.stringify(v) : cellText(v)).padEnd(widths[i] ?? 12)} `).join('|') + '|\n';
          rows++;
        }
        if (text) await write(text);
      }
    } catch (e) {
      if (!controller.signal.aborted) throw e;
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      signal?.removeEventListener('abort', abort);
      out.off('close', onOutClose);
      out.off('error', onOutClose);
      res.destroy();
    }
    return rows;
  }
}

/** A ksqlDB entity as the CLI shows it. */
export function renderEntity(e: Record<string, unknown>): string {
  const list = (k: string) => (Array.isArray(e[k]) ? (e[k] as Record<string, unknown>[]) : []);
  switch (e['@type']) {
    case 'currentStatus':
      return String((e.commandStatus as { message?: string })?.message ?? '');
    case 'streams':
    case 'tables': {
      const items = list(e['@type'] as string);
      const kind = e['@type'] === 'streams' ? 'Stream' : 'Table';
      return items.length === 0 ? `${kind}s: (none)` : renderTable([`${kind} Name`, 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'], items.map((s) => [s.name, s.topic, s.keyFormat, s.valueFormat, String(s.isWindowed)]));
    }
    case 'queries': {
      const items = list('queries');
      return items.length === 0 ? 'Queries: (none)' : renderTable(['Query ID', 'Status', 'Sink Name', 'Sink Topic', 'Query String'], items.map((q) => [q.id, q.state, (q.sinks as string[]).join(','), (q.sinkKafkaTopics as string[]).join(','), q.queryString]));
    }
    case 'kafka_topics':
      return renderTable(['Kafka Topic', 'Partitions', 'Partition Replicas'], list('topics').map((t) => [t.name, (t.replicaInfo as number[]).length, (t.replicaInfo as number[])[0] ?? 1]));
    case 'properties':
      return renderTable(['Property', 'Scope', 'Value'], list('properties').map((p) => [p.name, p.scope, p.value]));
    case 'function_names':
      return renderTable(['Function Name', 'Type'], list('functions').map((f) => [f.name, String(f.type).toUpperCase()]));
    case 'sourceDescription': {
      const d = e.sourceDescription as Record<string, unknown>;
      const fields = (d.fields as { name: string; schema: { type: string }; type?: string }[]).map((f) => ` ${f.name} | ${f.schema.type}${f.type === 'KEY' ? ' (key)' : f.type === 'PRIMARY_KEY' ? ' (primary key)' : ''}`);
      return [`Name                 : ${d.name}`, `Type                 : ${d.type}`, `Key format           : ${d.keyFormat}`, `Value format         : ${d.valueFormat}`, `Kafka topic          : ${d.topic}`, '', ' Field | Type', ...fields].join('\n');
    }
    case 'riffle_table': {
      const rows = (e.rows as unknown[][]) ?? [];
      return rows.length === 0 ? `${e.title}: (none)` : renderTable(e.columns as string[], rows);
    }
    case 'riffle_text':
      return String(e.text ?? '');
    default:
      return JSON.stringify(e);
  }
}
