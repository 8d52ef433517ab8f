/**
 * Interop of the engine with an independent client, kcat (librdkafka): records produced with
 * `kcat -P` (keys, JSON values, headers; the timestamp is kcat's create time, or a JSON field
 * used as event time) are processed by a Riffle persistent query that reads a HEADER column, and
 * Riffle's output, read back with `kcat -C -J`, has the expected keys, values, headers and
 * timestamps. The engine runs in the background, as a deployed instance would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KafkaLog, NamespacedKafkaLog } from '../../src/log/kafka/index.ts';
import { kafkaTestEngine, type KafkaTestEngine, kcat, type KcatRecord, kcatConsume as kcatConsumeAll, openTestLog, removeNamespace } from './helpers.ts';

/** Riffle's output as kcat reads it: only committed records. */
const kcatConsume = (topic: string) => kcatConsumeAll(topic, ['-X', 'isolation.level=read_committed']);

/** Waits until kcat sees `count` records in the topic (the engine works in the background). */
async function kcatAwait(topic: string, count: number, timeoutMs = 30_000): Promise<KcatRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await kcatConsume(topic);
    if (got.length >= count) return got;
    if (Date.now() > deadline) throw new Error(`kcat saw ${got.length} of ${count} records in ${topic} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sortByKey = (rs: KcatRecord[]) => [...rs].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '') || a.offset - b.offset);

describe('engine interop with kcat', { timeout: 120_000 }, () => {
  let shared: KafkaLog;
  let t: KafkaTestEngine;
  let ns: NamespacedKafkaLog;
  let input: KcatRecord[];

  before(async () => {
    shared = await openTestLog();
    t = await kafkaTestEngine(shared, { background: true });
    ns = t.log;
    await t.engine.execute(`
      CREATE STREAM clicks (user STRING KEY, page STRING, ms INT, event_ts BIGINT, source BYTES HEADER('source'))
        WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=2);
      CREATE STREAM slow AS SELECT user, page, ms, FROM_BYTES(source, 'utf8') AS src, ROWTIME AS rt FROM clicks WHERE ms > 100;
      CREATE STREAM clicks_by_event_time WITH (TIMESTAMP='EVENT_TS') AS SELECT user, page, event_ts FROM clicks;`);
    // Two kcat runs: -H applies to every record of a run. murmur2_random: Java's partitioner.
    const common = ['-P', '-t', ns.topic('clicks'), '-K', '|', '-X', 'partitioner=murmur2_random'];
    await kcat([...common, '-H', 'source=web', '-H', 'trace=t1'], ['u1|{"page":"/home","ms":120,"event_ts":1700000000000}', 'u2|{"page":"/cart","ms":80,"event_ts":1700000001000}', 'u1|{"page":"/pay","ms":300,"event_ts":1700000002000}'].join('\n') + '\n');
    await kcat([...common, '-H', 'source=mobile'], ['u3|{"page":"/home","ms":150,"event_ts":1700000003000}', 'u2|not json', 'u4|{"page":"/faq","ms":101,"event_ts":1700000004000}'].join('\n') + '\n');
    input = await kcatConsume(ns.topic('clicks'));
    assert.equal(input.length, 6);
  });

  after(async () => {
    await t?.close();
    if (ns) await removeNamespace(ns);
    await shared?.close();
  });

  test('filter + projection with a HEADER column: keys, values and timestamps as kcat sees them', async () => {
    const out = sortByKey(await kcatAwait(ns.topic('SLOW'), 4));
    assert.deepEqual(
      out.map((r) => [r.key, JSON.parse(r.payload!)]),
      [
        ['u1', { PAGE: '/home', MS: 120, SRC: 'web', RT: input.find((i) => i.payload!.includes('/home') && i.key === 'u1')!.ts }],
        ['u1', { PAGE: '/pay', MS: 300, SRC: 'web', RT: input.find((i) => i.payload!.includes('/pay'))!.ts }],
        ['u3', { PAGE: '/home', MS: 150, SRC: 'mobile', RT: input.find((i) => i.key === 'u3')!.ts }],
        ['u4', { PAGE: '/faq', MS: 101, SRC: 'mobile', RT: input.find((i) => i.key === 'u4')!.ts }],
      ],
    );
    for (const r of out) {
      // The output record keeps the input record's timestamp (kcat's create time) as a CreateTime.
      const source = input.find((i) => i.key === r.key && JSON.parse(i.payload!).page === JSON.parse(r.payload!).PAGE)!;
      assert.equal(r.tstype, 'create');
      assert.equal(r.ts, source.ts);
      // Same key, same partition as kcat's (Java-compatible) partitioner chose for the input.
      assert.equal(r.partition, source.partition);
      // Headers of the input travel to the output (checked in the next test).
    }
    // The malformed record went to the processing log; the query kept running.
    assert.equal(t.engine.tasks.get('CSAS_SLOW_0')?.state, 'RUNNING');
  });

  test('TIMESTAMP from a JSON field becomes the output record timestamp', async () => {
    const out = sortByKey(await kcatAwait(ns.topic('CLICKS_BY_EVENT_TIME'), 5));
    assert.deepEqual(
      out.map((r) => [r.key, r.ts, JSON.parse(r.payload!).EVENT_TS]),
      [
        ['u1', 1700000000000, 1700000000000],
        ['u1', 1700000002000, 1700000002000],
        ['u2', 1700000001000, 1700000001000],
        ['u3', 1700000003000, 1700000003000],
        ['u4', 1700000004000, 1700000004000],
      ],
    );
  });

  test('kcat -f reads the same output as the JSON envelope', async () => {
    const text = await kcat(['-C', '-t', ns.topic('SLOW'), '-o', 'beginning', '-e', '-q', '-f', '%k\t%T\t%s\n']);
    const lines = text.trim().split('\n').sort();
    const fromJson = (await kcatConsume(ns.topic('SLOW'))).map((r) => `${r.key}\t${r.ts}\t${r.payload}`).sort();
    assert.deepEqual(lines, fromJson);
  });

  test('output records carry the input headers (ksqlDB forwards them)', async () => {
    const out = await kcatAwait(ns.topic('SLOW'), 4);
    for (const r of out) {
      const expected = r.key === 'u1' ? ['source', 'web', 'trace', 't1'] : ['source', 'mobile'];
      assert.deepEqual(r.headers, expected);
    }
  });
});
