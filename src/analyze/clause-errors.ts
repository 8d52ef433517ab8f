/**
 * ksqlDB names the clause an expression error comes from: `SELECT column 'X' cannot be
 * resolved.`, `WHERE column ...`, `JOIN ON column ...`, `Error in WHERE expression: Cannot
 * compare ...`. The expression analyzer does not know its clause; the statement analyzer wraps
 * each clause's analysis in inClause, which rewrites those errors (same code, same position).
 */
import { SqlError } from '../sql/errors.ts';

export type Clause = 'SELECT' | 'WHERE' | 'HAVING' | 'JOIN ON' | 'GROUP BY';

export function inClause<T>(clause: Clause, analyze: () => T): T {
  try {
    return analyze();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    const detail = e.detail;
    if (e.code === 'UNKNOWN_COLUMN' && detail.startsWith('Column ')) {
      throw new SqlError(e.code, `${clause} column ${detail.slice('Column '.length)}`, e.span);
    }
    if ((clause === 'WHERE' || clause === 'HAVING') && e.code === 'TYPE' && detail.startsWith('Cannot compare ')) {
      throw new SqlError(e.code, `Error in ${clause} expression: ${detail}`, e.span);
    }
    // ksqlDB finds these when it compiles the expression, and names it: `Invalid Predicate: ...`.
    const compiled = ['Cast of ', 'invalid input syntax for type ', 'operator does not exist: '].some((p) => detail.startsWith(p));
    if (e.code === 'TYPE' && compiled && (clause === 'WHERE' || clause === 'SELECT')) {
      throw new SqlError(e.code, `Invalid ${clause === 'WHERE' ? 'Predicate' : 'Select'}: ${detail}`, e.span);
    }
    throw e;
  }
}
