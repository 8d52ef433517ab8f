/**
 * Prints the current failures of one conformance family as known-failures JSON (name -> reason),
 * keeping the reasons already written in the list for cases still failing. For reviewing a change
 * to test/testing/known-failures/<family>.json, never for writing it unread.
 * Usage: node scripts/conformance-failures.ts positive|properties|must-fail
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCaseDir, runCase } from '../src/testing/runner.ts';

const family = process.argv[2];
const dirs: Record<string, string> = { positive: 'ksql', properties: 'ksql-properties', 'must-fail': 'ksql-errors' };
if (!family || !dirs[family]) {
  process.stderr.write('usage: node scripts/conformance-failures.ts positive|properties|must-fail\n');
  process.exit(2);
}
const root = process.env.RIFFLE_CONFORMANCE_ROOT ?? new URL('../../shared/conformance', import.meta.url).pathname;
const dir = join(root, dirs[family]);
const listPath = new URL(`../test/testing/known-failures/${family}.json`, import.meta.url);
const known: Record<string, string> = existsSync(listPath) ? JSON.parse(readFileSync(listPath, 'utf8')) : {};
const out: Record<string, string> = {};
for (const name of readdirSync(dir).sort()) {
  if (!statSync(join(dir, name)).isDirectory()) continue;
  const result = await runCase(readCaseDir(join(dir, name)));
  if (!result.passed) out[name] = known[name] ?? (result.reason ?? '').split('\n')[0].slice(0, 300);
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
