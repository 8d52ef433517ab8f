/**
 * Event time from a column: BIGINT/TIMESTAMP values are epoch millis; STRING values are parsed
 * with the TIMESTAMP_FORMAT (Java DateTimeFormatter pattern). Returns null when the value is
 * missing or unparseable: the record cannot be placed in time and goes to the processing log.
 */
import type { LogicalSchema } from '../types/schema.ts';
import type { Row } from './expr/row.ts';
import { getFunction } from '../functions/registry.ts';
import { STRING } from '../types/sql-type.ts';

export function eventTimeReader(column: number, format: string | null, schema: LogicalSchema): (row: Row) => number | null {
  const type = [...schema.key, ...schema.value][column].type; // key columns first, as allColumns
  if (type.kind === 'STRING') {
    const fn = getFunction('PARSE_TIMESTAMP');
    const resolved = fn && fn.kind === 'scalar' ? fn.resolve([STRING, STRING], { literalArg: () => undefined }) : 'missing';
    if (typeof resolved === 'string') throw new Error('PARSE_TIMESTAMP is not available');
    const pattern = format ?? "yyyy-MM-dd'T'HH:mm:ss.SSS";
    return (row) => {
      const v = row.cols[column];
      if (v === null || v === undefined) return null;
      try {
        const ts = resolved.impl(v, pattern);
        return typeof ts === 'number' ? ts : null;
      } catch {
        return null;
      }
    };
  }
  return (row) => {
    const v = row.cols[column];
    if (v === null || v === undefined) return null;
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 ? n : null;
  };
}
