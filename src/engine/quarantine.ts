/**
 * Quarantine of command-log statements whose replay fails.
 *
 * A statement enters the command log only after it was fully analysed, planned and built (see
 * persistent.ts), so a replay should not fail; it still can after an upgrade (a stricter rule, a
 * function that changed or is gone) or a bug. One such statement must not keep the whole data
 * directory from opening: the engine skips it, starts with everything else, and reports it
 * (a warning at start-up, status QUARANTINED in SHOW QUERIES). A persistent query whose replay
 * fails keeps its sink and query entries, rebuilt from the stored plan, but no task, so the
 * statements after it in the log (DROP, TERMINATE, queries reading its sink) replay as before
 * and the user can remove it with DROP STREAM/TABLE or TERMINATE.
 */
import type { ParsedStatement } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { DataSource } from '../analyze/catalog.ts';
import type { QueryPlan } from '../plan/steps.ts';
import { stepsOf } from '../plan/steps.ts';
import type { Command } from './command-log.ts';
import type { EngineContext, QuarantinedStatement } from './context.ts';

const oneLine = (sql: string): string => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
};

const messageOf = (err: unknown): string => (err instanceof SqlError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Records that replaying `statement` (or the command, when it did not even parse: statement
 * null) failed. For a persistent query with a stored plan, registers its sink and query from the
 * plan when the failed replay left them out.
 */
export function quarantine(engine: EngineContext, command: Command, statement: ParsedStatement | null, err: unknown): QuarantinedStatement {
  let queryId: string | null = null;
  const plan = command.plan;
  const s = statement?.statement;
  if (plan && s && (s.kind === 'CreateAsSelect' || s.kind === 'InsertInto')) {
    queryId = plan.queryId;
    if (!engine.catalog.getQuery(queryId)) registerFromPlan(engine, plan, statement!.text, s.kind === 'CreateAsSelect' ? s.sourceType : null);
  }
  const entry: QuarantinedStatement = { sql: statement?.text ?? command.sql, error: messageOf(err), queryId };
  engine.quarantined.push(entry);
  return entry;
}

/** The sink (for CREATE ... AS SELECT) and the query entry of a plan, without running it. */
function registerFromPlan(engine: EngineContext, plan: QueryPlan, sql: string, sinkType: 'STREAM' | 'TABLE' | null): void {
  const sink = plan.sink;
  if (sinkType && !engine.catalog.getSource(sink.sink)) {
    const source: DataSource = {
      name: sink.sink,
      type: sinkType,
      topic: sink.binding.topic,
      schema: sink.schema,
      formats: sink.binding.formats,
      timestampColumn: null,
      timestampFormat: null,
      window: sink.window,
      sql,
      writerQueryId: plan.queryId,
      readOnly: false,
    };
    engine.catalog.putSource(source);
  }
  const sources = [...new Set(stepsOf(sink).flatMap((st) => (st.type === 'source' ? [st.source] : [])))];
  engine.catalog.putQuery({ id: plan.queryId, sql, sink: sink.sink, sources });
}

/** Whether a catalog query is a quarantined one (no task: its replay failed). */
export function isQuarantined(engine: EngineContext, queryId: string): boolean {
  return !engine.tasks.has(queryId) && engine.quarantined.some((q) => q.queryId === queryId);
}

/**
 * The start-up report: one line per quarantined statement still in effect (a quarantined query
 * the user has since dropped or terminated is not reported again).
 */
export function quarantineWarnings(engine: EngineContext): string[] {
  return engine.quarantined
    .filter((q) => q.queryId === null || engine.catalog.getQuery(q.queryId))
    .map((q) => {
      const sink = q.queryId ? engine.catalog.getQuery(q.queryId)!.sink : null;
      const what = q.queryId
        ? `query ${q.queryId} is not running (status QUARANTINED in SHOW QUERIES); TERMINATE ${q.queryId}${sink && engine.catalog.getSource(sink)?.writerQueryId === q.queryId ? ` or DROP ${engine.catalog.getSource(sink)!.type} ${sink}` : ''} removes it`
        : 'the statement was skipped';
      return `WARNING: a statement in the command log failed to replay and was quarantined: ${q.error}; ${what}. Statement: ${oneLine(q.sql)}`;
    });
}
