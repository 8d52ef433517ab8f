/**
 * Splits an editor's script into statements (each with its offsets in the document) and maps
 * the server's `line:column:` error positions back onto the document. Pure functions: the unit
 * tests in test/console/ run them under Node.
 * Invariant: `doc.slice(s.from, s.to) === s.text` for every statement returned; a statement ends
 * after its `;` (or at the end of the document), and `;` inside quotes or comments does not end it.
 */
export interface ScriptStatement {
  readonly text: string;
  readonly from: number;
  readonly to: number;
  /** SELECT and PRINT go to /query-stream; everything else to /ksql. */
  readonly streaming: boolean;
  /** The first keyword, upper-cased (CREATE, SELECT, ...). */
  readonly keyword: string;
}

export function splitStatements(doc: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  let start = 0;
  let i = 0;
  const n = doc.length;
  const push = (end: number) => {
    const text = doc.slice(start, end);
    const keyword = firstKeyword(text);
    if (keyword) {
      // Leading whitespace and comments are not part of the statement (positions start at its first word).
      const lead = leadingTrivia(text);
      out.push({ text: text.slice(lead), from: start + lead, to: end, streaming: keyword === 'SELECT' || keyword === 'PRINT', keyword });
    }
    start = end;
  };
  while (i < n) {
    const c = doc[i];
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < n) {
        if (doc[i] === c) {
          if (doc[i + 1] === c) i += 2; // doubled quote: an escaped quote
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && doc[i + 1] === '-') {
      while (i < n && doc[i] !== '\n') i++;
    } else if (c === '/' && doc[i + 1] === '*') {
      const end = doc.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';') {
      i++;
      push(i);
    } else i++;
  }
  if (start < n) push(n);
  return out;
}

/** Length of the whitespace and comments a text starts with. */
export function leadingTrivia(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

export function firstKeyword(text: string): string {
  const m = /^[A-Za-z_]+/.exec(text.slice(leadingTrivia(text)));
  return m ? m[0].toUpperCase() : '';
}

/** The statement the cursor is in (or the one just before it, when the cursor follows its `;`). */
export function statementAt(statements: readonly ScriptStatement[], pos: number): ScriptStatement | null {
  for (const s of statements) if (pos >= s.from && pos <= s.to) return s;
  let before: ScriptStatement | null = null;
  for (const s of statements) if (s.to <= pos) before = s;
  return before ?? statements[0] ?? null;
}

export interface ErrorPosition {
  readonly line: number;
  readonly column: number;
  /** The message without its `line:column: ` prefix. */
  readonly message: string;
}

/** `2:10: SELECT column 'NOPE' cannot be resolved.` → line 2, column 10 (both 1-based). */
export function errorPosition(message: string): ErrorPosition | null {
  const m = /^(\d+):(\d+):\s*([\s\S]*)$/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] } : null;
}

/** The document offset of a 1-based line:column inside a statement's text (clamped to the statement). */
export function offsetIn(statement: { readonly text: string; readonly from: number }, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = statement.text.indexOf('\n', at);
    if (nl < 0) return statement.from + statement.text.length;
    at = nl + 1;
  }
  return statement.from + Math.min(statement.text.length, at + Math.max(0, column - 1));
}

/** The end of the word (identifier, number or quoted text) starting at `from`, for the error mark. */
export function tokenEnd(doc: string, from: number): number {
  const q = doc[from];
  if (q === "'" || q === '`' || q === '"') {
    const end = doc.indexOf(q, from + 1);
    return end < 0 ? doc.length : end + 1;
  }
  const m = /^[A-Za-z0-9_$.]+/.exec(doc.slice(from, from + 200));
  return from + (m ? m[0].length : Math.min(1, doc.length - from));
}
