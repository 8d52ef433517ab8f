/**
 * Conformance case families, as the issues measure them: cases with a JOIN; stateful ones
 * (GROUP BY, a WINDOW, or a table) without a JOIN; and the stateless rest.
 */
export type CaseFamily = 'join' | 'stateful' | 'stateless';

export function classifyCase(statements: string): CaseFamily {
  const s = statements.toUpperCase();
  if (/\bJOIN\b/.test(s)) return 'join';
  if (/\bGROUP\s+BY\b|\bWINDOW\b|\bTABLE\b/.test(s)) return 'stateful';
  return 'stateless';
}
