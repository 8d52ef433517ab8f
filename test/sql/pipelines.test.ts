/** CREATE / DROP / DESCRIBE PIPELINE, SHOW PIPELINES / RUNS: parsed, formatted back, errors with positions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatement } from '../../src/sql/format.ts';
import { parseStatement } from '../../src/sql/parser.ts';
import { lit, parseError, stmt, stripSpans } from './helpers.ts';

test('CREATE PIPELINE p FROM s WITH (...)', () => {
  const s = stmt(`CREATE PIPELINE IF NOT EXISTS retrain FROM features WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://kfp:8888', TRIGGER = 'ON DRIFT OF m', ROLL_ROWS = 500)`);
  assert.deepEqual(s, {
    kind: 'CreatePipeline',
    name: 'RETRAIN',
    ifNotExists: true,
    source: 'FEATURES',
    properties: new Map([
      ['PROVIDER', lit('STRING', 'kubeflow')],
      ['ENDPOINT', lit('STRING', 'http://kfp:8888')],
      ['TRIGGER', lit('STRING', 'ON DRIFT OF m')],
      ['ROLL_ROWS', lit('INTEGER', '500')],
    ]),
    parameters: null,
    promoteWhen: null,
  });
  const again = formatStatement(parseStatement(`CREATE PIPELINE retrain FROM features WITH (PROVIDER='kubeflow', TRIGGER='EVERY 10 ROWS')`));
  assert.equal(stmt(again).kind, 'CreatePipeline');
  assert.deepEqual(stmt(again), stmt(`CREATE PIPELINE retrain FROM features WITH (PROVIDER='kubeflow', TRIGGER='EVERY 10 ROWS')`));
});

test('DROP / DESCRIBE PIPELINE, SHOW PIPELINES / RUNS', () => {
  assert.deepEqual(stmt('DROP PIPELINE IF EXISTS p'), { kind: 'DropPipeline', name: 'P', ifExists: true });
  assert.deepEqual(stmt('DESCRIBE PIPELINE p'), { kind: 'DescribePipeline', name: 'P' });
  assert.deepEqual(stmt('SHOW RUNS'), { kind: 'Show', what: 'RUNS', extended: false });
  assert.deepEqual(stmt('LIST PIPELINES'), { kind: 'Show', what: 'PIPELINES', extended: false });
  // a stream named PIPELINE can still be described
  assert.deepEqual(stmt('DESCRIBE pipeline'), { kind: 'Describe', name: 'PIPELINE', extended: false });
  for (const t of ['DROP PIPELINE IF EXISTS p', 'DESCRIBE PIPELINE p']) assert.deepEqual(stmt(formatStatement(parseStatement(t))), stmt(t));
});

test('CREATE PIPELINE without FROM or WITH: error with line and column', () => {
  const e = parseError(() => parseStatement(`CREATE PIPELINE p WITH (PROVIDER = 'kubeflow')`));
  assert.match(e.message, /FROM/);
  assert.equal(e.span?.line, 1);
  const e2 = parseError(() => parseStatement(`CREATE PIPELINE p FROM s`));
  assert.match(e2.message, /WITH/);
});

test('ALTER MODEL m PROMOTE VERSION n / ROLLBACK', () => {
  assert.deepEqual(stmt('ALTER MODEL m PROMOTE VERSION 3'), { kind: 'PromoteModel', name: 'M', version: '3' });
  assert.deepEqual(stmt("ALTER MODEL m PROMOTE VERSION '3'"), { kind: 'PromoteModel', name: 'M', version: '3' });
  assert.deepEqual(stmt('ALTER MODEL m ROLLBACK'), { kind: 'PromoteModel', name: 'M', version: null });
  for (const t of ['ALTER MODEL m PROMOTE VERSION 3', 'ALTER MODEL m ROLLBACK']) assert.deepEqual(stmt(formatStatement(parseStatement(t))), stmt(t));
  const e = parseError(() => parseStatement('ALTER MODEL m PROMOTE VERSION latest'));
  assert.match(e.message, /version number/);
  assert.equal(e.span?.column, 31);
});

test("PARAMETERS as a map literal: Flink's MAP['k', v, ...] and ksqlDB's MAP('k' := v, ...), typed, formatted back", () => {
  const flink = stmt(`CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow', PARAMETERS = MAP['label', 'LABEL', 'epochs', 5, 'rate', 0.5, 'scale', 1.5E2, 'neg', -3, 'shuffle', TRUE, 'seed', NULL])`);
  assert.ok(flink.kind === 'CreatePipeline');
  assert.equal(flink.properties.has('PARAMETERS'), false);
  assert.deepEqual(flink.parameters, {
    entries: [
      { key: 'label', value: lit('STRING', 'LABEL') },
      { key: 'epochs', value: lit('INTEGER', '5') },
      { key: 'rate', value: lit('DECIMAL', '0.5') },
      { key: 'scale', value: lit('DOUBLE', '1.5E2') },
      { key: 'neg', value: lit('INTEGER', '-3') },
      { key: 'shuffle', value: lit('BOOLEAN', 'TRUE') },
      { key: 'seed', value: lit('NULL', 'NULL') },
    ],
  });
  const ksql = stmt(`CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow', PARAMETERS = MAP('label' := 'LABEL', 'epochs' := 5, 'rate' := 0.5, 'scale' := 1.5E2, 'neg' := -3, 'shuffle' := TRUE, 'seed' := NULL))`);
  assert.deepEqual(ksql, flink);
  assert.deepEqual(stmt(formatStatement(parseStatement(`CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow', PARAMETERS = MAP['a', 1, 'b', 'x'])`))), stmt(`CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow', PARAMETERS = MAP['a', 1, 'b', 'x'])`));
  // the JSON string keeps working: an ordinary property
  const json = stmt(`CREATE PIPELINE p FROM s WITH (PARAMETERS = '{"a": 1}')`);
  assert.ok(json.kind === 'CreatePipeline' && json.parameters === null && json.properties.get('PARAMETERS')?.raw === '{"a": 1}');
  assert.deepEqual(stmt(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP[])`), { ...stmt(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP())`) });
});

test('bad PARAMETERS maps: odd elements, non-literal values, non-string keys, duplicates, maps elsewhere — with line:column', () => {
  const at = (sql: string, re: RegExp, line: number, column: number) => {
    const e = parseError(() => parseStatement(sql));
    assert.match(e.message, re);
    assert.deepEqual([e.span?.line, e.span?.column], [line, column], e.message);
  };
  at(`CREATE PIPELINE p FROM s WITH (\n  PARAMETERS = MAP['a', 1, 'b'])`, /pairs .* found 3 elements/, 2, 31);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP['a', x])`, /map values must be literals .* found 'x'/, 1, 54);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP['a', 1 + 2])`, /map values must be literals .* expression/, 1, 56);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP['a', UPPER('x')])`, /map values must be literals .* found 'UPPER'/, 1, 54);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP[1, 'a'])`, /map keys must be strings/, 1, 49);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP(k := 'a'))`, /map keys must be strings/, 1, 49);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP('a' := 1, 'a' := 2))`, /Duplicate key 'a'/, 1, 59);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP('a' := ARRAY[1]))`, /map values must be literals .* found 'ARRAY'/, 1, 56);
  at(`CREATE PIPELINE p FROM s WITH (PARAMETERS = MAP['a', 1], PARAMETERS = '{}')`, /Duplicate property PARAMETERS/, 1, 58);
  // only PARAMETERS takes a map
  at(`CREATE PIPELINE p FROM s WITH (TOKEN = MAP['a', 1])`, /literal value/, 1, 40);
  at(`CREATE STREAM s (a INT) WITH (KAFKA_TOPIC = MAP['a', 1])`, /literal value/, 1, 45);
});

test('PROMOTE WHEN: a clause of CREATE PIPELINE and of ALTER MODEL; PROMOTE MANUALLY; formatted back', () => {
  const p = parseStatement(`CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow') PROMOTE WHEN f1 BETTER BY 0.02 AFTER 500 ROWS`);
  assert.ok(p.kind === 'CreatePipeline' && p.promoteWhen);
  assert.deepEqual({ ...p.promoteWhen, span: undefined, metricSpan: undefined }, { metric: 'F1', by: 0.02, relative: false, afterRows: 500, span: undefined, metricSpan: undefined });
  assert.deepEqual([p.promoteWhen.metricSpan.line, p.promoteWhen.metricSpan.column], [1, 68]);
  const a = parseStatement(`ALTER MODEL m PROMOTE WHEN log_loss BETTER BY 5% AFTER 200 ROWS FROM labelled`);
  assert.ok(a.kind === 'SetPromotionRule' && a.rule);
  assert.deepEqual([a.name, a.rule.metric, a.rule.by, a.rule.relative, a.rule.afterRows, a.from], ['M', 'LOG_LOSS', 5, true, 200, 'LABELLED']);
  const b = stmt(`ALTER MODEL m PROMOTE WHEN rmse BETTER AFTER 1 ROW`);
  assert.ok(b.kind === 'SetPromotionRule' && b.rule?.by === 0 && b.from === null);
  assert.deepEqual(stmt('ALTER MODEL m PROMOTE MANUALLY'), { kind: 'SetPromotionRule', name: 'M', rule: null, from: null });
  const noSpans = (x: string) => JSON.parse(JSON.stringify(stmt(x), (k, v) => (k === 'metricSpan' ? undefined : v)));
  assert.deepEqual(noSpans('ALTER MODEL m SET PROMOTE WHEN mae BETTER BY 0.5 AFTER 10 ROWS'), noSpans('ALTER MODEL m PROMOTE WHEN mae BETTER BY 0.5 AFTER 10 ROWS'));
  assert.deepEqual(stmt('ALTER MODEL m SET PROMOTE MANUALLY'), stmt('ALTER MODEL m PROMOTE MANUALLY'));
  assert.equal(stmt("ALTER MODEL m SET (VERSION = 2)").kind, 'AlterModel');
  for (const t of [`ALTER MODEL m PROMOTE WHEN log_loss BETTER BY 5% AFTER 200 ROWS FROM labelled`, 'ALTER MODEL m PROMOTE MANUALLY', `CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow') PROMOTE WHEN f1 BETTER BY 0.02 AFTER 500 ROWS`]) {
    const bare = (x: string) => JSON.parse(JSON.stringify(stripSpans(parseStatement(x)), (k, v) => (k === 'metricSpan' ? undefined : v)));
    assert.deepEqual(bare(formatStatement(parseStatement(t))), bare(t), t);
  }
  const e = parseError(() => parseStatement(`ALTER MODEL m PROMOTE WHEN accuracy BETTER BY much AFTER 5 ROWS`));
  assert.match(e.message, /number after BY/);
  assert.equal(e.span?.column, 47);
  const e2 = parseError(() => parseStatement(`ALTER MODEL m PROMOTE WHEN accuracy BETTER BY 1 AFTER 0 ROWS`));
  assert.match(e2.message, /positive number of labelled rows/);
  const e3 = parseError(() => parseStatement(`CREATE PIPELINE p FROM s WITH (PROVIDER = 'kubeflow') PROMOTE accuracy BETTER AFTER 5 ROWS`));
  assert.match(e3.message, /WHEN/);
});
