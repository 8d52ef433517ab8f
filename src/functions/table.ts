/**
 * Table functions (UDTFs): each input row yields one output row per returned element.
 */
import type { TableFunction } from './types.ts';
import { fn } from './signature.ts';
import { tableFunction } from './define.ts';

/**
 * Every combination of the values with some replaced by NULL (the GROUP BY CUBE rows), first
 * element most significant, all-NULL first. A NULL value gives the same row whether or not it is
 * "replaced", so those duplicates are skipped.
 */
function cube(values: unknown[] | null): unknown[][] {
  if (values === null) return [];
  const n = values.length;
  const out: unknown[][] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    let skip = false;
    const row: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const keep = (mask >> (n - 1 - i)) & 1;
      if (keep && values[i] === null) {
        skip = true;
        break;
      }
      row[i] = keep ? values[i] : null;
    }
    if (!skip) out.push(row);
  }
  return out;
}

export const tableFunctions: TableFunction[] = [
  tableFunction('EXPLODE', 'Emits one row per element of an array (none for NULL or empty).', [
    fn('array ARRAY<T>', 'T', (a: unknown[] | null) => (a === null ? [] : a)),
  ]),
  tableFunction('CUBE_EXPLODE', 'Emits every combination of the array elements with some replaced by NULL.', [
    fn('array ARRAY<T>', 'ARRAY<T>', cube),
  ]),
];
