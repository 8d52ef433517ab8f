/**
 * The endpoints beyond the ksqldb-client scenario: /query (chunked), /query-stream with the JSON
 * content type and over HTTP/2, /ws/query, /info, /status, /clusterStatus, the processing log as
 * a stream, mounted routes (the extension point), and the server configuration.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { jsonRoute } from '../../src/server/routes.ts';
import { resolveServerConfig } from '../../src/server/config.ts';
import { startTestServer, h1, h2, ksql, until, type TestServer } from './helpers.ts';

let ts: TestServer;

before(async () => {
  ts = await startTestServer();
  const r = await ksql(ts.url, "CREATE STREAM s (id STRING KEY, v INT, tags ARRAY<STRING>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); INSERT INTO s (id, v, tags) VALUES ('a', 1, ARRAY['x']); INSERT INTO s (id, v, tags) VALUES ('b', 2, ARRAY['y', 'z']);");
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

after(() => ts.close());

const EARLIEST = { 'auto.offset.reset': 'earliest' };

test('/query streams the header, rows and a final message as one JSON array', async () => {
  const r = await h1(ts.url, '/query', { ksql: 'SELECT id, v FROM s EMIT CHANGES LIMIT 2;', streamsProperties: { 'ksql.streams.auto.offset.reset': 'earliest' } }, { accept: 'application/vnd.ksql.v1+json' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/vnd.ksql.v1+json');
  const body = JSON.parse(r.text);
  assert.match(body[0].header.queryId, /^transient_S_/);
  assert.equal(body[0].header.schema, '`ID` STRING, `V` INTEGER');
  assert.deepEqual(body.slice(1, 3), [{ row: { columns: ['a', 1] } }, { row: { columns: ['b', 2] } }]);
  assert.ok(body[3].finalMessage);
});

test('/query-stream: JSON content type, and delimited over HTTP/2 with one row per frame', async () => {
  const json = await h1(ts.url, '/query-stream', { sql: 'SELECT * FROM s EMIT CHANGES LIMIT 2;', properties: EARLIEST }, { accept: 'application/json' });
  assert.equal(json.status, 200);
  const arr = JSON.parse(json.text);
  assert.deepEqual(arr[0].columnNames, ['ID', 'V', 'TAGS']);
  assert.deepEqual(arr[0].columnTypes, ['STRING', 'INTEGER', 'ARRAY<STRING>']);
  assert.deepEqual(arr.slice(1), [['a', 1, ['x']], ['b', 2, ['y', 'z']]]);
  const viaH2 = await h2(ts.url, '/query-stream', JSON.stringify({ sql: 'SELECT id FROM s EMIT CHANGES LIMIT 2;', properties: EARLIEST }));
  assert.equal(viaH2.status, 200);
  const lines = viaH2.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.slice(1), [['a'], ['b']]);
  // PRINT answers only in the delimited type.
  const print = await h1(ts.url, '/query-stream', { sql: "PRINT 's' FROM BEGINNING LIMIT 2;" }, { accept: 'application/json' });
  assert.equal(print.status, 406);
  const printed = await h1(ts.url, '/query-stream', { sql: "PRINT 's' FROM BEGINNING LIMIT 2;" });
  assert.equal(printed.status, 200);
  assert.match(printed.text, /key: a, value: \{"V":1,"TAGS":\["x"\]\}/);
});

test('/ws/query: schema first, then rows; ends with the query', async () => {
  const request = encodeURIComponent(JSON.stringify({ ksql: 'SELECT id, v FROM s EMIT CHANGES LIMIT 2;', streamsProperties: EARLIEST }));
  const ws = new WebSocket(`${ts.url.replace('http', 'ws')}/ws/query?request=${request}`);
  const messages: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  assert.deepEqual((messages[0] as { name: string }[]).map((c) => c.name), ['ID', 'V']);
  assert.deepEqual(messages.slice(1), [{ row: { columns: ['a', 1] } }, { row: { columns: ['b', 2] } }]);
  await until(() => ts.server.queries.size === 0, 5000, 'the WebSocket query to end');
});

test('/info, /status, /clusterStatus, /healthcheck answer in ksqlDB shape', async () => {
  const info = (await h1(ts.url, '/info')).json() as { KsqlServerInfo: { version: string; serverStatus: string } };
  assert.equal(info.KsqlServerInfo.serverStatus, 'RUNNING');
  const status = await h1(ts.url, `/status/${encodeURIComponent('stream/`S`/create')}`);
  assert.equal(status.status, 200);
  assert.deepEqual(status.json(), { status: 'SUCCESS', message: 'Stream created', queryId: null });
  assert.equal((await h1(ts.url, '/status/nope')).status, 404);
  const cluster = (await h1(ts.url, '/clusterStatus')).json() as { clusterStatus: Record<string, { hostAlive: boolean }> };
  assert.equal(Object.values(cluster.clusterStatus)[0].hostAlive, true);
});

test('RIFFLE_PROCESSING_LOG is a stream: bad records show up in a push query', async () => {
  const r = await ksql(ts.url, 'CREATE STREAM ints AS SELECT id, v FROM s;', {}, EARLIEST);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const bad = await h1(ts.url, '/riffle/topics/s/records', { records: [{ key: 'c', value: '{"V": "not a number"}' }] });
  assert.equal(bad.status, 200);
  const rows = await until(async () => {
    const q = await h1(ts.url, '/query-stream', { sql: "SELECT `TYPE`, queryid, `TOPIC` FROM RIFFLE_PROCESSING_LOG WHERE `TYPE` = 'DESERIALIZATION_ERROR' EMIT CHANGES LIMIT 1;", properties: EARLIEST });
    return q.status === 200 ? q.text.trim().split('\n').slice(1).map((l) => JSON.parse(l)) : null;
  }, 15000, 'the processing-log row');
  assert.equal(rows[0][0], 'DESERIALIZATION_ERROR');
  assert.match(rows[0][1], /^CSAS_INTS_/);
  assert.equal(rows[0][2], 's');
});

test('routes can be mounted by other components (framework-agnostic handlers)', async () => {
  ts.server.addRoute(jsonRoute('POST', '/ext/echo/:model', 'read', ({ params, body }) => ({ status: 200, body: { model_name: params.model, echo: body } })));
  const r = await h1(ts.url, '/ext/echo/iris', { inputs: [1, 2] });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { model_name: 'iris', echo: { inputs: [1, 2] } });
  const viaH2 = await h2(ts.url, '/ext/echo/iris', '{"inputs":[]}');
  assert.deepEqual(JSON.parse(viaH2.text), { model_name: 'iris', echo: { inputs: [] } });
  const malformed = await h1(ts.url, '/ext/echo/iris', '{nope');
  assert.equal(malformed.status, 400);
  assert.throws(() => ts.server.addRoute(jsonRoute('POST', '/ext/echo/:model', 'read', () => ({ status: 200, body: null }))), /already registered/);
});

test('server configuration: flags over environment over config file over defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-config-'));
  const file = join(dir, 'server.json');
  writeFileSync(file, JSON.stringify({ listen: '127.0.0.1:7000', logLevel: 'debug', maxPushQueriesPerUser: 5, tls: { cert: 'c.pem', key: 'k.pem' }, properties: { 'ksql.persistence.wrap.single.values': false, 'ksql.functions.collect_list.limit': 10 } }));
  assert.deepEqual(
    { ...resolveServerConfig({}, {}) },
    { host: '127.0.0.1', port: 8088, dataDir: undefined, bootstrapServers: undefined, usersFile: undefined, tlsCert: undefined, tlsKey: undefined, allowInsecureRemote: false, logLevel: 'info', bodyLimitBytes: 2097152, idleTimeoutMs: 60000, maxPushQueriesPerUser: 64, properties: {} },
  );
  const fromFile = resolveServerConfig({ config: file }, {});
  assert.equal(fromFile.port, 7000);
  assert.equal(fromFile.logLevel, 'debug');
  assert.equal(fromFile.maxPushQueriesPerUser, 5);
  assert.equal(fromFile.tlsCert, 'c.pem');
  assert.deepEqual(fromFile.properties, { 'ksql.persistence.wrap.single.values': 'false', 'ksql.functions.collect_list.limit': '10' });
  const fromEnv = resolveServerConfig({ config: file }, { RIFFLE_LISTEN: '0.0.0.0:7100', RIFFLE_LOG_LEVEL: 'warn' });
  assert.deepEqual([fromEnv.host, fromEnv.port, fromEnv.logLevel], ['0.0.0.0', 7100, 'warn']);
  const fromFlags = resolveServerConfig({ config: file, listen: '[::1]:7200', 'allow-insecure-remote': true }, { RIFFLE_LISTEN: '0.0.0.0:7100' });
  assert.deepEqual([fromFlags.host, fromFlags.port, fromFlags.allowInsecureRemote], ['::1', 7200, true]);
  assert.throws(() => resolveServerConfig({ listen: 'nope' }, {}), /HOST:PORT/);
  assert.throws(() => resolveServerConfig({ 'log-level': 'loud' }, {}), /Unknown log level/);
  assert.throws(() => resolveServerConfig({ config: join(dir, 'missing.json') }, {}), /Cannot read the server config/);
});

test("ASSERT TOPIC answers ksqlDB's assert_topic entity, and 417 (error 41700) when the assertion does not hold", async () => {
  const ok = await ksql(ts.url, "ASSERT TOPIC 's' WITH (PARTITIONS=1);");
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, [{ '@type': 'assert_topic', statementText: "ASSERT TOPIC 's' WITH (PARTITIONS=1);", warnings: [], topicName: 's', exists: true }]);
  const failed = await ksql(ts.url, 'ASSERT TOPIC missing TIMEOUT 0 SECONDS;');
  assert.equal(failed.status, 417);
  assert.deepEqual(failed.body, { '@type': 'generic_error', error_code: 41700, message: '1:1: Topic missing does not exist', entities: [] });
});
