/**
 * Security of the server: 401 on every endpoint but /healthcheck without valid credentials,
 * roles (403 for a read-only user's DDL, INSERT, TERMINATE), Basic and bearer, TLS with HTTP/1.1
 * and HTTP/2, body limit (413), malformed bodies (4xx in ksqlDB's shape), push-query limit per
 * user (429), idle connections closed, loopback-only without auth.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import http2 from 'node:http2';
import net from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { hash } from '@node-rs/argon2';
import { Authenticator } from '../../src/server/auth.ts';
import { RiffleServer } from '../../src/server/server.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startTestServer, h1, h2, sleep, type TestServer } from './helpers.ts';

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const ADMIN = basic('alice', 'alice-secret');
const READER = basic('bob', 'bob-secret');
const TOKEN = { authorization: 'Bearer tok-grafana-123' };

let ts: TestServer;

before(async () => {
  const auth = new Authenticator({
    users: [
      { name: 'alice', passwordHash: await hash('alice-secret'), role: 'admin' },
      { name: 'bob', passwordHash: await hash('bob-secret'), role: 'read-only' },
    ],
    tokens: [{ name: 'grafana', tokenHash: await hash('tok-grafana-123'), role: 'read-only' }],
  });
  ts = await startTestServer({ authenticator: auth, maxPushQueriesPerUser: 2, bodyLimitBytes: 1024 * 1024 });
  const r = await h1(ts.url, '/ksql', { ksql: "CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);" }, ADMIN);
  assert.equal(r.status, 200, r.text);
  const ins = await h1(ts.url, '/ksql', { ksql: "INSERT INTO s (id, v) VALUES ('first', 0);" }, ADMIN);
  assert.equal(ins.status, 200, ins.text);
});

after(async () => {
  await ts.close();
});

const ENDPOINTS: [string, string, unknown][] = [
  ['POST', '/ksql', { ksql: 'SHOW STREAMS;' }],
  ['POST', '/query', { ksql: 'SELECT * FROM s EMIT CHANGES LIMIT 1;', streamsProperties: { 'ksql.streams.auto.offset.reset': 'earliest' } }],
  ['POST', '/query-stream', { sql: 'SELECT * FROM s EMIT CHANGES LIMIT 1;', properties: { 'auto.offset.reset': 'earliest' } }],
  ['POST', '/inserts-stream', '{"target":"S"}\n{"ID":"a","V":1}\n'],
  ['POST', '/close-query', { queryId: 'nope' }],
  ['GET', '/info', undefined],
  ['GET', '/clusterStatus', undefined],
  ['GET', '/status/stream%2F%60S%60%2Fcreate', undefined],
  ['POST', '/ksql/terminate', {}],
  ['GET', '/metrics', undefined],
  ['GET', '/riffle/topics', undefined],
  ['POST', '/is_valid_property/foo', {}],
];

async function call(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(ts.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

test('every endpoint but /healthcheck answers 401 without or with wrong credentials', async () => {
  for (const [method, path, body] of ENDPOINTS) {
    for (const headers of [{}, basic('alice', 'wrong'), basic('mallory', 'x'), { authorization: 'Bearer wrong' }, { authorization: 'Digest abc' }]) {
      const r = await call(method, path, body, headers);
      assert.equal(r.status, 401, `${method} ${path} with ${JSON.stringify(headers)}: ${r.text}`);
      const e = JSON.parse(r.text);
      assert.equal(e['@type'], 'generic_error');
      assert.equal(e.error_code, 40100);
    }
  }
  // The WebSocket endpoint refuses the upgrade.
  const ws = await rawRequest(`GET /ws/query?request=%7B%7D HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  assert.match(ws, /^HTTP\/1\.1 401/);
  // HTTP/2 too.
  const r2 = await h2(ts.url, '/ksql', JSON.stringify({ ksql: 'SHOW STREAMS;' }));
  assert.equal(r2.status, 401);
  const health = await call('GET', '/healthcheck', undefined, {});
  assert.equal(health.status, 200);
  assert.equal(JSON.parse(health.text).isHealthy, true);
});

test('valid Basic and bearer credentials work; every endpoint answers them', async () => {
  for (const [method, path, body] of ENDPOINTS) {
    const r = await call(method, path, body, ADMIN);
    assert.ok(r.status < 500 && r.status !== 401 && r.status !== 403, `${method} ${path}: ${r.status} ${r.text}`);
  }
  const viaToken = await call('POST', '/ksql', { ksql: 'SHOW STREAMS;' }, TOKEN);
  assert.equal(viaToken.status, 200);
  assert.deepEqual(JSON.parse(viaToken.text)[0].streams.map((x: { name: string }) => x.name).sort(), ['RIFFLE_PROCESSING_LOG', 'S']);
});

test('a read-only user may query and describe but not change anything (403)', async () => {
  for (const ksql of ['SHOW STREAMS;', 'DESCRIBE s;', 'SHOW QUERIES;', "EXPLAIN SELECT * FROM s EMIT CHANGES;", 'LIST TOPICS;']) {
    const r = await call('POST', '/ksql', { ksql }, READER);
    assert.equal(r.status, 200, `${ksql}: ${r.text}`);
  }
  for (const ksql of [
    "CREATE STREAM t (id STRING KEY) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);",
    'CREATE STREAM t2 AS SELECT * FROM s;',
    "INSERT INTO s (id, v) VALUES ('x', 1);",
    'TERMINATE ALL;',
    'DROP STREAM s;',
    "SHOW STREAMS; INSERT INTO s (id, v) VALUES ('x', 1);",
  ]) {
    const r = await call('POST', '/ksql', { ksql }, READER);
    assert.equal(r.status, 403, `${ksql}: ${r.text}`);
    assert.equal(JSON.parse(r.text).error_code, 40300);
  }
  assert.equal((await call('POST', '/inserts-stream', '{"target":"S"}\n{"ID":"a","V":1}\n', READER)).status, 403);
  assert.equal((await call('POST', '/ksql/terminate', {}, TOKEN)).status, 403);
  const q = await call('POST', '/query-stream', { sql: 'SELECT * FROM s EMIT CHANGES LIMIT 1;', properties: { 'auto.offset.reset': 'earliest' } }, READER);
  assert.equal(q.status, 200, q.text);
  // Nothing was created by the refused statements.
  const streams = JSON.parse((await call('POST', '/ksql', { ksql: 'SHOW STREAMS;' }, ADMIN)).text)[0].streams;
  assert.deepEqual(streams.map((s: { name: string }) => s.name).sort(), ['RIFFLE_PROCESSING_LOG', 'S']);
});

test('a 10 MB body gets 413, on HTTP/1.1 and HTTP/2, and the server stays up', async () => {
  const big = JSON.stringify({ ksql: `SHOW STREAMS; -- ${'x'.repeat(10 * 1024 * 1024)}` });
  for (const path of ['/ksql', '/query-stream', '/query', '/close-query']) {
    const r = await call('POST', path, big, ADMIN);
    assert.equal(r.status, 413, `${path}: ${r.text.slice(0, 200)}`);
    assert.equal(JSON.parse(r.text).error_code, 41300);
  }
  const r2 = await h2(ts.url, '/ksql', big, ADMIN);
  assert.equal(r2.status, 413);
  // Without a content-length (chunked), the limit is enforced as the body arrives.
  const chunked = await new Promise<number>((resolve, reject) => {
    const s = http2.connect(ts.url);
    const req = s.request({ ':method': 'POST', ':path': '/ksql', 'content-type': 'application/json', ...ADMIN });
    req.on('response', (h) => {
      resolve(Number(h[':status']));
      s.close();
    });
    req.on('error', reject);
    for (let i = 0; i < 40; i++) req.write('x'.repeat(64 * 1024));
    req.end();
  });
  assert.equal(chunked, 413);
  assert.equal((await call('POST', '/ksql', { ksql: 'SHOW STREAMS;' }, ADMIN)).status, 200);
});

test('malformed JSON, unknown fields and wrong types get 400 in ksqlDB shape', async () => {
  const cases: [string, string][] = [
    ['/ksql', '{"ksql": "SHOW STREAMS;"'],
    ['/ksql', '[]'],
    ['/ksql', '{"ksql": 42}'],
    ['/ksql', '{"ksql": "SHOW STREAMS;", "bogus": 1}'],
    ['/ksql', '{"ksql": "SHOW STREAMS;", "streamsProperties": [1]}'],
    ['/ksql', '{"ksql": "SHOW STREAMS;", "streamsProperties": {"a": {"b": 1}}}'],
    ['/ksql', '{"ksql": "SELEKT nonsense;"}'],
    ['/ksql', '{"ksql": "SELECT * FROM s EMIT CHANGES;"}'],
    ['/query-stream', '{"sql": null}'],
    ['/query-stream', '{"sql": "SHOW STREAMS;"}'],
    ['/query-stream', '{"sql": "SELECT * FROM nope EMIT CHANGES;"}'],
    ['/query-stream', 'not json at all'],
    ['/query', '{"ksql": ["x"]}'],
    ['/close-query', '{"queryId": 5}'],
    ['/close-query', '{"queryId": "x", "y": 1}'],
    ['/inserts-stream', '{"target": 1}\n'],
    ['/inserts-stream', '{"target": "NOPE"}\n{"a":1}\n'],
    ['/inserts-stream', ''],
  ];
  for (const [path, body] of cases) {
    const r = await call('POST', path, body, ADMIN);
    assert.ok(r.status >= 400 && r.status < 500, `${path} ${body}: ${r.status} ${r.text}`);
    const e = JSON.parse(r.text);
    assert.ok(e['@type'] === 'generic_error' || e['@type'] === 'statement_error', r.text);
    assert.equal(typeof e.error_code, 'number');
    assert.equal(typeof e.message, 'string');
  }
  const wrongMethod = await call('GET', '/ksql', undefined, ADMIN);
  assert.equal(wrongMethod.status, 405);
  const unknown = await call('GET', '/nope', undefined, ADMIN);
  assert.equal(unknown.status, 404);
  // A bad row in an inserts stream is rejected alone; the others are written.
  const ins = await call('POST', '/inserts-stream', '{"target":"S"}\n{"ID":"a","V":1}\n{"ID":"b","V":"not a number"}\n{oops\n{"ID":"c","V":3}\n', ADMIN);
  assert.equal(ins.status, 200);
  const acks = ins.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(acks.map((a: { status: string }) => a.status).sort(), ['error', 'error', 'ok', 'ok']);
});

test('push queries per user are limited (429); closing one frees a slot', async () => {
  const controllers: AbortController[] = [];
  const open = async () => {
    const c = new AbortController();
    controllers.push(c);
    const res = await fetch(ts.url + '/query-stream', { method: 'POST', headers: { 'content-type': 'application/json', ...READER }, body: JSON.stringify({ sql: 'SELECT * FROM s EMIT CHANGES;' }), signal: c.signal });
    return res;
  };
  const a = await open();
  const b = await open();
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  const c = await open();
  assert.equal(c.status, 429);
  assert.equal(((await c.json()) as { error_code: number }).error_code, 42900);
  // Another user is not affected.
  const other = await fetch(ts.url + '/query-stream', { method: 'POST', headers: { 'content-type': 'application/json', ...ADMIN }, body: JSON.stringify({ sql: 'SELECT * FROM s EMIT CHANGES LIMIT 1;', properties: { 'auto.offset.reset': 'earliest' } }) });
  assert.equal(other.status, 200);
  await other.text();
  controllers[0].abort();
  for (let i = 0; i < 100 && ts.server.queries.size > 1; i++) await sleep(50);
  assert.equal(ts.server.queries.size, 1);
  const d = await open();
  assert.equal(d.status, 200);
  for (const x of controllers) x.abort();
  for (let i = 0; i < 100 && ts.server.queries.size > 0; i++) await sleep(50);
  assert.equal(ts.server.queries.size, 0);
});

test('without auth the server refuses non-loopback addresses unless told, with a warning', async () => {
  const engine = ts.server.engine;
  assert.throws(() => new RiffleServer({ engine, host: '0.0.0.0', port: 0, logger: createLogger('silent') }), /without authentication/);
  const lines: string[] = [];
  const s = new RiffleServer({ engine, host: '0.0.0.0', port: 0, allowInsecureRemote: true, logger: createLogger('warn', (l) => lines.push(l)), metrics: false });
  assert.match(lines.join(''), /"level":"warn".*without authentication/);
  assert.ok(s);
});

test('idle connections are closed after the idle timeout', async () => {
  const t = await startTestServer({ idleTimeoutMs: 300 });
  try {
    const socket = net.connect(t.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n');
    const closed = new Promise<number>((r) => {
      const start = Date.now();
      socket.on('close', () => r(Date.now() - start));
    });
    socket.resume();
    const ms = await closed;
    assert.ok(ms < 3000, `closed after ${ms} ms`);
    // An HTTP/2 session with no stream is closed too.
    const session = http2.connect(t.url);
    await new Promise((r) => session.once('connect', r));
    const h2ms = await new Promise<number>((r) => {
      const start = Date.now();
      session.on('close', () => r(Date.now() - start));
      session.on('error', () => undefined);
    });
    assert.ok(h2ms < 3000, `h2 closed after ${h2ms} ms`);
  } finally {
    await t.close();
  }
});

test('a body that arrives too slowly gets 408', async () => {
  const t = await startTestServer({ bodyTimeoutMs: 300 });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(t.port, '127.0.0.1', () => socket.write('POST /ksql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ksql": '));
      let out = '';
      socket.on('data', (d) => {
        out += d;
        if (out.includes('\r\n\r\n{')) {
          socket.destroy();
          resolve(out);
        }
      });
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"error_code":40800/);
  } finally {
    await t.close();
  }
});

test('TLS from cert/key files: HTTP/1.1 and HTTP/2 over one port', async () => {
  const dir = ts.dir;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'));
  const t = await startTestServer({ tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
  try {
    assert.match(t.url, /^https:/);
    const body = JSON.stringify({ ksql: 'SHOW STREAMS;' });
    const viaH1 = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(t.url + '/ksql', { method: 'POST', ca: cert, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(viaH1.status, 200, viaH1.text);
    const viaH2 = await new Promise<{ status: number; version: string }>((resolve, reject) => {
      const s = http2.connect(t.url, { ca: cert, servername: 'localhost' });
      s.on('error', reject);
      const req = s.request({ ':method': 'POST', ':path': '/ksql', 'content-type': 'application/json' });
      req.on('response', (h) => {
        resolve({ status: Number(h[':status']), version: s.alpnProtocol ?? '' });
        s.close();
      });
      req.end(body);
    });
    assert.deepEqual(viaH2, { status: 200, version: 'h2' });
  } finally {
    await t.close();
  }
});

function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(ts.port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}
