/**
 * What a transient (push or pull) query answers: its select items in SELECT order, as ksqlDB's
 * transient queries do (`SELECT ROWTIME, *` starts with ROWTIME; `SELECT COUNT, ID` puts the key
 * last), where a persistent query's rows are key columns then value columns. Key columns the
 * SELECT leaves out (a GROUP BY expression not selected) are not part of the answer.
 */
import type { AnalyzedQuery } from '../analyze/query.ts';
import type { LogicalSchema } from '../types/schema.ts';

export interface TransientColumns {
  /** The answer's columns, all as value columns (a transient answer has no key/value split). */
  readonly schema: LogicalSchema;
  /** Positions in the pipeline's [key..., value...] row, in answer order; null when it is that order. */
  readonly order: readonly number[] | null;
}

export function transientColumns(analyzed: AnalyzedQuery): TransientColumns {
  const all = [...analyzed.schema.key, ...analyzed.schema.value];
  const order = analyzed.selectNames.map((n) => all.findIndex((c) => c.name === n)).filter((i) => i >= 0);
  if (order.length === all.length && order.every((i, j) => i === j)) return { schema: analyzed.schema, order: null };
  return { schema: { key: [], value: order.map((i) => all[i]) }, order };
}

/** The row's columns in answer order. */
export function reorder(cols: readonly unknown[], order: readonly number[]): unknown[] {
  const out = new Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = cols[order[i]];
  return out;
}
