/**
 * Models in the engine against the in-process fake server: CREATE/SHOW/DESCRIBE/ALTER/DROP MODEL,
 * PREDICT in persistent and push queries, the ON_ERROR policies, and the command log replay.
 * The real servers are exercised by it/ml/engine-*.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from '../engine/helpers.ts';
import type { TestEngine } from '../engine/helpers.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { PROCESSING_LOG_TOPIC } from '../../src/exec/processing-log.ts';
import { closeModels } from '../../src/engine/model-registry.ts';
import type { Row } from '../../src/exec/expr/row.ts';
import { startFake, v2Sum } from './fake-server.ts';
import type { FakeReply, FakeRequest, FakeServer } from './fake-server.ts';

const FAST = "RETRIES = 1, RETRY_BACKOFF = '1ms', RETRY_BACKOFF_MAX = '2ms', BREAKER_FAILURES = 0";

/** v2Sum, except that a batch containing a row whose first feature is 13 is rejected with a 400 (bisected down to that row). */
function poisonSum(req: FakeRequest): FakeReply {
  if (req.method === 'POST') {
    const t = req.body.inputs[0] as { shape: number[]; data: number[] };
    const k = t.data.length / t.shape[0];
    for (let r = 0; r < t.shape[0]; r++) if (t.data[r * k] === 13) return { status: 400, body: { error: 'feature a = 13 is out of range' } };
  }
  return v2Sum(req);
}

async function withEngine(fn: (t: TestEngine, fake: FakeServer) => Promise<void>, handler = poisonSum): Promise<void> {
  const fake = await startFake(handler);
  const t = await testEngine();
  try {
    await fn(t, fake);
  } finally {
    await closeModels(t.engine);
    await t.close();
    await fake.close();
    removeDir(t.dir);
  }
}

const SETUP = `CREATE STREAM readings (id STRING KEY, a DOUBLE, b DOUBLE, c DOUBLE) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);`;

async function insert(t: TestEngine, from: number, to: number): Promise<void> {
  const rows = [];
  for (let i = from; i < to; i++) rows.push(`INSERT INTO readings (id, a, b, c) VALUES ('r${i}', ${i}, 1.0, 0.5);`);
  await t.engine.execute(rows.join('\n'));
}

const values = async (t: TestEngine, topic: string) => (await readTopic(t.log, topic)).map((r) => JSON.parse(text(r.value)!));

