/**
 * Conformance case families, as the issues measure them: cases that set ksqlDB properties
 * (`SET '...' = '...';`); cases with a JOIN; stateful ones (GROUP BY, a WINDOW, or a table)
 * without a JOIN; and the stateless rest. Must-fail cases (expected-error.json) are a family of
 * their own, told apart by their files, not their statements.
 */
export type CaseFamily = 'join' | 'stateful' | 'stateless' | 'properties';

export function classifyCase(statements: string): CaseFamily {
  if (/^\s*SET\s+'/im.test(statements)) return 'properties';
  const s = statements.toUpperCase();
  if (/\bJOIN\b/.test(s)) return 'join';
  if (/\bGROUP\s+BY\b|\bWINDOW\b|\bTABLE\b/.test(s)) return 'stateful';
  return 'stateless';
}
