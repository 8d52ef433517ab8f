import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, DOUBLE, STRING, array, map } from '../../src/types/sql-type.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { alterModelSpec, modelSpecFromProperties, parseDuration, redactedProperties } from '../../src/ml/spec.ts';

const V2 = { PROVIDER: 'kserve-v2', ENDPOINT: 'http://127.0.0.1:8080', MODEL_NAME: 'iris' };
const cols = (...names: string[]) => names.map((name) => ({ name, type: DOUBLE }));

function invalid(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlError, `want SqlError, got ${e}`);
    assert.equal(e.code, 'INVALID');
    assert.match(e.message, re);
    return true;
  });
}

test('defaults are filled in', () => {
  const s = modelSpecFromProperties(V2);
  assert.deepEqual(s.provider, { kind: 'kserve-v2', endpoint: 'http://127.0.0.1:8080', modelName: 'iris', modelVersion: null });
  assert.equal(s.timeoutMs, 5000);
  assert.deepEqual(s.retry, { retries: 3, initialBackoffMs: 100, maxBackoffMs: 5000, jitter: 0.5 });
  assert.deepEqual(s.breaker, { failureThreshold: 5, cooldownMs: 10000 });
  assert.equal(s.batchSize, 128);
  assert.equal(s.maxInFlight, 4);
  assert.equal(s.ordered, true);
  assert.equal(s.onError, 'FAIL');
  assert.equal(s.inputs, null);
  assert.equal(s.outputs, null);
  assert.equal(s.tensorLayout, null);
  assert.equal(s.requestOutputs, false);
});

test('option names are case-insensitive, - and _ alike; values are converted', () => {
  const s = modelSpecFromProperties(
    {
      provider: 'KSERVE-V2',
      endpoint: 'http://h:8000/v2/models/',
      'model-name': 'fraud',
      Model_Version: '3',
      timeout: '1.5s',
      RETRIES: '2',
      retry_backoff: 50,
      RETRY_BACKOFF_MAX: '2m',
      batch_size: 256,
      linger_ms: '20ms',
      max_in_flight: '8',
      ordered: 'false',
      on_error: 'error_columns',
      tensor_layout: 'COLUMNS',
      breaker_failures: 0,
      'header.X-Api-Key': 'k1',
      bearer_token: 'tok',
    },
    cols('a', 'b'),
    [{ name: 'score', type: DOUBLE }],
  );
  assert.deepEqual(s.provider, { kind: 'kserve-v2', endpoint: 'http://h:8000', modelName: 'fraud', modelVersion: '3' });
  assert.equal(s.timeoutMs, 1500);
  assert.equal(s.retry.retries, 2);
  assert.equal(s.retry.initialBackoffMs, 50);
  assert.equal(s.retry.maxBackoffMs, 120_000);
  assert.equal(s.batchSize, 256);
  assert.equal(s.lingerMs, 20);
  assert.equal(s.maxInFlight, 8);
  assert.equal(s.ordered, false);
  assert.equal(s.onError, 'ERROR_COLUMNS');
  assert.equal(s.tensorLayout, 'columns');
  assert.equal(s.breaker.failureThreshold, 0);
  assert.deepEqual(s.headers, { 'x-api-key': 'k1', authorization: 'Bearer tok' });
  assert.deepEqual(s.inputs, cols('a', 'b'));
});

test('durations', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('500 milliseconds'), 500);
  assert.equal(parseDuration('2m'), 120000);
  assert.equal(parseDuration('2 minutes'), 120000);
  assert.equal(parseDuration('1h'), 3600000);
  assert.equal(parseDuration('30000'), 30000);
  assert.equal(parseDuration(250), 250);
  assert.equal(parseDuration('5 parsecs'), null);
  assert.equal(parseDuration('-1s'), null);
  invalid(() => modelSpecFromProperties({ ...V2, TIMEOUT: 'soon' }), /TIMEOUT: "soon" is not a duration such as '5s'/);
  invalid(() => modelSpecFromProperties({ ...V2, TIMEOUT: '0ms' }), /TIMEOUT.*at least 1ms/);
});

test('unknown option lists the valid ones', () => {
  invalid(() => modelSpecFromProperties({ ...V2, BATCHSIZE: 10 }), /unknown model option 'BATCHSIZE'; valid options: PROVIDER, ENDPOINT, MODEL_NAME, .*BATCH_SIZE.*HEADER\.<name>/);
});

test('required options and provider-specific options', () => {
  invalid(() => modelSpecFromProperties({ ENDPOINT: 'http://h' }), /PROVIDER is required/);
  invalid(() => modelSpecFromProperties({ PROVIDER: 'triton' }), /PROVIDER: "triton" is not one of 'kserve-v1', 'kserve-v2', 'onnx'/);
  invalid(() => modelSpecFromProperties({ PROVIDER: 'kserve-v2', MODEL_NAME: 'm' }), /ENDPOINT is required/);
  invalid(() => modelSpecFromProperties({ PROVIDER: 'kserve-v1', ENDPOINT: 'http://h' }), /MODEL_NAME is required/);
  invalid(() => modelSpecFromProperties({ PROVIDER: 'onnx' }), /MODEL_PATH is required/);
  invalid(() => modelSpecFromProperties({ PROVIDER: 'onnx', MODEL_PATH: '/m.onnx', ENDPOINT: 'http://h' }), /ENDPOINT does not apply to PROVIDER 'onnx'/);
  invalid(() => modelSpecFromProperties({ PROVIDER: 'kserve-v1', ENDPOINT: 'http://h', MODEL_NAME: 'm', MODEL_VERSION: '2' }), /MODEL_VERSION does not apply to PROVIDER 'kserve-v1'/);
  invalid(() => modelSpecFromProperties({ ...V2, ENDPOINT: 'ftp://h' }), /ENDPOINT: "ftp:\/\/h" is not an http:\/\/ or https:\/\/ URL/);
  invalid(() => modelSpecFromProperties({ ...V2, ENDPOINT: 'not a url' }), /is not a URL/);
  assert.deepEqual(modelSpecFromProperties({ PROVIDER: 'onnx', MODEL_PATH: '/m.onnx' }).provider, { kind: 'onnx', path: '/m.onnx' });
});

