/**
 * Models: the list (SHOW MODELS with the console's model summary), and a page per model with
 * DESCRIBE MODEL (schema, health, versions, champion and challenger), live charts of its calls
 * (latency p50/p99, rows per request, failed requests per second, breaker state: 0 closed,
 * 1 half-open, 2 open) from the console's statistics polled every second, and for a model
 * trained in Riffle its progressive metrics (the model's METRICS stream, from the beginning) with
 * the drift detections (its DRIFT stream) marked on them; with a promotion rule, champion against
 * challenger side by side (./champion.ts).
 */
import { h, clear } from './dom.ts';
import { getJson, ksql, StreamingQuery } from './api.ts';
import { LiveTable, table } from './results.ts';
import { LineChart } from './chart.ts';
import { ChampionView, type PromotionView } from './champion.ts';

interface InvokerStats {
  label: string;
  stats: {
    requests: number;
    failedRequests: number;
    rows: number;
    rowsFailed: number;
    breakerRejections: number;
    latencyMs: { p50: number | null; p99: number | null };
    breaker: { state: string };
    inFlight: number;
    lastError: string | null;
  };
}
interface ModelDoc {
  at: number;
  models: { name: string; inputs: { name: string; type: string }[]; outputs: { name: string; type: string }[]; invokers: InvokerStats[]; promotion: PromotionView | null }[];
}

export function modelsListPage(): { el: HTMLElement; stop(): void } {
  const body = h('div', {}, 'Loading…');
  const el = h('div', { class: 'page page-models' }, h('h2', {}, 'Models'), body);
  void (async () => {
    try {
      const [[shown], doc] = await Promise.all([ksql('SHOW MODELS;'), getJson<ModelDoc>('/riffle/console/models')]);
      const rows = (shown.rows ?? []) as unknown[][];
      clear(body);
      if (!rows.length) body.append('No models. CREATE MODEL declares one (docs/models.md).');
      else {
        const byName = new Map(doc.models.map((m) => [m.name, m]));
        body.append(
          table(
            ['Model', 'Provider', 'Endpoint', 'Inputs', 'Outputs', 'Requests'],
            rows.map((r) => {
              const m = byName.get(String(r[0]));
              return [r[0], r[1], r[2], m?.inputs.map((c) => `${c.name} ${c.type}`).join(', ') ?? '', m?.outputs.map((c) => `${c.name} ${c.type}`).join(', ') ?? '', m?.invokers.reduce((n, i) => n + i.stats.requests, 0) ?? 0];
            }),
            { link: (c, v) => (c === 0 ? `#/models/${encodeURIComponent(String(v))}` : null) },
          ),
        );
      }
    } catch (e) {
      clear(body);
      body.append(h('div', { class: 'error' }, (e as Error).message));
    }
  })();
  return { el, stop: () => undefined };
}

const BREAKER = (s: string) => (s.toLowerCase().includes('half') ? 1 : s.toLowerCase().includes('open') ? 2 : 0);

