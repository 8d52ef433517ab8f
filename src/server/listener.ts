/**
 * One port for HTTP/1.1 and HTTP/2. In cleartext the first bytes of a connection decide: the
 * HTTP/2 connection preface (`PRI * HTTP/2.0`, what h2c clients with prior knowledge send) goes
 * to the HTTP/2 server, anything else to the HTTP/1.1 server (Node's http2 server alone cannot
 * fall back to HTTP/1.1 without TLS). With TLS, ALPN decides (h2 or http/1.1).
 * Idle connections are closed after `idleTimeoutMs`: HTTP/1.1 through keep-alive timeouts,
 * HTTP/2 sessions when they have no open stream.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AnyRequest, AnyResponse } from './routes.ts';

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | null;
  readonly idleTimeoutMs: number;
  readonly onRequest: (req: AnyRequest, res: AnyResponse) => void;
  /** HTTP/1.1 upgrade requests (WebSocket). */
  readonly onUpgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0');

export async function listen(opts: ListenerOptions): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  const h2Options = { settings: { initialWindowSize: 1 << 20 } };
  let front: net.Server;
  let h1: http.Server;
  let h2: http2.Http2Server | http2.Http2SecureServer;
  if (opts.tls) {
    const secure = http2.createSecureServer({ ...h2Options, cert: opts.tls.cert, key: opts.tls.key, allowHTTP1: true }, opts.onRequest);
    secure.on('upgrade', opts.onUpgrade);
    h2 = secure;
    h1 = secure as unknown as http.Server;
    front = secure as unknown as net.Server;
  } else {
    h1 = http.createServer(opts.onRequest);
    h1.on('upgrade', opts.onUpgrade);
    h2 = http2.createServer(h2Options, opts.onRequest);
    front = net.createServer((socket) => {
      socket.once('readable', function sniff() {
        const chunk: Buffer | null = socket.read();
        if (chunk === null) {
          socket.once('readable', sniff);
          return;
        }
        const n = Math.min(chunk.length, PREFACE.length);
        socket.unshift(chunk);
        (chunk.subarray(0, n).equals(PREFACE.subarray(0, n)) ? h2 : h1).emit('connection', socket);
      });
    });
  }
  // Keep-alive connections with no request are closed after the idle timeout; a request still
  // streaming (a push query) keeps its connection. Headers must arrive within the same time.
  h1.keepAliveTimeout = opts.idleTimeoutMs;
  h1.headersTimeout = Math.max(1000, Math.min(opts.idleTimeoutMs, 60_000));
  h1.requestTimeout = 0;
  h2.on('session', (session: http2.Http2Session) => {
    sessions.add(session);
    let open = 0;
    session.on('stream', (stream) => {
      open++;
      stream.once('close', () => open--);
    });
    session.setTimeout(opts.idleTimeoutMs, () => {
      if (open === 0) session.close();
    });
    session.once('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  front.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port, opts.host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const address = front.address() as net.AddressInfo;
  return {
    host: opts.host,
    port: address.port,
    async close() {
      const closed = new Promise<void>((r) => front.close(() => r()));
      for (const s of sessions) s.close();
      h1.closeIdleConnections?.();
      await new Promise((r) => setTimeout(r, 50));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
