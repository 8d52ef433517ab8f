/** What a PARTITION BY clause says, read off the AST (shared by the analyzer's rules and the engine). */
import type { Expr } from '../sql/ast.ts';

/** `PARTITION BY NULL` (alone: with other expressions it is rejected, see query-rules.ts): the result has no key. */
export function isPartitionByNull(partitionBy: readonly Expr[]): boolean {
  return partitionBy.length === 1 && partitionBy[0].kind === 'Literal' && partitionBy[0].type === 'NULL';
}
