/**
 * The engine's registry of remote/ONNX model invokers (../ml/registry.ts), created on first use
 * and kept in the engine's services: the statements that define models (./models.ts), the
 * training queries (./model-train.ts) and promotion (./model-promotion.ts) share it.
 */
import { ModelRegistry } from '../ml/registry.ts';
import { definitionOf } from '../ml/sql-model.ts';
import type { EngineContext } from './context.ts';

export function modelRegistry(engine: EngineContext): ModelRegistry {
  const cur = engine.services.models;
  if (cur instanceof ModelRegistry) return cur;
  const registry = new ModelRegistry((name) => {
    const info = engine.catalog.models.get(name);
    return info ? definitionOf(info) : undefined;
  });
  engine.services.models = registry;
  return registry;
}

/** Closes every live model invoker (for Engine.close, after the queries stopped). */
export async function closeModels(engine: EngineContext): Promise<void> {
  const cur = engine.services.models;
  if (cur instanceof ModelRegistry) await cur.close();
}
