/** Riffle's V8 flags and the in-place re-execution that applies them (src/engine/memory-flags.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RIFFLE_NODE_FLAGS, compileCacheDir, missingNodeFlags } from '../../src/engine/memory-flags.ts';

const flagsModule = fileURLToPath(new URL('../../src/engine/memory-flags.ts', import.meta.url));

/** Runs a script that applies the flags, then prints its pid, execArgv and arguments. */
function run(execArgv: string[], env: Record<string, string>): { pid: number; childPid: number; execArgv: string[]; args: string[]; compileCache: string | null } {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-flags-'));
  const script = join(dir, 'main.ts');
  writeFileSync(
    script,
    `import { ensureNodeFlags } from ${JSON.stringify(flagsModule)};
ensureNodeFlags(process.argv[1], process.argv.slice(2));
console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, args: process.argv.slice(2), compileCache: process.env.NODE_COMPILE_CACHE ?? null }));
`,
  );
  const base = { ...process.env };
  delete base.RIFFLE_NODE_FLAGS_APPLIED; // the test runner itself may run re-executed
  delete base.RIFFLE_NODE_FLAGS;
  delete base.NODE_OPTIONS;
  delete base.NODE_COMPILE_CACHE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
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

  it("give the re-executed process Node's compile cache: its modules are stored stripped and compiled", () => {
    assert.equal(compileCacheDir({ NODE_COMPILE_CACHE: '/x/cache' }), '/x/cache');
    assert.equal(compileCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1' }), undefined);
    assert.equal(compileCacheDir({}), join(tmpdir(), 'node-compile-cache'));
    if (typeof process.execve !== 'function') return;
    const home = mkdtempSync(join(tmpdir(), 'riffle-cache-'));
    const out = run([], { TMPDIR: home });
    const dir = join(home, 'node-compile-cache');
    assert.equal(out.compileCache, dir);
    // One directory per Node version, holding an entry per module loaded (the script and the flags module).
    const versions = readdirSync(dir);
    assert.equal(versions.length, 1);
    assert.ok(readdirSync(join(dir, versions[0])).length >= 2);
    const off = mkdtempSync(join(tmpdir(), 'riffle-cache-'));
    assert.equal(run([], { TMPDIR: off, NODE_DISABLE_COMPILE_CACHE: '1' }).compileCache, null);
    assert.equal(existsSync(join(off, 'node-compile-cache')), false);
  });
});
