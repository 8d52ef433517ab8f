import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { Authenticator } from '../../src/server/auth.ts';
import { h1, sleep, startTestServer, until, type TestServer } from './helpers.ts';
import { trainedRegistry } from '../../src/engine/model-train.ts';

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

test('per-step rows: every step of the plan counted under its EXPLAIN name', async () => {
  await ksql("CREATE STREAM steps_in (id STRING KEY, v INT) WITH (KAFKA_TOPIC='steps_in', PARTITIONS=1, VALUE_FORMAT='JSON');");
  await ksql('CREATE STREAM steps_out AS SELECT id, v + 1 AS w FROM steps_in WHERE v > 2;');
  for (const v of [1, 2, 3, 4, 5]) await ksql(`INSERT INTO steps_in (id, v) VALUES ('k', ${v});`);
  type Doc = { queries: { id: string; steps: Record<string, number> }[] };
  const q = await until(async () => {
    const doc = (await h1(ts.url, '/riffle/console/queries', undefined, READER)).json() as Doc;
    const found = doc.queries.find((x) => x.id.startsWith('CSAS_STEPS_OUT'));
    return found && found.steps['Sink/STEPS_OUT'] === 3 ? found : null;
  }, 15000, 'the query wrote its 3 rows');
  assert.deepEqual(q.steps, { 'Source/STEPS_IN': 5, WhereFilter: 3, Project: 3, 'Sink/STEPS_OUT': 3 });
});

/** Deterministic uniform(-1, 1) rows; concept 'a': LABEL = x1 > 0, concept 'b': LABEL = x1 < 0. */
function labelled(seed: number, n: number, concept: 'a' | 'b', t0: number) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, (_, i) => {
    const x1 = rnd();
    const x2 = rnd();
    return { value: JSON.stringify({ X1: x1, X2: x2, LABEL: (concept === 'a' ? x1 > 0 : x1 < 0) ? 1 : 0 }), timestamp: t0 + i };
  });
}

test('champion against challenger: a trained model\'s snapshot in shadow, both versions\' metric on the same rows, then the decision', { timeout: 90_000 }, async () => {
  const produce = async (records: { value: string; timestamp: number }[]) => {
    const r = await h1(ts.url, '/riffle/topics/cc_readings/records', { records }, ADMIN);
    assert.equal(r.status, 200, r.text);
  };
  type Evidence = { champion: string; challenger: string; rows: number; metric: string; championValue: number | null; challengerValue: number | null };
  type Doc = { models: { name: string; promotion: { rule: string; shadow: Evidence | null; decisions: { action: string; version: string; evidence: Evidence | null }[] } | null }[] };
  const promotion = async () => ((await h1(ts.url, '/riffle/console/models', undefined, READER)).json() as Doc).models.find((m) => m.name === 'CC')?.promotion;
  await ksql("CREATE STREAM cc_readings (x1 DOUBLE, x2 DOUBLE, label INT) WITH (KAFKA_TOPIC='cc_readings', VALUE_FORMAT='JSON', PARTITIONS=1);");
  await ksql("CREATE MODEL cc WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label', SNAPSHOT_EVERY = 400) AS SELECT x1, x2, label FROM cc_readings;");
  await produce(labelled(1, 400, 'a', 0));
  assert.equal(await promotion(), null, 'no rule: no promotion view');
  await until(() => trainedRegistry(ts.server.engine).versions.get('CC')?.length === 1, 20000, 'version 1 snapshotted');
  await ksql('ALTER MODEL cc PROMOTE WHEN accuracy BETTER BY 0.2 AFTER 200 ROWS;');
  await until(() => trainedRegistry(ts.server.engine).pinned.get('CC') === 1, 20000, 'version 1 pinned');
  assert.deepEqual((await promotion())?.shadow, null, 'the rule, no challenger yet');
  // the concept flips: 400 rows of it make version 2, the challenger
  await produce(labelled(2, 400, 'b', 1000));
  const challenger = await until(async () => ((await promotion())?.shadow?.challenger === '2' ? await promotion() : null), 20000, 'version 2 in shadow');
  assert.equal(challenger!.rule, 'ACCURACY BETTER BY 0.2 AFTER 200 ROWS');
  assert.equal(challenger!.shadow!.champion, '1');
  assert.equal(challenger!.shadow!.metric, 'ACCURACY');
  await sleep(700); // the shadow reader starts at the end of the stream
  // labelled rows of the new concept, a few at a time: the evaluation is seen under way, then decided
  let seen: Evidence | null = null;
  for (let i = 0; i < 30 && !seen; i++) {
    await produce(labelled(3 + i, 10, 'b', 2000 + i * 10));
    const p = await promotion();
    if (p?.shadow && p.shadow.rows > 0) seen = p.shadow;
  }
  assert.ok(seen, 'the evaluation under way was visible');
  assert.ok(seen!.championValue !== null && seen!.challengerValue !== null && seen!.challengerValue > seen!.championValue, JSON.stringify(seen));
  await produce(labelled(99, 300, 'b', 5000));
  const decided = await until(async () => (await promotion())?.decisions.find((d) => d.action === 'PROMOTE' && d.version === '2'), 30000, 'version 2 promoted');
  assert.ok(decided.evidence!.rows >= 200 && decided.evidence!.challengerValue! - decided.evidence!.championValue! >= 0.2, JSON.stringify(decided.evidence));
  assert.equal((await promotion())!.shadow, null, 'no challenger in shadow after the decision');
  console.log(`console champion/challenger: under way ${seen!.rows} rows, v1 ${seen!.championValue!.toFixed(3)} vs v2 ${seen!.challengerValue!.toFixed(3)}; decided on ${decided.evidence!.rows} rows, v1 ${decided.evidence!.championValue!.toFixed(3)} -> v2 ${decided.evidence!.challengerValue!.toFixed(3)}`);
});

