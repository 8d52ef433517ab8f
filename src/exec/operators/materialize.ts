/**
 * Table materialization: keeps the latest row per key (key columns → all columns) in a state
 * store, and tags each change with the row it replaces (`Row.prior`). A tombstone deletes the key
 * and carries the deleted row as its prior.
 */
import type { MaterializeStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { keyBytes } from '../state-keys.ts';
import { PartitionedState, requireStores } from './stateful.ts';
import { rowColumnsFormat } from '../../state/codecs/formats.ts';

export function materializeOperator(step: MaterializeStep, ctx: OperatorContext): Operator {
  const keyCount = step.schema.key.length;
  const state = new PartitionedState((_p, suffix) => requireStores(ctx).keyValueStore(ctx.queryId, step.name + suffix, rowColumnsFormat));
  return {
    name: step.name,
    ...state.hooks(),
    process(rows: Row[]): Row[] {
      const out: Row[] = [];
      for (const row of rows) {
        const s = state.get(row.partition);
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
