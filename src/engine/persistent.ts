/** Persistent queries: CREATE STREAM/TABLE AS SELECT, INSERT INTO ... SELECT, TERMINATE. */
import type { CreateAsSelect, InsertInto, Terminate } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { analyzeQuery, type AnalyzedQuery } from '../analyze/query.ts';
import { repartitionsOf, type PlanContext } from '../plan/partitioning.ts';
import { formatSchema } from '../types/schema.ts';
import { planPersistentQuery } from '../plan/planner.ts';
import type { QueryPlan, Step } from '../plan/steps.ts';
import { typesEqual } from '../types/sql-type.ts';
import { QueryTask } from '../exec/query-task.ts';
import type { Consumer, Log } from '../log/log.ts';
import type { Delivery } from '../exec/delivery.ts';
import { exactlyOnce, instanceIdOf, transactionalIdFor } from '../exec/delivery-eos.ts';
import { idempotentDelivery, intentTopicName } from '../exec/delivery-idempotent.ts';
import type { Span } from '../sql/ast.ts';
import type { EngineContext, ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { PropertyReader, SOURCE_PROPERTIES } from './properties.ts';
import { checkTopicName, formatsFrom } from './ddl.ts';
import { validatePersistentProjection } from '../analyze/key-projection.ts';
import { isPartitionByNull } from '../analyze/partition-by.ts';
import { validateQueryRules, validateTableAggregation } from '../analyze/query-rules.ts';
import { validateAggregateState } from '../analyze/aggregate-state.ts';
import { persistenceDefaults, withFunctionConfig } from './query-config.ts';
import { unknownInsertTarget, validateTimestampColumn, validateFormatProperties, validateFormats, validateRegistryFormat, validateKeyColumns, validateSerdes, validateWritable } from './ddl-rules.ts';

export async function createAsSelect(ctx: ExecutionContext, s: CreateAsSelect): Promise<StatementResult> {
  const { engine } = ctx;
  const existing = engine.catalog.getSource(s.name);
  if (existing && !s.orReplace) {
    if (s.ifNotExists) return { kind: 'message', message: `${s.name} already exists.` };
    throw new SqlError('EXISTS', `Cannot add ${s.sourceType.toLowerCase()} '${s.name}': A ${existing.type.toLowerCase()} with the same name already exists`, s.span);
  }
  if (!ctx.plan) validateQueryRules(s.query, engine.catalog, true);
  const analyzed = withFunctionConfig(analyzeQuery(s.query, engine.catalog), engine.properties);
  if (!ctx.plan) {
    validateTableAggregation(analyzed, s.span);
    validateAggregateState(analyzed, s.span);
  }
  if (analyzed.resultType !== s.sourceType) {
    throw new SqlError(
      'INVALID',
      `Invalid result type. Your SELECT query produces a ${analyzed.resultType}. Please use CREATE ${analyzed.resultType} AS SELECT statement instead.`,
      s.span,
    );
  }
  const props = new PropertyReader(s.properties, SOURCE_PROPERTIES);
  validateFormatProperties(props, false, s.span);
  validateTimestampColumn(props, analyzed.schema, s.span);
  const timestampColumn = props.string('TIMESTAMP')?.toUpperCase() ?? null;
  // A stored plan keeps running as saved; new statements meet ksqlDB's projection rules, which it
  // checks while planning, before the formats are asked whether they can hold the result.
  const newPlanner = engine.properties.get('ksql.new.query.planner.enabled')?.trim().toLowerCase() === 'true';
  if (!ctx.plan) validatePersistentProjection(s.query, analyzed.schema, engine.catalog, s.name, newPlanner);
  const partitionByNull = s.query.partitionBy !== null && isPartitionByNull(s.query.partitionBy);
  const explicitKeyFormat = (props.string('KEY_FORMAT') ?? props.string('FORMAT'))?.toUpperCase();
  if (partitionByNull && explicitKeyFormat && explicitKeyFormat !== 'NONE') {
    throw new SqlError('INVALID', 'Key format specified for stream without key columns.', s.span);
  }
  validateKeyColumns(analyzed.schema.key, s.span);
  validateRegistryFormat(props, analyzed.schema, s.span);
  const src = analyzed.source;
  const formats = formatsFrom(props, src.formats, analyzed.schema, s.span, persistenceDefaults(engine.properties));
  validateFormats(props, formats, analyzed.schema, s.span);
  validateSerdes(formats, analyzed.schema, s.span);
  // Without KAFKA_TOPIC the sink's topic is its name, after ksql.output.topic.name.prefix if set.
  const topic = props.string('KAFKA_TOPIC') ?? `${engine.properties.get('ksql.output.topic.name.prefix')?.trim() ?? ''}${s.name}`;
  checkTopicName(topic, props.literal('KAFKA_TOPIC')?.span ?? s.span);
  const queryId = ctx.plan?.queryId ?? `${s.sourceType === 'STREAM' ? 'CSAS' : 'CTAS'}_${s.name}_${engine.queryCounter}`;
  engine.queryCounter++;
  const sink: DataSource = {
    name: s.name,
    type: s.sourceType,
    topic,
    schema: analyzed.schema,
    formats,
    timestampColumn,
    timestampFormat: props.string('TIMESTAMP_FORMAT'),
    window: analyzed.window,
    sql: ctx.statement.text,
    writerQueryId: queryId,
    readOnly: false,
  };
  const context = ctx.plan ? null : await planContext(engine, queryId, analyzed, s.span);
  const plan = planned(ctx, queryId, s.span, () => ctx.plan ?? planPersistentQuery(queryId, analyzed, sink, context!));
  await ensureInternalTopics(engine.log, plan.sink);
  if (!ctx.replay) {
    const srcTopic = await engine.log.describeTopic(src.topic);
    await engine.log.ensureTopic(topic, { partitions: props.int('PARTITIONS') ?? srcTopic?.partitions ?? 1, replicationFactor: props.int('REPLICAS') ?? 1 });
  }
  const task = built(ctx, queryId, s.span, plan);
  engine.catalog.putSource(sink);
  engine.catalog.putQuery({ id: queryId, sql: ctx.statement.text, sink: s.name, sources: [src.name] });
  await engine.record(ctx, plan);
  engine.runTask(queryId, task);
  return { kind: 'message', message: `Created query with ID ${queryId}`, queryId };
}

export async function insertInto(ctx: ExecutionContext, s: InsertInto): Promise<StatementResult> {
  const { engine } = ctx;
  const target = engine.catalog.getSource(s.target);
  if (!target) throw unknownInsertTarget(s);
  // ksqlDB checks the target's kind when it resolves names, its read-only flag when it executes.
  if (target.type !== 'STREAM') throw new SqlError('INVALID', `INSERT INTO can only be used to insert into a stream. ${s.target} is a table.`, s.span);
  validateWritable(target, s.span);
  if (!ctx.plan) validateQueryRules(s.query, engine.catalog, true);
  const analyzed = withFunctionConfig(analyzeQuery(s.query, engine.catalog), engine.properties);
  if (!ctx.plan) validatePersistentProjection(s.query, analyzed.schema, engine.catalog, target.name);
  if (analyzed.resultType !== 'STREAM') throw new SqlError('INVALID', `INSERT INTO can only insert the results of a stream query; this query produces a TABLE.`, s.span);
  const a = [...analyzed.schema.key, ...analyzed.schema.value];
  const b = [...target.schema.key, ...target.schema.value];
  const same =
    analyzed.schema.key.length === target.schema.key.length &&
    a.length === b.length &&
    a.every((c, i) => c.name === b[i].name && typesEqual(c.type, b[i].type));
  if (!same) {
    throw new SqlError(
      'TYPE',
      `Incompatible schema between results and sink.\nResult schema is ${formatSchema(analyzed.schema)}\nSink schema is ${formatSchema(target.schema)}`,
      s.span,
    );
  }
  const queryId = ctx.plan?.queryId ?? `INSERTQUERY_${engine.queryCounter}`;
  engine.queryCounter++;
  const context = ctx.plan ? null : await planContext(engine, queryId, analyzed, s.span);
  const plan = planned(ctx, queryId, s.span, () => ctx.plan ?? planPersistentQuery(queryId, analyzed, target, context!));
  await ensureInternalTopics(engine.log, plan.sink);
  const task = built(ctx, queryId, s.span, plan);
  engine.catalog.putQuery({ id: queryId, sql: ctx.statement.text, sink: target.name, sources: [analyzed.source.name] });
  await engine.record(ctx, plan);
  engine.runTask(queryId, task);
  return { kind: 'message', message: `Created query with ID ${queryId}`, queryId };
}

/**
 * A persistent query is planned (unless its stored plan is replayed) and its task built —
 * decoders, operators, compiled expressions, encoder — before it enters the catalog or the
 * command log: a statement that cannot be built fails with its position and is never recorded
 * (as ksqlDB validates a statement against the engine before writing it to the command topic).
 * Unexpected errors of the planner or builder become a SqlError at the statement, except on
 * replay, where the engine quarantines the statement with the original error.
 */
function planned(ctx: ExecutionContext, queryId: string, span: Span, plan: () => QueryPlan): QueryPlan {
  return asStatementError(ctx, queryId, span, () => {
    const p = plan();
    deliveryFor(ctx.engine, queryId, span);
    return p;
  });
}

/** The query's task, built and not started (see planned()). */
function built(ctx: ExecutionContext, queryId: string, span: Span, plan: QueryPlan): QueryTask {
  return asStatementError(ctx, queryId, span, () => ctx.engine.buildTask(queryId, plan));
}

function asStatementError<T>(ctx: ExecutionContext, queryId: string, span: Span, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SqlError || ctx.replay) throw err;
    throw new SqlError('INVALID', `Cannot build query ${queryId}: ${err instanceof Error ? err.message : String(err)}`, span);
  }
}

