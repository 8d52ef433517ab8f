/** Persistent queries: CREATE STREAM/TABLE AS SELECT, INSERT INTO ... SELECT, TERMINATE. */
import type { CreateAsSelect, InsertInto, Terminate } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { analyzeQuery, type AnalyzedQuery } from '../analyze/query.ts';
import { repartitionsOf, type PlanContext } from '../plan/partitioning.ts';
import { findColumn, formatSchema } from '../analyze/schema.ts';
import { planPersistentQuery } from '../plan/planner.ts';
import type { QueryPlan, Step } from '../plan/steps.ts';
import { typesEqual } from '../types/sql-type.ts';
import { QueryTask } from '../exec/query-task.ts';
import type { Consumer, Log } from '../log/log.ts';
import type { Delivery } from '../exec/delivery.ts';
import { exactlyOnce, instanceIdOf, transactionalIdFor } from '../exec/delivery-eos.ts';
import { idempotentDelivery, intentTopicName } from '../exec/delivery-idempotent.ts';
import type { Span } from '../sql/ast.ts';
import type { Engine, ExecutionContext } from './engine.ts';
import type { StatementResult } from './results.ts';
import { PropertyReader, SOURCE_PROPERTIES } from './properties.ts';
import { formatsFrom, validateSerdes } from './ddl.ts';

export async function createAsSelect(ctx: ExecutionContext, s: CreateAsSelect): Promise<StatementResult> {
  const { engine } = ctx;
  const existing = engine.catalog.getSource(s.name);
  if (existing && !s.orReplace) {
    if (s.ifNotExists) return { kind: 'message', message: `${s.name} already exists.` };
    throw new SqlError('EXISTS', `Cannot add ${s.sourceType.toLowerCase()} '${s.name}': A ${existing.type.toLowerCase()} with the same name already exists`, s.span);
  }
  const analyzed = analyzeQuery(s.query, engine.catalog);
  if (analyzed.resultType !== s.sourceType) {
    throw new SqlError(
      'INVALID',
      `Invalid result type. Your SELECT query produces a ${analyzed.resultType}. Please use CREATE ${analyzed.resultType} AS SELECT statement instead.`,
      s.span,
    );
  }
  const props = new PropertyReader(s.properties, SOURCE_PROPERTIES);
  const src = analyzed.source;
  const formats = formatsFrom(props, src.formats, analyzed.schema, s.span);
  validateSerdes(formats, analyzed.schema, s.span);
  const topic = props.string('KAFKA_TOPIC') ?? s.name;
  const timestampColumn = props.string('TIMESTAMP')?.toUpperCase() ?? null;
  if (timestampColumn && !findColumn(analyzed.schema, timestampColumn)) {
    throw new SqlError('UNKNOWN_COLUMN', `The TIMESTAMP column set in the WITH clause does not exist in the schema: '${timestampColumn}'`, s.span);
  }
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
  const plan = ctx.plan ?? planPersistentQuery(queryId, analyzed, sink, await planContext(engine, queryId, analyzed));
  deliveryFor(engine, queryId, s.span);
  await ensureInternalTopics(engine.log, plan.sink);
  if (!ctx.replay) {
    const srcTopic = await engine.log.describeTopic(src.topic);
    await engine.log.ensureTopic(topic, { partitions: props.int('PARTITIONS') ?? srcTopic?.partitions ?? 1, replicationFactor: props.int('REPLICAS') ?? 1 });
  }
  engine.catalog.putSource(sink);
  engine.catalog.putQuery({ id: queryId, sql: ctx.statement.text, sink: s.name, sources: [src.name] });
  await engine.record(ctx, plan);
  engine.startTask(queryId, plan);
  return { kind: 'message', message: `Created query with ID ${queryId}`, queryId };
}

export async function insertInto(ctx: ExecutionContext, s: InsertInto): Promise<StatementResult> {
  const { engine } = ctx;
  const target = engine.catalog.getSource(s.target);
  if (!target) throw new SqlError('UNKNOWN_SOURCE', `${s.target} does not exist.`, s.span);
  if (target.type !== 'STREAM') throw new SqlError('INVALID', `INSERT INTO can only be used to insert into a stream. ${s.target} is a table.`, s.span);
  const analyzed = analyzeQuery(s.query, engine.catalog);
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
  const plan = ctx.plan ?? planPersistentQuery(queryId, analyzed, target, await planContext(engine, queryId, analyzed));
  deliveryFor(engine, queryId, s.span);
  await ensureInternalTopics(engine.log, plan.sink);
  engine.catalog.putQuery({ id: queryId, sql: ctx.statement.text, sink: target.name, sources: [analyzed.source.name] });
  await engine.record(ctx, plan);
  engine.startTask(queryId, plan);
  return { kind: 'message', message: `Created query with ID ${queryId}`, queryId };
}

export async function terminate(ctx: ExecutionContext, s: Terminate): Promise<StatementResult> {
  const { engine } = ctx;
  const ids = s.queryId === null ? engine.catalog.listQueries().map((q) => q.id) : [s.queryId.toUpperCase()];
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
export async function planContext(engine: Engine, queryId: string, analyzed: AnalyzedQuery): Promise<PlanContext> {
  const counts = new Map<string, number>();
  for (const { source } of analyzed.from.sources) counts.set(source.name, (await engine.log.describeTopic(source.topic))?.partitions ?? 1);
  return { serviceId: engine.serviceId, queryId, partitionsOf: (source) => counts.get(source.name) ?? 1 };
}

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
export function deliveryFor(engine: Engine, queryId: string, span?: Span): ((consumer: Consumer) => Delivery) | undefined {
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

export function startPersistentQuery(engine: Engine, queryId: string, plan: QueryPlan): QueryTask {
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
    maxTaskIdleMs: maxTaskIdle(engine),
  });
}

/**
 * `max.task.idle.ms` (also `ksql.streams.max.task.idle.ms`): how long a query over several topics
 * waits for a source without buffered records whose lag is unknown (Kafka) before processing the
 * others out of time order. Default 0, as Kafka Streams; a lag the log reports is always waited for.
 */
export function maxTaskIdle(engine: Engine): number {
  const raw = engine.properties.get('max.task.idle.ms') ?? engine.properties.get('ksql.streams.max.task.idle.ms');
  if (raw !== undefined && Number.isFinite(Number(raw)) && Number(raw) >= 0) return Number(raw);
  return 0;
}

/**
 * `commit.interval.ms` (also `ksql.streams.commit.interval.ms`): how often a stateful query
 * flushes its state and commits its offsets. Default 0: after every batch, so a crash repeats at
 * most one batch (ksqlDB defaults to 2000 ms, which is faster but repeats more after a crash).
 */
function commitInterval(engine: Engine): number {
  const raw = engine.properties.get('commit.interval.ms') ?? engine.properties.get('ksql.streams.commit.interval.ms');
  if (raw !== undefined && Number.isFinite(Number(raw)) && Number(raw) >= 0) return Number(raw);
  return 0;
}
