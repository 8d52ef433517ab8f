/**
 * Entry point for `node --test test/state/`: Node's test runner takes that argument as a module
 * path, which resolves through ./package.json ("main") to this file, and this file loads every
 * test file of the folder (in one process). `npm run test:unit` finds the same files through its
 * own glob (`test/**\/*.test.ts`), which does not match this file.
 */
import fs from 'node:fs';

const here = new URL('.', import.meta.url);
for (const f of fs.readdirSync(here).filter((n) => n.endsWith('.test.ts')).sort()) {
  await import(new URL(f, here).href);
}
