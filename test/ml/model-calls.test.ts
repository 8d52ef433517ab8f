/** The analyzer's part of models in queries: PREDICT extraction, ML_PREDICT rewriting, errors with line:column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../../src/analyze/catalog.ts';
import type { DataSource, ModelInfo } from '../../src/analyze/catalog.ts';
import { analyzeQuery } from '../../src/analyze/query.ts';
import { planQuery } from '../../src/plan/planner.ts';
import { stepsOf } from '../../src/plan/steps.ts';
import type { ModelCallStep } from '../../src/plan/steps.ts';
import { parseStatements } from '../../src/sql/parser.ts';
import type { Query } from '../../src/sql/ast.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { BIGINT, DOUBLE, INTEGER, STRING, formatType } from '../../src/types/sql-type.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import type { PropertyValue } from '../../src/ml/spec.ts';

function catalog(): Catalog {
  const c = new Catalog();
  const src = {
    name: 'READINGS',
    type: 'STREAM',
    topic: 'readings',
    schema: {
      key: [{ name: 'ID', type: STRING }],
      value: [
        { name: 'A', type: DOUBLE },
        { name: 'B', type: DOUBLE },
        { name: 'N', type: INTEGER },
        { name: 'S', type: STRING },
      ],
    },
    formats: { keyFormat: 'KAFKA', valueFormat: 'JSON', wrapSingleValue: true },
    timestampColumn: null,
    timestampFormat: null,
    window: null,
    sql: '',
    writerQueryId: null,
    readOnly: false,
  } as unknown as DataSource;
  c.putSource(src);
  const model = (name: string, props: Record<string, PropertyValue>, outputs = [{ name: 'LABEL', type: BIGINT }, { name: 'SCORE', type: DOUBLE }]): ModelInfo => {
    const inputs = [{ name: 'X1', type: DOUBLE }, { name: 'X2', type: DOUBLE }];
    return { name, sql: '', inputs, outputs, spec: modelSpecFromProperties({ PROVIDER: 'kserve-v2', ENDPOINT: 'http://127.0.0.1:1', MODEL_NAME: 'm', ...props }, inputs, outputs) };
  };
  c.models.set('M', model('M', {}));
  c.models.set('EC', model('EC', { ON_ERROR: 'ERROR_COLUMNS' }));
  c.models.set('V1', { ...model('V1', {}), spec: modelSpecFromProperties({ PROVIDER: 'kserve-v1', ENDPOINT: 'http://127.0.0.1:1', MODEL_NAME: 'm' }, [{ name: 'X1', type: DOUBLE }, { name: 'X2', type: DOUBLE }], [{ name: 'LABEL', type: BIGINT }]) });
  return c;
}

function query(sql: string): Query {
  const [st] = [...parseStatements(sql)];
  const s = st.statement;
  if (s.kind === 'QueryStatement') return s.query;
  if (s.kind === 'CreateAsSelect') return s.query;
  throw new Error(`not a query: ${s.kind}`);
}

const analyze = (sql: string) => analyzeQuery(query(sql), catalog());
const modelSteps = (sql: string) => stepsOf(planQuery(analyze(sql))).filter((s): s is ModelCallStep => s.type === 'modelCall');

function rejects(sql: string, code: string, re: RegExp): void {
  assert.throws(
    () => analyze(sql),
    (e: unknown) => {
      assert.ok(e instanceof SqlError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    },
  );
}

test('PREDICT in SELECT: one model call step; the result is a STRUCT of the outputs; arguments widened to INPUT types', () => {
  const a = analyze('SELECT id, PREDICT(m, a, n)->label AS label, PREDICT(m, a, n)->score AS score FROM readings EMIT CHANGES;');
  assert.equal(a.modelCalls.length, 1, 'the same call twice is extracted once');
  const call = a.modelCalls[0];
  assert.equal(call.model, 'M');
  assert.equal(call.version, null);
  assert.equal(formatType(call.outputType), 'STRUCT<`LABEL` BIGINT, `SCORE` DOUBLE>');
  assert.deepEqual(call.args.map((x) => formatType(x.type)), ['DOUBLE', 'DOUBLE']);
  assert.equal(call.args[1].kind, 'Cast', 'INTEGER N is cast to DOUBLE');
  assert.deepEqual(a.schema.value.map((c) => `${c.name} ${formatType(c.type)}`), ['LABEL BIGINT', 'SCORE DOUBLE']);
  const steps = modelSteps('SELECT id, PREDICT(m, a, b) AS p FROM readings EMIT CHANGES;');
  assert.equal(steps.length, 1);
  assert.equal(steps[0].schema.value.at(-1)!.type.kind, 'STRUCT');
});

test('PREDICT in WHERE and SELECT: the same call is made once, before the filter', () => {
  const a = analyze('SELECT id, PREDICT(m, a, b)->score AS score FROM readings WHERE PREDICT(m, a, b)->label = 1 EMIT CHANGES;');
  assert.equal(a.whereModelCalls.length, 1);
  assert.equal(a.modelCalls.length, 0, 'SELECT reuses the WHERE call column');
  const steps = stepsOf(planQuery(a)).map((s) => s.type);
  assert.deepEqual(steps, ['source', 'modelCall', 'filter', 'project']);
  // Different calls are separate.
  const b = analyze('SELECT PREDICT(m, b, a)->score AS s FROM readings WHERE PREDICT(m, a, b)->label = 1 EMIT CHANGES;');
  assert.equal(b.whereModelCalls.length, 1);
  assert.equal(b.modelCalls.length, 1);
});

test('versions (m$2, quoted) and per-call options (trailing MAP)', () => {
  const a = analyze("SELECT PREDICT(`m$2`, a, b, MAP('timeout' := '2s', 'async' := 'true')) AS p FROM readings EMIT CHANGES;");
  assert.equal(a.modelCalls[0].model, 'M');
  assert.equal(a.modelCalls[0].version, '2');
  assert.deepEqual(a.modelCalls[0].options, { TIMEOUT: '2s' });
  const lit = analyze("SELECT PREDICT('m$7', a, b) AS p FROM readings EMIT CHANGES;");
  assert.deepEqual([lit.modelCalls[0].model, lit.modelCalls[0].version], ['M', '7'], 'a string literal names the model too');
  assert.deepEqual(analyze("SELECT PREDICT(m, a, b, MAP('version' := '3')) FROM readings EMIT CHANGES;").modelCalls[0].options, { MODEL_VERSION: '3' });
  rejects("SELECT PREDICT(v1, a, b, MAP('version' := '3')) FROM readings EMIT CHANGES;", 'INVALID', /^1:26: model option MODEL_VERSION does not apply to PROVIDER 'kserve-v1'/);
  rejects('SELECT PREDICT(`v1$2`, a, b) FROM readings EMIT CHANGES;', 'INVALID', /^1:16: model V1 has PROVIDER 'kserve-v1', which has no versions/);
  rejects("SELECT PREDICT(m, a, b, MAP('timeout' := 'soon')) FROM readings EMIT CHANGES;", 'INVALID', /^1:25: model option TIMEOUT/);
  rejects("SELECT PREDICT(m, a, b, MAP('provider' := 'onnx')) FROM readings EMIT CHANGES;", 'INVALID', /cannot be set per call/);
});

test('ON_ERROR = ERROR_COLUMNS adds the error fields to the STRUCT', () => {
  const a = analyze('SELECT PREDICT(ec, a, b) AS p FROM readings EMIT CHANGES;');
  assert.equal(formatType(a.modelCalls[0].outputType), 'STRUCT<`LABEL` BIGINT, `SCORE` DOUBLE, `ML_ERROR` STRING, `ML_ERROR_CODE` STRING, `ML_ATTEMPTS` INTEGER>');
  const b = analyze("SELECT PREDICT(m, a, b, MAP('on_error' := 'ERROR_COLUMNS')) AS p FROM readings EMIT CHANGES;");
  assert.equal(b.modelCalls[0].outputType.kind === 'STRUCT' && b.modelCalls[0].outputType.fields.length, 5);
});

test('PREDICT(...)->* expands to one column per output', () => {
  const a = analyze('SELECT id, PREDICT(m, a, b)->* FROM readings EMIT CHANGES;');
  assert.deepEqual(a.schema.value.map((c) => c.name), ['LABEL', 'SCORE']);
  assert.equal(a.modelCalls.length, 1);
});

test('errors name the position: unknown model, argument count, argument type, nesting, lambdas', () => {
  rejects('SELECT id,\n  PREDICT(nope, a, b) FROM readings EMIT CHANGES;', 'INVALID', /^2:11: Model 'NOPE' does not exist/);
  rejects('SELECT PREDICT(mm, a, b) FROM readings EMIT CHANGES;', 'INVALID', /Did you mean 'M'\?/);
  rejects('SELECT PREDICT(m, a) FROM readings EMIT CHANGES;', 'TYPE', /^1:8: PREDICT\(M\) takes 2 feature arguments \(X1 DOUBLE, X2 DOUBLE\), got 1/);
  rejects('SELECT PREDICT(m, a, s) FROM readings EMIT CHANGES;', 'TYPE', /^1:22: PREDICT\(M\): argument 2 is STRING, but model input X2 is DOUBLE/);
  rejects('SELECT PREDICT(m, a, PREDICT(m, a, b)->score) FROM readings EMIT CHANGES;', 'INVALID', /^1:22: PREDICT calls cannot be nested/);
  rejects('SELECT TRANSFORM(ARRAY[a], x => PREDICT(m, x, b)->score) FROM readings EMIT CHANGES;', 'INVALID', /inside a lambda/);
  rejects('SELECT PREDICT(1, a, b) FROM readings EMIT CHANGES;', 'TYPE', /first argument must be a model name/);
  rejects('SELECT PREDICT(m, a, nope) FROM readings EMIT CHANGES;', 'UNKNOWN_COLUMN', /^1:22:/);
});

test('ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(...)): input columns then output columns', () => {
  const a = analyze('SELECT * FROM ML_PREDICT(TABLE readings, MODEL m, DESCRIPTOR(a, b)) EMIT CHANGES;');
  assert.deepEqual(a.schema.key.map((c) => c.name), ['ID']);
  assert.deepEqual(a.schema.value.map((c) => `${c.name} ${formatType(c.type)}`), ['A DOUBLE', 'B DOUBLE', 'N INTEGER', 'S STRING', 'LABEL BIGINT', 'SCORE DOUBLE']);
  assert.equal(a.modelCalls.length, 1, 'one call for all output columns');
  // Output columns can be selected and filtered on; the alias qualifies them; options pass through.
  const b = analyze("SELECT p.id, p.label FROM ML_PREDICT(TABLE readings, MODEL `m$3`, DESCRIPTOR(a, b), MAP['timeout', '1s']) p WHERE p.score > 0.5 EMIT CHANGES;");
  assert.deepEqual(b.schema.value.map((c) => c.name), ['LABEL']);
  assert.equal(b.whereModelCalls.length, 1);
  assert.equal(b.modelCalls.length, 0);
  assert.equal(b.whereModelCalls[0].version, '3');
  assert.deepEqual(b.whereModelCalls[0].options, { TIMEOUT: '1s' });
  // Under ERROR_COLUMNS the error columns follow.
  const c = analyze('SELECT * FROM ML_PREDICT(TABLE readings, MODEL ec, DESCRIPTOR(a, b)) EMIT CHANGES;');
  assert.deepEqual(c.schema.value.slice(4).map((x) => x.name), ['LABEL', 'SCORE', 'ML_ERROR', 'ML_ERROR_CODE', 'ML_ATTEMPTS']);
});

test('ML_PREDICT errors', () => {
  rejects('SELECT * FROM ML_PREDICT(TABLE readings, MODEL m, DESCRIPTOR(a)) EMIT CHANGES;', 'TYPE', /^1:15: PREDICT\(M\) takes 2 feature arguments/);
  rejects('SELECT * FROM ML_PREDICT(TABLE readings, DESCRIPTOR(a, b)) EMIT CHANGES;', 'INVALID', /second argument must be MODEL/);
  rejects('SELECT * FROM ML_PREDICT(TABLE readings, MODEL nope, DESCRIPTOR(a, b)) EMIT CHANGES;', 'INVALID', /^1:42: Model 'NOPE' does not exist/);
  rejects('SELECT * FROM ML_PREDICT(TABLE readings, MODEL m, DESCRIPTOR(a, zz)) EMIT CHANGES;', 'UNKNOWN_COLUMN', /ZZ/);
  rejects('SELECT * FROM TUMBLE(TABLE readings, DESCRIPTOR(a)) EMIT CHANGES;', 'UNSUPPORTED', /TUMBLE/);
});
