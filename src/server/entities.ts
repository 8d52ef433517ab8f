/**
 * Statement results as ksqlDB's KsqlEntity JSON (ksqldb-rest-model's entity classes): what
 * ksqlDB's clients parse. Catalog-changing statements give `currentStatus` with a command id and
 * sequence number; SHOW and DESCRIBE give `streams`, `tables`, `queries`, `kafka_topics`,
 * `properties`, `function_names`, `sourceDescription`; other text results are `riffle_text`
 * and other tables `riffle_table` (clients ignore types they do not know).
 */
import type { ParsedStatement, Statement } from '../sql/ast.ts';
import type { StatementResult } from '../engine/results.ts';
import type { Engine } from '../engine/engine.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { formatType, type SqlType } from '../types/sql-type.ts';

export interface CommandRecord {
  readonly commandId: string;
  readonly sequenceNumber: number;
  readonly message: string;
}

/** Command ids as ksqlDB makes them: `stream/`NAME`/create`, `terminate/CSAS_X_1/execute`. */
export function commandIdOf(s: Statement): string {
  switch (s.kind) {
    case 'CreateSource':
    case 'CreateAsSelect':
      return `${s.sourceType.toLowerCase()}/\`${s.name}\`/create`;
    case 'DropSource':
      return `${s.sourceType.toLowerCase()}/\`${s.name}\`/drop`;
    case 'AlterSource':
      return `${s.sourceType.toLowerCase()}/\`${s.name}\`/alter`;
    case 'InsertInto':
    case 'InsertValues':
      return `stream/\`${s.target}\`/insert`;
    case 'Terminate':
      return `terminate/${s.queryId ?? 'ALL'}/execute`;
    case 'CreateTopic':
    case 'DropTopic':
      return `topic/\`${s.name}\`/${s.kind === 'CreateTopic' ? 'create' : 'drop'}`;
    case 'CreateType':
    case 'DropType':
      return `type/\`${s.name}\`/${s.kind === 'CreateType' ? 'create' : 'drop'}`;
    case 'CreateModel':
    case 'AlterModel':
    case 'DropModel':
      return `model/\`${s.name}\`/${s.kind === 'CreateModel' ? 'create' : s.kind === 'AlterModel' ? 'alter' : 'drop'}`;
    default:
      return `statement/${s.kind.toLowerCase()}/execute`;
  }
}

