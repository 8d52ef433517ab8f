/** Error display: SQL errors with the offending line and a caret under the column. */
import { SqlError } from '../sql/errors.ts';

export function formatError(e: unknown, source?: string): string {
  if (e instanceof SqlError) {
    if (e.span && source) {
      const line = source.split('\n')[e.span.line - 1];
      if (line !== undefined) {
        return `Error: ${e.message}\n  ${line}\n  ${' '.repeat(Math.max(0, e.span.column - 1))}^`;
      }
    }
    return `Error: ${e.message}`;
  }
  if (e instanceof Error) return `Error: ${e.message}`;
  return `Error: ${String(e)}`;
}
