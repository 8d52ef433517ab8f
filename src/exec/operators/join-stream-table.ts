/**
 * Stream-table join: the table side is materialized (primary key → latest row) and never emits;
 * each stream row looks up the table row for its join key as of now (the stream record's time,
 * since rows are processed in order). INNER emits only matches; LEFT pads a missing table row.
 */
import type { Operator } from '../operator.ts';
import type { KeyValueStore } from '../../state/store.ts';
import type { JoinContext, StoredRow } from './join-context.ts';
import { routeRows, rowOfStored, storedRow } from './join-context.ts';
import { PartitionedState, requireStores } from './stateful.ts';
import { keyBytes } from '../state-keys.ts';
import { storedRowFormat } from '../../state/codecs/formats.ts';

type Stored = StoredRow;

export function streamTableJoin(jc: JoinContext): Operator {
  const { step, ctx, rightSide } = jc;
  const keyCount = step.spec.rightKeyCount;
  const left = step.spec.type === 'LEFT';
  const state = new PartitionedState<KeyValueStore<Stored>>((_p, suffix) =>
    requireStores(ctx).keyValueStore(ctx.queryId, `${step.name}/right${suffix}`, storedRowFormat),
  );
  return {
    name: step.name,
    ...state.hooks(),
    process(rows) {
      return routeRows(rows, rightSide, (row, isRight, out) => {
        const t = state.get(row.partition);
        if (isRight) {
          if (row.keyNull) return;
          const k = keyBytes(row.cols.slice(0, keyCount));
          if (row.valueNull) t.delete(k);
          else t.put(k, storedRow(row));
          return;
        }
        if (row.valueNull) return;
        const key = jc.leftKey(row);
        const match = key === null || key === undefined ? undefined : t.get(keyBytes([key]));
        if (match) out.push(jc.combine(row, rowOfStored(match), row.ts, row));
        else if (left) out.push(jc.combine(row, null, row.ts, row));
      });
    },
  };
}
