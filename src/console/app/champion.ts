/**
 * Champion against challenger, for a model whose versions are promoted by a rule (a pipeline's
 * MODEL for served versions, `ALTER MODEL m PROMOTE WHEN ...` for versions trained in Riffle):
 * while a challenger is in shadow, both versions' value of the rule's metric on the same labelled
 * rows, side by side — bars of the current values and one chart of both over the rows scored —
 * and the decisions so far with their evidence. Fed from the console's model statistics
 * (`promotion` of /riffle/console/models), polled every second; values are cumulative over the
 * evaluation, so a point is added only when more rows were scored.
 */
import { h, append, clear } from './dom.ts';
import { LineChart } from './chart.ts';

export interface Evidence {
  champion: string;
  challenger: string;
  rows: number;
  metric: string;
  championValue: number | null;
  challengerValue: number | null;
  predictionsWithoutLabel: number;
  labelsWithoutPrediction: number;
  rule: string;
}

export interface PromotionView {
  rule: string;
  shadow: Evidence | null;
  decisions: { action: string; version: string; at: number; evidence: Evidence | null }[];
  error: string | null;
}

const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(4));

export class ChampionView {
  readonly el: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly bars: HTMLElement;
  private readonly charts: HTMLElement;
  private readonly decisions: HTMLElement;
  /** One chart per evaluation (champion, challenger): a new challenger starts a new chart. */
  private chart: { key: string; chart: LineChart; rows: number } | null = null;

  constructor() {
    this.summary = h('div', { class: 'muted' });
    this.bars = h('div', { class: 'bars' });
    this.charts = h('div', { class: 'charts' });
    this.decisions = h('ul', { class: 'decisions' });
    this.el = h('section', { id: 'champion-challenger', hidden: true }, h('h3', {}, 'Champion against challenger'), this.summary, this.bars, this.charts, this.decisions);
  }

  update(view: PromotionView | null): void {
    this.el.hidden = view === null;
    if (!view) return;
    const ev = view.shadow;
    const last = [...view.decisions].reverse().find((d) => d.evidence);
    clear(this.summary);
    append(this.summary, [
      `Rule: ${view.rule}. `,
      ev
        ? `Version ${ev.challenger} in shadow against champion ${ev.champion}: ${ev.rows} labelled rows scored; ${ev.predictionsWithoutLabel} predictions without a label, ${ev.labelsWithoutPrediction} labels without a prediction.`
        : 'No challenger in shadow now.',
      view.error ? h('div', { class: 'error' }, view.error) : null,
    ]);
    // Bars: the evaluation under way, or else the last decided one.
    const shown = ev ?? last?.evidence ?? null;
    clear(this.bars);
    this.el.dataset.rows = String(ev?.rows ?? 0);
    this.el.dataset.championValue = ev?.championValue === null || !ev ? '' : String(ev.championValue);
    this.el.dataset.challengerValue = ev?.challengerValue === null || !ev ? '' : String(ev.challengerValue);
    if (shown) {
      const max = Math.max(1e-9, Math.abs(shown.championValue ?? 0), Math.abs(shown.challengerValue ?? 0), ...(shown.metric === 'MAE' || shown.metric === 'RMSE' || shown.metric === 'LOG_LOSS' ? [] : [1]));
      const bar = (who: string, version: string, v: number | null) =>
        h(
          'div',
          { class: `bar bar-${who}` },
          h('span', { class: 'bar-label' }, `${who} v${version}`),
          h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', style: `width:${v === null ? 0 : (100 * Math.abs(v)) / max}%` })),
          h('span', { class: 'bar-value' }, `${shown.metric} ${fmt(v)}`),
        );
      this.bars.append(
        h('div', { class: 'muted' }, ev ? `${shown.metric} on the same ${shown.rows} labelled rows, so far` : `Last decided evaluation (${shown.rows} rows):`),
        bar('champion', shown.champion, shown.championValue),
        bar('challenger', shown.challenger, shown.challengerValue),
      );
    }
    if (ev) this.plot(ev);
    clear(this.decisions);
    for (const d of view.decisions.slice().reverse())
      this.decisions.append(
        h('li', {}, `${new Date(d.at).toLocaleTimeString()} ${d.action} version ${d.version}${d.evidence ? ` (${d.evidence.rows} rows: ${d.evidence.metric} ${fmt(d.evidence.championValue)} → ${fmt(d.evidence.challengerValue)})` : ''}`),
      );
  }

  private plot(ev: Evidence): void {
    const key = `${ev.champion}\u0000${ev.challenger}`;
    if (!this.chart || this.chart.key !== key) {
      const chart = new LineChart(`${ev.metric}: version ${ev.champion} (champion) and ${ev.challenger} (challenger)`, { formatX: (x) => `${x} rows`, id: 'chart-champion-challenger' });
      this.chart = { key, chart, rows: -1 };
      clear(this.charts);
      this.charts.append(chart.el);
    }
    if (ev.rows === this.chart.rows) return;
    this.chart.rows = ev.rows;
    this.chart.chart.add(`champion v${ev.champion}`, ev.rows, ev.championValue);
    this.chart.chart.add(`challenger v${ev.challenger}`, ev.rows, ev.challengerValue);
    this.chart.chart.draw();
  }
}