export function toEntity(engine: Engine, parsed: ParsedStatement, r: StatementResult, command: CommandRecord | null): Record<string, unknown> {
  const s = parsed.statement;
  // ksqlDB echoes the statement with its terminating semicolon.
  const statementText = parsed.text.trimEnd().endsWith(';') ? parsed.text : `${parsed.text};`;
  const base = { statementText, warnings: [] as unknown[] };
  if (s.kind === 'AssertTopic') return { '@type': 'assert_topic', ...base, topicName: s.topic, exists: s.exists };
  if (s.kind === 'Show') {
    switch (s.what) {
      case 'STREAMS':
      case 'TABLES': {
        const type = s.what === 'STREAMS' ? 'STREAM' : 'TABLE';
        const list = engine.catalog.listSources(type).map((src) => ({
          type,
          name: src.name,
          topic: src.topic,
          keyFormat: src.formats.keyFormat,
          valueFormat: src.formats.valueFormat,
          isWindowed: src.window !== null,
        }));
        return s.what === 'STREAMS' ? { '@type': 'streams', ...base, streams: list } : { '@type': 'tables', ...base, tables: list };
      }
      case 'QUERIES':
        return {
          '@type': 'queries',
          ...base,
          queries: engine.catalog.listQueries().map((q) => {
            const state = engine.tasks.get(q.id)?.state ?? 'UNKNOWN';
            return {
              queryString: q.sql,
              sinks: [q.sink],
              sinkKafkaTopics: [engine.catalog.getSource(q.sink)?.topic ?? ''],
              id: q.id,
              statusCount: { [state]: 1 },
              queryType: 'PERSISTENT',
              state,
            };
          }),
        };
      case 'TOPICS':
        if (r.kind === 'table') {
          return { '@type': 'kafka_topics', ...base, topics: r.rows.map((row) => ({ name: row[0], replicaInfo: Array.from({ length: Number(row[1]) }, () => Number(row[2])) })) };
        }
        break;
      case 'PROPERTIES':
        return { '@type': 'properties', ...base, properties: [...engine.properties].map(([name, value]) => ({ name, scope: 'SESSION', value })), overwrittenProperties: [], defaultProperties: [] };
      case 'FUNCTIONS':
        if (r.kind === 'table') return { '@type': 'function_names', ...base, functions: r.rows.map((row) => ({ name: row[0], type: String(row[1]).toLowerCase(), category: '' })) };
        break;
      default:
        break;
    }
  }
  if (s.kind === 'Describe') {
    const src = engine.catalog.getSource(s.name);
    if (src) return { '@type': s.extended ? 'sourceDescription' : 'sourceDescription', ...base, sourceDescription: sourceDescription(engine, src, s.extended) };
  }
  switch (r.kind) {
    case 'message':
      if (command) {
        return {
          '@type': 'currentStatus',
          ...base,
          commandId: command.commandId,
          commandStatus: { status: 'SUCCESS', message: r.message, queryId: r.queryId ?? null },
          commandSequenceNumber: command.sequenceNumber,
        };
      }
      return { '@type': 'currentStatus', ...base, commandId: commandIdOf(s), commandStatus: { status: 'SUCCESS', message: r.message, queryId: r.queryId ?? null }, commandSequenceNumber: -1 };
    case 'table':
      return { '@type': 'riffle_table', ...base, title: r.title, columns: r.columns, rows: r.rows };
    case 'text':
      return { '@type': 'riffle_text', ...base, text: r.text };
    case 'push':
    case 'print':
      return { '@type': 'riffle_text', ...base, text: '' };
  }
}

function fieldSchema(t: SqlType): Record<string, unknown> {
  switch (t.kind) {
    case 'STRUCT':
      return { type: 'STRUCT', fields: t.fields.map((f) => ({ name: f.name, schema: fieldSchema(f.type) })), memberSchema: null };
    case 'ARRAY':
      return { type: 'ARRAY', fields: null, memberSchema: fieldSchema(t.element) };
    case 'MAP':
      return { type: 'MAP', fields: null, memberSchema: fieldSchema(t.value) };
    default:
      return { type: formatType(t), fields: null, memberSchema: null };
  }
}

function sourceDescription(engine: Engine, src: DataSource, extended: boolean): Record<string, unknown> {
  const queryRef = (q: { id: string; sql: string; sink: string }) => ({
    queryString: q.sql,
    sinks: [q.sink],
    sinkKafkaTopics: [engine.catalog.getSource(q.sink)?.topic ?? ''],
    id: q.id,
    statusCount: { [engine.tasks.get(q.id)?.state ?? 'UNKNOWN']: 1 },
    queryType: 'PERSISTENT',
    state: engine.tasks.get(q.id)?.state ?? 'UNKNOWN',
  });
  const keyType = src.type === 'TABLE' ? 'PRIMARY_KEY' : 'KEY';
  return {
    name: src.name,
    windowType: src.window ? String((src.window as { type?: string }).type ?? 'TUMBLING') : null,
    readQueries: engine.catalog.readersOf(src.name).map(queryRef),
    writeQueries: engine.catalog.listQueries().filter((q) => q.sink === src.name).map(queryRef),
    fields: [
      ...src.schema.key.map((c) => ({ name: c.name, schema: fieldSchema(c.type), type: keyType })),
      ...src.schema.value.map((c) => ({ name: c.name, schema: fieldSchema(c.type) })),
    ],
    type: src.type,
    timestamp: src.timestampColumn ?? '',
    statistics: '',
    errorStats: '',
    extended,
    keyFormat: src.formats.keyFormat,
    valueFormat: src.formats.valueFormat,
    topic: src.topic,
    partitions: 0,
    replication: 1,
    statement: src.sql,
    queryOffsetSummaries: [],
    sourceConstraints: [],
    clusterStatistics: [],
    clusterErrorStats: [],
  };
}
