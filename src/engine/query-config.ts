/**
 * ksqlDB properties (SET, or the server's configuration) that shape a persistent query are taken
 * into its plan when the query is created, so a restart keeps the behaviour it started with:
 * ksql.functions.* reach the aggregate functions (collect_list / collect_set limits); the
 * ksql.persistence.* defaults choose the formats a WITH clause leaves out.
 */
import type { AnalyzedQuery } from '../analyze/query.ts';
import type { FormatName } from '../serde/types.ts';

/** Defaults for WITH clauses that leave formats out (ksqlDB's ksql.persistence.* properties). */
export interface PersistenceDefaults {
  readonly keyFormat?: FormatName;
  readonly valueFormat?: FormatName;
  readonly wrapSingleValues?: boolean;
}

const KNOWN_FORMATS: readonly string[] = ['JSON', 'DELIMITED', 'KAFKA', 'NONE'];

export function persistenceDefaults(properties: ReadonlyMap<string, string>): PersistenceDefaults {
  const get = (name: string) => properties.get(name)?.trim();
  const format = (name: string): FormatName | undefined => {
    const v = get(name)?.toUpperCase();
    return v && KNOWN_FORMATS.includes(v) ? (v as FormatName) : undefined;
  };
  const wrap = get('ksql.persistence.wrap.single.values')?.toLowerCase();
  return {
    keyFormat: format('ksql.persistence.default.format.key'),
    valueFormat: format('ksql.persistence.default.format.value'),
    wrapSingleValues: wrap === 'true' ? true : wrap === 'false' ? false : undefined,
  };
}

export function withFunctionConfig(analyzed: AnalyzedQuery, properties: ReadonlyMap<string, string>): AnalyzedQuery {
  const config = Object.fromEntries([...properties].filter(([k]) => k.toLowerCase().startsWith('ksql.functions.')).map(([k, v]) => [k.toLowerCase(), v]));
  if (Object.keys(config).length === 0) return analyzed;
  return {
    ...analyzed,
    aggregation: analyzed.aggregation && { ...analyzed.aggregation, aggregates: analyzed.aggregation.aggregates.map((a) => ({ ...a, config })) },
    overCalls: analyzed.overCalls.map((c) => ({ ...c, aggregate: { ...c.aggregate, config } })),
  };
}
