/** CREATE/ALTER/DROP STREAM and TABLE over existing topics, CREATE/DROP TOPIC. */
import type { AlterSource, CreateSource, CreateTopic, DropSource, DropTopic, Span } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { DataSource, SourceFormats } from '../analyze/catalog.ts';
import type { Column, LogicalSchema } from '../types/schema.ts';
import type { ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { PropertyReader, SOURCE_PROPERTIES } from './properties.ts';
import type { WindowInfo } from '../types/window.ts';
import { shownTopicName, topicNameProblem } from '../log/topic-name.ts';
import { persistenceDefaults, type PersistenceDefaults } from './query-config.ts';
import { parseWithDuration, validateTimestampColumn, validateValueWrapping, wrongKeyKind } from './ddl-rules.ts';
import { noColumnsError, validateFormatProperties, validateHeaderColumns, validateRegistryFormat, validateColumnNames, validateDeleteTopic, validateFormats, validateKeyColumns, validateReplace, validateSerdes, validateWindowProperties } from './ddl-rules.ts';

const label = (t: 'STREAM' | 'TABLE') => (t === 'STREAM' ? 'Stream' : 'Table');

export async function createSource(ctx: ExecutionContext, s: CreateSource): Promise<StatementResult> {
  const { engine } = ctx;
  const existing = engine.catalog.getSource(s.name);
  if (existing) {
    if (s.ifNotExists) return { kind: 'message', message: `${label(s.sourceType)} ${s.name} already exists.` };
    if (!s.orReplace) throw new SqlError('EXISTS', `Cannot add ${s.sourceType.toLowerCase()} '${s.name}': A ${existing.type.toLowerCase()} with the same name already exists`, s.span);
  }
  validateReplace(existing ?? null, s.orReplace, s.readOnly, s.sourceType, s.name, s.span);
  const props = new PropertyReader(s.properties, SOURCE_PROPERTIES);
  validateFormatProperties(props, (s.columns?.length ?? 0) > 0, s.span);
  if (!s.columns || s.columns.length === 0) throw noColumnsError(props, s.span);
  const topic = props.string('KAFKA_TOPIC');
  if (!topic) throw new SqlError('INVALID', `Missing required property "KAFKA_TOPIC" in the WITH clause`, s.span);
  checkTopicName(topic, props.literal('KAFKA_TOPIC')!.span);

  validateColumnNames(s.columns, s.span);
  validateKeyColumns(s.columns.filter((c) => c.key || c.primaryKey), s.span);
  validateHeaderColumns(s.columns, s.span);
  const key: Column[] = [];
  const value: Column[] = [];
  const names = new Set<string>();
  for (const c of s.columns) {
    if (names.has(c.name)) throw new SqlError('INVALID', `Duplicate column name '${c.name}'`, c.span);
    names.add(c.name);
    if (s.sourceType === 'STREAM' && c.primaryKey) throw wrongKeyKind('STREAM', c.name, c.span);
    if (s.sourceType === 'TABLE' && c.key && !c.primaryKey) throw wrongKeyKind('TABLE', c.name, c.span);
    if (c.key || c.primaryKey) key.push({ name: c.name, type: c.type });
    else value.push(c.headers ? { name: c.name, type: c.type, header: { key: c.headers.key } } : { name: c.name, type: c.type });
  }
  if (s.sourceType === 'TABLE' && key.length === 0) {
    throw new SqlError('INVALID', `Tables require a PRIMARY KEY. Please define the PRIMARY KEY.`, s.span);
  }
  const schema: LogicalSchema = { key, value };
  validateRegistryFormat(props, schema, s.span);
  validateWindowProperties(props, schema, s.span);
  const formats = formatsFrom(props, null, schema, s.span, persistenceDefaults(engine.properties));
  validateFormats(props, formats, schema, s.span);
  validateSerdes(formats, schema, s.span);
  validateTimestampColumn(props, schema, s.span);
  const timestampColumn = props.string('TIMESTAMP')?.toUpperCase() ?? null;
  const source: DataSource = {
    name: s.name,
    type: s.sourceType,
    topic,
    schema,
    formats,
    timestampColumn,
    timestampFormat: props.string('TIMESTAMP_FORMAT'),
    window: windowFrom(props, s.span),
    sql: ctx.statement.text,
    writerQueryId: null,
    readOnly: s.readOnly,
  };
  if (!ctx.replay) {
    const described = await engine.log.describeTopic(topic);
    if (!described) {
      const partitions = props.int('PARTITIONS') ?? (engine.options.autoCreateTopics ? (engine.options.defaultPartitions ?? 1) : null);
      if (partitions === null) {
        throw new SqlError(
          'INVALID',
          `Topic '${topic}' does not exist. If you want to create a new topic for the ${s.sourceType.toLowerCase()} please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS').`,
          s.span,
        );
      }
      await engine.log.createTopic(topic, { partitions, replicationFactor: props.int('REPLICAS') ?? 1 });
    }
  }
  engine.catalog.putSource(source);
  await engine.record(ctx);
  return { kind: 'message', message: `${label(s.sourceType)} created` };
}

/**
 * ALTER STREAM|TABLE ... ADD COLUMN: value columns appended to a source created over a topic
 * (ksqlDB's rules and messages: not a CREATE SOURCE one, not one a query writes, no name taken).
 * Queries already running keep the schema they were planned with; later ones read the new
 * columns (absent from a record: NULL). Recorded, so a restart replays it after the CREATE.
 */
export async function alterSource(ctx: ExecutionContext, s: AlterSource): Promise<StatementResult> {
  const { engine } = ctx;
  const existing = engine.catalog.getSource(s.name);
  const kind = s.sourceType.toLowerCase();
  if (existing?.readOnly) throw new SqlError('INVALID', `Cannot alter ${kind} '${s.name}': ALTER operations are not supported on source ${kind}s.`, s.span);
  if (!existing) throw new SqlError('UNKNOWN_SOURCE', `Source ${s.name} does not exist.`, s.span);
  if (existing.type !== s.sourceType) throw new SqlError('INVALID', `Incompatible data source type is ${existing.type}, but statement was ALTER ${s.sourceType}`, s.span);
  if (existing.writerQueryId !== null) throw new SqlError('INVALID', 'ALTER command is not supported for CREATE ... AS statements.', s.span);
  validateColumnNames(s.columns, s.span);
  const taken = new Set([...existing.schema.key, ...existing.schema.value].map((c) => c.name));
  for (const c of s.columns) {
    if (taken.has(c.name)) throw new SqlError('INVALID', `Cannot add column \`${c.name}\` to schema. A column with the same name already exists.`, c.span);
    taken.add(c.name);
  }
  const schema: LogicalSchema = { key: existing.schema.key, value: [...existing.schema.value, ...s.columns.map((c) => ({ name: c.name, type: c.type }))] };
  validateSerdes(existing.formats, schema, s.span);
  engine.catalog.putSource({ ...existing, schema, sql: ctx.statement.text });
  await engine.record(ctx);
  return { kind: 'message', message: `${label(s.sourceType)} ${s.name} altered.` };
}

/** Formats from WITH, falling back to `inherit` (CREATE ... AS SELECT inherits its source's). */
export function formatsFrom(
  props: PropertyReader,
  inherit: SourceFormats | null,
  schema: LogicalSchema,
  span: CreateSource['span'],
  defaults: PersistenceDefaults = {},
): SourceFormats {
  const both = props.format('FORMAT');
  if (both && (props.has('KEY_FORMAT') || props.has('VALUE_FORMAT'))) {
    throw new SqlError('INVALID', `Cannot supply both 'FORMAT' and 'KEY_FORMAT' or 'VALUE_FORMAT' properties`, span);
  }
  const defaultKey = defaults.keyFormat ?? 'KAFKA';
  let keyFormat = both ?? props.format('KEY_FORMAT') ?? inherit?.keyFormat ?? defaultKey;
  // Riffle extension: without VALUE_FORMAT (and no ksql.persistence.default.format.value) values are JSON.
  const valueFormat = both ?? props.format('VALUE_FORMAT') ?? inherit?.valueFormat ?? defaults.valueFormat ?? 'JSON';
  if (schema.key.length === 0) keyFormat = inherit && !props.has('KEY_FORMAT') && !both ? 'NONE' : keyFormat === defaultKey ? 'NONE' : keyFormat;
  // A keyless source's NONE does not carry over to a result with a key: the default key format does.
  if (schema.key.length > 0 && keyFormat === 'NONE') keyFormat = defaultKey;
  const wrap = props.bool('WRAP_SINGLE_VALUE');
  validateValueWrapping(valueFormat, wrap, props);
  if (wrap !== null && schema.value.length !== 1) {
    throw new SqlError('INVALID', `'WRAP_SINGLE_VALUE' is only valid for single-field value schemas`, props.literal('WRAP_SINGLE_VALUE')!.span);
  }
  return {
    keyFormat,
    valueFormat,
    wrapSingleValue: wrap ?? (valueFormat === 'KAFKA' ? false : schema.value.filter((c) => !c.header).length === 1 ? (defaults.wrapSingleValues ?? true) : true),
    keyDelimiter: props.delimiter('KEY_DELIMITER') ?? inherit?.keyDelimiter,
    valueDelimiter: props.delimiter('VALUE_DELIMITER') ?? (props.has('VALUE_FORMAT') || both ? undefined : inherit?.valueDelimiter),
  };
}


function windowFrom(props: PropertyReader, span: CreateSource['span']): WindowInfo | null {
  const type = props.string('WINDOW_TYPE')?.toUpperCase();
  if (!type) return null;
  const size = props.string('WINDOW_SIZE');
  const sizeMs = size ? parseWithDuration('WINDOW_SIZE', size, span) : null;
  switch (type) {
    case 'SESSION':
      return { kind: 'SESSION', gapMs: 0 };
    case 'TUMBLING':
    case 'HOPPING':
      if (sizeMs === null) throw new SqlError('INVALID', `WINDOW_SIZE is required for ${type} windows`, span);
      return type === 'TUMBLING' ? { kind: 'TUMBLING', sizeMs } : { kind: 'HOPPING', sizeMs, advanceMs: sizeMs };
    default:
      throw new SqlError('INVALID', `Unknown WINDOW_TYPE '${type}': expected SESSION, TUMBLING or HOPPING`, span);
  }
}

const UNIT_MS: Record<string, number> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** '10 SECONDS' → 10000 */
export function parseDurationText(text: string, span: CreateSource['span']): number {
  const m = /^\s*(\d+)\s*([A-Za-z]+?)S?\s*$/i.exec(text);
  const unit = m ? UNIT_MS[m[2].toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new SqlError('INVALID', `Invalid duration '${text}': expected e.g. '10 SECONDS'`, span);
  return Number(m[1]) * unit;
}

/** A topic name from a statement obeys Kafka's rule (checked before any log sees it). */
export function checkTopicName(name: string, span: Span): void {
  const problem = topicNameProblem(name);
  if (problem) throw new SqlError('INVALID', `Invalid topic name '${shownTopicName(name)}': ${problem}`, span);
}

export async function dropSource(ctx: ExecutionContext, s: DropSource): Promise<StatementResult> {
  const { engine } = ctx;
  const source = engine.catalog.getSource(s.name);
  if (!source || source.type !== s.sourceType) {
    if (s.ifExists) return { kind: 'message', message: `${label(s.sourceType)} ${s.name} does not exist.` };
    throw new SqlError('UNKNOWN_SOURCE', `${s.sourceType === 'STREAM' ? 'Stream' : 'Table'} ${s.name} does not exist.${engine.catalog.alternatives(s.name, s.sourceType)}`, s.span);
  }
  validateDeleteTopic(source, s.deleteTopic, s.span);
  const readers = engine.catalog.readersOf(s.name).filter((q) => q.sink !== s.name);
  if (readers.length) {
    throw new SqlError('INVALID', `Cannot drop ${s.name}. The following queries read from this source: [${readers.map((q) => q.id).join(', ')}]. You need to terminate them before dropping ${s.name}.`, s.span);
  }
  if (source.writerQueryId && engine.catalog.getQuery(source.writerQueryId)) {
    const task = engine.tasks.get(source.writerQueryId);
    await task?.stop();
    engine.tasks.delete(source.writerQueryId);
    engine.catalog.dropQuery(source.writerQueryId);
  }
  engine.catalog.dropSource(s.name);
  await engine.tableViews.get(s.name)?.close();
  engine.tableViews.delete(s.name);
  if (s.deleteTopic && !ctx.replay) await engine.log.deleteTopic(source.topic).catch(() => undefined);
  await engine.record(ctx);
  return { kind: 'message', message: `Source \`${s.name}\` (topic: ${source.topic}) was dropped.` };
}

export async function createTopic(ctx: ExecutionContext, s: CreateTopic): Promise<StatementResult> {
  const props = new PropertyReader(s.properties, ['PARTITIONS', 'REPLICATION_FACTOR', 'REPLICAS', 'RETENTION_MS', 'RETENTION_BYTES', 'CLEANUP_POLICY']);
  if (ctx.replay) return { kind: 'message', message: '' };
  checkTopicName(s.name, s.span);
  const existing = await ctx.engine.log.describeTopic(s.name);
  if (existing) {
    if (s.ifNotExists) return { kind: 'message', message: `Topic ${s.name} already exists.` };
    throw new SqlError('EXISTS', `Topic '${s.name}' already exists`, s.span);
  }
  const partitions = props.int('PARTITIONS') ?? ctx.engine.options.defaultPartitions ?? 1;
  if (partitions < 1) throw new SqlError('INVALID', `PARTITIONS must be at least 1`, props.literal('PARTITIONS')!.span);
  const cleanup = props.string('CLEANUP_POLICY');
  await ctx.engine.log.createTopic(s.name, {
    partitions,
    replicationFactor: props.int('REPLICATION_FACTOR') ?? props.int('REPLICAS') ?? 1,
    retentionMs: props.int('RETENTION_MS') ?? undefined,
    retentionBytes: props.int('RETENTION_BYTES') ?? undefined,
    cleanupPolicy: cleanup === 'compact' ? 'compact' : 'delete',
  });
  return { kind: 'message', message: `Created topic ${s.name} with ${partitions} partition${partitions === 1 ? '' : 's'}.` };
}

export async function dropTopic(ctx: ExecutionContext, s: DropTopic): Promise<StatementResult> {
  if (ctx.replay) return { kind: 'message', message: '' };
  const users = ctx.engine.catalog.listSources().filter((src) => src.topic === s.name);
  if (users.length) throw new SqlError('INVALID', `Topic ${s.name} is used by ${users.map((u) => u.name).join(', ')}: drop them first`, s.span);
  if (!(await ctx.engine.log.describeTopic(s.name))) {
    if (s.ifExists) return { kind: 'message', message: `Topic ${s.name} does not exist.` };
    throw new SqlError('UNKNOWN_SOURCE', `Topic '${s.name}' does not exist`, s.span);
  }
  await ctx.engine.log.deleteTopic(s.name);
  return { kind: 'message', message: `Dropped topic ${s.name}.` };
}
