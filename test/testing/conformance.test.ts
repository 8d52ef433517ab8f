/**
 * The ksqlDB conformance samples (../shared/conformance) as a ratchet: for each family
 * (positive cases, cases that set properties, must-fail cases) the cases that fail must be
 * exactly those in known-failures/<family>.json, each with its reason. A new failure fails the
 * test; so does a listed case that now passes (take it off the list). Must-fail cases count as
 * failing unless rejected with ksqlDB's message; deliberate extensions are listed with a reason
 * starting "extension:" (see docs/differences.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCaseDir, runCase } from '../../src/testing/runner.ts';

const ROOT = process.env.RIFFLE_CONFORMANCE_ROOT ?? new URL('../../../shared/conformance', import.meta.url).pathname;
const FAMILIES = [
  { name: 'positive', dir: 'ksql' },
  { name: 'properties', dir: 'ksql-properties' },
  { name: 'must-fail', dir: 'ksql-errors' },
] as const;

function knownFailures(family: string): Record<string, string> {
  return JSON.parse(readFileSync(new URL(`known-failures/${family}.json`, import.meta.url), 'utf8')) as Record<string, string>;
}

for (const family of FAMILIES) {
  const dir = join(ROOT, family.dir);
  test(`conformance ${family.name}: failures are exactly the known ones`, { skip: !existsSync(dir) && `no conformance cases at ${dir}`, timeout: 600_000 }, async () => {
    const known = knownFailures(family.name);
    const failing = new Map<string, string>();
    let total = 0;
    for (const name of readdirSync(dir).sort()) {
      if (!statSync(join(dir, name)).isDirectory()) continue;
      total++;
      const result = await runCase(readCaseDir(join(dir, name)));
      if (!result.passed) failing.set(name, (result.reason ?? '').split('\n')[0].slice(0, 300));
    }
    console.log(`conformance ${family.name}: ${total - failing.size}/${total} pass, ${failing.size} known failures`);
    const newFailures = [...failing].filter(([n]) => !(n in known)).map(([n, why]) => `${n}: ${why}`);
    const nowPassing = Object.keys(known).filter((n) => !failing.has(n) && existsSync(join(dir, n)));
    assert.deepEqual(newFailures, [], `${family.name}: new failures (fix them, or list them with a reason in known-failures/${family.name}.json)`);
    assert.deepEqual(nowPassing, [], `${family.name}: these pass now: take them off known-failures/${family.name}.json`);
  });
}
