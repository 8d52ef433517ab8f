import { compileExpr, compilePredicate, compileProjection } from '../../../src/exec/expr/compile.ts';
import type { Row } from '../../../src/exec/expr/row.ts';
import { analyze, functions, row } from '../../analyze/expr/fixtures.ts';

export { row, dec, calls, functions, analyze } from '../../analyze/expr/fixtures.ts';

/** Evaluates `text` for a row with the given column values; returns the value and the logged errors. */
export function run(text: string, values: Record<string, unknown> = {}, ctx: Partial<Row> = {}): { value: unknown; log: string[] } {
  const log: string[] = [];
  const f = compileExpr(analyze(text), functions, (m) => log.push(m));
  return { value: f(row(values, ctx)), log };
}

/** The value of `text` for a row with the given column values. */
export const value = (text: string, values: Record<string, unknown> = {}, ctx: Partial<Row> = {}): unknown => run(text, values, ctx).value;

export function predicate(text: string, values: Record<string, unknown> = {}): { value: boolean; log: string[] } {
  const log: string[] = [];
  const f = compilePredicate(analyze(text), functions, (m) => log.push(m));
  return { value: f(row(values)), log };
}

export function project(texts: string[], values: Record<string, unknown> = {}): { value: unknown[]; log: string[] } {
  const log: string[] = [];
  const f = compileProjection(texts.map(analyze), functions, (m) => log.push(m));
  return { value: f(row(values)), log };
}
