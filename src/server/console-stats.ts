/**
 * JSON statistics for the web console (src/console/): what /metrics exposes in Prometheus text,
 * per persistent query and per model, as one JSON document a browser can poll. Counters are
 * cumulative (records in/out, model requests): the console turns successive readings into rates,
 * so the server keeps no per-client state. GET /riffle/console/whoami tells the console the
 * caller's role (it hides what a read-only user may not run; the server still enforces it).
 */
import type { Engine } from '../engine/engine.ts';
import { queryGroupId } from '../engine/persistent.ts';
import type { ModelStats } from '../ml/stats.ts';
import { formatType } from '../types/sql-type.ts';
import type { Evidence } from '../ml/promotion/shadow.ts';
import type { ShadowEvaluation } from '../ml/promotion/shadow.ts';
import { trainedPromotionOf } from '../engine/model-shadow-trained.ts';
import { servedPromotionOf } from '../engine/pipelines.ts';
import { jsonRoute, type Route } from './routes.ts';

export interface QueryStats {
  readonly id: string;
  readonly sql: string;
  readonly sink: string | null;
  readonly sources: readonly string[];
  readonly state: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Records of the input topics not yet committed by the query (null when offsets cannot be read). */
  readonly lag: number | null;
  readonly processingErrors: number;
  readonly lastProcessingError: string | null;
  /** Why the query stopped, when it is in ERROR. */
  readonly error: string | null;
  /** Rows out of each plan step so far, by the step names EXPLAIN shows (empty when the query is not running here). */
  readonly steps: Readonly<Record<string, number>>;
}

export interface ModelInvokerStats {
  /** `version 2, timeout=1s`: which of the model's invokers (versions, per-call options). */
  readonly label: string;
  readonly stats: Omit<ModelStats, 'latencyHistogram' | 'batchRowsHistogram'> & { readonly meanBatchRows: number | null; readonly meanLatencyMs: number | null };
}

export interface ModelSummary {
  readonly name: string;
  readonly inputs: readonly { name: string; type: string }[];
  readonly outputs: readonly { name: string; type: string }[];
  readonly invokers: readonly ModelInvokerStats[];
  /** Versions promoted by rule (a pipeline's MODEL, or ALTER MODEL ... PROMOTE WHEN): the challenger in shadow and past decisions; null without a rule. */
  readonly promotion: PromotionView | null;
}

export interface PromotionView {
  readonly rule: string;
  /** The evaluation under way: both versions scored on the same labelled rows so far (cumulative). */
  readonly shadow: Evidence | null;
  /** Challenger, promote and reject decisions, oldest first (the most recent MAX_DECISIONS). */
  readonly decisions: readonly { action: string; version: string; at: number; evidence: Evidence | null }[];
  readonly error: string | null;
}

const MAX_DECISIONS = 20;

/** What both promotion loops (served versions, trained snapshots) share. */
interface PromotionLoop {
  readonly evaluation: ShadowEvaluation | null;
  readonly decisions: readonly { action: string; version: string; at: number; evidence: Evidence | null }[];
  readonly lastError: string | null;
}

const MAX_TRACKED_QUERIES = 1000;

type OpenedModels = { opened?(name: string): Promise<{ version: string | null; options: Readonly<Record<string, string>>; invoker: { stats(): ModelStats } }[]> };

/** Per-query processing-log counts, kept from the engine's processing-log hook (chained, so /metrics keeps its own). */
export class ConsoleStats {
  private readonly engine: Engine;
  private readonly errors = new Map<string, { count: number; last: string }>();

  constructor(engine: Engine) {
    this.engine = engine;
    const previous = engine.processingLog.onEntry;
    engine.processingLog.onEntry = (e) => {
      const known = this.errors.get(e.queryId);
      const last = `${e.type} at ${e.step}: ${e.reason}`;
      if (known) {
        known.count++;
        known.last = last;
      } else {
        // Push queries come and go with ids of their own: keep the counts of the most recent ids only.
        if (this.errors.size >= MAX_TRACKED_QUERIES) this.errors.delete(this.errors.keys().next().value!);
        this.errors.set(e.queryId, { count: 1, last });
      }
      previous?.(e);
    };
  }

