/** SHOW, DESCRIBE, DESCRIBE FUNCTION, EXPLAIN. */
import type { Describe, DescribeFunction, Explain, Show } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { formatType } from '../types/sql-type.ts';
import { getFunction, listFunctions } from '../functions/registry.ts';
import { analyzeQuery } from '../analyze/query.ts';
import { planQuery } from '../plan/planner.ts';
import { explainPlan, explainStep } from '../plan/explain.ts';
import type { ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { readCommands } from './command-log.ts';
import { showModels } from './models.ts';
import { isQuarantined } from './quarantine.ts';

import { showPipelines, showRuns } from './pipelines.ts';

export async function show(ctx: ExecutionContext, s: Show): Promise<StatementResult> {
  const { engine } = ctx;
  switch (s.what) {
    case 'STREAMS':
    case 'TABLES': {
      const type = s.what === 'STREAMS' ? 'STREAM' : 'TABLE';
      const rows = engine.catalog.listSources(type).map((src) => [src.name, src.topic, src.formats.keyFormat, src.formats.valueFormat, src.window ? 'true' : 'false']);
      return { kind: 'table', title: s.what === 'STREAMS' ? 'Streams' : 'Tables', columns: [`${type === 'STREAM' ? 'Stream' : 'Table'} Name`, 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'], rows };
    }
    case 'QUERIES': {
      const rows = engine.catalog.listQueries().map((q) => {
        const task = engine.tasks.get(q.id);
        return [q.id, task?.state ?? (isQuarantined(engine, q.id) ? 'QUARANTINED' : 'UNKNOWN'), q.sink, engine.catalog.getSource(q.sink)?.topic ?? '', task ? String(task.consumed) : '0', q.sql.replace(/\s+/g, ' ')];
      });
      return { kind: 'table', title: 'Queries', columns: ['Query ID', 'Status', 'Sink Name', 'Sink Topic', 'Records In', 'Query String'], rows };
    }
    case 'TOPICS': {
      const topics = (await engine.log.listTopics()).filter((t) => s.extended || !t.name.startsWith('_'));
      const rows = topics.map((t) => [t.name, String(t.partitions), String(t.replicationFactor)]);
      return { kind: 'table', title: 'Topics', columns: ['Kafka Topic', 'Partitions', 'Partition Replicas'], rows };
    }
    case 'FUNCTIONS': {
      const rows = listFunctions()
        .map((f) => [f.name, f.kind === 'scalar' ? 'SCALAR' : f.kind === 'table' ? 'TABLE' : 'AGGREGATE'])
        .sort((a, b) => a[0].localeCompare(b[0]));
      return { kind: 'table', title: 'Functions', columns: ['Function Name', 'Type'], rows };
    }
    case 'PROPERTIES': {
      const rows = [...engine.properties].map(([k, v]) => [k, 'SESSION', v]);
      return { kind: 'table', title: 'Properties', columns: ['Property', 'Scope', 'Value'], rows };
    }
    case 'VARIABLES': {
      const rows = [...engine.variables].map(([k, v]) => [k, v]);
      return { kind: 'table', title: 'Variables', columns: ['Variable Name', 'Value'], rows };
    }
    case 'MODELS':
      return showModels(ctx);
    case 'TYPES':
      return { kind: 'table', title: 'Types', columns: ['Type Name', 'Schema'], rows: [] };
    case 'PIPELINES':
      return showPipelines(engine);
    case 'RUNS':
      return showRuns(engine);
  }
}

export async function describe(ctx: ExecutionContext, s: Describe): Promise<StatementResult> {
  const { engine } = ctx;
  const src = engine.catalog.getSource(s.name);
  if (!src) {
    throw new SqlError('UNKNOWN_SOURCE', `Could not find STREAM/TABLE '${s.name}' in the Metastore${engine.catalog.alternatives(s.name)}`, s.span);
  }
  const lines: string[] = [];
  lines.push(`Name                 : ${src.name}`);
  lines.push(`Type                 : ${src.type}`);
  lines.push(`Key format           : ${src.formats.keyFormat}`);
  lines.push(`Value format         : ${src.formats.valueFormat}`);
  lines.push(`Kafka topic          : ${src.topic}`);
  if (src.timestampColumn) lines.push(`Timestamp field      : ${src.timestampColumn}`);
  lines.push('');
  lines.push(' Field | Type');
  lines.push(` ROWTIME | BIGINT (system)`);
  for (const c of src.schema.key) lines.push(` ${c.name} | ${formatType(c.type)} (${src.type === 'TABLE' ? 'primary key' : 'key'})`);
  for (const c of src.schema.value) lines.push(` ${c.name} | ${formatType(c.type)}${c.header ? ' (header)' : ''}`);
  if (s.extended) {
    lines.push('');
    lines.push(`Statement            : ${src.sql}`);
    const writers = engine.catalog.listQueries().filter((q) => q.sink === src.name);
    const readers = engine.catalog.readersOf(src.name);
    lines.push(`Queries that write   : ${writers.map((q) => q.id).join(', ') || '(none)'}`);
    lines.push(`Queries that read    : ${readers.map((q) => q.id).join(', ') || '(none)'}`);
    const offsets = await engine.log.offsets(src.topic).catch(() => []);
    for (const o of offsets) lines.push(`Partition ${o.partition}          : offsets ${o.start}..${o.end}`);
    const task = src.writerQueryId ? engine.tasks.get(src.writerQueryId) : undefined;
    if (task) lines.push(`Records processed    : ${task.consumed} in, ${task.emitted} out, ${task.errors.count} processing errors`);
  }
  return { kind: 'text', text: lines.join('\n') };
}

export async function describeFunction(_ctx: ExecutionContext, s: DescribeFunction): Promise<StatementResult> {
  const fn = getFunction(s.name);
  if (!fn) throw new SqlError('UNKNOWN_FUNCTION', `Can't find any functions with the name '${s.name}'`, s.span);
  const kind = fn.kind === 'scalar' ? 'SCALAR' : fn.kind === 'table' ? 'TABLE' : 'AGGREGATE';
  const text = [`Name        : ${fn.name}`, `Type        : ${kind}`, `Description : ${fn.description}`, '', ...fn.signatures.map((sig) => `\t${sig}`)].join('\n');
  return { kind: 'text', text };
}

export async function explain(ctx: ExecutionContext, s: Explain): Promise<StatementResult> {
  const { engine } = ctx;
  if (s.target.kind === 'QueryId') {
    const id = s.target.id;
    const commands = await readCommands(engine.log);
    // The id as written, else ignoring case (ids keep the case of the names they are built from).
    const command = commands.find((c) => c.plan?.queryId === id) ?? commands.find((c) => c.plan?.queryId.toUpperCase() === id.toUpperCase());
    if (!command?.plan) throw new SqlError('INVALID', `Query with id:${id} does not exist, use SHOW QUERIES to view the full set of queries.`, s.span);
    return { kind: 'text', text: `${command.sql}\n\n${explainPlan(command.plan)}` };
  }
  const st = s.target.statement;
  const query = st.kind === 'QueryStatement' || st.kind === 'CreateAsSelect' || st.kind === 'InsertInto' ? st.query : null;
  if (!query) throw new SqlError('INVALID', 'EXPLAIN takes a query, a CREATE ... AS SELECT, an INSERT INTO ... SELECT, or a query id', s.span);
  return { kind: 'text', text: explainStep(planQuery(analyzeQuery(query, engine.catalog))) };
}
