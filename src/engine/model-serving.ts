/**
 * The engine's models as an Open Inference Protocol catalog (ml/serving/v2.ts): every model of
 * the catalog — trained in Riffle, ONNX, or remote (KServe V1/V2, proxied) — answers through the
 * same invokers PREDICT uses. Trained models list their snapshot versions; the unversioned path
 * answers with the live model (or the version ALTER MODEL pinned).
 */
import type { SqlType } from '../types/sql-type.ts';
import type { ModelSpec } from '../ml/spec.ts';
import type { ServedModel, ServingCatalog } from '../ml/serving/v2.ts';
import type { ServedColumn } from '../ml/serving/tensors.ts';
import { V2Error } from '../ml/serving/v2.ts';
import { VERSION } from '../version.ts';
import type { EngineContext } from './context.ts';
import { modelRegistry } from './model-registry.ts';
import { trainedRegistry } from './model-train.ts';

function datatypeOf(t: SqlType): { datatype: string; rowShape: number[] } {
  switch (t.kind) {
    case 'DOUBLE':
    case 'DECIMAL':
      return { datatype: 'FP64', rowShape: [] };
    case 'BIGINT':
      return { datatype: 'INT64', rowShape: [] };
    case 'INTEGER':
      return { datatype: 'INT32', rowShape: [] };
    case 'BOOLEAN':
      return { datatype: 'BOOL', rowShape: [] };
    case 'ARRAY':
      return { datatype: datatypeOf(t.element).datatype, rowShape: [-1] };
    default:
      return { datatype: 'BYTES', rowShape: [] };
  }
}

const column = (c: { name: string; type: SqlType }): ServedColumn => ({ name: c.name, ...datatypeOf(c.type) });

export function servingCatalog(engine: EngineContext): ServingCatalog {
  const served = (name: string): ServedModel | undefined => {
    const info = engine.catalog.models.get(name) ?? engine.catalog.models.get(name.toUpperCase());
    if (!info) return undefined;
    const spec = info.spec as ModelSpec;
    const p = spec.provider;
    const versions =
      p.kind === 'trained'
        ? (trainedRegistry(engine).versions.get(info.name) ?? []).map((v) => String(v.version))
        : p.kind === 'kserve-v2' && p.modelVersion !== null
          ? [p.modelVersion]
          : ['1'];
    const platform = p.kind === 'trained' ? `riffle-trained-${(trainedRegistry(engine).definitions.get(info.name)?.options.learn.type ?? '').toLowerCase()}` : p.kind;
    // Remote models without versions answer the same for '1' as unversioned.
    const versionFor = (v: string | null): string | null => (p.kind === 'trained' || p.kind === 'kserve-v2' ? v : null);
    return {
      name: info.name,
      platform,
      versions,
      inputs: info.inputs.map(column),
      outputs: info.outputs.map(column),
      async ready(version) {
        const inv = await modelRegistry(engine).invoker(info.name, versionFor(version), {});
        return (await inv.health()).kind === 'ready';
      },
      async infer(rows, version) {
        const inv = await modelRegistry(engine).invoker(info.name, versionFor(version), {});
        const outcomes = await inv.invoke(rows);
        return outcomes.map((o, i) => {
          if (o.kind === 'ok') return [...o.outputs];
          throw new V2Error(o.code === 'input' ? 400 : 500, `row ${i}: ${o.reason}`);
        });
      },
    };
  };
  return {
    serverName: 'riffle',
    serverVersion: VERSION,
    models: () => [...engine.catalog.models.keys()].map((n) => served(n)!).filter(Boolean),
    model: served,
  };
}
