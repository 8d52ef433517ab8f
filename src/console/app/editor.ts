/**
 * The SQL editor: CodeMirror 6 with a ksqlDB dialect of @codemirror/lang-sql, completion of the
 * live catalog (./completion.ts), Ctrl-Enter to run the statement at the cursor, Shift-Ctrl-Enter
 * to run the whole script, and the server's errors shown as diagnostics at their line:column.
 */
import { EditorView, keymap, lineNumbers, highlightActiveLineGutter, highlightSpecialChars, drawSelection, highlightActiveLine } from '@codemirror/view';
import { EditorState, Prec } from '@codemirror/state';
import { indentOnInput, syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { history, defaultKeymap, historyKeymap } from '@codemirror/commands';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { sql, SQLDialect, StandardSQL } from '@codemirror/lang-sql';
import { setDiagnostics, lintGutter, type Diagnostic } from '@codemirror/lint';
import { catalogCompletion, type CatalogMeta } from './completion.ts';

/** ksqlDB's words on top of standard SQL's, so they highlight and complete as keywords. */
const KSQL_KEYWORDS =
  'emit changes final stream streams table tables topic topics query queries terminate print describe extended explain show list ' +
  'window tumbling hopping session size advance by grace period retention within partition partitions key primary ' +
  'kafka_topic value_format key_format format timestamp timestamp_format replicas wrap_single_value ' +
  'model models predict ml_predict pipeline pipelines promote rollback version export connector connectors type types ' +
  'functions function variables define undefine properties set unset if exists replace struct map array bytes ' +
  'latest earliest from beginning limit interval every emit insert into values drop delete alter';

export const ksqlDialect = SQLDialect.define({
  ...StandardSQL.spec,
  keywords: `${(StandardSQL.spec.keywords ?? '').toString()} ${KSQL_KEYWORDS}`,
  identifierQuotes: '`',
  doubleQuotedStrings: false,
});

export interface SqlEditor {
  readonly view: EditorView;
  doc(): string;
  cursor(): number;
  /** Marks an error range; replaces earlier marks. */
  markError(from: number, to: number, message: string): void;
  clearMarks(): void;
  setText(text: string): void;
}

export function createEditor(parent: HTMLElement, opts: { meta: () => CatalogMeta; runStatement(): void; runScript(): void; initial: string }): SqlEditor {
  const view = new EditorView({
    doc: opts.initial,
    parent,
    extensions: [
      Prec.highest(
        keymap.of([
          { key: 'Mod-Enter', run: () => (opts.runStatement(), true) },
          { key: 'Shift-Mod-Enter', run: () => (opts.runScript(), true) },
        ]),
      ),
      // codemirror's basicSetup without search and folding (a third of the bundle for little use in short SQL).
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      bracketMatching(),
      closeBrackets(),
      autocompletion(),
      highlightActiveLine(),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
      sql({ dialect: ksqlDialect, upperCaseKeywords: true }),
      ksqlDialect.language.data.of({ autocomplete: catalogCompletion(opts.meta) }),
      lintGutter(),
      EditorView.lineWrapping,
    ],
  });
  return {
    view,
    doc: () => view.state.doc.toString(),
    cursor: () => view.state.selection.main.head,
    markError(from, to, message) {
      const len = view.state.doc.length;
      const diag: Diagnostic = { from: Math.min(from, len), to: Math.min(Math.max(to, from), len), severity: 'error', message };
      view.dispatch(setDiagnostics(view.state, [diag]));
    },
    clearMarks() {
      view.dispatch(setDiagnostics(view.state, []));
    },
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
  };
}
