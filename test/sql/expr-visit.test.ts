import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from '../../src/sql/ast.ts';
import { parseExpression } from '../../src/sql/parser.ts';
import { forEachChild, mapChildren, walkExpr } from '../../src/sql/expr-visit.ts';

const childrenOf = (e: Expr): Expr[] => {
  const out: Expr[] = [];
  forEachChild(e, (c) => void out.push(c));
  return out;
};

/** One expression per node kind (and every optional part), so every case of mapChildren runs. */
const CORPUS = [
  `1`, `'x'`, `NULL`, `a`, `s.a`, `s->f`, `arr[1]`, `a + b * c`, `-a`, `a = b`, `a IS DISTINCT FROM b`,
  `a AND b OR NOT c`, `a IS NOT NULL`, `a NOT BETWEEN b AND c`, `a IN (1, b, c + 1)`, `a LIKE b ESCAPE '!'`,
  `CASE a WHEN 1 THEN b WHEN 2 THEN c ELSE d END`, `CASE WHEN a THEN b END`, `CAST(a AS STRUCT<x INT>)`,
  `COUNT(*)`, `COUNT(DISTINCT a)`, `SUM(a) OVER (PARTITION BY b, c ORDER BY ROWTIME ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`,
  `TRANSFORM(arr, (x, y) => x + y)`, `ARRAY[a, b + 1]`, `MAP('k' := a, 'j' := b)`, `STRUCT(A := a, B := b + 1)`,
  `TIMESTAMPADD(SECONDS, 5, ts)`,
];

/** The oracle: every object with a kind and a span reachable from a node's fields (a reflective walk). */
function reflectiveChildren(e: Expr): unknown[] {
  const out: unknown[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(visit);
    const rec = v as Record<string, unknown>;
    if (typeof rec.kind === 'string' && typeof rec.span === 'object') return void out.push(v);
    for (const key in rec) visit(rec[key]);
  };
  for (const [key, value] of Object.entries(e)) if (key !== 'span' && key !== 'type') visit(value);
  return out;
}

test('forEachChild gives every sub-expression of every node kind, in field order', () => {
  const kinds = new Set<string>();
  for (const text of CORPUS) {
    walkExpr(parseExpression(text), (node) => {
      kinds.add(node.kind);
      assert.deepEqual(childrenOf(node), reflectiveChildren(node), `${text}: children of ${node.kind}`);
    });
  }
  // Every kind of the Expr union occurs in the corpus.
  for (const kind of ['Literal', 'ColumnRef', 'Dereference', 'Subscript', 'ArithmeticBinary', 'ArithmeticUnary', 'Comparison', 'Logical', 'Not', 'IsNull', 'Between', 'InList', 'Like', 'Case', 'Cast', 'FunctionCall', 'Lambda', 'CreateArray', 'CreateMap', 'CreateStruct', 'IntervalUnitRef', 'Star']) {
    assert.ok(kinds.has(kind), `corpus lacks ${kind}`);
  }
});

test('mapChildren keeps unchanged subtrees and rebuilds only the path to a change', () => {
  const e = parseExpression(`CASE WHEN a > 1 THEN f(b, c) ELSE d END`);
  const identity = mapChildren(e, (c) => c);
  assert.equal(identity, e);
  const renameC = (n: Expr): Expr => (n.kind === 'ColumnRef' && n.name === 'C' ? { ...n, name: 'Z' } : mapChildren(n, renameC));
  const renamed = renameC(e);
  assert.notEqual(renamed, e);
  assert.equal(renamed.kind === 'Case' && renamed.whens[0].when, e.kind === 'Case' && e.whens[0].when);
  const names: string[] = [];
  walkExpr(renamed, (n) => void (n.kind === 'ColumnRef' && names.push(n.name)));
  assert.deepEqual(names, ['A', 'B', 'Z', 'D']);
});

test('walkExpr visits parents first, children in order, skips below false, at any depth', () => {
  const order: string[] = [];
  walkExpr(parseExpression(`f(a + b, g(c))`), (n) => {
    order.push(n.kind === 'ColumnRef' ? n.name : n.kind === 'FunctionCall' ? n.name : n.kind);
    return !(n.kind === 'FunctionCall' && n.name === 'G');
  });
  assert.deepEqual(order, ['F', 'ArithmeticBinary', 'A', 'B', 'G']);
  // A chain far deeper than any recursion would survive.
  let deep: Expr = { kind: 'ColumnRef', source: null, name: 'X', span: { line: 1, column: 1, start: 0, end: 1 } };
  for (let i = 0; i < 200_000; i++) deep = { kind: 'Not', operand: deep, span: deep.span };
  let count = 0;
  walkExpr(deep, () => void count++);
  assert.equal(count, 200_001);
});
