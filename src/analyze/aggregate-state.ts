/**
 * The kind of value each aggregate keeps between records (ksqlDB's intermediate type: AVG keeps
 * STRUCT<SUM, COUNT>, COLLECT_LIST an ARRAY, HISTOGRAM a MAP, ...). ksqlDB stores that state in
 * the source's value format, so a format that cannot hold it (DELIMITED: no STRUCT, ARRAY or
 * MAP) refuses the query (its MaterializationUtil), even where the result itself is a number.
 */
import { SqlError } from '../sql/errors.ts';
import type { AnalyzedQuery } from './query.ts';
import type { Span } from '../sql/ast.ts';

const INTERMEDIATE_KIND: Readonly<Record<string, 'STRUCT' | 'ARRAY' | 'MAP'>> = {
  AVG: 'STRUCT',
  CORRELATION: 'STRUCT',
  STDDEV_SAMP: 'STRUCT',
  STDDEV_SAMPLE: 'STRUCT',
  EARLIEST_BY_OFFSET: 'STRUCT',
  LATEST_BY_OFFSET: 'STRUCT',
  COLLECT_LIST: 'ARRAY',
  COLLECT_SET: 'ARRAY',
  TOPK: 'ARRAY',
  TOPKDISTINCT: 'ARRAY',
  SUM_LIST: 'ARRAY',
  HISTOGRAM: 'MAP',
};

/** Formats that hold only primitive columns. */
const PRIMITIVE_ONLY = new Set(['DELIMITED', 'KAFKA']);

/** `span`: the statement's, so the error carries a line:column. */
export function validateAggregateState(analyzed: AnalyzedQuery, span: Span): void {
  if (!analyzed.aggregation) return;
  const format = analyzed.source.formats.valueFormat;
  if (!PRIMITIVE_ONLY.has(format)) return;
  if (analyzed.aggregation.aggregates.some((a) => INTERMEDIATE_KIND[a.name.toUpperCase()] !== undefined)) {
    throw new SqlError(
      'INVALID',
      'One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.\n' +
        'Consider up-voting https://github.com/confluentinc/ksql/issues/3950, which will resolve this limitation',
      span,
    );
  }
}
