/**
 * The server on Apache Kafka: the same REST API over an engine whose log is a Kafka cluster (a
 * namespace of its own): statements, a persistent query, inserts and a push query.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KafkaLog } from '../../src/log/kafka/index.ts';
import { RiffleServer } from '../../src/server/server.ts';
import { createLogger } from '../../src/server/logger.ts';
import { kafkaTestEngine, openTestLog, removeNamespace, type KafkaTestEngine } from './helpers.ts';

let shared: KafkaLog;
let t: KafkaTestEngine;
let server: RiffleServer;

before(async () => {
  shared = await openTestLog();
  t = await kafkaTestEngine(shared, { background: true });
  server = new RiffleServer({ engine: t.engine, port: 0, logger: createLogger('silent') });
  await server.start();
});

after(async () => {
  await server?.stop();
  await t?.close();
  if (t) await removeNamespace(t.log);
  await shared?.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

test('statements, inserts and push queries over Kafka', { timeout: 120_000 }, async () => {
  const created = await post('/ksql', {
    ksql: "CREATE STREAM readings (id STRING KEY, temp DOUBLE) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=2); CREATE STREAM hot AS SELECT id, temp FROM readings WHERE temp > 30;",
    streamsProperties: { 'auto.offset.reset': 'earliest' },
  });
  assert.equal(created.status, 200, created.text);
  const ins = await post('/inserts-stream', '{"target":"READINGS"}\n{"ID":"a","TEMP":20}\n{"ID":"b","TEMP":35}\n{"ID":"c","TEMP":40}\n');
  assert.equal(ins.status, 200, ins.text);
  assert.equal(ins.text.trim().split('\n').filter((l) => JSON.parse(l).status === 'ok').length, 3);
  const q = await post('/query-stream', { sql: 'SELECT id, temp FROM hot EMIT CHANGES LIMIT 2;', properties: { 'auto.offset.reset': 'earliest' } });
  assert.equal(q.status, 200, q.text);
  const rows = q.text.trim().split('\n').slice(1).map((l) => JSON.parse(l));
  assert.deepEqual(rows.sort(), [['b', 35], ['c', 40]]);
  const shown = JSON.parse((await post('/ksql', { ksql: 'SHOW QUERIES;' })).text);
  assert.equal(shown[0].queries[0].state, 'RUNNING');
});
