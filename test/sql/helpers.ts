/** Test helpers for the SQL front end. */
import assert from 'node:assert/strict';
import type { Expr, Statement } from '../../src/sql/ast.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { parseExpression, parseStatement } from '../../src/sql/parser.ts';

/** A deep copy without `span` fields (Maps stay Maps), for comparing ASTs. */
export function stripSpans<T>(x: T): T {
  if (Array.isArray(x)) return x.map(stripSpans) as T;
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, stripSpans(v)])) as T;
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'span') out[k] = stripSpans(v);
    return out as T;
  }
  return x;
}

export const expr = (text: string): Expr => stripSpans(parseExpression(text));
export const stmt = (text: string): Statement => stripSpans(parseStatement(text));

/** Asserts that `f` throws a PARSE SqlError and returns it. */
export function parseError(f: () => unknown): SqlError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SqlError, `expected a SqlError, got ${String(e)}`);
    assert.equal(e.code, 'PARSE');
    return e;
  }
  assert.fail('expected a parse error');
}

// Small AST builders (spans stripped) for expected values.
export const col = (name: string, source: string | null = null) => ({ kind: 'ColumnRef', source, name });
export const lit = (type: string, raw: string) => ({ kind: 'Literal', type, raw });
export const int = (raw: string) => lit('INTEGER', raw);
export const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'ArithmeticBinary', op, left, right });
export const cmp = (op: string, left: unknown, right: unknown) => ({ kind: 'Comparison', op, left, right });
export const logical = (op: string, left: unknown, right: unknown) => ({ kind: 'Logical', op, left, right });
export const call = (name: string, ...args: unknown[]) => ({ kind: 'FunctionCall', name, args, distinct: false, over: null });
