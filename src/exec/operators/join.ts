/**
 * Joins. Rows reach a join tagged with their FROM source (`Row.side`): join k takes its left
 * input from side 0 (source 0, or the output of join k−1) and its right input from side k+1;
 * rows of later sources pass through untouched, to the join that takes them. Outputs are tagged
 * side 0 and hold the left columns followed by the right columns (nulls for a missing side).
 */
import type { JoinStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import { compileExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { expressionErrorSink } from './errors.ts';
import { streamStreamJoin } from './join-stream-stream.ts';
import { streamTableJoin } from './join-stream-table.ts';
import { tableTableJoin } from './join-table-table.ts';
import type { Row } from '../expr/row.ts';
import type { JoinContext } from './join-context.ts';

export function joinOperator(step: JoinStep, rightSide: number, ctx: OperatorContext): Operator {
  const onError = expressionErrorSink(ctx, step.name);
  const { leftWidth, rightWidth } = step.spec;
  // The left input holds sources 0..rightSide-1.
  const leftTimesMissing: (number | null)[] = new Array(rightSide).fill(null);
  const jc: JoinContext = {
    step,
    ctx,
    rightSide,
    leftKey: compileExpr(step.spec.leftKey, getFunction, onError),
    rightKey: compileExpr(step.spec.rightKey, getFunction, onError),
    // One pass per output row (it runs once per join result): the columns copied into one new
    // array, left padded to its width (a stored row may predate an added column), and each
    // per-side list (time, partition, offset of every source) extended by the right side's.
    combine(left, right, ts, trigger) {
      const cols: unknown[] = [];
      if (left) {
        const lc = left.cols;
        const n = lc.length < leftWidth ? lc.length : leftWidth;
        for (let i = 0; i < n; i++) cols.push(lc[i]);
        for (let i = n; i < leftWidth; i++) cols.push(null);
      } else for (let i = 0; i < leftWidth; i++) cols.push(null);
      if (right) for (const c of right.cols) cols.push(c);
      else for (let i = 0; i < rightWidth; i++) cols.push(null);
      return {
        cols,
        ts,
        partition: trigger.partition,
        offset: trigger.offset,
        // Joined windowed sources share the window (it is part of the join key).
        windowStart: (left ?? right)?.windowStart ?? null,
        windowEnd: (left ?? right)?.windowEnd ?? null,
        headers: null,
        side: 0,
        sideTimes: withSide(left ? left.sideTimes : leftTimesMissing, left ? left.ts : null, right ? right.ts : null),
        sidePartitions: withSide(left ? left.sidePartitions : leftTimesMissing, left ? left.partition : null, right ? right.partition : null),
        sideOffsets: withSide(left ? left.sideOffsets : leftTimesMissing, left ? left.offset : null, right ? right.offset : null),
      };
    },
    rowOf(cols, ts, sideTimes) {
      const row: Row = { cols, ts, partition: 0, offset: -1, windowStart: null, windowEnd: null, headers: null };
      if (sideTimes) row.sideTimes = sideTimes;
      return row;
    },
  };
  switch (step.spec.kind) {
    case 'STREAM_STREAM':
      return streamStreamJoin(jc);
    case 'STREAM_TABLE':
      return streamTableJoin(jc);
    case 'TABLE_TABLE':
      return tableTableJoin(jc);
  }
}

/** The left side's per-source list (or, for a single source, [its own value]) plus the right side's value. */
function withSide(leftList: readonly (number | null)[] | undefined, leftOwn: number | null, rightValue: number | null): (number | null)[] {
  if (leftList === undefined) return [leftOwn, rightValue];
  const out = leftList.slice();
  out.push(rightValue);
  return out;
}
