/**
 * SQL front-end throughput on one core: statements per second through the lexer alone and
 * through the whole parser (lexer + recursive descent + expression depth check), over the fuzz
 * seeds and, when present, the conformance statements (../shared/conformance), best and median
 * of several rounds. Absolute rates move with the machine; compare runs made in one sitting.
 *   node bench/sql-parse.bench.ts [rounds]
 */
import { lexScript, lineStarts, plainPositions } from '../src/sql/lexer.ts';
import { parseStatements } from '../src/sql/parser.ts';
import { loadCorpus } from '../test/fuzz/sql-fuzz.ts';

const ROUNDS = Number(process.argv[2] ?? 7);
const statements = loadCorpus().flatMap((c) => [...c.setup, ...c.statements]);
const parseable = statements.filter((s) => {
  try {
    parseStatements(s);
    return true;
  } catch {
    return false;
  }
});

function measure(name: string, texts: readonly string[], pass: (text: string) => void): { name: string; statementsPerSecond: number; median: number } {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    let n = 0;
    // At least 200 ms per round, so timer resolution does not matter.
    while (Number(process.hrtime.bigint() - t0) < 200e6) {
      for (const text of texts) pass(text);
      n += texts.length;
    }
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => b - a);
  return { name, statementsPerSecond: Math.round(rates[0]), median: Math.round(rates[rates.length >> 1]) };
}

const results = [
  measure('lex', statements, (text) => void lexScript(text, plainPositions(lineStarts(text)), true)),
  measure('parse', parseable, (text) => void parseStatements(text)),
];
console.log(JSON.stringify({ bench: 'sql-parse', statements: statements.length, parseable: parseable.length, results }));
