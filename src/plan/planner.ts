/**
 * Turns an analyzed query into physical steps: source → filter → flatMap → project → sink.
 * Step names are stable (they name state stores and appear in EXPLAIN), derived from the role of
 * the step, never from counters.
 */
import type { AnalyzedQuery } from '../analyze/query.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { allColumns, findColumn, type Column } from '../types/schema.ts';
import { sameTypedExpr } from '../types/typed-expr.ts';
import type { JoinSpec, ModelCallStep, QueryPlan, RepartitionStep, SourceStep, Step } from './steps.ts';
import { SINGLE_PARTITION, partitionedBy, repartition, sourcePartitioning, type Partitioning, type PlanContext } from './partitioning.ts';
import { SqlError } from '../sql/errors.ts';
import { paneLength } from './panes.ts';

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

/**
 * The steps up to (not including) the sink: what a push query or a persistent query computes.
 * `ctx` gives the sources' partition counts, which decide where rows must be repartitioned
 * (./partitioning.ts); without it every source counts as one partition.
 */
export function planQuery(q: AnalyzedQuery, ctx: PlanContext = SINGLE_PARTITION): Step {
  let step: Step = sourceStep(q.source);
  let part = sourcePartitioning(q.source, ctx);
  q.from.joins.forEach((spec, k) => {
    const right = q.from.sources[k + 1];
    const columns = q.from.sources.slice(0, k + 2).flatMap((s) => allColumns(s.source.schema).map((c) => ({ ...c, name: `${s.alias}.${c.name}` })));
    const suffix = k === 0 ? '' : String(k + 1);
    const sides = coPartition(ctx, `Join${suffix}`, spec, { step, part }, { step: { ...sourceStep(right.source), name: `Source/${right.alias}` }, part: sourcePartitioning(right.source, ctx) }, [q.from.sources[0].alias, right.alias]);
    part = sides.part;
    step = {
      type: 'join',
      v: 1,
      name: `Join${suffix}`,
      left: sides.left,
      right: sides.right,
      schema: { key: [], value: columns },
      spec,
    };
  });
  if (q.whereModelCalls.length) step = modelCallStep('WhereModelCall', step, q.whereModelCalls, q.whereModelColumns);
  const isTable = q.from.resultType === 'TABLE';
  if (isTable && q.aggregation && q.from.joins.length === 0) step = { type: 'materialize', v: 1, name: 'Materialize', input: step, schema: step.schema };
  if (q.where) step = { type: 'filter', v: 1, name: 'WhereFilter', input: step, schema: step.schema, predicate: q.where, changes: isTable };
  if (q.aggregation) {
    const a = q.aggregation;
    if (part.partitions > 1 && !partitionedBy(part, a.groupBy)) step = repartition(ctx, 'Aggregate/Repartition', step, a.groupBy, part.partitions, { retract: isTable });
    const paneMs = ctx.hoppingPanes === false ? null : paneLength({ window: a.window, aggregates: a.aggregates, withPrior: a.having !== null, inputIsTable: isTable });
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
      ...(paneMs !== null ? { panes: { paneMs } } : {}),
    };
    if (a.having) step = { type: 'filter', v: 1, name: 'HavingFilter', input: step, schema: step.schema, predicate: a.having, changes: true };
    return { type: 'project', v: 1, name: 'Project', input: step, schema: q.schema, exprs: q.projection, rekeyed: true };
  }
  if (q.overCalls.length) {
    const by = q.overCalls[0].partitionBy;
    if (part.partitions > 1 && !partitionedBy(part, by)) {
      if (q.overCalls.some((c) => c.partitionBy.length !== by.length || c.partitionBy.some((e, i) => !sameTypedExpr(e, by[i])))) {
        throw new SqlError('UNSUPPORTED', `OVER clauses with different PARTITION BY lists need a single-partition input (${q.source.name} has ${part.partitions} partitions)`, ctx.span);
      }
      step = repartition(ctx, 'OverAggregate/Repartition', step, by, part.partitions);
    }
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
  if (q.modelCalls.length) step = modelCallStep('ModelCall', step, q.modelCalls, q.modelColumns);
  return { type: 'project', v: 1, name: 'Project', input: step, schema: q.schema, exprs: q.projection, rekeyed: q.rekeyed };
}

/** Model calls whose results are appended to the input's columns. */
function modelCallStep(name: string, input: Step, calls: ModelCallStep['calls'], columns: readonly Column[]): ModelCallStep {
  return { type: 'modelCall', v: 1, name, input, schema: { key: input.schema.key, value: [...input.schema.value, ...columns] }, calls };
}

interface JoinInput<S extends Step> {
  readonly step: S;
  readonly part: Partitioning;
}

/**
 * The two inputs of a join made co-partitioned on the join key (./partitioning.ts), and how the
 * joined rows are partitioned. A side already keyed by its join key keeps its topic; the other
 * follows its partition count and key format, so equal keys meet in the same partition. A
 * foreign-key join keeps the left rows where their primary key put them (its result is keyed by
 * it) and sends the whole right table to every partition.
 */
function coPartition(
  ctx: PlanContext,
  join: string,
  spec: JoinSpec,
  left: JoinInput<Step>,
  right: JoinInput<SourceStep>,
  aliases: readonly [string, string],
): { left: Step; right: SourceStep | RepartitionStep; part: Partitioning } {
  const lp = left.part;
  const rp = right.part;
  if (lp.partitions <= 1 && rp.partitions <= 1) return { left: left.step, right: right.step, part: { by: [spec.leftKey], partitions: 1, keyFormats: lp.keyFormats } };
  if (spec.foreignKey) {
    return { left: left.step, right: repartition(ctx, `${join}/RightBroadcast`, right.step, [spec.rightKey], lp.partitions, { broadcast: true }), part: lp };
  }
  const leftOk = partitionedBy(lp, [spec.leftKey]);
  const rightOk = partitionedBy(rp, [spec.rightKey]);
  if (leftOk && rightOk && lp.partitions !== rp.partitions) {
    const [l, r] = aliases;
    throw new SqlError(
      'INVALID',
      `Can't join ${l} with ${r} since the number of partitions don't match. ${l} partitions = ${lp.partitions}; ${r} partitions = ${rp.partitions}. Please repartition either one so that the number of partitions match.`,
      ctx.span,
    );
  }
  const partitions = leftOk ? lp.partitions : rightOk ? rp.partitions : Math.max(lp.partitions, rp.partitions);
  const keyFormats = leftOk ? lp.keyFormats : rightOk ? rp.keyFormats : right.step.binding.formats;
  return {
    left: leftOk ? left.step : repartition(ctx, `${join}/LeftRepartition`, left.step, [spec.leftKey], partitions, { keyFormats }),
    right: rightOk ? right.step : repartition(ctx, `${join}/RightRepartition`, right.step, [spec.rightKey], partitions, { keyFormats }),
    part: { by: [spec.leftKey], partitions, keyFormats },
  };
}

export function planPersistentQuery(queryId: string, q: AnalyzedQuery, sink: DataSource, ctx: PlanContext = SINGLE_PARTITION): QueryPlan {
  const input = planQuery(q, ctx);
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
