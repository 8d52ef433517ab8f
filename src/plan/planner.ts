/**
 * Turns an analyzed query into physical steps: source → filter → flatMap → project → sink.
 * Step names are stable (they name state stores and appear in EXPLAIN), derived from the role of
 * the step, never from counters.
 */
import type { AnalyzedQuery } from '../analyze/query.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { allColumns, findColumn } from '../analyze/schema.ts';
import type { QueryPlan, SinkStep, SourceStep, Step } from './steps.ts';
import { SqlError } from '../sql/errors.ts';

/** The event-time column of a stream or table (its TIMESTAMP property), as a column index. */
function eventTime(source: DataSource): { column: number; format: string | null } | null {
  if (!source.timestampColumn) return null;
  const found = findColumn(source.schema, source.timestampColumn);
  if (!found) throw new SqlError('UNKNOWN_COLUMN', `The TIMESTAMP column ${source.timestampColumn} does not exist in ${source.name}`);
  return { column: found.index, format: source.timestampFormat };
}

export function sourceStep(source: DataSource): SourceStep {
  const timestamp = eventTime(source);
  return {
    type: 'source',
    v: 1,
    name: `Source/${source.name}`,
    source: source.name,
    sourceType: source.type,
    binding: { topic: source.topic, formats: source.formats },
    schema: source.schema,
    timestamp,
    window: source.window,
  };
}

/** The steps up to (not including) the sink: what a push query or a persistent query computes. */
export function planQuery(q: AnalyzedQuery): Step {
  let step: Step = sourceStep(q.source);
  q.from.joins.forEach((spec, k) => {
    const right = q.from.sources[k + 1];
    const columns = q.from.sources.slice(0, k + 2).flatMap((s) => allColumns(s.source.schema).map((c) => ({ ...c, name: `${s.alias}.${c.name}` })));
    step = {
      type: 'join',
      v: 1,
      name: `Join${k === 0 ? '' : k + 1}`,
      left: step,
      right: { ...sourceStep(right.source), name: `Source/${right.alias}` },
      schema: { key: [], value: columns },
      spec,
    };
  });
  if (q.whereModelCalls.length) {
    step = {
      type: 'modelCall',
      v: 1,
      name: 'WhereModelCall',
      input: step,
      schema: { key: step.schema.key, value: [...step.schema.value, ...q.whereModelColumns] },
      calls: q.whereModelCalls,
    };
  }
  const isTable = q.from.resultType === 'TABLE';
  if (isTable && q.aggregation && q.from.joins.length === 0) step = { type: 'materialize', v: 1, name: 'Materialize', input: step, schema: step.schema };
  if (q.where) step = { type: 'filter', v: 1, name: 'WhereFilter', input: step, schema: step.schema, predicate: q.where, changes: isTable };
  if (q.aggregation) {
    const a = q.aggregation;
    step = {
      type: 'aggregate',
      v: 1,
      name: 'Aggregate',
      input: step,
      schema: a.intermediate,
      groupBy: a.groupBy,
      aggregates: a.aggregates,
      window: a.window,
      inputIsTable: isTable,
      withPrior: a.having !== null,
    };
    if (a.having) step = { type: 'filter', v: 1, name: 'HavingFilter', input: step, schema: step.schema, predicate: a.having, changes: true };
    return { type: 'project', v: 1, name: 'Project', input: step, schema: q.schema, exprs: q.projection, rekeyed: true };
  }
  if (q.overCalls.length) {
    step = {
      type: 'overAggregate',
      v: 1,
      name: 'OverAggregate',
      input: step,
      schema: { key: step.schema.key, value: [...step.schema.value, ...q.overColumns] },
      calls: q.overCalls,
    };
  }
  if (q.tableFunctions.length) {
    step = {
      type: 'flatMap',
      v: 1,
      name: 'FlatMap',
      input: step,
      schema: { key: step.schema.key, value: [...step.schema.value, ...q.tableFunctions.map((t) => t.column)] },
      functions: q.tableFunctions.map((t) => ({ name: t.name, args: t.args })),
    };
  }
  if (q.modelCalls.length) {
    step = {
      type: 'modelCall',
      v: 1,
      name: 'ModelCall',
      input: step,
      schema: { key: step.schema.key, value: [...step.schema.value, ...q.modelColumns] },
      calls: q.modelCalls,
    };
  }
  return { type: 'project', v: 1, name: 'Project', input: step, schema: q.schema, exprs: q.projection, rekeyed: q.rekeyed };
}

export function planPersistentQuery(queryId: string, q: AnalyzedQuery, sink: DataSource): QueryPlan {
  const input = planQuery(q);
  const timestamp = eventTime(sink);
  return {
    planVersion: 1,
    queryId,
    sink: {
      type: 'sink',
      v: 1,
      name: `Sink/${sink.name}`,
      input,
      schema: sink.schema,
      sink: sink.name,
      binding: { topic: sink.topic, formats: sink.formats },
      timestamp,
      window: sink.window,
    },
  };
}