test('CREATE MODEL discovers INPUT/OUTPUT; SHOW, DESCRIBE; PREDICT in a persistent query; replay needs no server', async () => {
  const fake = await startFake(v2Sum);
  const t = await testEngine();
  try {
    await t.engine.execute(SETUP);
    const [created] = await t.engine.execute(`CREATE MODEL summer WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', BATCH_SIZE = 4);`);
    assert.equal(created.kind === 'message' && created.message, 'Created model SUMMER.');
    const info = t.engine.catalog.models.get('SUMMER')!;
    assert.deepEqual(info.inputs.map((c) => c.name), ['INPUT_0_0', 'INPUT_0_1', 'INPUT_0_2']);
    assert.deepEqual(info.outputs.map((c) => c.name), ['SCORE']);
    const [shown] = await t.engine.execute('SHOW MODELS;');
    assert.deepEqual(shown.kind === 'table' && shown.rows, [['SUMMER', 'kserve-v2', fake.url, '']]);

    await insert(t, 0, 10);
    await t.engine.execute('CREATE STREAM scored AS SELECT id, PREDICT(summer, a, b, c)->score AS s FROM readings;');
    await t.engine.runUntilIdle();
    assert.deepEqual((await values(t, 'SCORED')).map((v) => v.S), Array.from({ length: 10 }, (_, i) => i + 1.5));

    const [d] = await t.engine.execute('DESCRIBE MODEL summer;');
    assert.equal(d.kind, 'text');
    const txt = d.kind === 'text' ? d.text : '';
    assert.match(txt, /Health\s+: ready/);
    assert.match(txt, /Requests\s+: 3 \(0 failed/, 'three batches of at most 4 rows');
    assert.match(txt, /Rows\s+: 10 \(10 predicted, 0 failed\)/);
    assert.match(txt, /Used by queries\s+: CSAS_SCORED_\d+/);
    assert.match(txt, / SCORE \| DOUBLE/);

    // Restart on the same log with the server gone: the catalog comes back from the command log.
    await closeModels(t.engine);
    await t.close();
    await fake.close();
    const t2 = await testEngine({}, t.dir);
    try {
      const again = t2.engine.catalog.models.get('SUMMER')!;
      assert.deepEqual(again.inputs, info.inputs);
      assert.deepEqual(again.outputs, info.outputs);
      assert.match(again.sql, /RIFFLE_DISCOVERED/);
      assert.equal((again.spec as { inputs: unknown }).inputs, null, 'the spec still discovers at open');
    } finally {
      await closeModels(t2.engine);
      await t2.close();
    }
  } finally {
    await t.log.close().catch(() => {});
    await fake.close();
    removeDir(t.dir);
  }
});

test('ON_ERROR = SKIP drops the bad row with a processing-log entry; the others are predicted in order', () =>
  withEngine(async (t, fake) => {
    await t.engine.execute(`${SETUP}
      CREATE MODEL m INPUT (a DOUBLE, b DOUBLE, c DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', ON_ERROR = 'SKIP', ${FAST});
      CREATE STREAM out AS SELECT id, PREDICT(m, a, b, c)->score AS s FROM readings;`);
    await insert(t, 10, 16);
    await t.engine.runUntilIdle();
    assert.deepEqual((await values(t, 'OUT')).map((v) => v.S), [11.5, 12.5, 13.5, 15.5, 16.5]);
    const log = (await values(t, PROCESSING_LOG_TOPIC)).filter((e) => e.type === 'MODEL_ERROR');
    assert.equal(log.length, 1);
    assert.match(log[0].reason, /Model M: .*HTTP 400.*out of range.*ON_ERROR = 'SKIP': row dropped/);
    assert.equal(log[0].topic, 'readings');
    assert.equal(log[0].offset, 3);
  }));

test('ON_ERROR = ERROR_COLUMNS keeps the row: null outputs plus ML_ERROR, ML_ERROR_CODE, ML_ATTEMPTS; ML_PREDICT form', () =>
  withEngine(async (t, fake) => {
    await t.engine.execute(`${SETUP}
      CREATE MODEL m INPUT (a DOUBLE, b DOUBLE, c DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', ON_ERROR = 'ERROR_COLUMNS', ${FAST});
      CREATE STREAM out AS SELECT * FROM ML_PREDICT(TABLE readings, MODEL m, DESCRIPTOR(a, b, c));`);
    await insert(t, 12, 15);
    await t.engine.runUntilIdle();
    const out = await values(t, 'OUT');
    assert.equal(out.length, 3);
    assert.deepEqual(out[0], { A: 12, B: 1, C: 0.5, SCORE: 13.5, ML_ERROR: null, ML_ERROR_CODE: null, ML_ATTEMPTS: null });
    assert.equal(out[1].SCORE, null);
    assert.match(out[1].ML_ERROR, /HTTP 400/);
    assert.equal(out[1].ML_ERROR_CODE, 'http');
    assert.equal(out[1].ML_ATTEMPTS, 3, 'the batch, then halves holding the row until it is alone (400s are bisected, not retried)');
    assert.equal(out[2].SCORE, 15.5);
  }));

test('ON_ERROR = DEAD_LETTER writes the row, the reason and its position to the dead-letter topic', () =>
  withEngine(async (t, fake) => {
    await t.engine.execute(`${SETUP}
      CREATE MODEL m INPUT (a DOUBLE, b DOUBLE, c DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', ON_ERROR = 'DEAD_LETTER', DEAD_LETTER_TOPIC = 'bad_rows', ${FAST});
      CREATE STREAM out AS SELECT id, PREDICT(m, a, b, c)->score AS s FROM readings;`);
    await insert(t, 12, 15);
    await t.engine.runUntilIdle();
    assert.deepEqual((await values(t, 'OUT')).map((v) => v.S), [13.5, 15.5]);
    const dead = await readTopic(t.log, 'bad_rows');
    assert.equal(dead.length, 1);
    assert.equal(text(dead[0].key), '{"ID":"r13"}');
    const d = JSON.parse(text(dead[0].value)!);
    assert.equal(d.model, 'M');
    assert.equal(d.topic, 'readings');
    assert.equal(d.partition, 0);
    assert.equal(d.offset, 1);
    assert.equal(d.code, 'http');
    assert.match(d.reason, /out of range/);
    assert.deepEqual(d.row, { ID: 'r13', A: 13, B: 1, C: 0.5 });
    // Offsets were committed after the dead letter was written.
    const committed = await t.log.committed(`riffle_default_query_${[...t.engine.tasks.keys()][0]}`, 'readings');
    assert.equal(committed[0]?.offset, 3);
  }));

test('ON_ERROR = FAIL (default) fails the query with the reason and commits nothing of the batch', () =>
  withEngine(async (t, fake) => {
    await t.engine.execute(`${SETUP}
      CREATE MODEL m INPUT (a DOUBLE, b DOUBLE, c DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', ${FAST});
      CREATE STREAM out AS SELECT id, PREDICT(m, a, b, c)->score AS s FROM readings;`);
    await insert(t, 0, 3);
    await t.engine.runUntilIdle();
    await insert(t, 12, 15);
    await assert.rejects(t.engine.runUntilIdle(), /Model M failed for the record at readings\/0@4: .*HTTP 400.*ON_ERROR = 'FAIL' stops the query/);
    assert.equal((await values(t, 'OUT')).length, 3, 'nothing of the failed batch was written');
    const committed = await t.log.committed(`riffle_default_query_${[...t.engine.tasks.keys()][0]}`, 'readings');
    assert.equal(committed[0]?.offset, 3, 'the failed batch is not committed');
  }));

test('WHERE PREDICT(...) filters; the row is predicted once; push queries predict too', () =>
  withEngine(async (t, fake) => {
    await t.engine.execute(`${SETUP}
      CREATE MODEL m INPUT (a DOUBLE, b DOUBLE, c DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum');
      CREATE STREAM big AS SELECT id, PREDICT(m, a, b, c)->score AS s FROM readings WHERE PREDICT(m, a, b, c)->score > 4;`);
    await insert(t, 0, 6);
    await t.engine.runUntilIdle();
    assert.deepEqual((await values(t, 'BIG')).map((v) => v.S), [4.5, 5.5, 6.5]);
    assert.equal(fake.requests.filter((r) => r.method === 'POST').reduce((n, r) => n + r.body.inputs[0].shape[0], 0), 6, 'six rows sent once each');

    const [res] = await t.engine.execute('SELECT id, PREDICT(m, a, b, c)->score AS s FROM readings EMIT CHANGES LIMIT 3;');
    assert.equal(res.kind, 'push');
    if (res.kind !== 'push') return;
    const got: Row[] = [];
    res.query.onRows = (rows) => got.push(...rows);
    res.query.start();
    await res.query.done;
    assert.deepEqual(got.map((r) => r.cols[1]), [1.5, 2.5, 3.5]);
  }));

test('ALTER MODEL switches a running query to a new endpoint; DROP MODEL is refused while a query uses it', () =>
  withEngine(async (t, fake) => {
    const other = await startFake((req) => {
      const r = v2Sum(req);
      if (!('body' in r) || req.method !== 'POST') return r;
      const body = r.body as { outputs: { data: number[] }[] };
      body.outputs[0].data = body.outputs[0].data.map((x) => x * 100);
      return r;
    });
    try {
      await t.engine.execute(`${SETUP}
        CREATE MODEL m INPUT (a DOUBLE, b DOUBLE, c DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum');
        CREATE STREAM out AS SELECT id, PREDICT(m, a, b, c)->score AS s FROM readings;`);
      await insert(t, 0, 2);
      await t.engine.runUntilIdle();
      const [altered] = await t.engine.execute(`ALTER MODEL m WITH (ENDPOINT = '${other.url}');`);
      assert.match(altered.kind === 'message' ? altered.message : '', /Running queries \(CSAS_OUT_\d+\) use the new options/);
      await insert(t, 2, 4);
      await t.engine.runUntilIdle();
      assert.deepEqual((await values(t, 'OUT')).map((v) => v.S), [1.5, 2.5, 350, 450]);

      await assert.rejects(t.engine.execute('DROP MODEL m;'), (e: unknown) => e instanceof SqlError && /^1:1: Cannot drop model M: it is used by running query CSAS_OUT_\d+\. Terminate it first/.test(e.message));
      await t.engine.execute(`TERMINATE ${[...t.engine.tasks.keys()][0]};`);
      await t.engine.execute('DROP MODEL m;');
      assert.equal(t.engine.catalog.models.size, 0);
      await assert.rejects(t.engine.execute('SELECT PREDICT(m, a, b, c) FROM readings EMIT CHANGES;'), /Model 'M' does not exist/);
    } finally {
      await other.close();
    }
  }));

test('CREATE MODEL errors: bad options point at the option; unreachable server for discovery; duplicates', () =>
  withEngine(async (t, fake) => {
    await assert.rejects(
      t.engine.execute(`CREATE MODEL m WITH (PROVIDER = 'kserve-v2',\n  ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', TIMEOUT = 'soon');`),
      (e: unknown) => e instanceof SqlError && e.code === 'INVALID' && /^2:\d+: model option TIMEOUT/.test(e.message),
    );
    await assert.rejects(
      t.engine.execute(`CREATE MODEL m WITH (PROVIDER = 'kserve-v2', ENDPOINT = 'http://127.0.0.1:9', MODEL_NAME = 'sum', TIMEOUT = '200ms');`),
      (e: unknown) => e instanceof SqlError && /Cannot open model M to discover its INPUT\/OUTPUT: .*declare INPUT/.test(e.message),
    );
    await t.engine.execute(`CREATE MODEL m WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum');`);
    await assert.rejects(t.engine.execute(`CREATE MODEL m WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum');`), (e: unknown) => e instanceof SqlError && e.code === 'EXISTS');
    await t.engine.execute(`CREATE MODEL IF NOT EXISTS m WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum');`);
    await t.engine.execute(`CREATE OR REPLACE MODEL m WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum', BATCH_SIZE = 7);`);
    assert.equal((t.engine.catalog.models.get('M')!.spec as { batchSize: number }).batchSize, 7);
    await assert.rejects(t.engine.execute('ALTER MODEL m WITH (BATCH_SIZE = 0);'), (e: unknown) => e instanceof SqlError && /^1:34: model option BATCH_SIZE: 0 is not >= 1/.test(e.message));
    await assert.rejects(t.engine.execute('ALTER MODEL nope WITH (BATCH_SIZE = 1);'), /Model 'NOPE' does not exist/);
  }));

test('PREDICT over a stream-table join takes columns of both sides', () =>
  withEngine(async (t, fake) => {
    await t.engine.execute(`${SETUP}
      CREATE TABLE limits (id STRING PRIMARY KEY, c DOUBLE) WITH (KAFKA_TOPIC = 'limits', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE MODEL m INPUT (x DOUBLE, y DOUBLE, z DOUBLE) OUTPUT (score DOUBLE) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${fake.url}', MODEL_NAME = 'sum');
      INSERT INTO limits (id, c) VALUES ('r1', 100.0);
      CREATE STREAM joined AS SELECT r.id, PREDICT(m, r.a, r.b, l.c)->score AS s FROM readings r JOIN limits l ON r.id = l.id;`);
    await t.engine.runUntilIdle();
    await insert(t, 0, 3);
    await t.engine.runUntilIdle();
    assert.deepEqual(await values(t, 'JOINED'), [{ S: 102 }]);
  }));
