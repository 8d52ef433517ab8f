/**
 * Name resolution for expressions: which column (by index into the row's columns) or pseudo
 * column a `[source.]name` reference means. The statement analyzer provides the scope; this
 * file has the plain implementation over a list of columns.
 */
import type { Span } from '../../sql/ast.ts';
import { ambiguousColumn, unknownColumn } from '../clause-errors.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { PSEUDO_COLUMN_TYPES, type PseudoColumn } from '../../types/typed-expr.ts';

export type ColumnResolution =
  | { readonly kind: 'column'; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'pseudo'; readonly name: PseudoColumn; readonly type: SqlType; readonly side?: number };

export interface ExprScope {
  /** Resolves a reference or throws SqlError UNKNOWN_COLUMN / AMBIGUOUS_COLUMN at `span`. */
  resolveColumn(source: string | null, name: string, span: Span): ColumnResolution;
}

export interface ScopeColumn {
  readonly name: string;
  readonly type: SqlType;
  /** The stream/table name or alias the column comes from (for `src.col` and ambiguity). */
  readonly source?: string;
}

const display = (source: string | null | undefined, name: string): string => (source ? `${source}.${name}` : name);

/**
 * A scope over `columns` (index i = position i in the row's columns) plus the given pseudo
 * columns. Columns win over pseudo columns of the same name; a qualified pseudo column
 * (`l.ROWTIME`) resolves when the qualifier names a source of the scope.
 */
export function columnsScope(columns: readonly ScopeColumn[], pseudo: readonly PseudoColumn[]): ExprScope {
  const sources = new Set(columns.map((c) => c.source).filter((s): s is string => !!s));
  // Column positions by name, so resolving a reference does not scan every column (a query with
  // thousands of columns and references would resolve in quadratic time).
  const byName = new Map<string, number[]>();
  columns.forEach((c, i) => {
    const at = byName.get(c.name);
    if (at) at.push(i);
    else byName.set(c.name, [i]);
  });
  return {
    resolveColumn(source, name, span) {
      const named = byName.get(name) ?? [];
      const matches = source === null ? named : named.filter((i) => columns[i].source === source);
      if (matches.length === 1) return { kind: 'column', index: matches[0], type: columns[matches[0]].type };
      if (matches.length > 1) {
        throw ambiguousColumn(name, matches.map((i) => columns[i].source ?? ''), span);
      }
      const p = pseudo.find((x) => x === name);
      if (p && (source === null || sources.has(source) || sources.size === 0)) {
        // In a join, `alias.ROWTIME` (ROWPARTITION, ROWOFFSET) is that source's record's, not the joined row's.
        if ((p === 'ROWTIME' || p === 'ROWPARTITION' || p === 'ROWOFFSET') && source !== null && sources.size > 1) return { kind: 'pseudo', name: p, type: PSEUDO_COLUMN_TYPES[p], side: [...sources].indexOf(source) };
        return { kind: 'pseudo', name: p, type: PSEUDO_COLUMN_TYPES[p] };
      }
      const candidates = columns
        .filter((c) => source === null || c.source === source)
        .map((c) => c.name)
        .concat(pseudo);
      const hint = suggest(name, candidates);
      throw unknownColumn(display(source, name), span, hint ? ` Did you mean '${hint}'?` : '');
    },
  };
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate the user most likely meant, or null: a case-insensitive match, else a name
 * that contains (or is contained in) the misspelt one, else one within a small edit distance.
 */
export function suggest(name: string, candidates: readonly string[]): string | null {
  const upper = name.toUpperCase();
  const unique = [...new Set(candidates)];
  const exact = unique.find((c) => c.toUpperCase() === upper);
  if (exact) return exact;
  let best: string | null = null;
  let bestScore = Infinity;
  for (const c of unique) {
    const cu = c.toUpperCase();
    const d = editDistance(upper, cu);
    const related = upper.length >= 2 && (cu.includes(upper) || upper.includes(cu));
    const score = related ? d / 2 : d;
    if ((related || d <= Math.floor(upper.length / 3)) && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
