/**
 * The ksqlDB conformance corpus: every statements.sql parses, every statement survives
 * parse → format → parse unchanged, and the parse speed is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { SqlType } from '../../src/types/sql-type.ts';
import { parseStatement, parseStatements } from '../../src/sql/parser.ts';
import { formatStatement } from '../../src/sql/format.ts';
import { stripSpans } from './helpers.ts';

const DIR = process.env.RIFFLE_CONFORMANCE_DIR ?? new URL('../../../shared/conformance/ksql', import.meta.url).pathname;
const cases = existsSync(DIR) ? readdirSync(DIR).filter((d) => existsSync(`${DIR}/${d}/statements.sql`)) : [];
const scripts = cases.map((d) => ({ name: d, text: readFileSync(`${DIR}/${d}/statements.sql`, 'utf8') }));

test('every conformance case parses', { skip: cases.length === 0 && 'corpus not found' }, (t) => {
  const failures: string[] = [];
  let statements = 0;
  for (const { name, text } of scripts) {
    try {
      statements += parseStatements(text).length;
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  t.diagnostic(`parsed ${scripts.length - failures.length}/${scripts.length} files, ${statements} statements`);
  console.log(`corpus: parsed ${scripts.length - failures.length}/${scripts.length} files, ${statements} statements`);
  assert.deepEqual(failures, []);
  assert.equal(scripts.length, 840);
});

test('every conformance statement round-trips through formatStatement', { skip: cases.length === 0 && 'corpus not found' }, () => {
  let checked = 0;
  for (const { name, text } of scripts) {
    const types = new Map<string, SqlType>();
    for (const p of parseStatements(text)) {
      if (p.statement.kind === 'CreateType') types.set(p.statement.name, p.statement.type);
      const sql = formatStatement(p.statement);
      const again = parseStatement(sql, undefined, { types });
      assert.deepEqual(stripSpans(again), stripSpans(p.statement), `${name}:\n${p.text}\n--- formatted ---\n${sql}`);
      checked++;
    }
  }
  assert.ok(checked > 1800);
});

test('parse speed on the corpus', { skip: cases.length === 0 && 'corpus not found' }, (t) => {
  const texts = scripts.map((s) => s.text);
  const bytes = texts.reduce((n, s) => n + s.length, 0);
  let best = Infinity;
  let n = 0;
  for (let round = 0; round < 8; round++) {
    const t0 = performance.now();
    n = 0;
    for (const s of texts) n += parseStatements(s).length;
    best = Math.min(best, performance.now() - t0);
  }
  const msg = `parse speed: ${n} statements (${(bytes / 1024).toFixed(0)} KiB) in ${best.toFixed(1)} ms = ${Math.round((n / best) * 1000)} statements/s`;
  t.diagnostic(msg);
  console.log(msg);
});
