import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { Authenticator } from '../../src/server/auth.ts';
import { h1, startTestServer, until, type TestServer } from './helpers.ts';

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const ADMIN = basic('alice', 'a-secret');
const READER = basic('bob', 'b-secret');
let ts: TestServer;

before(async () => {
  const auth = new Authenticator({
    users: [
      { name: 'alice', passwordHash: await hash('a-secret'), role: 'admin' },
      { name: 'bob', passwordHash: await hash('b-secret'), role: 'read-only' },
    ],
  });
  ts = await startTestServer({ authenticator: auth });
});

after(() => ts.close());

async function ksql(sql: string): Promise<void> {
  const r = await h1(ts.url, '/ksql', { ksql: sql }, ADMIN);
  assert.equal(r.status, 200, r.text);
}

test('whoami tells the caller its role; 401 without a browser challenge for the console', async () => {
  assert.deepEqual((await h1(ts.url, '/riffle/console/whoami', undefined, READER)).json(), { name: 'bob', role: 'read-only' });
  assert.deepEqual((await h1(ts.url, '/riffle/console/whoami', undefined, ADMIN)).json(), { name: 'alice', role: 'admin' });
  const plain = await h1(ts.url, '/riffle/console/whoami');
  assert.equal(plain.status, 401);
  assert.match(String(plain.headers.get('www-authenticate')), /Basic/);
  const fromConsole = await h1(ts.url, '/riffle/console/whoami', undefined, { 'x-requested-with': 'riffle-console' });
  assert.equal(fromConsole.status, 401);
  assert.equal(fromConsole.headers.get('www-authenticate'), null);
});

test('per-query records in and out, lag and processing errors', async () => {
  await ksql("CREATE STREAM src (id STRING KEY, v INT) WITH (KAFKA_TOPIC='src', PARTITIONS=1, VALUE_FORMAT='JSON');");
  await ksql('CREATE STREAM big AS SELECT id, v FROM src WHERE v > 10;');
  for (const v of [1, 20, 30]) await ksql(`INSERT INTO src (id, v) VALUES ('k', ${v});`);
  const bad = await h1(ts.url, '/riffle/topics/src/records', { records: [{ key: 'k', value: 'not json' }] }, ADMIN);
  assert.equal(bad.status, 200, bad.text);
  type Doc = { at: number; queries: { id: string; state: string; sink: string; sources: string[]; recordsIn: number; recordsOut: number; lag: number; processingErrors: number; lastProcessingError: string }[] };
  const q = await until(async () => {
    const doc = (await h1(ts.url, '/riffle/console/queries', undefined, READER)).json() as Doc;
    const found = doc.queries.find((x) => x.id.startsWith('CSAS_BIG'));
    return found && found.recordsIn === 4 && found.processingErrors === 1 && found.lag === 0 ? found : null;
  }, 15000, 'the query consumed the 4 records and committed');
  assert.equal(q.state, 'RUNNING');
  assert.equal(q.recordsOut, 2);
  assert.equal(q.sink, 'BIG');
  assert.deepEqual(q.sources, ['SRC']);
  assert.match(q.lastProcessingError, /DESERIALIZATION_ERROR at Source\/SRC/);
});

test('models: schema, and call statistics once a query calls one (an ONNX model run in process)', async () => {
  await ksql("CREATE STREAM labelled (id STRING KEY, x DOUBLE, label INT) WITH (KAFKA_TOPIC='labelled', PARTITIONS=1, VALUE_FORMAT='JSON');");
  await ksql("CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label') AS SELECT x, label FROM labelled;");
  for (let i = 0; i < 10; i++) await ksql(`INSERT INTO labelled (id, x, label) VALUES ('a', ${i}, ${i > 4 ? 1 : 0});`);
  const file = join(ts.dir, 'm.onnx');
  await until(async () => (await h1(ts.url, '/ksql', { ksql: `EXPORT MODEL m TO '${file}';` }, ADMIN)).status === 200, 15000, 'the model learned and exported');
  await ksql(`CREATE MODEL scorer WITH (PROVIDER = 'onnx', MODEL_PATH = '${file}');`);
  type Doc = { models: { name: string; inputs: { name: string; type: string }[]; outputs: { name: string; type: string }[]; invokers: { label: string; stats: { requests: number; rows: number; latencyMs: { p50: number | null }; breaker: { state: string }; meanBatchRows: number | null } }[] }[] };
  const models = async () => ((await h1(ts.url, '/riffle/console/models', undefined, READER)).json() as Doc).models;
  const trained = (await models()).find((x) => x.name === 'M');
  assert.deepEqual(trained?.inputs, [{ name: 'X', type: 'DOUBLE' }]);
  assert.deepEqual(trained?.invokers, []);
  await ksql('CREATE STREAM scored AS SELECT id, PREDICT(scorer, x) AS p FROM labelled;');
  for (let i = 0; i < 3; i++) await ksql(`INSERT INTO labelled (id, x, label) VALUES ('b', ${i}, 0);`);
  const scorer = await until(async () => {
    const found = (await models()).find((x) => x.name === 'SCORER');
    return found && found.invokers[0]?.stats.rows === 3 ? found : null;
  }, 15000, 'the scorer was called for 3 rows');
  assert.deepEqual(scorer.outputs, [{ name: 'PROBABILITY', type: 'DOUBLE' }]);
  const st = scorer.invokers[0].stats;
  assert.equal(scorer.invokers[0].label, 'default');
  assert.ok(st.requests >= 1 && st.latencyMs.p50 !== null && st.meanBatchRows !== null);
  assert.equal(st.breaker.state, 'closed');
});
