/**
 * Logical schemas: the columns a stream or table has, split into key and value columns.
 * A row's `cols` array holds the key columns first, then the value columns (see exec/expr/row.ts),
 * so a column's index in `columns(schema)` is its index in `row.cols`.
 */
import type { SqlType } from './sql-type.ts';
import { formatType } from './sql-type.ts';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  /** For value columns read from headers: `HEADERS` (key null) or `HEADER('k')`. */
  readonly header?: { readonly key: string | null };
}

export interface LogicalSchema {
  readonly key: readonly Column[];
  readonly value: readonly Column[];
}

export const allColumns = (s: LogicalSchema): Column[] => [...s.key, ...s.value];

export function findColumn(s: LogicalSchema, name: string): { index: number; column: Column; isKey: boolean } | null {
  const ki = s.key.findIndex((c) => c.name === name);
  if (ki >= 0) return { index: ki, column: s.key[ki], isKey: true };
  const vi = s.value.findIndex((c) => c.name === name);
  if (vi >= 0) return { index: s.key.length + vi, column: s.value[vi], isKey: false };
  return null;
}

export function formatSchema(s: LogicalSchema): string {
  const cols = [
    ...s.key.map((c) => `${c.name} ${formatType(c.type)} KEY`),
    ...s.value.map((c) => `${c.name} ${formatType(c.type)}${c.header ? (c.header.key === null ? ' HEADERS' : ` HEADER('${c.header.key}')`) : ''}`),
  ];
  return cols.join(', ');
}
