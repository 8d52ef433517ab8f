/**
 * Whether a HOPPING aggregation keeps its state by panes (AggregateStep.panes), and their length.
 *
 * A hopping window of size S advancing by A is the union of S / P panes of length P = gcd(S, A),
 * and a record falls in S / A windows but in one pane. Kept by window, every record updates S / A
 * windows (each a state write, a changelog record at the commit, a window kept until it
 * expires); kept by pane, it updates one pane, and each of its windows' results is the merge of
 * that window's panes. The results are the same as window by window when merging is exact and
 * order-free: COUNT, SUM over integers, MIN / MAX over exactly ordered types. Floating-point sums
 * (rounding depends on the order of additions), DECIMAL sums (an overflow error depends on it),
 * AVG (its merge and add round differently), collections (their order is the records'), and any
 * other function keep the window-by-window state.
 *
 * Also kept by window: EMIT FINAL (its pending windows are read window by window), HAVING (needs
 * each window's prior result), table input (retractions), windows of a single pane, and windows
 * of more than MAX_PANES_PER_WINDOW panes (each result would merge that many).
 *
 * Exactness with late records: a record late for its older windows but not its newer ones goes
 * into its pane, which the closed older windows also cover; they are never emitted again (every
 * record for them is late), so no output changes.
 */
import type { AggregateCall, WindowPlan } from '../analyze/output.ts';
import type { SqlType } from '../types/sql-type.ts';

/** Above this many panes per window, a window's result costs more merges than its own state saves. */
export const MAX_PANES_PER_WINDOW = 8;

const EXACT_SUM: ReadonlySet<SqlType['kind']> = new Set(['INTEGER', 'BIGINT']);
const EXACT_ORDER: ReadonlySet<SqlType['kind']> = new Set(['INTEGER', 'BIGINT', 'STRING', 'BOOLEAN', 'DATE', 'TIME', 'TIMESTAMP']);

function mergesExactly(a: AggregateCall): boolean {
  const t = a.argTypes[0]?.kind;
  switch (a.name.toUpperCase()) {
    case 'COUNT':
      return true;
    case 'SUM':
      return t !== undefined && EXACT_SUM.has(t);
    case 'MIN':
    case 'MAX':
      return t !== undefined && EXACT_ORDER.has(t);
    default:
      return false;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export interface PaneOptions {
  readonly window: WindowPlan | null;
  readonly aggregates: readonly AggregateCall[];
  readonly withPrior: boolean;
  readonly inputIsTable: boolean;
}

/** The pane length when the aggregation is kept by panes, else null. */
export function paneLength(o: PaneOptions): number | null {
  const w = o.window;
  if (w === null || w.info.kind !== 'HOPPING' || w.emitFinal || o.withPrior || o.inputIsTable) return null;
  const { sizeMs, advanceMs } = w.info;
  if (advanceMs >= sizeMs) return null;
  const pane = gcd(sizeMs, advanceMs);
  if (sizeMs / pane > MAX_PANES_PER_WINDOW) return null;
  return o.aggregates.length > 0 && o.aggregates.every(mergesExactly) ? pane : null;
}
