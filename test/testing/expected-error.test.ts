/**
 * Must-fail cases: the judgement rules of the conformance README (message contained, compared
 * case-insensitively without quotes, whitespace collapsed, final '.' optional; no message = any
 * rejection), and runCase's verdicts: accepted, rejected with ksqlDB's message, rejected otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRejection, normalizeMessage } from '../../src/testing/expected-error.ts';
import { runCase } from '../../src/testing/runner.ts';

test('messages compare without case, quotes, extra whitespace or a final period', () => {
  assert.equal(normalizeMessage("Cannot add `X`:\n  'a'   \"b\"."), 'cannot add x: a b');
  const expected = { type: 'KsqlException', message: "The 'KAFKA' format does not support type 'STRUCT'." };
  assert.equal(judgeRejection(expected, "1:1: The KAFKA format does not support type `STRUCT`, column: X").kind, 'rejected-same');
  assert.equal(judgeRejection(expected, '1:1: something else').kind, 'rejected-other');
  assert.equal(judgeRejection(expected, null).kind, 'accepted');
  assert.equal(judgeRejection({ type: 'KsqlException' }, 'any error').kind, 'rejected-same');
});

test('runCase judges a must-fail case by its rejection, never by its output', async () => {
  const ddl = "CREATE STREAM INPUT (ID STRING KEY, V INT) WITH (kafka_topic='t', value_format='DELIMITED');";
  const rejected = await runCase({
    statements: `${ddl}\nCREATE TABLE OUTPUT AS SELECT ID, AVG(V) AS A FROM INPUT GROUP BY ID;`,
    input: null,
    output: { outputs: [] },
    expectedError: { type: 'KsqlException', message: 'One of the functions used in the statement has an intermediate type that the value format can not handle.' },
  });
  assert.equal(rejected.verdict?.kind, 'rejected-same');
  assert.equal(rejected.passed, true);
  const accepted = await runCase({
    statements: `${ddl}\nCREATE STREAM OUTPUT AS SELECT ID, V FROM INPUT;`,
    input: null,
    output: { outputs: [] },
    expectedError: { type: 'KsqlException', message: 'whatever ksqlDB said' },
  });
  assert.equal(accepted.verdict?.kind, 'accepted');
  assert.equal(accepted.passed, false);
  const other = await runCase({
    statements: `${ddl}\nCREATE STREAM OUTPUT AS SELECT ID, NOPE FROM INPUT;`,
    input: null,
    output: { outputs: [] },
    expectedError: { type: 'KsqlException', message: 'a different message' },
  });
  assert.equal(other.verdict?.kind, 'rejected-other');
  assert.equal(other.passed, false);
});
