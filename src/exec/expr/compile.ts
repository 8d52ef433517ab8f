/**
 * Compilation of typed expressions to JavaScript functions over rows, once per query (see
 * gen.ts for why code generation, emit.ts for the semantics).
 *
 * Error handling (one try per compiled function, none per node in the hot path):
 * - node level: a function call that throws and a CAST of a value that does not convert
 *   evaluate to NULL and report to the ErrorSink (the function call holds its own try/catch;
 *   casters report and return null), so `COALESCE(CAST(s AS INT), 0)` and ARRAY[1, f(x)] keep
 *   the rest of the value, as ksqlDB does for UDF errors;
 * - expression level: anything that throws while evaluating (integer or decimal division by
 *   zero, decimal overflow, unexpected data) makes the whole expression NULL (a predicate:
 *   false) and reports once, as ksqlDB does for a select expression or filter.
 */
import type { TypedExpr } from '../../types/typed-expr.ts';
import { formatTypedExpr } from '../../types/typed-expr.ts';
import type { FunctionLookup } from '../../functions/types.ts';
import type { ErrorSink, Row } from './row.ts';
import { FnScope, Gen, declareTemps } from './gen.ts';
import { emit } from './emit.ts';
import type { EmitCtx } from './emit-context.ts';

export type CompiledExpr = (row: Row) => unknown;
export type CompiledPredicate = (row: Row) => boolean;
export type CompiledProjection = (row: Row) => unknown[];
export type { ErrorSink, Row } from './row.ts';
export type { FunctionLookup } from '../../functions/types.ts';

const ignore: ErrorSink = () => {};

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Generates `function (row) { try { <body>; return <result> } catch (err) { <onError>(err); return <failed> } }`.
 * `result` maps the emitted values to the returned expression.
 */
function generate(
  exprs: readonly TypedExpr[],
  functions: FunctionLookup,
  sink: ErrorSink,
  result: (codes: string[], nn: boolean[]) => string,
  onThrow: (err: unknown) => void,
  failed: string,
): (row: Row) => unknown {
  const g = new Gen();
  const x: EmitCtx = { g, functions, sink, emit: (scope, e) => emit(x, scope, e) };
  const s = new FnScope();
  const vals = exprs.map((e) => emit(x, s, e));
  const fail = g.k(onThrow);
  const src = [
    '"use strict";',
    g.prologue(),
    'return function compiled(row) {',
    'try {',
    'const c = row.cols;',
    declareTemps(s),
    ...s.lines,
    `return ${result(
      vals.map((v) => v.code),
      vals.map((v) => v.nn),
    )};`,
    '} catch (err) {',
    `${fail}(err);`,
    `return ${failed};`,
    '}',
    '};',
  ].join('\n');
  return new Function('k', src)(g.consts) as (row: Row) => unknown;
}

/** Compiles one expression; its value for a row that fails to evaluate is NULL (reported to `onError`). */
export function compileExpr(e: TypedExpr, functions: FunctionLookup, onError: ErrorSink = ignore): CompiledExpr {
  const text = formatTypedExpr(e);
  return generate([e], functions, onError, ([v]) => v, (err) => onError(`Error evaluating ${text}: ${message(err)}`, err), 'null');
}

/** Compiles a WHERE/HAVING condition: true only when the expression is TRUE (NULL and errors are false). */
export function compilePredicate(e: TypedExpr, functions: FunctionLookup, onError: ErrorSink = ignore): CompiledPredicate {
  const text = formatTypedExpr(e);
  return generate(
    [e],
    functions,
    onError,
    ([v], [nn]) => (nn ? v : `${v} === true`),
    (err) => onError(`Error evaluating condition ${text}: ${message(err)}`, err),
    'false',
  ) as CompiledPredicate;
}

/**
 * Compiles a projection into one function returning the array of values. When a row makes an
 * expression throw, the row is evaluated again expression by expression so that only the
 * failing ones are NULL; messages of the failed attempt are discarded (no duplicates).
 */
export function compileProjection(exprs: readonly TypedExpr[], functions: FunctionLookup, onError: ErrorSink = ignore): CompiledProjection {
  const pending: [string, unknown][] = [];
  const buffered: ErrorSink = (m, err) => {
    pending.push([m, err]);
  };
  const fast = generate(exprs, functions, buffered, (codes) => `[${codes.join(', ')}]`, () => {}, 'null') as (row: Row) => unknown[] | null;
  let singles: CompiledExpr[] | null = null;
  return (row) => {
    const out = fast(row);
    if (out !== null) {
      if (pending.length) {
        for (const [m, err] of pending) onError(m, err);
        pending.length = 0;
      }
      return out;
    }
    pending.length = 0;
    singles ??= exprs.map((e) => compileExpr(e, functions, onError));
    return singles.map((f) => f(row));
  };
}