export function modelPage(name: string): { el: HTMLElement; stop(): void } {
  const describe = h('pre', { class: 'describe-text', id: 'model-describe' }, 'Loading…');
  const latency = new LineChart('Call latency (ms)', { id: 'chart-latency' });
  const batch = new LineChart('Rows per request', { id: 'chart-batch' });
  const errors = new LineChart('Failed requests per second', { id: 'chart-errors' });
  const breaker = new LineChart('Breaker (0 closed, 1 half-open, 2 open)', { id: 'chart-breaker' });
  const callCharts = h('div', { class: 'charts' }, latency.el, batch.el, errors.el, breaker.el);
  const trained = h('div', { class: 'charts', id: 'trained' });
  const noCalls = h('div', { class: 'muted', id: 'no-calls' }, 'Not called yet: call statistics appear once a query (PREDICT) or the serving API uses the model.');
  const drift = h('div', { class: 'drift', id: 'drift-events' });
  const promotions = h('div', { id: 'promotions' });
  const champion = new ChampionView();
  const el = h('div', { class: 'page page-model' }, h('h2', {}, `Model ${name}`), champion.el, h('h3', {}, 'Calls'), noCalls, callCharts, trained, drift, promotions, h('h3', {}, 'Description'), describe);
  const running: StreamingQuery[] = [];
  let previous: Map<string, InvokerStats['stats']> = new Map();
  const timers: number[] = [];

  const refreshDescribe = async () => {
    try {
      const [e] = await ksql(`DESCRIBE MODEL \`${name.replace(/`/g, '``')}\`;`);
      describe.textContent = String(e.text ?? JSON.stringify(e, null, 2));
      return describe.textContent;
    } catch (err) {
      describe.textContent = (err as Error).message;
      return '';
    }
  };

  const poll = async () => {
    let doc: ModelDoc;
    try {
      doc = await getJson<ModelDoc>('/riffle/console/models');
    } catch {
      return;
    }
    const m = doc.models.find((x) => x.name === name);
    if (!m) return;
    champion.update(m.promotion ?? null);
    // A model nothing has called yet (a trained one before its first PREDICT) has no call statistics.
    callCharts.hidden = m.invokers.length === 0;
    noCalls.hidden = m.invokers.length > 0;
    const next = new Map<string, InvokerStats['stats']>();
    for (const inv of m.invokers) {
      const s = inv.stats;
      const p = previous.get(inv.label);
      latency.add(`${inv.label} p50`, doc.at, s.latencyMs.p50);
      latency.add(`${inv.label} p99`, doc.at, s.latencyMs.p99);
      if (p && s.requests > p.requests) batch.add(inv.label, doc.at, (s.rows - p.rows) / (s.requests - p.requests));
      if (p) errors.add(inv.label, doc.at, s.failedRequests - p.failedRequests);
      breaker.add(inv.label, doc.at, BREAKER(s.breaker.state));
      next.set(inv.label, s);
    }
    previous = next;
    for (const c of [latency, batch, errors, breaker]) c.draw();
  };

  /** A trained model: its metrics and drift streams, read from the beginning and then live. */
  const followTraining = (describeText: string) => {
    const metricsStream = /Metrics stream\s*:\s*(\S+)/.exec(describeText)?.[1];
    const driftStream = /Drift stream\s*:\s*(\S+)/.exec(describeText)?.[1];
    if (!metricsStream) return;
    const charts = new Map<string, LineChart>();
    const chartFor = (metric: string) => {
      let c = charts.get(metric);
      if (!c) {
        c = new LineChart(`${metric} (progressive validation)`, { formatX: (x) => `${x} rows`, id: `chart-metric-${metric.toLowerCase()}` });
        charts.set(metric, c);
        trained.append(c.el);
      }
      return c;
    };
    trained.before(h('h3', {}, 'Training'));
    let cols: string[] = [];
    const col = (row: unknown[], n: string) => row[cols.indexOf(n)];
    running.push(
      new StreamingQuery(
        `SELECT * FROM \`${metricsStream}\` EMIT CHANGES;`,
        {
          onHeader: (hd) => (cols = [...hd.columnNames]),
          onRows(rows) {
            const touched = new Set<LineChart>();
            for (const r of rows) {
              const c = chartFor(String(col(r, 'METRIC')));
              c.add(String(col(r, 'MODEL_KEY') ?? col(r, 'MODEL') ?? name), Number(col(r, 'ROWS')), Number(col(r, 'VALUE')));
              touched.add(c);
            }
            for (const c of touched) c.draw();
          },
          onLines: () => undefined,
          onEnd: () => undefined,
        },
        false,
        { 'auto.offset.reset': 'earliest' },
      ),
    );
    if (!driftStream) return;
    let dcols: string[] = [];
    const list = h('ul', {});
    drift.append(h('h3', {}, 'Drift detections'), list);
    running.push(
      new StreamingQuery(
        `SELECT * FROM \`${driftStream}\` EMIT CHANGES;`,
        {
          onHeader: (hd) => (dcols = [...hd.columnNames]),
          onRows(rows) {
            for (const r of rows) {
              const at = Number(r[dcols.indexOf('ROWS')]);
              const what = dcols.map((c, i) => `${c}=${JSON.stringify(r[i])}`).join(' ');
              list.append(h('li', {}, what));
              for (const c of charts.values()) {
                c.mark(at, `drift at ${at} rows`);
                c.draw();
              }
            }
          },
          onLines: () => undefined,
          onEnd: () => undefined,
        },
        false,
        { 'auto.offset.reset': 'earliest' },
      ),
    );
  };

  /** Served versions: switches (promotions, rollbacks) and challenger events with their evidence, from `<M>_PROMOTIONS` when it exists. */
  const followPromotions = async () => {
    const [streams] = await ksql('SHOW STREAMS;').catch(() => [{ streams: [] }] as never);
    const promotionsStream = `${name}_PROMOTIONS`;
    if (!(streams.streams as { name: string }[]).some((s) => s.name === promotionsStream)) return;
    const live = new LiveTable(500);
    promotions.append(h('h3', {}, 'Champion and challenger: switches and challenger events'), live.el);
    running.push(
      new StreamingQuery(
        `SELECT * FROM \`${promotionsStream}\` EMIT CHANGES;`,
        { onHeader: (hd) => live.setColumns(hd.columnNames, hd.columnTypes), onRows: (rows) => live.addRows(rows), onLines: () => undefined, onEnd: () => undefined },
        false,
        { 'auto.offset.reset': 'earliest' },
      ),
    );
  };

  void refreshDescribe().then(followTraining);
  void followPromotions();
  void poll();
  timers.push(window.setInterval(() => void poll(), 1000), window.setInterval(() => void refreshDescribe(), 5000));
  return {
    el,
    stop() {
      for (const t of timers) clearInterval(t);
      for (const s of running) void s.stop();
    },
  };
}