test('value checks', () => {
  invalid(() => modelSpecFromProperties({ ...V2, BATCH_SIZE: 0 }), /BATCH_SIZE: 0 is not >= 1/);
  invalid(() => modelSpecFromProperties({ ...V2, RETRIES: 1.5 }), /RETRIES: 1.5 is not an integer/);
  invalid(() => modelSpecFromProperties({ ...V2, ORDERED: 'yes' }), /ORDERED: "yes" is not TRUE or FALSE/);
  invalid(() => modelSpecFromProperties({ ...V2, RETRY_JITTER: 2 }), /RETRY_JITTER: 2 is not <= 1/);
  invalid(() => modelSpecFromProperties({ ...V2, ON_ERROR: 'IGNORE' }), /ON_ERROR: "IGNORE" is not one of 'FAIL', 'SKIP', 'ERROR_COLUMNS', 'DEAD_LETTER'/);
  invalid(() => modelSpecFromProperties({ ...V2, RETRY_BACKOFF: '2s', RETRY_BACKOFF_MAX: '1s' }), /RETRY_BACKOFF_MAX \(1000ms\) is less than RETRY_BACKOFF \(2000ms\)/);
  invalid(() => modelSpecFromProperties({ ...V2, DEAD_LETTER_TOPIC: 'dlq' }), /DEAD_LETTER_TOPIC needs ON_ERROR = 'DEAD_LETTER'/);
  invalid(() => modelSpecFromProperties({ ...V2, model_name: 'x', MODEL_NAME: 'y' }), /MODEL_NAME is given twice/);
  invalid(() => modelSpecFromProperties({ ...V2, HEADERS: 'nonsense' }), /HEADERS: 'nonsense' is not 'Name: value'/);
  invalid(() => modelSpecFromProperties({ ...V2, BEARER_TOKEN: 't', 'HEADER.Authorization': 'Basic x' }), /BEARER_TOKEN and an Authorization header/);
  const s = modelSpecFromProperties({ ...V2, ON_ERROR: 'DEAD_LETTER', DEAD_LETTER_TOPIC: 'dlq', HEADERS: 'X-A: 1, X-B: two' });
  assert.equal(s.deadLetterTopic, 'dlq');
  assert.deepEqual(s.headers, { 'x-a': '1', 'x-b': 'two' });
  assert.deepEqual(modelSpecFromProperties({ ...V2, HEADERS: '{"X-C": "3"}' }).headers, { 'x-c': '3' });
});

test('INPUT/OUTPUT columns are checked', () => {
  invalid(() => modelSpecFromProperties(V2, [{ name: 'a', type: DOUBLE }, { name: 'A', type: DOUBLE }]), /INPUT column A is declared twice/);
  invalid(() => modelSpecFromProperties(V2, [{ name: 'm', type: map(STRING, DOUBLE) }]), /INPUT column m has type MAP<STRING, DOUBLE>, which no tensor can carry/);
  invalid(() => modelSpecFromProperties(V2, [{ name: 's', type: STRING }, { name: 'x', type: DOUBLE }]), /cannot share one tensor: use TENSOR_LAYOUT = 'columns'/);
  assert.equal(modelSpecFromProperties({ ...V2, TENSOR_LAYOUT: 'columns' }, [{ name: 's', type: STRING }, { name: 'x', type: DOUBLE }]).tensorLayout, 'columns');
  const s = modelSpecFromProperties(V2, cols('a'), [{ name: 'p', type: array(DOUBLE) }, { name: 'label', type: BIGINT }]);
  assert.equal(s.outputs!.length, 2);
  invalid(() => modelSpecFromProperties(V2, cols('a'), []), /OUTPUT must have at least one column/);
});

test('ALTER merges options and re-validates; DESCRIBE masks secrets', () => {
  const s = modelSpecFromProperties({ ...V2, BEARER_TOKEN: 'sekret', 'header.x-trace': 'on' }, cols('a'), cols('y'));
  const t = alterModelSpec(s, { endpoint: 'http://other:9000', MODEL_VERSION: '2', batch_size: 16 });
  assert.deepEqual(t.provider, { kind: 'kserve-v2', endpoint: 'http://other:9000', modelName: 'iris', modelVersion: '2' });
  assert.equal(t.batchSize, 16);
  assert.equal(t.headers.authorization, 'Bearer sekret');
  assert.deepEqual(t.inputs, cols('a'));
  invalid(() => alterModelSpec(s, { BATCH_SIZE: -1 }), /BATCH_SIZE/);
  const shown = redactedProperties(t);
  assert.equal(shown.BEARER_TOKEN, '****');
  assert.equal(shown['HEADER.x-trace'], 'on');
  assert.equal(shown.ENDPOINT, 'http://other:9000');
  assert.equal(shown.BATCH_SIZE, '16');
});

test('properties may come as a Map (the parser gives ReadonlyMap)', () => {
  const s = modelSpecFromProperties(new Map<string, string | number | boolean>([['PROVIDER', 'kserve-v1'], ['ENDPOINT', 'https://h'], ['MODEL_NAME', 'm']]));
  assert.deepEqual(s.provider, { kind: 'kserve-v1', endpoint: 'https://h', modelName: 'm' });
});