  async queries(): Promise<QueryStats[]> {
    const engine = this.engine;
    const infos = new Map(engine.catalog.listQueries().map((q) => [q.id, q]));
    const ids = [...new Set([...infos.keys(), ...engine.tasks.keys()])].sort();
    const out: QueryStats[] = [];
    for (const id of ids) {
      const info = infos.get(id);
      const task = engine.tasks.get(id);
      const errs = this.errors.get(id);
      out.push({
        id,
        sql: info?.sql ?? '',
        sink: info?.sink ?? null,
        sources: info?.sources ?? [],
        state: task?.state ?? 'UNKNOWN',
        recordsIn: task?.consumed ?? 0,
        recordsOut: task?.emitted ?? 0,
        lag: info ? await this.lag(id, info.sources) : null,
        processingErrors: errs?.count ?? 0,
        lastProcessingError: errs?.last ?? null,
        error: task?.error ? task.error.message : null,
        steps: task ? task.stepRows.snapshot() : {},
      });
    }
    return out;
  }

  /** End offsets minus the query's committed offsets over its input topics (as riffle_query_lag_records). */
  private async lag(queryId: string, sources: readonly string[]): Promise<number | null> {
    const engine = this.engine;
    const group = queryGroupId(engine.serviceId, queryId);
    let total = 0;
    try {
      for (const name of sources) {
        const topic = engine.catalog.getSource(name)?.topic;
        if (!topic) continue;
        const [ends, committed] = await Promise.all([engine.log.offsets(topic), engine.log.committed(group, topic)]);
        const at = new Map(committed.map((c) => [c.partition, c.offset]));
        for (const e of ends) total += Math.max(0, e.end - (at.get(e.partition) ?? e.start));
      }
    } catch {
      return null;
    }
    return total;
  }

  async models(): Promise<ModelSummary[]> {
    const registry = this.engine.services.models as OpenedModels | undefined;
    const out: ModelSummary[] = [];
    for (const info of [...this.engine.catalog.models.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const opened = registry?.opened ? await registry.opened(info.name) : [];
      out.push({
        name: info.name,
        inputs: info.inputs.map((c) => ({ name: c.name, type: formatType(c.type) })),
        outputs: info.outputs.map((c) => ({ name: c.name, type: formatType(c.type) })),
        invokers: opened.map((o) => {
          const { latencyHistogram, batchRowsHistogram, ...rest } = o.invoker.stats();
          const label = [o.version !== null ? `version ${o.version}` : '', ...Object.entries(o.options).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(', ');
          return {
            label: label || 'default',
            stats: {
              ...rest,
              meanBatchRows: batchRowsHistogram.count ? batchRowsHistogram.sum / batchRowsHistogram.count : null,
              meanLatencyMs: latencyHistogram.count ? latencyHistogram.sum / latencyHistogram.count : null,
            },
          };
        }),
        promotion: this.promotion(info.name),
      });
    }
    return out;
  }

  private promotion(model: string): PromotionView | null {
    const trained = trainedPromotionOf(this.engine, model);
    const served = trained ? null : servedPromotionOf(this.engine, model);
    const loop: PromotionLoop | null = trained ?? served;
    if (!loop) return null;
    return {
      rule: trained ? trained.rule.text : served!.cfg.rule.text,
      shadow: loop.evaluation ? loop.evaluation.evidence : null,
      decisions: loop.decisions.slice(-MAX_DECISIONS).map((d) => ({ action: d.action, version: d.version, at: d.at, evidence: d.evidence })),
      error: loop.lastError,
    };
  }
}

export function consoleStatsRoutes(engine: Engine): Route[] {
  const stats = new ConsoleStats(engine);
  return [
    jsonRoute('GET', '/riffle/console/whoami', 'read', ({ principal }) => ({ status: 200, body: { name: principal.name, role: principal.role } })),
    jsonRoute('GET', '/riffle/console/queries', 'read', async () => ({ status: 200, body: { at: Date.now(), queries: await stats.queries() } })),
    jsonRoute('GET', '/riffle/console/models', 'read', async () => ({ status: 200, body: { at: Date.now(), models: await stats.models() } })),
  ];
}
