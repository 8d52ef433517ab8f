/**
 * The short SQL fuzz run of `npm test` (3,000 seeded inputs; `npm run fuzz` runs 200,000): every
 * mutated statement is accepted or rejected with a SqlError at line:column, never a crash, and
 * none takes more than the hang bar (5 s here, for a loaded test machine; the long run uses 2 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus, runFuzz, summarize, splitStatements } from './sql-fuzz.ts';
import { Rng, deepExpr, mutate } from './mutate.ts';

test('mutations are deterministic and the corpus splits into statements', () => {
  assert.deepEqual(splitStatements("SELECT 'a;b' FROM s; -- c;\nSHOW STREAMS;"), ["SELECT 'a;b' FROM s;", 'SHOW STREAMS;']);
  const a = mutate(new Rng(7), 'SELECT a + 1 AS b FROM s WHERE c > 2;', () => 'SHOW TABLES;');
  const b = mutate(new Rng(7), 'SELECT a + 1 AS b FROM s WHERE c > 2;', () => 'SHOW TABLES;');
  assert.equal(a, b);
  assert.equal(deepExpr(new Rng(1), 3, 'x').length > 0, true);
});

test('SQL fuzz: 3,000 mutated statements through parse, analyze, plan and build: no crash, no hang', async () => {
  const cases = loadCorpus();
  const report = await runFuzz({ seed: 20261206, inputs: 3000, hangMs: 5000, cases });
  const failures = summarize([...report.crashes, ...report.hangs]);
  assert.equal(report.inputs, 3000);
  assert.deepEqual(
    failures.map((f) => `${f.count} x ${f.signature}\n  input ${f.example.index}: ${f.example.error}\n  ${f.example.sql}`),
    [],
  );
  // Not everything is rejected at the parser: some inputs get through to the later stages.
  assert.ok(report.accepted > 30, `only ${report.accepted} accepted`);
});

test('SQL fuzz without the conformance folder: the repository seeds alone', async () => {
  const cases = loadCorpus(null);
  assert.ok(cases.length >= 5);
  const report = await runFuzz({ seed: 7, inputs: 300, hangMs: 5000, cases });
  assert.deepEqual(summarize([...report.crashes, ...report.hangs]).map((f) => f.signature), []);
  assert.ok(report.accepted > 0);
});
