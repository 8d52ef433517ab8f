import type { OperatorContext } from '../operator.ts';
import type { StoreRegistry } from '../../state/registry.ts';

/** The state registry, which every stateful operator needs; its absence is a setup bug. */
export function requireStores(ctx: OperatorContext): StoreRegistry {
  const stores = ctx.services.stores;
  if (!stores) throw new Error(`Query ${ctx.queryId} needs state stores, but the engine provided none`);
  return stores;
}
