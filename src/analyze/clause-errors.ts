/**
 * ksqlDB names the clause an expression error comes from: `SELECT column 'X' cannot be
 * resolved.`, `WHERE column ...`, `JOIN ON column ...`, `Error in WHERE expression: Cannot
 * compare ...`. The expression analyzer does not know its clause; the statement analyzer wraps
 * each clause's analysis in inClause, which rewrites those errors (same code, same position).
 */
import type { Span } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { formatIdentifier } from '../sql/format-expr.ts';

/**
 * ksqlDB's location prefix (NodeLocation.asPrefix, `Line: 3, Col: 38: `): its column-reference
 * errors (unknown and ambiguous columns) and unknown-source errors start with it. Riffle keeps its
 * own `3:38: ` prefix in front, so such a message names the place twice, once in each form.
 */
export function ksqlLocation(span: Span | null): string {
  return span ? `Line: ${span.line}, Col: ${span.column}: ` : '';
}

/** `Column 'X' cannot be resolved.` as ksqlDB words it (the clause is added by inClause). */
export function unknownColumn(display: string, span: Span | null, hint = ''): SqlError {
  return new SqlError('UNKNOWN_COLUMN', `${ksqlLocation(span)}Column '${display}' cannot be resolved.${hint}`, span);
}

/**
 * An unqualified column found in several sources: ksqlDB finds it when it resolves names before
 * analysis (AstSanitizer), so its message carries the "Exception while preparing statement"
 * wrapper; the candidates are sorted and joined as "A.X, B.X or C.X".
 */
export function ambiguousColumn(name: string, qualifiers: readonly string[], span: Span | null): SqlError {
  const options = [...new Set(qualifiers)].map((q) => `${q}.${name}`).sort();
  const joined = options.length > 1 ? `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}` : options.join('');
  return new SqlError('AMBIGUOUS_COLUMN', `Exception while preparing statement: ${ksqlLocation(span)}Column '${name}' is ambiguous. Could be ${joined}.`, span);
}

/** ksqlDB resolves qualifiers while it builds the statement (AstBuilder), hence its wrapper. */
export function unknownQualifier(qualifier: string | null, span: Span | null): SqlError {
  return new SqlError('UNKNOWN_SOURCE', `Failed to prepare statement: '${qualifier}' is not a valid stream/table name or alias.`, span);
}

const LOCATED_COLUMN = /^(Line: \d+, Col: \d+: )?Column (.*)$/s;

export type Clause = 'SELECT' | 'WHERE' | 'HAVING' | 'JOIN ON' | 'GROUP BY';

/**
 * In a join, ksqlDB's WHERE and HAVING read the joined row, whose columns are named
 * `<alias>_<column>`; its messages name them so (`Cannot compare I1_BAR (INTEGER) to ...`). Turns
 * Riffle's `I1.BAR` in an expression's text into that name.
 */
export function joinedColumnText(columns: readonly { name: string; source?: string }[]): (text: string) => string {
  const names = new Map<string, string>();
  for (const c of columns) if (c.source) names.set(`${formatIdentifier(c.source)}.${formatIdentifier(c.name)}`, formatIdentifier(`${c.source}_${c.name}`));
  if (names.size === 0) return (text) => text;
  const escaped = [...names.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\w$])(?:${escaped.join('|')})(?![\\w$])`, 'g');
  return (text) => text.replace(pattern, (m) => names.get(m) ?? m);
}

/**
 * Runs one clause's analysis, rewording its errors as ksqlDB does for that clause; `display`
 * turns Riffle's text of an expression into ksqlDB's (internal column names, join columns).
 */
export function inClause<T>(clause: Clause, analyze: () => T, display: (text: string) => string = (t) => t): T {
  try {
    return analyze();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    // Expression texts are shown as ksqlDB has them in type errors; names in column errors stay as written.
    const detail = e.code === 'TYPE' ? display(e.detail) : e.detail;
    const located = e.code === 'UNKNOWN_COLUMN' ? LOCATED_COLUMN.exec(detail) : null;
    if (located) throw new SqlError(e.code, `${located[1] ?? ''}${clause} column ${located[2]}`, e.span);
    // ksqlDB finds these when it compiles the expression, and names it: `Invalid Predicate: ...`.
    const compiled = ['Cast of ', 'invalid input syntax for type ', 'operator does not exist: '].some((p) => detail.startsWith(p));
    // Any other type error of a filter is reported by its FilterTypeValidator: `Error in WHERE expression: ...`.
    if ((clause === 'WHERE' || clause === 'HAVING') && e.code === 'TYPE' && !compiled) {
      throw new SqlError(e.code, `Error in ${clause} expression: ${detail}`, e.span);
    }
    if (e.code === 'TYPE' && compiled && (clause === 'WHERE' || clause === 'SELECT')) {
      throw new SqlError(e.code, `Invalid ${clause === 'WHERE' ? 'Predicate' : 'Select'}: ${detail}`, e.span);
    }
    if (detail !== e.detail) throw new SqlError(e.code, detail, e.span);
    throw e;
  }
}
