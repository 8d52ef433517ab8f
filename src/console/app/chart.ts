/**
 * A small hand-drawn SVG line chart: a few named series, the newest `capacity` points each,
 * redrawn on every point (cheap at these sizes). `data-points` on the element counts the points
 * drawn so far (the browser tests watch it move).
 */
import { h } from './dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
const W = 420;
const H = 150;
const PAD = { left: 48, right: 8, top: 8, bottom: 20 };
const COLORS = ['#2f6fdd', '#d9482b', '#2a9d5b', '#8a4fd1', '#c28a00', '#1b9aaa'];

export class LineChart {
  readonly el: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly legend: HTMLElement;
  private readonly series = new Map<string, { x: number; y: number }[]>();
  private readonly capacity: number;
  private readonly formatX: (x: number) => string;
  private points = 0;

  constructor(title: string, opts: { capacity?: number; formatX?: (x: number) => string; id?: string } = {}) {
    this.capacity = opts.capacity ?? 240;
    this.formatX = opts.formatX ?? ((x) => new Date(x).toLocaleTimeString());
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    this.svg.setAttribute('class', 'chart-svg');
    this.legend = h('div', { class: 'legend' });
    this.el = h('figure', { class: 'chart', ...(opts.id ? { id: opts.id } : {}), 'data-points': 0 }, h('figcaption', {}, title), this.svg, this.legend);
  }

  add(name: string, x: number, y: number | null): void {
    if (y === null || !Number.isFinite(y)) return;
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = []));
    s.push({ x, y });
    if (s.length > this.capacity) s.shift();
    this.points++;
    this.el.dataset.points = String(this.points);
  }

  /** Draws the current points (call once per batch of `add`s). */
  draw(): void {
    while (this.svg.firstChild) this.svg.firstChild.remove();
    const all = [...this.series.values()].flat();
    if (!all.length) {
      this.svg.append(text(W / 2, H / 2, 'no data yet', 'middle'));
      return;
    }
    let [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
    let [y0, y1] = [Math.min(0, ...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))];
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) y1 = y0 + 1;
    const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
    const sy = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
    const axis = document.createElementNS(SVG, 'path');
    axis.setAttribute('d', `M ${PAD.left} ${PAD.top} V ${H - PAD.bottom} H ${W - PAD.right}`);
    axis.setAttribute('class', 'axis');
    this.svg.append(axis, text(PAD.left - 4, PAD.top + 8, num(y1), 'end'), text(PAD.left - 4, H - PAD.bottom, num(y0), 'end'));
    this.svg.append(text(PAD.left, H - 4, this.formatX(x0), 'start'), text(W - PAD.right, H - 4, this.formatX(x1), 'end'));
    for (const m of this.marks) {
      if (m.x < x0 || m.x > x1) continue;
      const line = document.createElementNS(SVG, 'path');
      line.setAttribute('d', `M ${sx(m.x).toFixed(1)} ${PAD.top} V ${H - PAD.bottom}`);
      line.setAttribute('class', 'marker');
      const title = document.createElementNS(SVG, 'title');
      title.textContent = m.label;
      line.append(title);
      this.svg.append(line);
    }
    this.legend.textContent = '';
    [...this.series.entries()].forEach(([name, pts], i) => {
      const color = COLORS[i % COLORS.length];
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' '));
      line.setAttribute('stroke', color);
      line.setAttribute('class', 'series');
      this.svg.append(line);
      const last = pts[pts.length - 1];
      // The newest point as a dot: visible even while a series has a single point.
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('cx', sx(last.x).toFixed(1));
      dot.setAttribute('cy', sy(last.y).toFixed(1));
      dot.setAttribute('r', '2.5');
      dot.setAttribute('fill', color);
      this.svg.append(dot);
      this.legend.append(h('span', { style: `color:${color}` }, `● ${name} ${num(last.y)}`));
    });
  }

  /** A vertical marker (a drift detection) at x. */
  mark(x: number, label: string): void {
    this.marks.push({ x, label });
    if (this.marks.length > 50) this.marks.shift();
  }

  private readonly marks: { x: number; label: string }[] = [];
}

function text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end'): SVGTextElement {
  const t = document.createElementNS(SVG, 'text');
  t.setAttribute('x', String(x));
  t.setAttribute('y', String(y));
  t.setAttribute('text-anchor', anchor);
  t.setAttribute('class', 'tick');
  t.textContent = s;
  return t;
}

function num(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || v === 0) return v.toFixed(0);
  return v.toPrecision(3);
}
