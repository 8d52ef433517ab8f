/** Riffle's V8 flags and the in-place re-execution that applies them (src/engine/memory-flags.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RIFFLE_NODE_FLAGS, missingNodeFlags } from '../../src/engine/memory-flags.ts';

const flagsModule = fileURLToPath(new URL('../../src/engine/memory-flags.ts', import.meta.url));

/** Runs a script that applies the flags, then prints its pid, execArgv and arguments. */
function run(execArgv: string[], env: Record<string, string>): { pid: number; childPid: number; execArgv: string[]; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-flags-'));
  const script = join(dir, 'main.ts');
  writeFileSync(
    script,
    `import { ensureNodeFlags } from ${JSON.stringify(flagsModule)};
ensureNodeFlags(process.argv[1], process.argv.slice(2));
console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, args: process.argv.slice(2) }));
`,
  );
  const base = { ...process.env };
  delete base.RIFFLE_NODE_FLAGS_APPLIED; // the test runner itself may run re-executed
  delete base.RIFFLE_NODE_FLAGS;
  delete base.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [...execArgv, script, 'a b', '--c'], { env: { ...base, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { ...JSON.parse(r.stdout), childPid: r.pid! };
}

describe('Riffle V8 flags', () => {
  it('are missing unless given on the command line or in NODE_OPTIONS (either spelling)', () => {
    assert.deepEqual(missingNodeFlags([], undefined), [...RIFFLE_NODE_FLAGS]);
    assert.deepEqual(missingNodeFlags(['--max-semi-space-size=64'], undefined), ['--no-allocation-site-pretenuring']);
    assert.deepEqual(missingNodeFlags(['--allocation-site-pretenuring'], '--inspect --max_semi_space_size=8'), []);
    assert.deepEqual(missingNodeFlags(['--no-allocation_site_pretenuring', '--max-semi-space-size=64'], undefined), []);
  });

  it('re-execute the process in place with the flags it lacks, keeping its arguments and other flags', () => {
    const out = run(['--no-warnings'], {});
    if (typeof process.execve !== 'function') return; // Windows: runs with V8's defaults
    assert.equal(out.pid, out.childPid);
    assert.deepEqual(out.execArgv, [...RIFFLE_NODE_FLAGS, '--no-warnings']);
    assert.deepEqual(out.args, ['a b', '--c']);
  });

  it('leave a flag the user gave, and do nothing with RIFFLE_NODE_FLAGS=off', () => {
    assert.deepEqual(run(['--max-semi-space-size=32', '--allocation-site-pretenuring'], {}).execArgv, ['--max-semi-space-size=32', '--allocation-site-pretenuring']);
    assert.deepEqual(run([], { RIFFLE_NODE_FLAGS: 'off' }).execArgv, []);
  });
});
