/**
 * Table materialization: keeps the latest row per key (key columns → all columns) in a state
 * store, and tags each change with the row it replaces (`Row.prior`). A tombstone deletes the key
 * and carries the deleted row as its prior.
 */
import type { MaterializeStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { KeyValueStore } from '../../state/store.ts';
import { keyBytes } from '../state-keys.ts';
import { requireStores } from './stateful.ts';

export function materializeOperator(step: MaterializeStep, ctx: OperatorContext): Operator {
  const keyCount = step.schema.key.length;
  let store: KeyValueStore<unknown[]> | null = null;
  return {
    name: step.name,
    async open() {
      store = await requireStores(ctx).keyValueStore<unknown[]>(ctx.queryId, step.name);
    },
    process(rows: Row[]): Row[] {
      const s = store!;
      const out: Row[] = [];
      for (const row of rows) {
        if (row.keyNull) continue; // a table row needs a key
        const k = keyBytes(row.cols.slice(0, keyCount));
        const prior = s.get(k) ?? null;
        if (row.valueNull) {
          if (prior === null) continue; // deleting nothing changes nothing
          s.delete(k);
        } else {
          s.put(k, row.cols);
        }
        out.push({ ...row, prior });
      }
      return out;
    },
  };
}
