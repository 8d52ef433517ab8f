/**
 * Compiled expression throughput on one core, without I/O or serdes:
 * - the filter `A > 10 AND B LIKE '%x%'`;
 * - a projection of 5 columns with arithmetic (INTEGER, BIGINT, DOUBLE, DECIMAL), also without
 *   the DECIMAL one (BigInt-based decimals dominate), and as 5 separately compiled expressions;
 * - both (the projection over the rows the filter keeps).
 * Over 1M in-memory rows (default), best and median of several rounds.
 *   node bench/expr.bench.ts [rows] [rounds]
 */
import { parseExpression } from '../src/sql/parser.ts';
import { analyzeExpr, columnsScope } from '../src/analyze/expr/analyze-expr.ts';
import { compileExpr, compilePredicate, compileProjection } from '../src/exec/expr/compile.ts';
import type { Row } from '../src/exec/expr/row.ts';
import { getFunction } from '../src/functions/registry.ts';
import { BIGINT, DOUBLE, INTEGER, STRING, decimal } from '../src/types/sql-type.ts';
import { Decimal } from '../src/types/decimal.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 7);

const scope = columnsScope(
  [
    { name: 'A', type: INTEGER },
    { name: 'B', type: STRING },
    { name: 'C', type: BIGINT },
    { name: 'D', type: DOUBLE },
    { name: 'E', type: decimal(10, 2) },
    { name: 'F', type: INTEGER },
  ],
  ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET'],
);
const analyze = (text: string) => analyzeExpr(parseExpression(text), scope, getFunction);

const rows: Row[] = new Array(N);
const words = ['alpha', 'bravo', 'xray', 'delta', 'echo', 'foxtrot', 'taxi', 'golf'];
for (let i = 0; i < N; i++) {
  rows[i] = {
    cols: [i % 50, `${words[i % words.length]}-${i % 1000}`, i * 7, i * 0.25, new Decimal(BigInt(i % 100_000), 2), i % 13 === 0 ? null : i % 97],
    ts: 1_700_000_000_000 + i,
    partition: 0,
    offset: i,
    windowStart: null,
    windowEnd: null,
    headers: null,
  };
}

let errors = 0;
const onError = (): void => {
  errors++;
};
const filter = compilePredicate(analyze("A > 10 AND B LIKE '%x%'"), getFunction, onError);
const projectionTexts = ['A + F', 'C * 2 + A', 'D * 0.908', '(A - F) % 7', 'E * 3'];
const projectionTyped = projectionTexts.map(analyze);
const projection = compileProjection(projectionTyped, getFunction, onError);
const projectionSingles = projectionTyped.map((e) => compileExpr(e, getFunction, onError));
const noDecimal = compileProjection(['A + F', 'C * 2 + A', 'D * 0.908', '(A - F) % 7', 'A * 3 - F'].map(analyze), getFunction, onError);

function measure(name: string, pass: () => number): void {
  const rates: number[] = [];
  let result = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    result = pass();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(N / s);
  }
  rates.sort((a, b) => a - b);
  const m = (x: number): string => `${(x / 1e6).toFixed(1)}M`;
  console.log(`${name.padEnd(44)} best ${m(rates[rates.length - 1])} rows/s, median ${m(rates[rates.length >> 1])} rows/s (result ${result})`);
}

measure('filter', () => {
  let kept = 0;
  for (let i = 0; i < N; i++) if (filter(rows[i])) kept++;
  return kept;
});
measure('projection (5 exprs, compileProjection)', () => {
  let n = 0;
  for (let i = 0; i < N; i++) n += projection(rows[i]).length;
  return n;
});
measure('projection (5 exprs, no DECIMAL)', () => {
  let n = 0;
  for (let i = 0; i < N; i++) n += noDecimal(rows[i]).length;
  return n;
});
measure('projection (5 exprs, compileExpr each)', () => {
  let n = 0;
  for (let i = 0; i < N; i++) {
    const row = rows[i];
    const out = new Array(5);
    for (let j = 0; j < 5; j++) out[j] = projectionSingles[j](row);
    n += out.length;
  }
  return n;
});
measure('filter + projection', () => {
  let n = 0;
  for (let i = 0; i < N; i++) {
    const row = rows[i];
    if (filter(row)) n += projection(row).length;
  }
  return n;
});
console.log(`rows ${N}, rounds ${ROUNDS}, expression errors ${errors}`);