test('champion against challenger, served versions: a pipeline watching a model whose server cannot be reached shows its rule and why nothing is in shadow', async () => {
  await ksql("CREATE MODEL served_cc INPUT (x1 DOUBLE) OUTPUT (predict BIGINT) WITH (PROVIDER = 'kserve-v2', ENDPOINT = 'http://127.0.0.1:9', MODEL_NAME = 'served_cc', VERSION = '1');");
  await ksql("CREATE STREAM served_feats (id STRING KEY, x1 DOUBLE) WITH (KAFKA_TOPIC='served_feats', VALUE_FORMAT='JSON', PARTITIONS=1);");
  await ksql("CREATE STREAM served_labels (id STRING KEY, label INT) WITH (KAFKA_TOPIC='served_labels', VALUE_FORMAT='JSON', PARTITIONS=1);");
  type Doc = { models: { name: string; promotion: { rule: string; shadow: unknown; decisions: unknown[]; error: string | null } | null }[] };
  const promotion = async () => ((await h1(ts.url, '/riffle/console/models', undefined, READER)).json() as Doc).models.find((m) => m.name === 'SERVED_CC')?.promotion;
  assert.equal(await promotion(), null);
  await ksql(
    "CREATE PIPELINE served_watch FROM served_feats WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://127.0.0.1:9', PIPELINE_ID = 'x', TRIGGER = 'EVERY 1000000 ROWS', MODEL = 'served_cc', LABELS = 'served_labels', POLL_INTERVAL = '200 MILLISECONDS', PROMOTE_WHEN = 'ACCURACY BETTER BY 0.01 AFTER 50 ROWS');",
  );
  const p = await until(async () => {
    const view = await promotion();
    return view?.error ? view : null;
  }, 15000, 'the promotion loop reported its error');
  assert.match(p.rule, /ACCURACY BETTER BY 0.01 AFTER 50 ROWS/);
  assert.equal(p.shadow, null);
  assert.match(p.error!, /fetch failed|ECONNREFUSED|repository index/i);
  await ksql('DROP PIPELINE served_watch;');
  assert.equal(await promotion(), null, 'the view goes with the pipeline');
});
