/**
 * Table-table joins, INNER / LEFT / RIGHT / FULL, on the primary keys or on a foreign key of the
 * left table (`ON left.fk = right.pk`). Both sides are materialized. A change on either side
 * recomputes the affected join results: a result that exists is emitted (with the result it
 * replaces as `prior`, for downstream filters); a result that disappears becomes a tombstone.
 * Foreign-key changes on the right side scan the left table for the rows that reference it.
 */
import type { Operator } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import type { KeyValueStore } from '../../state/store.ts';
import type { JoinContext, StoredRow } from './join-context.ts';
import { routeRows, rowOfStored, storedRow } from './join-context.ts';
import { PartitionedState, requireStores } from './stateful.ts';
import { keyBytes, sameBytes } from '../state-keys.ts';
import { storedRowFormat } from '../../state/codecs/formats.ts';

type Stored = StoredRow;

export function tableTableJoin(jc: JoinContext): Operator {
  const { step, ctx, rightSide } = jc;
  const spec = step.spec;
  const type = spec.type;
  const state = new PartitionedState(async (_p, suffix) => ({
    lefts: await requireStores(ctx).keyValueStore(ctx.queryId, `${step.name}/left${suffix}`, storedRowFormat),
    rights: await requireStores(ctx).keyValueStore(ctx.queryId, `${step.name}/right${suffix}`, storedRowFormat),
  }));
  // The stores of the partition being processed (operators run synchronously within a batch).
  let lefts: KeyValueStore<Stored> | null = null;
  let rights: KeyValueStore<Stored> | null = null;

  /** The join result for a pair (either may be missing), or null when the join type yields none. */
  const result = (l: Stored | null | undefined, r: Stored | null | undefined, trigger: Row): Row | null => {
    const hasL = !!l;
    const hasR = !!r;
    const emit =
      type === 'INNER' ? hasL && hasR : type === 'LEFT' ? hasL : type === 'RIGHT' ? hasR : hasL || hasR;
    if (!emit) return null;
    const ts = Math.max(l ? l.ts : Number.NEGATIVE_INFINITY, r ? r.ts : Number.NEGATIVE_INFINITY);
    return jc.combine(l ? rowOfStored(l) : null, r ? rowOfStored(r) : null, ts, trigger);
  };
  const joinKeyOfLeft = (l: Stored | null | undefined): Uint8Array | null => {
    if (!l) return null;
    const v = jc.leftKey(jc.rowOf(l.cols, l.ts, l.sideTimes));
    return v === null || v === undefined ? null : keyBytes([v]);
  };
  const emitChange = (out: Row[], prev: Row | null, next: Row | null, trigger: Row): void => {
    if (next) out.push({ ...next, ts: Math.max(next.ts, trigger.ts), prior: prev ? prev.cols : null });
    else if (prev) out.push({ ...prev, ts: trigger.ts, valueNull: true, colsKept: true, prior: prev.cols });
  };

  const onLeft = (row: Row, out: Row[]): void => {
    if (row.keyNull) return;
    const lk = keyBytes(row.cols.slice(0, spec.leftKeyCount));
    const before = lefts!.get(lk) ?? null;
    const after: Stored | null = row.valueNull ? null : storedOf(row);
    if (after) lefts!.put(lk, after);
    else if (before) lefts!.delete(lk);
    else return;
    const oldJk = joinKeyOfLeft(before);
    // A deleted left row still names its join key: RIGHT/FULL joins then keep the right side.
    const newJk = joinKeyOfLeft(after) ?? (spec.foreignKey ? null : oldJk);
    const prev = result(before, oldJk ? rights!.get(oldJk) : null, row);
    const next = result(after, newJk ? rights!.get(newJk) : null, row);
    // A foreign-key join always deletes the result of a deleted left row (as ksqlDB does).
    if (!next && !prev && !after && before && spec.foreignKey) {
      const gone = jc.combine(rowOfStored(before), null, row.ts, row);
      out.push({ ...gone, valueNull: true, colsKept: true, prior: null });
      return;
    }
    emitChange(out, prev, next, row);
  };

  const onRight = (row: Row, out: Row[]): void => {
    if (row.keyNull) return;
    const rk = keyBytes(row.cols.slice(0, spec.rightKeyCount));
    const before = rights!.get(rk) ?? null;
    const after: Stored | null = row.valueNull ? null : storedOf(row);
    if (after) rights!.put(rk, after);
    else if (before) rights!.delete(rk);
    else return;
    const referencing: Stored[] = [];
    if (spec.foreignKey) {
      for (const { value } of [...lefts!.range(null, null)]) {
        const jk = joinKeyOfLeft(value);
        if (jk && sameBytes(jk, rk)) referencing.push(value);
      }
      referencing.sort((a, b) => a.ts - b.ts); // oldest first: a stable order independent of key encoding
    } else {
      const l = lefts!.get(rk);
      if (l) referencing.push(l);
    }
    for (const l of referencing) emitChange(out, result(l, before, row), result(l, after, row), row);
    if (referencing.length === 0) emitChange(out, result(null, before, row), result(null, after, row), row);
  };

  return {
    name: step.name,
    ...state.hooks(),
    process(rows) {
      return routeRows(rows, rightSide, (row, isRight, out) => {
        ({ lefts, rights } = state.get(row.partition));
        if (isRight) onRight(row, out);
        else onLeft(row, out);
      });
    },
  };
}

/** What the join keeps of a row (join.ts' StoredRow). */
function storedOf(row: Row): Stored {
  return storedRow(row);
}
