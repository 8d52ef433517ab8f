/**
 * The processing log, live: a push query over RIFFLE_PROCESSING_LOG from the beginning (the
 * records queries could not process), newest first, filtered in the browser by level, query and
 * text. Keeps the newest 2,000 entries.
 */
import { h, clear, cellText } from './dom.ts';
import { StreamingQuery } from './api.ts';

const KEEP = 2000;

export function logPage(): { el: HTMLElement; stop(): void } {
  const text = h('input', { type: 'search', placeholder: 'filter text', id: 'log-filter' });
  const level = h('select', { id: 'log-level' }, h('option', { value: '' }, 'any level'), h('option', { value: 'ERROR' }, 'ERROR'), h('option', { value: 'WARN' }, 'WARN'));
  const query = h('input', { type: 'search', placeholder: 'query id', id: 'log-query' });
  const count = h('span', { class: 'count' }, '0 entries');
  const head = h('tr', {});
  const body = h('tbody', {});
  const el = h('div', { class: 'page page-log' }, h('h2', {}, 'Processing log'), h('div', { class: 'toolbar' }, text, level, query, count), h('div', { class: 'scroll' }, h('table', { class: 'grid', id: 'log-table' }, h('thead', {}, head), body)));
  let cols: string[] = [];
  const entries: unknown[][] = [];
  let received = 0;
  let frame = 0;
  const scheduleRender = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), render()));
  };
  const render = () => {
    const t = (text as HTMLInputElement).value.toLowerCase();
    const lv = (level as HTMLSelectElement).value;
    const qid = (query as HTMLInputElement).value.toUpperCase();
    const li = cols.indexOf('LEVEL');
    const qi = cols.indexOf('QUERYID');
    clear(body);
    let shown = 0;
    for (let i = entries.length - 1; i >= 0 && shown < 500; i--) {
      const r = entries[i];
      if (lv && r[li] !== lv) continue;
      if (qid && !String(r[qi] ?? '').toUpperCase().includes(qid)) continue;
      if (t && !r.some((v) => cellText(v).toLowerCase().includes(t))) continue;
      body.append(h('tr', {}, r.map((v, c) => h('td', {}, cols[c] === 'TIME' && typeof v === 'number' ? new Date(v).toISOString() : cellText(v)))));
      shown++;
    }
    count.textContent = `${received} entries, ${shown} shown`;
  };
  for (const input of [text, level, query]) input.addEventListener('input', render);
  const q = new StreamingQuery(
    'SELECT * FROM RIFFLE_PROCESSING_LOG EMIT CHANGES;',
    {
      onHeader(hd) {
        cols = [...hd.columnNames];
        clear(head);
        for (const c of cols) head.append(h('th', {}, c));
      },
      onRows(rows) {
        entries.push(...rows);
        received += rows.length;
        if (entries.length > KEEP) entries.splice(0, entries.length - KEEP);
        scheduleRender();
      },
      onLines: () => undefined,
      onEnd(e) {
        if (e) el.append(h('div', { class: 'error' }, e.message));
      },
    },
    false,
    { 'auto.offset.reset': 'earliest' },
  );
  return { el, stop: () => void q.stop() };
}
