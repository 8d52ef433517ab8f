/**
 * The catalog: streams and tables (DESCRIBE on click), topics (with their record counts; a click
 * opens the message browser), persistent queries with their live state, records in and out per
 * second, lag and processing errors (polled every second), models, pipelines and their runs.
 */
import { h, clear, formatRate } from './dom.ts';
import { getJson, ksql, type Entity } from './api.ts';
import { sourceDescription, table } from './results.ts';
import { RateTracker, type QueryStatsDoc } from './rates.ts';

export function catalogPage(): { el: HTMLElement; stop(): void } {
  const sources = h('div', { id: 'catalog-sources' }, 'Loading…');
  const described = h('div', { class: 'described' });
  const topics = h('div', { id: 'catalog-topics' });
  const queries = h('div', { id: 'catalog-queries' });
  const models = h('div', { id: 'catalog-models' });
  const pipelines = h('div', { id: 'catalog-pipelines' });
  const el = h(
    'div',
    { class: 'page page-catalog' },
    h('section', {}, h('h2', {}, 'Streams and tables'), sources, described),
    h('section', {}, h('h2', {}, 'Persistent queries'), queries),
    h('section', {}, h('h2', {}, 'Topics'), topics),
    h('section', {}, h('h2', {}, 'Models'), models),
    h('section', {}, h('h2', {}, 'Pipelines and runs'), pipelines),
  );
  const tracker = new RateTracker();
  const fail = (where: HTMLElement, e: unknown) => {
    clear(where);
    where.append(h('div', { class: 'error' }, (e as Error).message));
  };

  const loadOnce = async () => {
    try {
      const [streams, tables] = await ksql('SHOW STREAMS; SHOW TABLES;');
      type Listed = { name: string; topic: string; valueFormat: string };
      const list = [
        ...(streams.streams as Listed[]).map((s) => ({ ...s, type: 'STREAM' })),
        ...(tables.tables as Listed[]).map((s) => ({ ...s, type: 'TABLE' })),
      ];
      clear(sources);
      sources.append(
        list.length
          ? h(
              'ul',
              { class: 'sources' },
              list.map((s) =>
                h('li', {}, h('button', { class: 'link', 'data-source': s.name, onclick: () => void describe(s.name) }, s.name), ` ${s.type.toLowerCase()} · topic `, h('a', { href: `#/topic/${encodeURIComponent(s.topic)}` }, s.topic), ` · ${s.valueFormat}`),
              ),
            )
          : 'None yet.',
      );
    } catch (e) {
      fail(sources, e);
    }
    try {
      const doc = await getJson<{ topics: { name: string; partitions: number; records: number }[] }>('/riffle/topics');
      clear(topics);
      topics.append(table(['Topic', 'Partitions', 'Records'], doc.topics.map((t) => [t.name, t.partitions, t.records]), { link: (c, v) => (c === 0 ? `#/topic/${encodeURIComponent(String(v))}` : null) }));
    } catch (e) {
      fail(topics, e);
    }
    try {
      const [m] = await ksql('SHOW MODELS;');
      clear(models);
      models.append(table(m.columns as string[], m.rows as unknown[][], { link: (c, v) => (c === 0 ? `#/models/${encodeURIComponent(String(v))}` : null) }));
    } catch (e) {
      fail(models, e);
    }
    try {
      const [p, runs] = await ksql('SHOW PIPELINES; SHOW RUNS;');
      clear(pipelines);
      pipelines.append(entityTable(p), h('h3', {}, 'Runs'), entityTable(runs));
    } catch (e) {
      fail(pipelines, e);
    }
  };

  const describe = async (name: string) => {
    try {
      const [e] = await ksql(`DESCRIBE \`${name.replace(/`/g, '``')}\`;`);
      clear(described);
      described.append(sourceDescription(e.sourceDescription as Parameters<typeof sourceDescription>[0]));
    } catch (err) {
      fail(described, err);
    }
  };

  const pollQueries = async () => {
    try {
      const doc = await getJson<QueryStatsDoc>('/riffle/console/queries');
      tracker.update(doc);
      clear(queries);
      if (!doc.queries.length) {
        queries.append('No persistent queries.');
        return;
      }
      queries.append(
        table(
          ['Query ID', 'State', 'In', 'Out', 'Records in', 'Rows out', 'Lag', 'Errors', 'Sink', 'Last error'],
          doc.queries.map((q) => {
            const r = tracker.rates(q.id);
            return [q.id, q.state, formatRate(r.in), formatRate(r.out), q.recordsIn, q.recordsOut, q.lag ?? '–', q.processingErrors, q.sink ?? '', q.error ?? q.lastProcessingError ?? ''];
          }),
          { link: (c, v) => (c === 0 ? `#/plan/${encodeURIComponent(String(v))}` : null) },
        ),
      );
    } catch (e) {
      fail(queries, e);
    }
  };

  void loadOnce();
  void pollQueries();
  const timer = window.setInterval(() => void pollQueries(), 1000);
  return { el, stop: () => clearInterval(timer) };
}

function entityTable(e: Entity | undefined): HTMLElement {
  if (!e) return h('div', {});
  const rows = (e.rows ?? []) as unknown[][];
  return rows.length ? table(e.columns as string[], rows) : h('div', { class: 'muted' }, 'None.');
}
