/**
 * SHOW MODELS and DESCRIBE MODEL: the catalog's definition, a live health probe and the invokers'
 * statistics. Secrets never show: options are printed redacted, and the statement (which holds
 * them as typed) is not printed.
 */
import { formatType } from '../types/sql-type.ts';
import type { ModelInfo } from '../analyze/catalog.ts';
import type { EngineContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { redactedProperties } from '../ml/index.ts';
import type { ModelSpec, ModelStats } from '../ml/index.ts';
import type { ModelRegistry } from '../ml/registry.ts';
import { deadLetterTopicOf, modelLocation, modelVersionOf, servedName } from '../ml/sql-model.ts';

export function showModels(engine: EngineContext): StatementResult {
  const rows = [...engine.catalog.models.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => {
      const spec = m.spec as ModelSpec;
      return [m.name, spec.provider.kind, modelLocation(spec), modelVersionOf(spec) ?? ''];
    });
  return { kind: 'table', title: 'Models', columns: ['Model Name', 'Provider', 'Endpoint', 'Version'], rows };
}

const ms = (x: number | null): string => (x === null ? '-' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`);

function statsLines(s: ModelStats): string[] {
  return [
    `  Requests           : ${s.requests} (${s.failedRequests} failed, ${s.retries} retries, ${s.timeouts} timeouts)`,
    `  Rows               : ${s.rows} (${s.rowsOk} predicted, ${s.rowsFailed} failed)`,
    `  Latency            : p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)} (${s.latencyMs.samples} request${s.latencyMs.samples === 1 ? '' : 's'})`,
    `  Circuit breaker    : ${s.breaker.state} (${s.breakerRejections} batches rejected)`,
    `  In flight          : ${s.inFlight}`,
    `  Last error         : ${s.lastError ?? '-'}`,
  ];
}

export async function describeModel(_engine: EngineContext, registry: ModelRegistry, info: ModelInfo): Promise<StatementResult> {
  const spec = info.spec as ModelSpec;
  const version = modelVersionOf(spec);
  const lines: string[] = [];
  lines.push(`Name                 : ${info.name}`);
  lines.push(`Provider             : ${spec.provider.kind}`);
  lines.push(`${spec.provider.kind === 'onnx' ? 'Path                 ' : 'Endpoint             '}: ${modelLocation(spec)}`);
  if (spec.provider.kind !== 'onnx') lines.push(`Model                : ${servedName(spec)}`);
  if (spec.provider.kind === 'kserve-v2') lines.push(`Version              : ${version ?? '(server default)'}`);
  lines.push(`On error             : ${spec.onError}${spec.onError === 'DEAD_LETTER' ? ` -> ${deadLetterTopicOf(info.name, spec)}` : ''}`);
  lines.push(`Batching             : ${spec.batchSize} rows per request, ${spec.maxInFlight} in flight, timeout ${spec.timeoutMs} ms, ${spec.retry.retries} retries`);
  lines.push('');
  lines.push(' Input | Type');
  for (const c of info.inputs) lines.push(` ${c.name} | ${formatType(c.type)}`);
  lines.push('');
  lines.push(' Output | Type');
  for (const c of info.outputs) lines.push(` ${c.name} | ${formatType(c.type)}`);
  lines.push('');
  const props = redactedProperties(spec);
  lines.push(`Options              : ${Object.entries(props).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const discovered = [spec.inputs === null ? 'INPUT' : '', spec.outputs === null ? 'OUTPUT' : ''].filter(Boolean);
  lines.push(`Columns              : ${discovered.length ? `${discovered.join(' and ')} discovered from the ${spec.provider.kind === 'onnx' ? 'file' : 'server'}` : 'declared'}`);
  const users = registry.usersOf(info.name);
  lines.push(`Used by queries      : ${users.join(', ') || '(none)'}`);

  // The health probe opens the default invoker if no query has yet.
  let health: string;
  try {
    const inv = await registry.invoker(info.name, null, {});
    const h = await inv.health();
    health = h.kind === 'ready' ? `ready (${ms(h.latencyMs)})` : `not ready: ${h.reason}`;
  } catch (e) {
    health = `not ready: ${(e as Error).message}`;
  }
  lines.push(`Health               : ${health}`);
  const opened = await registry.opened(info.name);
  for (const o of opened) {
    const opts = Object.entries(o.options).map(([k, v]) => `${k}=${v}`);
    const label = [o.version !== null ? `version ${o.version}` : '', ...opts].filter(Boolean).join(', ');
    lines.push(`Statistics${label ? ` (${label})` : ''}:`);
    lines.push(...statsLines(o.invoker.stats()));
  }
  return { kind: 'text', text: lines.join('\n') };
}