export async function terminate(ctx: ExecutionContext, s: Terminate): Promise<StatementResult> {
  const { engine } = ctx;
  // A query id as written, else the one query whose id matches ignoring case.
  const named = (id: string) =>
    engine.catalog.getQuery(id)?.id ??
    engine.catalog.listQueries().find((q) => q.id.toUpperCase() === id.toUpperCase())?.id ??
    null;
  const ids = s.queryId === null ? engine.catalog.listQueries().map((q) => q.id) : [named(s.queryId) ?? s.queryId];
  for (const id of ids) {
    if (!engine.catalog.getQuery(id)) throw new SqlError('INVALID', `Unknown queryId: ${id}`, s.span);
    await engine.tasks.get(id)?.stop();
    engine.tasks.delete(id);
    // The query's output intents (exactly-once on the embedded log) die with it.
    const intents = intentTopicName(engine.serviceId, id);
    if (engine.log.capabilities.idempotence !== null && (await engine.log.describeTopic(intents)) !== null) await engine.log.deleteTopic(intents);
    engine.catalog.dropQuery(id);
    for (const src of engine.catalog.listSources()) {
      if (src.writerQueryId === id) engine.catalog.putSource({ ...src, writerQueryId: null });
    }
  }
  await engine.record(ctx);
  return { kind: 'message', message: s.queryId === null ? 'All queries terminated.' : `Query terminated.` };
}

