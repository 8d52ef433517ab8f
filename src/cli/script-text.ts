/**
 * Where statements end in SQL text the shell and the client read: at `;` outside strings,
 * quoted identifiers and comments. Lexical only (nothing is parsed), so it works on incomplete
 * input and on statements a remote server will parse.
 */

/** Positions of the statement-ending `;`s, and whether the text ends inside a quote or a block comment. */
function scan(text: string): { ends: number[]; open: boolean } {
  const ends: number[] = [];
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return { ends, open: true };
      i = end + 1;
    } else if (c === ';') ends.push(i);
  }
  return { ends, open: quote !== null };
}

export function stripComments(s: string): string {
  return s.replace(/--[^\n]*\n?/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** The statements of a script, each with its `;` (the last one may lack it); empty pieces are dropped. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const end of scan(text).ends) {
    const piece = text.slice(start, end + 1);
    if (stripComments(piece).replace(/;/g, '').trim()) out.push(piece.trim());
    start = end + 1;
  }
  const rest = text.slice(start);
  if (stripComments(rest).trim()) out.push(rest.trim());
  return out;
}

/** True when the text ends with a `;` outside strings, quoted identifiers and comments (only comments and blanks after it). */
export function statementComplete(text: string): boolean {
  const { ends, open } = scan(text);
  if (open || ends.length === 0) return false;
  return stripComments(text.slice(ends[ends.length - 1] + 1)).trim() === '';
}
