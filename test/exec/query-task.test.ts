/**
 * The query task's batch handling on the embedded log: a stateless pipeline takes a batch in
 * slices (src/exec/query-task.ts), which must give exactly the rows of the whole batch, in order,
 * with bad records skipped one by one; commit.interval.ms applies to stateless queries too
 * (0, the default: a commit after every batch); at-least-once outputs on a remote log linger
 * between commit points (src/exec/delivery.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/index.ts';
import type { Log } from '../../src/log/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import { queryGroupId } from '../../src/engine/persistent.ts';
import { readTopic, removeDir } from '../engine/helpers.ts';

const DDL = `CREATE STREAM src (id BIGINT, price BIGINT, channel STRING) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', PARTITIONS=1);`;

async function open(properties: Record<string, string> = {}): Promise<{ dir: string; log: EmbeddedLog; engine: Engine }> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-qt-'));
  const log = await openEmbeddedLog(join(dir, 'log'));
  const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest', ...properties } });
  await engine.execute(DDL);
  return { dir, log, engine };
}

/** Record i of the input: lower-case field names (matched case-insensitively); every 97th is not JSON. */
function input(i: number): Buffer {
  if (i % 97 === 50) return Buffer.from(`{"id": ${i}, "price": `);
  return Buffer.from(JSON.stringify({ id: i, price: i * 3, channel: ['a', 'b', 'c'][i % 3] }));
}

async function produce(log: EmbeddedLog, from: number, to: number): Promise<void> {
  const records = [];
  for (let i = from; i < to; i++) records.push({ key: null, value: input(i), timestamp: 1_000 + i });
  await log.producer().send('src', records);
}

test('a stateless query over batches of several slices: the rows of the whole batch, in order, bad records skipped alone', async () => {
  const { dir, log, engine } = await open();
  try {
    const N = 4321; // two full batches of 2,000 (four slices each) and a partial one
    await produce(log, 0, N);
    await engine.execute(`CREATE STREAM out AS SELECT id, price * 2 AS p2, UCASE(channel) AS ch FROM src WHERE channel <> 'b';`);
    const task = [...engine.tasks.values()][0];
    while (task.consumed < N) assert.ok((await task.step(200)) > 0, 'the query stopped before its input was read');
    const expected: string[] = [];
    for (let i = 0; i < N; i++) {
      if (i % 97 === 50 || i % 3 === 1) continue;
      expected.push(JSON.stringify({ ID: i, P2: i * 6, CH: ['A', 'B', 'C'][i % 3] }));
    }
    const out = (await readTopic(log, 'OUT')).map((r) => Buffer.from(r.value!).toString());
    assert.deepEqual(out, expected);
    assert.equal(task.emitted, expected.length);
    const bad = Math.floor((N - 50 - 1) / 97) + 1;
    assert.equal(task.errors.count, bad);
  } finally {
    await engine.close();
    await log.close();
    removeDir(dir);
  }
});

test('SELECT * passes rows through: same values, upper-case names, unknown fields dropped, types coerced', async () => {
  const { dir, log, engine } = await open();
  try {
    await log.producer().send('src', [
      { key: null, value: Buffer.from('{"id": 1, "price": "7", "channel": "x", "extra": true}'), timestamp: 1 },
      { key: null, value: Buffer.from('{"ID": 2, "Price": 8.9, "channel": null}'), timestamp: 2 },
      { key: null, value: null, timestamp: 3 },
    ]);
    await engine.execute(`CREATE STREAM copy AS SELECT * FROM src;`);
    const task = [...engine.tasks.values()][0];
    while (task.consumed < 3) assert.ok((await task.step(200)) > 0);
    const out = (await readTopic(log, 'COPY')).map((r) => (r.value === null ? null : Buffer.from(r.value).toString()));
    assert.deepEqual(out, ['{"ID":1,"PRICE":7,"CHANNEL":"x"}', '{"ID":2,"PRICE":8,"CHANNEL":null}', null]);
  } finally {
    await engine.close();
    await log.close();
    removeDir(dir);
  }
});

for (const interval of [0, 60_000]) {
  test(`a stateless query with commit.interval.ms=${interval} commits ${interval ? 'at the interval (and when stopped)' : 'after every batch'}`, async () => {
    const { dir, log, engine } = await open({ 'commit.interval.ms': String(interval) });
    try {
      await produce(log, 0, 3000);
      await engine.execute(`CREATE STREAM out AS SELECT id FROM src;`);
      const task = [...engine.tasks.values()][0];
      const group = queryGroupId(engine.serviceId, task.queryId);
      const committed = async () => (await log.committed(group, 'src'))[0]?.offset ?? 0;
      await task.step(200);
      await task.step(200);
      assert.equal(task.consumed, 3000);
      // With an interval, neither batch commits before it has passed.
      assert.equal(await committed(), interval ? 0 : 3000);
      await task.commitPending();
      assert.equal(await committed(), 3000);
    } finally {
      await engine.close();
      await log.close();
      removeDir(dir);
    }
  });
}

test('at-least-once with commit.interval.ms > 0 on a remote log: outputs linger between commit points but are written before their offsets commit, and when the query is idle', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-qt-'));
  const log = await openEmbeddedLog(join(dir, 'log'));
  // The embedded log seen as a remote one (as Kafka is: not in a local directory of this process).
  const remote: Log = Object.create(log, { capabilities: { value: { ...log.capabilities, localDirectory: null } } });
  const engine = await Engine.open({ log: remote, stateDir: join(dir, 'state'), background: false, properties: { 'auto.offset.reset': 'earliest', 'commit.interval.ms': '60000', 'processing.guarantee': 'at_least_once' } });
  await engine.execute(DDL);
  try {
    const N = 5000;
    await produce(log, 0, N);
    await engine.execute(`CREATE STREAM out AS SELECT id FROM src;`);
    const task = [...engine.tasks.values()][0];
    const group = queryGroupId(engine.serviceId, task.queryId);
    const committed = async () => (await log.committed(group, 'src'))[0]?.offset ?? 0;
    const written = async () => (await log.offsets('OUT')).reduce((n, p) => n + p.end, 0);
    const good = N - (Math.floor((N - 50 - 1) / 97) + 1);
    let writes = 0;
    const sizes: number[] = [];
    const seen = (n: number) => n !== writes && sizes.push(n - writes) && (writes = n);
    while (task.consumed < N) {
      assert.ok((await task.step(200)) > 0);
      seen(await written());
      assert.equal(await committed(), 0, 'nothing committed before the interval');
    }
    // Idle: what lingered goes out, though the interval has not passed.
    assert.equal(await task.step(50), 0);
    seen(await written());
    assert.equal(writes, good, `every output written once idle (writes of ${sizes.join(', ')} records)`);
    assert.ok(sizes.length < 3, `three batches of input in fewer writes: ${sizes.join(', ')}`);
    assert.equal(await committed(), 0);
    await task.commitPending();
    assert.equal(await committed(), N);
    assert.deepEqual((await readTopic(log, 'OUT')).map((r) => JSON.parse(Buffer.from(r.value!).toString()).ID as number), [...Array(N).keys()].filter((i) => i % 97 !== 50));
  } finally {
    await engine.close();
    await log.close();
    removeDir(dir);
  }
});
