/**
 * Result panels: a live table for push queries (rows arriving, pause, a cap on the rows kept,
 * stop), a table for pull queries, PRINT lines, and the formatted answers of other statements
 * (the entities of POST /ksql).
 */
import { h, cellText, clear, type Child } from './dom.ts';
import type { Entity } from './api.ts';

export function table(columns: readonly string[], rows: readonly (readonly unknown[])[], opts: { types?: readonly string[]; link?: (col: number, value: unknown) => string | null } = {}): HTMLTableElement {
  return h(
    'table',
    { class: 'grid' },
    h('thead', {}, h('tr', {}, columns.map((c, i) => h('th', { title: opts.types?.[i] ?? '' }, c)))),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((v, i) => {
            const href = opts.link?.(i, v);
            return h('td', {}, href ? h('a', { href }, cellText(v)) : cellText(v));
          }),
        ),
      ),
    ),
  );
}

/** The rows of a push or pull query as they arrive; keeps at most `limit` (the newest). */
export class LiveTable {
  readonly el: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly head: HTMLTableRowElement;
  private readonly counter: HTMLElement;
  private received = 0;
  limit: number;

  constructor(limit: number) {
    this.limit = limit;
    this.head = h('tr', {});
    this.body = h('tbody', {});
    this.counter = h('span', { class: 'count' }, '0 rows');
    this.el = h('div', { class: 'live' }, this.counter, h('div', { class: 'scroll' }, h('table', { class: 'grid' }, h('thead', {}, this.head), this.body)));
  }

  setColumns(names: readonly string[], types: readonly string[]): void {
    clear(this.head);
    for (let i = 0; i < names.length; i++) this.head.append(h('th', { title: types[i] ?? '' }, names[i]));
  }

  /**
   * Rows are drawn once per animation frame, whatever the rate they arrive at; of a backlog only
   * the newest `limit` become DOM rows (the rest would be removed at once).
   */
  addRows(rows: readonly unknown[][]): void {
    for (const r of rows) this.pending.push(r);
    if (this.pending.length > this.limit) this.pending.splice(0, this.pending.length - this.limit);
    this.received += rows.length;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  private pending: unknown[][] = [];
  private frame = 0;

  private flush(): void {
    this.frame = 0;
    const frag = document.createDocumentFragment();
    for (const r of this.pending) frag.append(h('tr', {}, r.map((v) => h('td', {}, cellText(v)))));
    this.pending = [];
    this.body.append(frag);
    while (this.body.rows.length > this.limit) this.body.rows[0].remove();
    this.updateCount();
  }

  get rowCount(): number {
    return this.received;
  }

  updateCount(): void {
    const shown = this.body.rows.length;
    this.counter.textContent = `${this.received} row${this.received === 1 ? '' : 's'}${shown < this.received ? ` (showing the last ${shown})` : ''}`;
    this.el.dataset.rows = String(this.received);
  }
}

/** One statement's answer from /ksql, formatted by its @type. */
export function renderEntity(e: Entity): HTMLElement {
  const t = e['@type'];
  const box = (...children: Child[]) => h('div', { class: 'entity', 'data-type': t }, ...children);
  switch (t) {
    case 'currentStatus': {
      const st = e.commandStatus as { status: string; message: string; queryId: string | null };
      return box(h('div', { class: 'ok' }, st.message), st.queryId ? h('a', { href: `#/plan/${encodeURIComponent(st.queryId)}` }, `query ${st.queryId}: plan`) : null);
    }
    case 'streams':
    case 'tables': {
      const list = (e.streams ?? e.tables) as { name: string; topic: string; keyFormat: string; valueFormat: string; isWindowed: boolean }[];
      return box(table(['Name', 'Topic', 'Key format', 'Value format', 'Windowed'], list.map((s) => [s.name, s.topic, s.keyFormat, s.valueFormat, s.isWindowed])));
    }
    case 'queries': {
      const qs = e.queries as { id: string; queryString: string; sinks: string[]; state: string }[];
      return box(table(['Query ID', 'State', 'Sink', 'SQL'], qs.map((q) => [q.id, q.state, q.sinks.join(', '), q.queryString]), { link: (c, v) => (c === 0 ? `#/plan/${encodeURIComponent(String(v))}` : null) }));
    }
    case 'kafka_topics': {
      const ts = e.topics as { name: string; replicaInfo: number[] }[];
      return box(table(['Topic', 'Partitions'], ts.map((x) => [x.name, x.replicaInfo.length]), { link: (c, v) => (c === 0 ? `#/topic/${encodeURIComponent(String(v))}` : null) }));
    }
    case 'properties': {
      const ps = e.properties as { name: string; value: string; scope: string }[];
      return box(table(['Property', 'Scope', 'Value'], ps.map((p) => [p.name, p.scope, p.value])));
    }
    case 'function_names': {
      const fs = e.functions as { name: string; type: string }[];
      return box(table(['Function', 'Type'], fs.map((f) => [f.name, f.type])));
    }
    case 'sourceDescription':
      return box(sourceDescription(e.sourceDescription as SourceDescription));
    case 'riffle_table':
      return box(h('div', { class: 'title' }, String(e.title ?? '')), table(e.columns as string[], e.rows as unknown[][]));
    case 'riffle_text':
      return box(h('pre', {}, String(e.text ?? '')));
    default:
      return box(h('pre', {}, JSON.stringify(e, null, 2)));
  }
}

interface SourceDescription {
  name: string;
  type: string;
  topic: string;
  keyFormat: string;
  valueFormat: string;
  timestamp: string;
  fields: { name: string; type?: string; schema: { type: string } }[];
  readQueries: { id: string }[];
  writeQueries: { id: string }[];
}

export function sourceDescription(d: SourceDescription): HTMLElement {
  const q = (list: { id: string }[]) => (list.length ? list.map((x) => h('a', { href: `#/plan/${encodeURIComponent(x.id)}`, class: 'pill' }, x.id)) : '(none)');
  return h(
    'div',
    { class: 'describe' },
    h('div', { class: 'title' }, `${d.type} ${d.name}`),
    h('div', {}, `topic ${d.topic} · key ${d.keyFormat} · value ${d.valueFormat}${d.timestamp ? ` · timestamp ${d.timestamp}` : ''}`),
    table(['Column', 'Type', ''], d.fields.map((f) => [f.name, f.schema.type, f.type ?? ''])),
    h('div', {}, 'Written by: ', q(d.writeQueries), ' · read by: ', q(d.readQueries)),
  );
}
