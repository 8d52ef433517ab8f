// Lets `node --test test/functions/` run this folder: Node resolves a directory entry point to
// its index.js, which loads every *.test.ts beside it. (`npm test` globs the .test.ts files
// directly and does not load this file.)
import { readdirSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.ts')).sort()) {
  await import(new URL(f, dir).href);
}
