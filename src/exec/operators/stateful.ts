import type { OperatorContext } from '../operator.ts';
import type { StoreRegistry } from '../../state/registry.ts';
import type { Row } from '../expr/row.ts';

/** The state registry, which every stateful operator needs; its absence is a setup bug. */
export function requireStores(ctx: OperatorContext): StoreRegistry {
  const stores = ctx.services.stores;
  if (!stores) throw new Error(`Query ${ctx.queryId} needs state stores, but the engine provided none`);
  return stores;
}

/** Counts and reports records that arrive after their window (plus grace) closed; they are dropped. */
export function lateRecordReporter(ctx: OperatorContext, step: string): (r: Row, why: string) => void {
  let late = 0;
  return (r, why) => {
    late++;
    ctx.errors.report({
      level: 'WARN',
      type: 'LATE_RECORD_DROPPED',
      queryId: ctx.queryId,
      step,
      reason: `Record at ${r.partition}@${r.offset} with time ${r.ts} dropped: ${why}. Late records dropped so far: ${late}`,
      partition: r.partition,
      offset: r.offset,
    });
  };
}