/** What the planner needs from the log: the partition counts of the query's sources. */
export async function planContext(engine: EngineContext, queryId: string, analyzed: AnalyzedQuery, span?: Span): Promise<PlanContext> {
  const counts = new Map<string, number>();
  for (const { source } of analyzed.from.sources) counts.set(source.name, (await engine.log.describeTopic(source.topic))?.partitions ?? 1);
  // `riffle.aggregation.hopping.panes=false`: new HOPPING aggregations keep their state window by
  // window (what Riffle did before panes; src/plan/panes.ts), e.g. to compare the two.
  const panes = engine.properties.get(HOPPING_PANES)?.trim().toLowerCase() ?? 'true';
  if (panes !== 'true' && panes !== 'false') throw new SqlError('INVALID', `${HOPPING_PANES} must be true or false, not '${engine.properties.get(HOPPING_PANES)}'`, span);
  const hoppingPanes = panes === 'true';
  return { serviceId: engine.serviceId, queryId, partitionsOf: (source) => counts.get(source.name) ?? 1, span, hoppingPanes };
}

export const HOPPING_PANES = 'riffle.aggregation.hopping.panes';

/**
 * Creates the repartition topics a plan reads and writes (also on replay: they are the query's
 * own). Kept without time retention (Kafka Streams does the same): their records carry event
 * times, which for replayed history are old enough for a broker's retention to delete them before
 * the query reads them back; the query purges what it has committed instead.
 */
export async function ensureInternalTopics(log: Log, root: Step): Promise<void> {
  for (const r of repartitionsOf(root)) await log.ensureTopic(r.topic, { partitions: r.partitions, retentionMs: -1 });
}

/** The consumer group of a persistent query: instances with the same service id share its work. */
export function queryGroupId(serviceId: string, queryId: string): string {
  return `riffle_${serviceId}_query_${queryId}`;
}

