/**
 * The name of a join's synthetic key column (ksqlDB's ColumnNames.generateSyntheticJoinKey):
 * `ROWKEY`, or `ROWKEY_n` with the smallest n that no column of the joined sources uses (a
 * source's own `ROWKEY` counts as n = 0), so that the synthetic key never hides a real column.
 */
import type { LogicalSchema } from '../types/schema.ts';

const NUMBERED = /^ROWKEY(?:_(\d+))?$/;

export function syntheticJoinKeyName(schemas: readonly LogicalSchema[]): string {
  const used = new Set<number>();
  for (const schema of schemas) {
    for (const c of [...schema.key, ...schema.value]) {
      const m = NUMBERED.exec(c.name);
      if (m) used.add(m[1] === undefined ? 0 : Number(m[1]));
    }
  }
  let n = 0;
  while (used.has(n)) n++;
  return n === 0 ? 'ROWKEY' : `ROWKEY_${n}`;
}
