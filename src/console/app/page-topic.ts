/**
 * The message browser of a topic: PRINT over /query-stream, from the beginning with a limit, or
 * live from now on; records as PRINT shows them (rowtime, partition, key, value), newest last.
 */
import { h, clear } from './dom.ts';
import { StreamingQuery } from './api.ts';

const quoteTopic = (t: string) => `'${t.replace(/'/g, "''")}'`;

export function topicPage(topic: string): { el: HTMLElement; stop(): void } {
  const out = h('pre', { class: 'print', id: 'topic-records' });
  const state = h('span', { class: 'state', 'data-role': 'state' }, '');
  const limit = h('input', { type: 'number', value: 100, min: 1, id: 'print-limit' });
  let q: StreamingQuery | null = null;
  const start = (fromBeginning: boolean) => {
    void q?.stop();
    clear(out);
    const sql = `PRINT ${quoteTopic(topic)}${fromBeginning ? ' FROM BEGINNING' : ''} LIMIT ${Math.max(1, Number(limit.value) || 100)};`;
    state.textContent = 'reading';
    const mine = new StreamingQuery(
      sql,
      {
        onHeader: () => undefined,
        onRows: () => undefined,
        onLines: (lines) => out.append(lines.join('\n') + '\n'),
        onEnd: (e) => {
          if (q === mine) state.textContent = e ? `error: ${e.message}` : 'done';
        },
      },
      true,
    );
    q = mine;
  };
  const el = h(
    'div',
    { class: 'page page-topic' },
    h('h2', {}, `Topic ${topic}`),
    h(
      'div',
      { class: 'toolbar' },
      h('button', { class: 'primary', onclick: () => start(true) }, 'From beginning'),
      h('button', { onclick: () => start(false) }, 'New records'),
      h('label', {}, 'Limit ', limit),
      h('button', { onclick: () => void q?.stop().then(() => (state.textContent = 'stopped')) }, 'Stop'),
      state,
    ),
    out,
  );
  start(true);
  return { el, stop: () => void q?.stop() };
}