const GUARANTEE_KEYS = ['processing.guarantee', 'ksql.streams.processing.guarantee'];

/**
 * The delivery of a persistent query from the `processing.guarantee` property in force (SET, or
 * the engine's properties). On a log with idempotent producers (the embedded log) outputs are
 * exactly-once unless `at_least_once` is set explicitly (./../exec/delivery-idempotent.ts); on
 * Kafka the default is at-least-once (undefined: the task's default) and exactly_once_v2 uses
 * transactions. Throws a SqlError for an unknown value, or exactly-once on a log with neither
 * (checked before the statement is recorded, so a rejected query never reaches the command log).
 */
export function deliveryFor(engine: EngineContext, queryId: string, span?: Span): ((consumer: Consumer) => Delivery) | undefined {
  const key = GUARANTEE_KEYS.find((k) => engine.properties.has(k));
  const value = (key ? engine.properties.get(key)! : 'at_least_once').trim().toLowerCase();
  const log = engine.log;
  const idempotence = log.capabilities.idempotence;
  if (value === 'at_least_once' && (key !== undefined || idempotence === null)) return undefined;
  if (value !== 'at_least_once' && value !== 'exactly_once_v2' && value !== 'exactly_once' && value !== 'exactly_once_beta') {
    throw new SqlError('INVALID', `Invalid value '${value}' for processing.guarantee: expected at_least_once or exactly_once_v2`, span);
  }
  const transactions = log.capabilities.transactions;
  if (transactions !== null && value !== 'at_least_once') {
    const transactionalId = transactionalIdFor(engine.serviceId, queryId, instanceIdOf(engine.stores.dataDir));
    return (consumer) => exactlyOnce(transactions, transactionalId, consumer);
  }
  if (idempotence !== null) {
    const intentTopic = intentTopicName(engine.serviceId, queryId);
    return (consumer) => idempotentDelivery({ log, idempotence, consumer, queryId, intentTopic, producer: engine.producer });
  }
  throw new SqlError('UNSUPPORTED', `processing.guarantee '${value}' needs Apache Kafka (transactions); the ${log.kind} log supports at_least_once only`, span);
}

export function startPersistentQuery(engine: EngineContext, queryId: string, plan: QueryPlan): QueryTask {
  return new QueryTask({
    delivery: deliveryFor(engine, queryId),
    queryId,
    root: plan.sink,
    log: engine.log,
    producer: engine.producer,
    groupId: queryGroupId(engine.serviceId, queryId),
    fromBeginning: engine.fromBeginning,
    processingLog: engine.processingLog,
    services: engine.services,
    commitIntervalMs: commitInterval(engine),
    maxBatch: () => batchRecords(engine.tasks.size),
    maxTaskIdleMs: maxTaskIdle(engine),
  });
}

/**
 * Records per batch when `running` persistent queries share the process: 2000 up to 10 queries,
 * then less (down to 250), so that the batches in flight together stay about the same size.
 * Every query may be mid-batch at once (waiting for its writes and state flush), so memory grew
 * with queries x batch; a smaller batch costs little when there are many queries to interleave.
 */
export function batchRecords(running: number): number {
  return Math.max(250, Math.min(2000, Math.floor(20_000 / Math.max(1, running))));
}

/**
 * `max.task.idle.ms` (also `ksql.streams.max.task.idle.ms`): how long a query over several topics
 * waits for a source without buffered records whose lag is unknown (Kafka) before processing the
 * others out of time order. Default 0, as Kafka Streams; a lag the log reports is always waited for.
 */
export function maxTaskIdle(engine: EngineContext): number {
  const raw = engine.properties.get('max.task.idle.ms') ?? engine.properties.get('ksql.streams.max.task.idle.ms');
  if (raw !== undefined && Number.isFinite(Number(raw)) && Number(raw) >= 0) return Number(raw);
  return 0;
}

/**
 * `commit.interval.ms` (also `ksql.streams.commit.interval.ms`): how often a persistent query
 * commits its offsets (and a stateful one flushes its state with them). Default 0: after every batch, so a crash repeats at
 * most one batch (ksqlDB defaults to 2000 ms, which is faster but repeats more after a crash).
 */
function commitInterval(engine: EngineContext): number {
  const raw = engine.properties.get('commit.interval.ms') ?? engine.properties.get('ksql.streams.commit.interval.ms');
  if (raw !== undefined && Number.isFinite(Number(raw)) && Number(raw) >= 0) return Number(raw);
  return 0;
}
