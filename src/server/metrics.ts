/**
 * Prometheus metrics (prom-client), served at GET /metrics. Names are documented in
 * docs/server.md. Counters that the engine already keeps (records in and out per query, state
 * store sizes, model statistics) are read at scrape time; batch and end-to-end latencies are
 * observed through the engine's batch observer; processing-log errors through its entry hook.
 */
import client from 'prom-client';
import type { HistogramSnapshot } from '../ml/stats.ts';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { queryGroupId } from '../engine/persistent.ts';
import type { ActiveQueries } from './queries.ts';

/** End-to-end latency is sampled on at most this many output rows per batch (it is a distribution, not a count). */
const E2E_SAMPLES_PER_BATCH = 64;

export class ServerMetrics {
  readonly registry = new client.Registry();
  private readonly engine: Engine;
  private readonly requestSeconds: client.Histogram<'method' | 'route' | 'status'>;

  constructor(engine: Engine, queries: ActiveQueries) {
    this.engine = engine;
    const registry = this.registry;
    client.collectDefaultMetrics({ register: registry, prefix: 'riffle_' });
    const tasks = () => [...engine.tasks.values()];
    new client.Counter({
      name: 'riffle_query_records_in_total',
      help: 'Input records consumed by each persistent query',
      labelNames: ['query_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of tasks()) this.inc({ query_id: t.queryId }, t.consumed);
      },
    });
    new client.Counter({
      name: 'riffle_query_records_out_total',
      help: 'Output rows produced by each persistent query',
      labelNames: ['query_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of tasks()) this.inc({ query_id: t.queryId }, t.emitted);
      },
    });
    new client.Gauge({
      name: 'riffle_query_running',
      help: '1 for each persistent query in state RUNNING, 0 otherwise',
      labelNames: ['query_id', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of tasks()) this.set({ query_id: t.queryId, state: t.state }, t.state === 'RUNNING' ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'riffle_query_lag_records',
      help: 'Records of each input partition not yet committed by the query (end offset minus committed offset)',
      labelNames: ['query_id', 'topic', 'partition'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const q of engine.catalog.listQueries()) {
          const group = queryGroupId(engine.serviceId, q.id);
          for (const sourceName of q.sources) {
            const topic = engine.catalog.getSource(sourceName)?.topic;
            if (!topic) continue;
            const [ends, committed] = await Promise.all([engine.log.offsets(topic).catch(() => []), engine.log.committed(group, topic).catch(() => [])]);
            const at = new Map(committed.map((c) => [c.partition, c.offset]));
            for (const e of ends) this.set({ query_id: q.id, topic, partition: String(e.partition) }, Math.max(0, e.end - (at.get(e.partition) ?? e.start)));
          }
        }
      },
    });
    const processingErrors = new client.Counter({
      name: 'riffle_processing_log_errors_total',
      help: 'Processing-log entries (records a query could not process), by type and query',
      labelNames: ['type', 'query_id'],
      registers: [registry],
    });
    const previous = engine.processingLog.onEntry;
    engine.processingLog.onEntry = (e) => {
      processingErrors.inc({ type: e.type, query_id: e.queryId });
      previous?.(e);
    };
    const batchSeconds = new client.Histogram({
      name: 'riffle_query_batch_seconds',
      help: 'Time to process one input batch, per query',
      labelNames: ['query_id'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const e2eSeconds = new client.Histogram({
      name: 'riffle_query_end_to_end_latency_seconds',
      help: 'From the record timestamp of an output row to the moment it was produced (sampled per batch)',
      labelNames: ['query_id'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    const batchSize = new client.Histogram({
      name: 'riffle_query_batch_records',
      help: 'Input records per batch, per query',
      labelNames: ['query_id'],
      buckets: [1, 10, 100, 500, 1000, 2000, 5000],
      registers: [registry],
    });
    engine.services.batchObserver = (queryId, b) => {
      batchSeconds.observe({ query_id: queryId }, b.seconds);
      batchSize.observe({ query_id: queryId }, b.records);
      const now = Date.now();
      const step = Math.max(1, Math.floor(b.rows.length / E2E_SAMPLES_PER_BATCH));
      for (let i = 0; i < b.rows.length; i += step) e2eSeconds.observe({ query_id: queryId }, Math.max(0, now - b.rows[i].ts) / 1000);
    };
    new client.Gauge({
      name: 'riffle_state_store_entries',
      help: 'Approximate entries in each state store',
      labelNames: ['query_id', 'store'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of engine.stores.stats()) this.set({ query_id: s.queryId, store: s.name }, s.approximateCount);
      },
    });
    new client.Gauge({
      name: 'riffle_state_store_bytes',
      help: 'Bytes on disk of the state stores of each query',
      labelNames: ['query_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const id of new Set(engine.stores.stats().map((s) => s.queryId))) this.set({ query_id: id }, directoryBytes(engine.stores.stateDir(id)));
      },
    });
    modelMetrics(engine, registry);
    new client.Gauge({
      name: 'riffle_push_queries_active',
      help: 'Push queries (and PRINTs) the server is running for clients',
      registers: [registry],
      collect() {
        this.set(queries.size);
      },
    });
    this.requestSeconds = new client.Histogram({
      name: 'riffle_http_request_seconds',
      help: 'HTTP requests by route and status (streaming requests count when they end)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300],
      registers: [registry],
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestSeconds.observe({ method, route, status: String(status) }, seconds);
  }

  close(): void {
    if (this.engine.services.batchObserver) this.engine.services.batchObserver = undefined;
    this.registry.clear();
  }
}

/** Model calls: counters and the latency window the invokers keep, and the breaker state (0 closed, 1 half-open, 2 open). */
function modelMetrics(engine: Engine, registry: client.Registry): void {
  type Opened = { model: string; stats: import('../ml/stats.ts').ModelStats };
  const opened = async (): Promise<Opened[]> => {
    const models = engine.services.models;
    if (!models) return [];
    const out: Opened[] = [];
    for (const name of engine.catalog.models.keys()) for (const o of await models.opened(name)) out.push({ model: name, stats: o.invoker.stats() });
    return out;
  };
  const counter = (name: string, help: string, pick: (s: import('../ml/stats.ts').ModelStats) => number) =>
    new client.Counter({
      name,
      help,
      labelNames: ['model'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const o of await opened()) this.inc({ model: o.model }, pick(o.stats));
      },
    });
  counter('riffle_model_requests_total', 'Requests sent to each model (retries included)', (s) => s.requests);
  counter('riffle_model_request_errors_total', 'Failed model requests', (s) => s.failedRequests);
  counter('riffle_model_rows_total', 'Rows given to each model', (s) => s.rows);
  counter('riffle_model_rows_failed_total', 'Rows a model call failed for', (s) => s.rowsFailed);
  counter('riffle_model_breaker_rejections_total', 'Batches failed fast because the circuit breaker was open', (s) => s.breakerRejections);
  histogram(registry, 'riffle_model_request_duration_seconds', 'Latency of successful model requests (HTTP or ONNX run), in seconds', 1 / 1000, async () =>
    (await opened()).map((o) => ({ model: o.model, h: o.stats.latencyHistogram })),
  );
  histogram(registry, 'riffle_model_batch_size_rows', 'Rows per successful model request (the batch the invoker sent)', 1, async () =>
    (await opened()).map((o) => ({ model: o.model, h: o.stats.batchRowsHistogram })),
  );
  new client.Gauge({
    name: 'riffle_model_breaker_state',
    help: 'Circuit breaker of each model: 0 closed, 1 half-open, 2 open',
    labelNames: ['model'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const o of await opened()) {
        const st = String(o.stats.breaker.state).toLowerCase();
        this.set({ model: o.model }, st.includes('half') ? 1 : st.includes('open') ? 2 : 0);
      }
    },
  });
}

/**
 * A Prometheus histogram read at scrape time from cumulative snapshots that another layer keeps
 * (ml/stats.ts), so the hot path never calls into prom-client. Several snapshots with the same
 * labels (one model opened with different options) are added up. `scale` converts the unit.
 */
function histogram(
  registry: client.Registry,
  name: string,
  help: string,
  scale: number,
  read: () => Promise<{ model: string; h: HistogramSnapshot }[]>,
): void {
  type Value = { value: number; labels: Record<string, string | number>; metricName: string };
  registry.registerMetric({
    name,
    help,
    async get() {
      const byModel = new Map<string, { bounds: readonly number[]; counts: number[]; sum: number; count: number }>();
      for (const { model, h } of await read()) {
        const acc = byModel.get(model);
        if (!acc) byModel.set(model, { bounds: h.bounds, counts: [...h.counts], sum: h.sum, count: h.count });
        else {
          h.counts.forEach((c, i) => (acc.counts[i] += c));
          acc.sum += h.sum;
          acc.count += h.count;
        }
      }
      const values: Value[] = [];
      for (const [model, h] of byModel) {
        let cumulative = 0;
        h.bounds.forEach((b, i) => {
          cumulative += h.counts[i];
          values.push({ metricName: `${name}_bucket`, labels: { model, le: b * scale }, value: cumulative });
        });
        values.push({ metricName: `${name}_bucket`, labels: { model, le: '+Inf' }, value: h.count });
        values.push({ metricName: `${name}_sum`, labels: { model }, value: h.sum * scale });
        values.push({ metricName: `${name}_count`, labels: { model }, value: h.count });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
    reset() {},
  } as unknown as client.Metric);
}

function directoryBytes(dir: string): number {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += directoryBytes(p);
    else {
      try {
        total += statSync(p).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}
