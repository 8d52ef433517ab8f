/**
 * The npm `ksqldb-client` (HTTP/2 cleartext only) against a real Riffle server: list streams,
 * CREATE STREAM and TABLE, INSERT (statement and inserts-stream), a push query with LIMIT, an
 * open-ended push query closed by the client, a pull query, TERMINATE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startTestServer, until, sleep } from './helpers.ts';

const require = createRequire(import.meta.url);
const KsqldbClient = require('ksqldb-client');

test('ksqldb-client scenario', async () => {
  const ts = await startTestServer();
  const client = new KsqldbClient({ host: 'http://127.0.0.1', port: ts.port });
  await client.connect();
  try {
    // Like ksqlDB's KSQL_PROCESSING_LOG, the processing log is a stream from the start.
    assert.deepEqual((await client.listStreams()).map((s: { name: string }) => s.name), ['RIFFLE_PROCESSING_LOG']);
    const created = await client.executeStatement(
      "CREATE STREAM readings (device STRING KEY, temp DOUBLE) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);",
    );
    assert.equal(created.status, 200, JSON.stringify(created));
    assert.equal(created.data.rows[0]['@type'], 'currentStatus');
    assert.equal(created.data.rows[0].commandStatus.status, 'SUCCESS');
    const streams = (await client.listStreams()).filter((s: { name: string }) => s.name !== 'RIFFLE_PROCESSING_LOG');
    assert.deepEqual(streams.map((s: { name: string }) => s.name), ['READINGS']);
    assert.equal(streams[0].topic, 'readings');

    const table = await client.executeStatement(
      "CREATE TABLE latest WITH (KAFKA_TOPIC='latest') AS SELECT device, LATEST_BY_OFFSET(temp) AS temp, COUNT(*) AS n FROM readings GROUP BY device;",
      { streamsProperties: { 'ksql.streams.auto.offset.reset': 'earliest' } },
    );
    assert.equal(table.status, 200, JSON.stringify(table));
    const queryId = table.data.rows[0].commandStatus.queryId;
    assert.match(queryId, /^CTAS_LATEST/);
    assert.deepEqual((await client.listTables()).map((t: { name: string }) => t.name), ['LATEST']);

    const inserted = await client.executeStatement("INSERT INTO readings (device, temp) VALUES ('d1', 20.5);");
    assert.equal(inserted.status, 200, JSON.stringify(inserted));
    const viaStream = await client.insertInto('readings', { DEVICE: 'd2', TEMP: 30 });
    assert.equal(viaStream.status, 200, JSON.stringify(viaStream));
    assert.equal(viaStream.data.rows[0].status, 'ok');
    await client.insertInto('readings', { device: 'd1', temp: 22.5 });

    // Push query with LIMIT, from the beginning: the three rows in order, then the response ends.
    const rows: unknown[] = [];
    const limited = await client.streamQuery(
      'SELECT device, temp FROM readings EMIT CHANGES LIMIT 3;',
      (d: { rows?: Record<string, unknown>[] }) => rows.push(...(d.rows ?? [])),
      { properties: { 'auto.offset.reset': 'earliest' } },
    );
    assert.equal(limited.status, 200);
    assert.deepEqual(rows, [
      { DEVICE: 'd1', TEMP: 20.5 },
      { DEVICE: 'd2', TEMP: 30 },
      { DEVICE: 'd1', TEMP: 22.5 },
    ]);

    // Open-ended push query, closed by the client with /close-query.
    const live: Record<string, unknown>[] = [];
    let liveQueryId: string | null = null;
    const open = client.streamQuery('SELECT * FROM readings EMIT CHANGES;', (d: { metadata?: { queryId: string }; rows?: Record<string, unknown>[] }) => {
      liveQueryId = d.metadata?.queryId ?? liveQueryId;
      live.push(...(d.rows ?? []));
    });
    await until(() => liveQueryId, 10000, 'the push query header');
    await until(() => ts.server.queries.size === 1, 5000, 'the push query to register');
    await sleep(300);
    await client.insertInto('readings', { device: 'd3', temp: 40 });
    await until(() => live.length >= 1, 10000, 'a live row');
    assert.deepEqual(live[0], { DEVICE: 'd3', TEMP: 40 });
    const closed = await client.terminatePushQuery(liveQueryId);
    assert.equal(closed.status, 200);
    const ended = await open;
    assert.equal(ended.status, 200);
    await until(() => ts.server.queries.size === 0, 5000, 'the push query to end');

    // Pull query on the table once the persistent query has caught up.
    const pulled = await until(async () => {
      const r = await client.query("SELECT * FROM latest WHERE device = 'd1';");
      return r.status === 200 && r.data.rows.length === 1 && r.data.rows[0].N === 2 ? r : null;
    }, 15000, 'the table to hold d1');
    assert.deepEqual(pulled.data.rows[0], { DEVICE: 'd1', TEMP: 22.5, N: 2 });
    assert.deepEqual(pulled.data.metadata.columnNames, ['DEVICE', 'TEMP', 'N']);
    // A pull query through the streaming call: one HTTP/2 frame per row too.
    const streamed: Record<string, unknown>[] = [];
    const pullStream = await client.streamQuery('SELECT device, n FROM latest;', (d: { rows?: Record<string, unknown>[] }) => streamed.push(...(d.rows ?? [])));
    assert.equal(pullStream.status, 200);
    assert.deepEqual(streamed.sort((a, b) => String(a.DEVICE).localeCompare(String(b.DEVICE))), [
      { DEVICE: 'd1', N: 2 },
      { DEVICE: 'd2', N: 1 },
      { DEVICE: 'd3', N: 1 },
    ]);

    const queries = await client.listQueries();
    assert.deepEqual(queries.map((q: { id: string }) => q.id), [queryId]);
    const terminated = await client.executeStatement(`TERMINATE ${queryId};`);
    assert.equal(terminated.status, 200, JSON.stringify(terminated));
    assert.deepEqual(await client.listQueries(), []);

    // A bad statement comes back in ksqlDB's error shape, with line:column.
    const bad = await client.executeStatement('CREATE STREAM oops (x INT) WITH (KAFKA_TOPIC=);');
    assert.equal(bad.status, 400);
    assert.equal(bad.error['@type'], 'statement_error');
    assert.equal(bad.error.error_code, 40001);
    assert.match(bad.error.message, /^1:\d+/);
  } finally {
    await client.disconnect();
    await ts.close();
  }
});
