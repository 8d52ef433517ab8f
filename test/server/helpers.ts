/** Starts a real Riffle server (in this process, on a fresh embedded log, port 0) for the server tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http2 from 'node:http2';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import { RiffleServer, type ServerOptions } from '../../src/server/server.ts';
import { createLogger } from '../../src/server/logger.ts';

export interface TestServer {
  readonly server: RiffleServer;
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-server-'));
  const log = await openEmbeddedLog(join(dir, 'log'));
  const engine = await Engine.open({ log });
  const server = new RiffleServer({ engine, port: 0, logger: createLogger('silent'), ...options });
  await server.start();
  return {
    server,
    url: server.url,
    port: server.port,
    dir,
    async close() {
      await server.stop();
      await engine.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST (or GET) over HTTP/1.1 with fetch; returns status, headers and the text body. */
export async function h1(url: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: () => unknown; headers: Headers }> {
  const res = await fetch(url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text), headers: res.headers };
}

/** One request over HTTP/2 cleartext (h2c, prior knowledge). */
export function h2(url: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json', ...headers });
    let status = 0;
    let text = '';
    req.setEncoding('utf8');
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      session.close();
      resolve({ status, text });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function ksql(url: string, sql: string, headers: Record<string, string> = {}, streamsProperties: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const r = await h1(url, '/ksql', { ksql: sql, streamsProperties }, headers);
  return { status: r.status, body: r.json() };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}
