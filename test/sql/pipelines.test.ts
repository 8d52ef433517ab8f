/** CREATE / DROP / DESCRIBE PIPELINE, SHOW PIPELINES / RUNS: parsed, formatted back, errors with positions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatement } from '../../src/sql/format.ts';
import { parseStatement } from '../../src/sql/parser.ts';
import { lit, parseError, stmt } from './helpers.ts';

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
