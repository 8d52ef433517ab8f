/**
 * A persistent query's page: its plan drawn from EXPLAIN, its state, records in and out per
 * second (from successive readings of the console's query statistics), lag and processing
 * errors. Every step shows its own rows out per second and in total: the engine counts each
 * step's rows per batch under the step names EXPLAIN shows (src/exec/step-rows.ts).
 */
import { h, append, clear, formatRate } from './dom.ts';
import { getJson, ksql } from './api.ts';
import { layoutPlan, parsePlan, type PlanNode } from './plan.ts';
import { RateTracker, type QueryStatsDoc } from './rates.ts';

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 220;
const BOX_H = 64;
const GAP_X = 40;
const GAP_Y = 46;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function drawPlan(root: PlanNode, onSelect: (n: PlanNode) => void): { el: SVGSVGElement; rateLabels: Map<PlanNode, SVGTextElement> } {
  const { nodes, columns, rows } = layoutPlan(root);
  const width = columns * (BOX_W + GAP_X) + GAP_X;
  const height = rows * (BOX_H + GAP_Y) + GAP_Y;
  const el = svg('svg', { class: 'plan-graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'query plan' });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
  defs.append(marker);
  el.append(defs);
  const pos = (p: { x: number; y: number }) => ({ left: GAP_X + p.x * (BOX_W + GAP_X), top: GAP_Y / 2 + p.y * (BOX_H + GAP_Y) });
  for (const n of nodes) {
    if (!n.parent) continue;
    const a = pos(n);
    const b = pos(n.parent);
    el.append(svg('path', { class: 'edge', d: `M ${a.left + BOX_W / 2} ${a.top + BOX_H} C ${a.left + BOX_W / 2} ${a.top + BOX_H + GAP_Y / 2}, ${b.left + BOX_W / 2} ${b.top - GAP_Y / 2}, ${b.left + BOX_W / 2} ${b.top}`, 'marker-end': 'url(#arrow)' }));
  }
  const rateLabels = new Map<PlanNode, SVGTextElement>();
  for (const n of nodes) {
    const { left, top } = pos(n);
    const g = svg('g', { class: `step step-${n.node.kind.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, transform: `translate(${left},${top})`, tabindex: 0, 'data-step': n.node.name });
    g.append(svg('rect', { width: BOX_W, height: BOX_H, rx: 6 }));
    g.append(svg('text', { x: 10, y: 18, class: 'kind' }, n.node.kind));
    g.append(svg('text', { x: 10, y: 36, class: 'name' }, short(n.node.name, 30)));
    const rate = svg('text', { x: 10, y: 54, class: 'rate' }, short(n.node.details[0] ?? '', 34));
    rateLabels.set(n.node, rate);
    g.append(rate);
    const title = svg('title', {}, [n.node.name, n.node.schema && `Schema: ${n.node.schema}`, ...n.node.details].filter(Boolean).join('\n'));
    g.append(title);
    g.addEventListener('click', () => onSelect(n.node));
    el.append(g);
  }
  return { el, rateLabels };
}

export function planPage(queryId: string): { el: HTMLElement; stop(): void } {
  const stats = h('div', { class: 'query-stats', id: 'query-stats' }, 'Loading…');
  const graph = h('div', { class: 'graph', id: 'plan-graph' });
  const detail = h('pre', { class: 'step-detail' }, 'Click a step for its schema and details.');
  const sqlText = h('pre', { class: 'stmt' });
  const el = h('div', { class: 'page page-plan' }, h('h2', {}, `Query ${queryId}`), stats, sqlText, graph, detail);
  const tracker = new RateTracker();
  let labels = new Map<PlanNode, SVGTextElement>();
  let timer = 0;

  void (async () => {
    try {
      const [e] = await ksql(`EXPLAIN ${queryId};`);
      const text = String(e.text ?? '');
      const blank = text.indexOf('\n\n');
      sqlText.textContent = blank > 0 ? text.slice(0, blank) : '';
      const root = parsePlan(text);
      if (!root) {
        graph.append(h('pre', {}, text));
        return;
      }
      const drawn = drawPlan(root, (n) => (detail.textContent = [`[ ${n.kind} ] ${n.name}`, n.schema && `Schema: ${n.schema}`, ...n.details].filter(Boolean).join('\n')));
      labels = drawn.rateLabels;
      graph.append(drawn.el);
    } catch (err) {
      graph.append(h('div', { class: 'error' }, (err as Error).message));
    }
  })();

  const poll = async () => {
    try {
      const doc = await getJson<QueryStatsDoc>('/riffle/console/queries');
      tracker.update(doc);
      const q = doc.queries.find((x) => x.id.toUpperCase() === queryId.toUpperCase());
      clear(stats);
      if (!q) {
        stats.append('Not running on this server (terminated, or not a persistent query).');
        return;
      }
      const r = tracker.rates(q.id);
      append(stats, [
        h('span', { class: `pill state-${q.state.toLowerCase()}`, 'data-role': 'state' }, q.state),
        h('span', {}, `in ${formatRate(r.in)} (${q.recordsIn} total)`),
        h('span', {}, `out ${formatRate(r.out)} (${q.recordsOut} total)`),
        h('span', {}, `lag ${q.lag ?? '–'}`),
        h('span', { class: q.processingErrors ? 'bad' : '' }, `processing errors ${q.processingErrors}`),
        q.error ? h('div', { class: 'error' }, q.error) : null,
        q.lastProcessingError ? h('div', { class: 'warn' }, `last: ${q.lastProcessingError}`) : null,
      ]);
      for (const [node, label] of labels) {
        const total = q.steps?.[node.name];
        if (total === undefined) continue; // not counted here (the query runs elsewhere, or a step kind without rows)
        const rate = tracker.stepRate(q.id, node.name);
        label.textContent = `${formatRate(rate)} · ${total} rows out`;
        label.parentElement?.setAttribute('data-rate', rate === null ? '' : String(rate));
        label.parentElement?.setAttribute('data-rows', String(total));
      }
      el.dataset.recordsIn = String(q.recordsIn);
    } catch (err) {
      clear(stats);
      stats.append(h('div', { class: 'error' }, (err as Error).message));
    }
  };
  void poll();
  timer = window.setInterval(() => void poll(), 1000);
  return { el, stop: () => clearInterval(timer) };
}
