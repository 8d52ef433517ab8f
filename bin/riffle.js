#!/usr/bin/env node
// Riffle's executable. Riffle is TypeScript run by Node's type stripping, which needs Node >= 23.6;
// on an older system Node this re-runs itself on the Node LTS that `npm install` put in
// node_modules (the `node` devDependency), so `riffle` works wherever the project is installed.
import { spawnSync } from 'node:child_process';
import module from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 23 || (major === 23 && minor < 6)) {
  const local = join(here, '..', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    console.error(`riffle needs Node.js >= 23.6 (found ${process.version}); run 'npm install' in ${join(here, '..')} first.`);
    process.exit(1);
  }
  const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  // Modules stripped and compiled once are loaded from Node's compile cache from then on (the
  // TypeScript transformer is then not loaded at all: see src/engine/memory-flags.ts).
  if (!process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || undefined);
  // Riffle's V8 flags (src/engine/memory-flags.ts): the process re-executes itself in place with
  // the ones it lacks before anything else runs.
  const { ensureNodeFlags } = await import('../src/engine/memory-flags.ts');
  ensureNodeFlags(fileURLToPath(import.meta.url), process.argv.slice(2));
  await import('../src/cli/main.ts');
}
