/**
 * A scriptable in-process HTTP model server for unit tests of the model layer: each request goes
 * to a handler that answers with a status/body, a delay, a hang or a dropped connection.
 * `v2Sum` and `v1Sum` are well-behaved models answering the sum of each row's features.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: any;
}

export type FakeReply =
  | { readonly status: number; readonly body?: unknown; readonly raw?: string; readonly delayMs?: number; readonly headers?: Record<string, string> }
  | { readonly hang: true }
  | { readonly destroy: true };

export type Handler = (req: FakeRequest, n: number) => FakeReply | Promise<FakeReply>;

export interface FakeServer {
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Most requests handled at once. */
  maxConcurrent: number;
  handler: Handler;
  close(): Promise<void>;
}

/** A V2 model: one [n, k] tensor (or k [n]/[n,1] tensors) in, output `score` FP64 [n] = row sums. */
export function v2Sum(req: FakeRequest): FakeReply {
  if (req.method === 'GET' && /\/v2\/models\/[^/]+$/.test(req.path)) {
    return { status: 200, body: { name: 'sum', inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 3] }], outputs: [{ name: 'score', datatype: 'FP64', shape: [-1] }] } };
  }
  if (req.method === 'GET') return { status: 200, body: {} };
  const inputs = req.body.inputs as { shape: number[]; data: number[] }[];
  const n = inputs[0].shape[0];
  const sums = new Array(n).fill(0);
  for (const t of inputs) {
    const k = t.data.length / n;
    for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) sums[r] += t.data[r * k + j];
  }
  return { status: 200, body: { id: req.body.id, model_name: 'sum', outputs: [{ name: 'score', datatype: 'FP64', shape: [n], data: sums }] } };
}

/** A V1 model answering `predictions` = row sums. */
export function v1Sum(req: FakeRequest): FakeReply {
  if (req.method === 'GET') return { status: 200, body: { name: 'sum', ready: true } };
  const rows = req.body.instances as (number[] | Record<string, number>)[];
  return { status: 200, body: { predictions: rows.map((r) => (Array.isArray(r) ? r : Object.values(r)).reduce((a, b) => a + b, 0)) } };
}

export async function startFake(handler: Handler): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let active = 0;
  let n = 0;
  const fake: FakeServer = {
    url: '',
    requests: [],
    maxConcurrent: 0,
    handler,
    close: async () => {},
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const r: FakeRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
    fake.requests.push(r);
    active++;
    fake.maxConcurrent = Math.max(fake.maxConcurrent, active);
    try {
      const reply = await fake.handler(r, ++n);
      if ('hang' in reply) return; // never answers; the client must time out
      if ('destroy' in reply) {
        req.socket.destroy();
        return;
      }
      if (reply.delayMs) await new Promise((ok) => setTimeout(ok, reply.delayMs));
      const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(payload);
    } finally {
      active--;
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  (fake as { url: string }).url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    });
  return fake;
}
