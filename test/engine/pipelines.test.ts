/**
 * CREATE PIPELINE in the engine without a KFP: option errors carry the option's position; with KFP
 * unreachable the run is retried, then SUBMIT_FAILED with the cause in SHOW RUNS, DESCRIBE PIPELINE
 * and the runs stream, while the query feeding the training data keeps running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { testEngine, removeDir, readTopic } from './helpers.ts';
import { readingsQuery } from '../ml/training-data/fixture.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test('CREATE PIPELINE option errors point at the option', async () => {
  const t = await testEngine();
  try {
    await readingsQuery(t.engine, t.log, 10, 1);
    const sql = `CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://x', PIPELINE_ID = 'a',\n  TRIGGER = 'WHENEVER')`;
    await assert.rejects(t.engine.execute(sql), (e: unknown) => e instanceof SqlError && /Invalid TRIGGER/.test(e.message) && e.span?.line === 2 && e.span.column === 13);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'sagemaker', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'EVERY 1 ROWS')`), /PROVIDER must be 'kubeflow'/);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM nope WITH (PROVIDER = 'kubeflow', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'EVERY 1 ROWS')`), /Stream NOPE does not exist/);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'ON DRIFT OF m')`), /no drift stream M_DRIFT/);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'EVERY 1 ROWS', PARAMETERS = 'k=v')`), /PARAMETERS must be a map \(MAP\['k', v, \.\.\.\] or MAP\('k' := v, \.\.\.\)\) or a JSON object/);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'EVERY 1 ROWS', MODEL = 'm', LABELS = 'features')\n  PROMOTE WHEN auc BETTER AFTER 5 ROWS`), (e: unknown) => e instanceof SqlError && /MODEL: model m does not exist/.test(e.message));
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'EVERY 1 ROWS')\n  PROMOTE WHEN accuracy BETTER AFTER 5 ROWS`), (e: unknown) => e instanceof SqlError && /PROMOTE WHEN needs MODEL/.test(e.message) && e.span?.line === 2 && e.span.column === 3);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'x', PIPELINE_ID = 'a', TRIGGER = 'EVERY 1 ROWS', ROLLROWS = 3)`), /Invalid config variable in the WITH clause: ROLLROWS/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('KFP unreachable: retried, then SUBMIT_FAILED, visible in SHOW RUNS, DESCRIBE PIPELINE and the runs stream', async () => {
  const t = await testEngine();
  try {
    await readingsQuery(t.engine, t.log, 300, 1);
    const port = await closedPort();
    await t.engine.execute(`CREATE PIPELINE p FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://127.0.0.1:${port}', PIPELINE_ID = 'a',
      TRIGGER = 'EVERY 100 ROWS', ROLL_ROWS = 100, SUBMIT_ATTEMPTS = 2, RETRY_BACKOFF = '10 MILLISECONDS', POLL_INTERVAL = '20 MILLISECONDS', FORMAT = 'CSV',
      PARAMETERS = MAP['label', 'LABEL', 'epochs', 5, 'rate', 0.25, 'shuffle', TRUE, 'seed', NULL]);`);
    await t.engine.runUntilIdle();
    const end = Date.now() + 20_000;
    let rows: readonly (readonly unknown[])[] = [];
    while (Date.now() < end) {
      const [r] = await t.engine.execute('SHOW RUNS;');
      rows = r!.kind === 'table' ? r!.rows : [];
      if (rows.length >= 2 && rows.every((x) => x[3] === 'SUBMIT_FAILED')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(rows.length >= 2, `runs: ${JSON.stringify(rows)}`);
    assert.equal(rows[0]![1], 'riffle-p-data-1');
    assert.equal(rows[0]![3], 'SUBMIT_FAILED');
    assert.match(String(rows[0]![6]), /unreachable/);
    // the map's values keep their types in the run's runtime parameters (what goes to runtime_config.parameters)
    const stateFile = (readdirSync(t.dir, { recursive: true }) as string[]).find((f) => f.endsWith(join('pipelines', 'P', 'runs.json')))!;
    const state = JSON.parse(readFileSync(join(t.dir, stateFile), 'utf8')) as { runs: { parameters: Record<string, unknown> }[] };
    const { manifests, ...typed } = state.runs[0]!.parameters;
    assert.deepEqual(typed, { label: 'LABEL', epochs: 5, rate: 0.25, shuffle: true, seed: null });
    assert.match(String(manifests), /manifest\.json/);
    const [d] = await t.engine.execute('DESCRIBE PIPELINE p;');
    assert.ok(d!.kind === 'text' && /SUBMIT_FAILED.*unreachable/.test(d!.text));
    const events = (await readTopic(t.log, 'P_RUNS')).map((r) => JSON.parse(Buffer.from(r.value!).toString()) as { STATE: string; SUBMIT_ERRORS: number });
    assert.ok(events.some((e) => e.STATE === 'SUBMIT_FAILED' && e.SUBMIT_ERRORS === 2));
    // the query feeding the training data keeps running
    const [q] = await t.engine.execute('SHOW QUERIES;');
    assert.ok(q!.kind === 'table' && q!.rows.some((r) => r[2] === 'FEATURES' && !/ERROR|FAILED/.test(String(r[1]))), JSON.stringify(q));
    const [pl] = await t.engine.execute('SHOW PIPELINES;');
    assert.ok(pl!.kind === 'table' && pl!.rows[0]![0] === 'P');
    await t.engine.execute('DROP PIPELINE p;');
    await assert.rejects(t.engine.execute('DESCRIBE PIPELINE p;'), /does not exist/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test("PROVIDER 'none': training data only, manifests listed in DESCRIBE PIPELINE", async () => {
  const t = await testEngine();
  try {
    await readingsQuery(t.engine, t.log, 500, 1);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE d FROM features WITH (PROVIDER = 'none', TRIGGER = 'EVERY 1 ROWS')`), /TRIGGER needs PROVIDER = 'kubeflow'/);
    await t.engine.execute(`CREATE PIPELINE d FROM features WITH (PROVIDER = 'none', FORMAT = 'JSONL', ROLL_ROWS = 100);`);
    await t.engine.runUntilIdle();
    const end = Date.now() + 20_000;
    let text = '';
    while (Date.now() < end) {
      const [d] = await t.engine.execute('DESCRIBE PIPELINE d;');
      text = d!.kind === 'text' ? d!.text : '';
      if (/\(4 files, 400 rows/.test(text)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(text, /Provider\s+: none \(training data only\)/);
    assert.match(text, /\(4 files, 400 rows; \d+ rows in the open file\)/);
    const [runs] = await t.engine.execute('SHOW RUNS;');
    assert.equal(runs!.kind === 'table' && runs!.rows.length, 0);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});

test('EVERY <duration>: one run per interval that saw new files, named by the interval and the last file', async () => {
  const t = await testEngine();
  try {
    await readingsQuery(t.engine, t.log, 300, 1);
    const port = await closedPort();
    await t.engine.execute(`CREATE PIPELINE q FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://127.0.0.1:${port}', PIPELINE_ID = 'a',
      TRIGGER = 'EVERY 1 SECOND', ROLL_ROWS = 100, SUBMIT_ATTEMPTS = 1, POLL_INTERVAL = '20 MILLISECONDS');`);
    await t.engine.runUntilIdle();
    const end = Date.now() + 20_000;
    let rows: readonly (readonly unknown[])[] = [];
    while (Date.now() < end) {
      const [r] = await t.engine.execute('SHOW RUNS;');
      rows = r!.kind === 'table' ? r!.rows : [];
      if (rows.length >= 1 && rows.every((x) => x[3] === 'SUBMIT_FAILED')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // all committed files (2: 257 rows at 100 per file) go to the first interval's run; later intervals see no new file
    await new Promise((r) => setTimeout(r, 1500));
    const [r] = await t.engine.execute('SHOW RUNS;');
    rows = r!.kind === 'table' ? r!.rows : [];
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.match(String(rows[0]![1]), /^riffle-q-t\d+-f2$/);
    assert.match(String(rows[0]![4]), /every 1 SECOND/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
