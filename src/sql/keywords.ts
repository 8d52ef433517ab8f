/**
 * Keyword tables shared by the parser and the printer.
 *
 * Riffle reserves fewer words than ksqlDB: only those whose use as a bare identifier would make
 * a statement ambiguous for our parser (or that ksqlDB users never expect as names). All other
 * keywords (KEY, VALUE, TIMESTAMP, SIZE, DATE, TIME, TYPE, ID, NAME, WINDOW, EMIT, MAP, ...)
 * are identifiers wherever the grammar expects a name. Where a non-reserved keyword could be
 * read either way (an implicit alias before `WINDOW ...`), the parser prefers the keyword.
 */
import type { TimeUnit } from './ast.ts';

export const RESERVED: ReadonlySet<string> = new Set([
  'ALL',
  'AND',
  'AS',
  'BETWEEN',
  'BY',
  'CASE',
  'CAST',
  'CREATE',
  'DELETE',
  'DESCRIBE',
  'DISTINCT',
  'DROP',
  'ELSE',
  'END',
  'EXISTS',
  'FALSE',
  'FROM',
  'FULL',
  'GROUP',
  'HAVING',
  'IN',
  'INNER',
  'INSERT',
  'INTO',
  'IS',
  'JOIN',
  'LEFT',
  'LIKE',
  'LIMIT',
  'NOT',
  'NULL',
  'ON',
  'OR',
  'OUTER',
  'PRINT',
  'RIGHT',
  'SELECT',
  'STREAM',
  'TABLE',
  'TERMINATE',
  'THEN',
  'TOPIC',
  'TRUE',
  'VALUES',
  'WHEN',
  'WHERE',
  'WITH',
  'WITHIN',
]);

/** Words that may follow a relation, so they are never taken as its implicit alias. */
export const RELATION_FOLLOW: ReadonlySet<string> = new Set(['WINDOW', 'PARTITION', 'EMIT', 'ORDER']);

/** Time units, singular and plural, normalised to the plural. */
export const TIME_UNITS: ReadonlyMap<string, TimeUnit> = new Map<string, TimeUnit>([
  ['MILLISECOND', 'MILLISECONDS'],
  ['MILLISECONDS', 'MILLISECONDS'],
  ['SECOND', 'SECONDS'],
  ['SECONDS', 'SECONDS'],
  ['MINUTE', 'MINUTES'],
  ['MINUTES', 'MINUTES'],
  ['HOUR', 'HOURS'],
  ['HOURS', 'HOURS'],
  ['DAY', 'DAYS'],
  ['DAYS', 'DAYS'],
  ['WEEK', 'WEEKS'],
  ['WEEKS', 'WEEKS'],
  ['MONTH', 'MONTHS'],
  ['MONTHS', 'MONTHS'],
  ['YEAR', 'YEARS'],
  ['YEARS', 'YEARS'],
]);

/**
 * Unit words that, as a whole function argument, are a time unit (`TIMESTAMPADD(SECONDS, 1, ts)`)
 * rather than a column. As in ksqlDB, the singular DAY/HOUR/MINUTE/SECOND stay column names there
 * (they are non-reserved identifiers in ksqlDB and its grammar prefers the expression).
 */
export const UNIT_ARGUMENTS: ReadonlySet<string> = new Set([
  'MILLISECOND',
  'MILLISECONDS',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
  'WEEKS',
  'MONTHS',
  'YEARS',
]);

/** Non-reserved words the printer still quotes, because in some position they read as syntax (`ARRAY[1]`, `f(SECONDS)`). */
const QUOTE_ALWAYS: ReadonlySet<string> = new Set(['ARRAY', 'MAP', 'STRUCT', ...UNIT_ARGUMENTS]);

/** A name that can be printed without quotes anywhere: it reads back as itself. */
export function isPlainIdentifier(name: string): boolean {
  return /^[A-Z_][A-Z0-9_@]*$/.test(name) && !RESERVED.has(name) && !QUOTE_ALWAYS.has(name);
}
