/**
 * The ksqlDB conformance sample (../shared/conformance/ksql) as a regression gate: every family
 * the issues measure must keep at least 90% of its cases passing on the embedded log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCaseDir, runCase } from '../../src/testing/runner.ts';
import { classifyCase, type CaseFamily } from '../../src/testing/classify.ts';

const DIR = process.env.RIFFLE_CONFORMANCE_DIR ?? new URL('../../../shared/conformance/ksql', import.meta.url).pathname;

test('conformance: at least 90% of each family passes', { skip: !existsSync(DIR) && `no conformance cases at ${DIR}`, timeout: 600_000 }, async () => {
  const totals: Record<CaseFamily, { passed: number; total: number; failed: string[] }> = {
    stateless: { passed: 0, total: 0, failed: [] },
    stateful: { passed: 0, total: 0, failed: [] },
    join: { passed: 0, total: 0, failed: [] },
  };
  for (const name of readdirSync(DIR).sort()) {
    if (!statSync(join(DIR, name)).isDirectory()) continue;
    const files = readCaseDir(join(DIR, name));
    const family = totals[classifyCase(files.statements)];
    family.total++;
    const result = await runCase(files);
    if (result.passed) family.passed++;
    else family.failed.push(name);
  }
  for (const [name, f] of Object.entries(totals)) {
    console.log(`conformance ${name}: ${f.passed}/${f.total}`);
    assert.ok(f.total > 0, `${name}: no cases`);
    assert.ok(f.passed / f.total >= 0.9, `${name}: only ${f.passed}/${f.total} pass; failing: ${f.failed.join(', ')}`);
  }
});
