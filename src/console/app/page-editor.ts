/**
 * The editor page: write SQL, run the statement at the cursor or the whole script, and watch the
 * answers below. Consecutive non-streaming statements go to /ksql in one request (so a SET or
 * DEFINE applies to the statements after it, as in a ksqlDB script); each SELECT or PRINT runs on
 * /query-stream in its own live panel and the script goes on (push queries do not end).
 */
import { h, clear } from './dom.ts';
import { ksql, StreamingQuery } from './api.ts';
import { createEditor, type SqlEditor } from './editor.ts';
import { EMPTY_META, loadCatalogMeta, type CatalogMeta } from './completion.ts';
import { errorPosition, offsetIn, splitStatements, statementAt, tokenEnd, type ScriptStatement } from './statements.ts';
import { LiveTable, renderEntity } from './results.ts';

const INITIAL = `-- Ctrl-Enter runs the statement at the cursor, Shift-Ctrl-Enter the whole script.
SHOW STREAMS;
`;

export interface EditorPage {
  readonly el: HTMLElement;
  readonly editor: SqlEditor;
  refreshCatalog(): Promise<void>;
}

export function editorPage(): EditorPage {
  let meta: CatalogMeta = EMPTY_META;
  const running = new Set<StreamingQuery>();
  const results = h('div', { class: 'results', id: 'results' });
  const limitInput = h('input', { type: 'number', min: 1, value: 500, id: 'row-limit', title: 'Rows kept in each live table (the newest)' });
  const host = h('div', { class: 'editor-host', id: 'editor' });
  const status = h('span', { class: 'status', id: 'editor-status' });

  const editor = createEditor(host, { meta: () => meta, runStatement: () => void runStatement(), runScript: () => void runScript(), initial: localStorage.getItem('riffle.console.sql') ?? INITIAL });
  window.addEventListener('beforeunload', () => localStorage.setItem('riffle.console.sql', editor.doc()));

  const limit = () => Math.max(1, Number(limitInput.value) || 500);

  async function refreshCatalog(): Promise<void> {
    try {
      meta = await loadCatalogMeta();
    } catch {
      // Completion is a convenience: a failure here must not break the editor.
    }
  }

  function showError(e: unknown, stmt: { text: string; from: number }, panel: HTMLElement): void {
    const message = (e as Error).message ?? String(e);
    const pos = errorPosition(message);
    panel.append(h('div', { class: 'error', 'data-role': 'error' }, message));
    panel.classList.add('failed');
    if (pos) {
      const from = offsetIn(stmt, pos.line, pos.column);
      editor.markError(from, tokenEnd(editor.doc(), from), pos.message);
      editor.view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    }
  }

  function panel(text: string): HTMLElement {
    const p = h('section', { class: 'panel' }, h('pre', { class: 'stmt' }, text.length > 400 ? `${text.slice(0, 400)}…` : text));
    results.prepend(p);
    return p;
  }

  /** Runs statements that go to /ksql in one request; false when one failed (the script stops). */
  async function runBatch(batch: ScriptStatement[]): Promise<boolean> {
    const doc = editor.doc();
    const from = batch[0].from;
    const text = doc.slice(from, batch[batch.length - 1].to);
    const p = panel(text.trim());
    try {
      const entities = await ksql(text);
      for (const e of entities) p.append(renderEntity(e));
      if (batch.some((s) => /^(CREATE|DROP|ALTER)$/.test(s.keyword))) void refreshCatalog();
      return true;
    } catch (e) {
      showError(e, { text, from }, p);
      // As on ksqlDB's /ksql: the statements before the failing one ran, the rest did not.
      if (batch.length > 1) p.append(h('div', { class: 'muted' }, 'Statements before the failing one ran; those after it did not.'));
      if (batch.some((s) => /^(CREATE|DROP|ALTER)$/.test(s.keyword))) void refreshCatalog();
      return false;
    }
  }

  function runStreaming(stmt: ScriptStatement): Promise<boolean> {
    const p = panel(stmt.text.trim());
    const state = h('span', { class: 'state', 'data-role': 'state' }, 'starting');
    const isPrint = stmt.keyword === 'PRINT';
    const live = new LiveTable(limit());
    const lines = h('pre', { class: 'print' });
    const pauseBtn = h('button', { class: 'pause', onclick: () => (q.isPaused ? (q.resume(), setState('running')) : (q.pause(), setState('paused'))) }, 'Pause');
    const stopBtn = h('button', { class: 'stop', onclick: () => void q.stop().then(() => setState('stopped')) }, 'Stop');
    p.append(h('div', { class: 'toolbar' }, state, pauseBtn, stopBtn), isPrint ? lines : live.el);
    const setState = (s: string) => {
      state.textContent = s;
      p.dataset.state = s;
      pauseBtn.textContent = s === 'paused' ? 'Resume' : 'Pause';
    };
    let started: (ok: boolean) => void = () => undefined;
    const ready = new Promise<boolean>((r) => (started = r));
    const q = new StreamingQuery(
      stmt.text,
      {
        onHeader(hd) {
          live.setColumns(hd.columnNames, hd.columnTypes);
          if (hd.queryId) p.dataset.queryId = hd.queryId;
          setState(hd.queryId ? 'running' : 'pull');
          started(true);
        },
        onRows(rows) {
          live.addRows(rows);
        },
        onLines(ls) {
          started(true);
          lines.append(ls.join('\n') + '\n');
          const kept = lines.textContent!.split('\n');
          if (kept.length > limit() + 1) lines.textContent = kept.slice(-limit() - 1).join('\n');
          if (state.textContent === 'starting') setState('running');
        },
        onEnd(error) {
          running.delete(q);
          pauseBtn.disabled = true;
          stopBtn.disabled = true;
          if (error) {
            showError(error, stmt, p);
            setState('error');
            started(false);
          } else {
            if (state.textContent !== 'stopped') setState(state.textContent === 'pull' || state.textContent === 'starting' ? 'done' : 'ended');
            started(true);
          }
        },
      },
      isPrint,
    );
    running.add(q);
    // PRINT sends nothing until a record arrives: it counts as started once the request is under way.
    if (isPrint) setTimeout(() => started(true), 300);
    return ready;
  }

  async function run(statements: ScriptStatement[]): Promise<void> {
    editor.clearMarks();
    status.textContent = '';
    let batch: ScriptStatement[] = [];
    for (const s of statements) {
      if (!s.streaming) {
        batch.push(s);
        continue;
      }
      if (batch.length && !(await runBatch(batch))) return;
      batch = [];
      if (!(await runStreaming(s))) return;
    }
    if (batch.length) await runBatch(batch);
  }

  async function runStatement(): Promise<void> {
    const stmt = statementAt(splitStatements(editor.doc()), editor.cursor());
    if (!stmt) {
      status.textContent = 'Nothing to run';
      return;
    }
    await run([stmt]);
  }

  async function runScript(): Promise<void> {
    const all = splitStatements(editor.doc());
    if (!all.length) status.textContent = 'Nothing to run';
    else await run(all);
  }

  const el = h(
    'div',
    { class: 'page page-editor' },
    h(
      'div',
      { class: 'toolbar' },
      h('button', { id: 'run-statement', class: 'primary', onclick: () => void runStatement(), title: 'Ctrl-Enter' }, 'Run statement'),
      h('button', { id: 'run-script', onclick: () => void runScript(), title: 'Shift-Ctrl-Enter' }, 'Run script'),
      h('label', {}, 'Rows kept ', limitInput),
      h('button', { onclick: () => clear(results) }, 'Clear results'),
      h('button', { onclick: () => void Promise.all([...running].map((q) => q.stop())) }, 'Stop all'),
      status,
    ),
    host,
    results,
  );
  return { el, editor, refreshCatalog };
}

