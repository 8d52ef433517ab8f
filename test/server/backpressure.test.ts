/**
 * Backpressure and clean-up of push queries, through the one delivery path
 * (engine/push-delivery.ts): `riffle run` into a pipe nobody reads keeps its RSS flat; an HTTP
 * client that stops reading pauses its query (bounded memory) and, when it reads again, gets
 * every row in order; a client that disconnects ends its query with nothing left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { startTestServer, ksql, sleep, until } from './helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'riffle.js');
const N = 300_000;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function fill(dir: string, topic: string, n: number): Promise<void> {
  const log = await openEmbeddedLog(dir);
  await log.createTopic(topic, { partitions: 1 });
  const producer = log.producer();
  const pad = 'x'.repeat(100);
  for (let i = 0; i < n; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) batch.push({ key: Buffer.from(`k${j % 100}`), value: Buffer.from(JSON.stringify({ N: j, PAD: pad })), timestamp: 1_700_000_000_000 + j });
    await producer.send(topic, batch);
  }
  await producer.close();
  await log.close();
}

test('riffle run: a push query into a pipe nobody reads keeps RSS flat', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-bp-run-'));
  try {
    await fill(dir, 'big', N);
    const script = join(dir, 'q.sql');
    writeFileSync(script, "CREATE STREAM big (k STRING KEY, n BIGINT, pad STRING) WITH (KAFKA_TOPIC='big', VALUE_FORMAT='JSON');\nSET 'auto.offset.reset' = 'earliest';\nSELECT k, n, pad FROM big EMIT CHANGES;\n");
    // stdout is a pipe this test never reads.
    const child = spawn(process.execPath, [BIN, 'run', script, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.pause();
    try {
      await sleep(4000);
      const early = rssMb(child.pid!);
      await sleep(6000);
      const late = rssMb(child.pid!);
      // Without backpressure the whole topic's output (~50 MB of text) piles up in the process.
      assert.ok(late - early < 25, `RSS grew from ${early.toFixed(0)} to ${late.toFixed(0)} MB`);
      assert.ok(late < 300, `RSS ${late.toFixed(0)} MB`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HTTP: a client that stops reading pauses its query; reading again gets every row in order', { timeout: 120_000 }, async () => {
  const ts = await startTestServer();
  try {
    const r = await ksql(ts.url, "CREATE STREAM big (k STRING KEY, n BIGINT, pad STRING) WITH (KAFKA_TOPIC='big', VALUE_FORMAT='JSON', PARTITIONS=1);");
    assert.equal(r.status, 200);
    const producer = ts.server.engine.log.producer();
    const pad = 'x'.repeat(100);
    for (let i = 0; i < N; i += 10_000) {
      const batch = [];
      for (let j = i; j < Math.min(N, i + 10_000); j++) batch.push({ key: Buffer.from(`k${j % 100}`), value: Buffer.from(JSON.stringify({ N: j, PAD: pad })), timestamp: 1_700_000_000_000 + j });
      await producer.send('big', batch);
    }
    await producer.close();
    const before = process.memoryUsage().rss / 1048576;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(ts.url + '/query-stream', { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify({ sql: 'SELECT n, pad FROM big EMIT CHANGES;', properties: { 'auto.offset.reset': 'earliest' } }));
    });
    assert.equal(res.statusCode, 200);
    res.pause();
    await sleep(5000);
    const paused = process.memoryUsage().rss / 1048576;
    // The whole output is ~40 MB of JSON; without backpressure it would sit in the server's buffers.
    assert.ok(paused - before < 60, `RSS grew by ${(paused - before).toFixed(0)} MB while the client did not read`);
    let pending = '';
    let header = false;
    let next = 0;
    for await (const chunk of res) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!header) {
          header = true;
          continue;
        }
        const [n] = JSON.parse(line);
        assert.equal(n, next);
        next++;
      }
      if (next === N) break;
    }
    assert.equal(next, N);
    res.destroy();
    await until(() => ts.server.queries.size === 0, 10000, 'the push query to end after the disconnect');
  } finally {
    await ts.close();
  }
});

test('riffle run as a client: a push query into a pipe nobody reads holds back the server too', { timeout: 120_000 }, async () => {
  const ts = await startTestServer();
  try {
    const r = await ksql(ts.url, "CREATE STREAM big (k STRING KEY, n BIGINT, pad STRING) WITH (KAFKA_TOPIC='big', VALUE_FORMAT='JSON', PARTITIONS=1);");
    assert.equal(r.status, 200);
    const producer = ts.server.engine.log.producer();
    const pad = 'x'.repeat(100);
    for (let i = 0; i < N; i += 10_000) {
      const batch = [];
      for (let j = i; j < Math.min(N, i + 10_000); j++) batch.push({ key: Buffer.from(`k${j % 100}`), value: Buffer.from(JSON.stringify({ N: j, PAD: pad })), timestamp: 1_700_000_000_000 + j });
      await producer.send('big', batch);
    }
    await producer.close();
    const script = join(ts.dir, 'q.sql');
    writeFileSync(script, "SET 'auto.offset.reset' = 'earliest';\nSELECT k, n, pad FROM big EMIT CHANGES;\n");
    const before = process.memoryUsage().rss / 1048576;
    const child = spawn(process.execPath, [BIN, 'run', script, '--server', ts.url], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.pause();
    try {
      await until(() => ts.server.queries.size === 1, 10000, 'the push query on the server');
      await sleep(3000);
      const early = rssMb(child.pid!);
      const serverEarly = process.memoryUsage().rss / 1048576;
      await sleep(4000);
      const late = rssMb(child.pid!);
      const serverLate = process.memoryUsage().rss / 1048576;
      assert.ok(late - early < 25, `client RSS grew from ${early.toFixed(0)} to ${late.toFixed(0)} MB`);
      assert.ok(serverLate - serverEarly < 25 && serverLate - before < 120, `server RSS ${before.toFixed(0)} -> ${serverEarly.toFixed(0)} -> ${serverLate.toFixed(0)} MB`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await until(() => ts.server.queries.size === 0, 10000, 'the server to end the push query after the client went away');
  } finally {
    await ts.close();
  }
});

test('a disconnecting client ends its push query, with its state and internal topics', { timeout: 60_000 }, async () => {
  const ts = await startTestServer();
  try {
    const r = await ksql(ts.url, "CREATE STREAM s (k STRING KEY, g STRING, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2); INSERT INTO s (k, g, v) VALUES ('a', 'x', 1);");
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const topicsBefore = (await ts.server.engine.log.listTopics()).map((t) => t.name).sort();
    for (const sql of ['SELECT * FROM s EMIT CHANGES;', 'SELECT g, COUNT(*) AS c FROM s GROUP BY g EMIT CHANGES;']) {
      const c = new AbortController();
      const res = await fetch(ts.url + '/query-stream', { method: 'POST', body: JSON.stringify({ sql, properties: { 'auto.offset.reset': 'earliest' } }), headers: { 'content-type': 'application/json' }, signal: c.signal });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n[')) text += new TextDecoder().decode((await reader.read()).value);
      assert.equal(ts.server.queries.size, 1);
      c.abort();
      await until(() => ts.server.queries.size === 0, 10000, `the query ${sql} to end`);
    }
    await until(async () => {
      const now = (await ts.server.engine.log.listTopics()).map((t) => t.name).sort();
      return JSON.stringify(now) === JSON.stringify(topicsBefore);
    }, 10000, 'the repartition topics of the push queries to be deleted');
    assert.deepEqual(ts.server.engine.stores.stats().filter((s) => s.queryId.startsWith('transient_')), []);
  } finally {
    await ts.close();
  }
});
