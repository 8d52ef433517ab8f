// Lets `node --test test/ml/` run this folder's tests (Node resolves a directory argument to its
// index.js; `npm run test:unit` globs the *.test.ts files and never loads this one).
import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url);
for (const f of readdirSync(here).filter((n) => n.endsWith('.test.ts')).sort()) await import(new URL(f, here).href);
