/**
 * Push queries: `SELECT ... EMIT CHANGES [LIMIT n]` runs the same pipeline as a persistent query
 * but hands rows to the caller instead of a sink topic, from a transient consumer that commits
 * nothing. Where it starts is `auto.offset.reset` (default: latest, as in ksqlDB).
 */
import type { QueryStatement } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { pullQuery } from './pull-query.ts';
import { analyzeQuery } from '../analyze/query.ts';
import { validateStreamingQuery } from '../analyze/query-rules.ts';
import { planQuery } from '../plan/planner.ts';
import { QueryTask } from '../exec/query-task.ts';
import { repartitionsOf } from '../plan/partitioning.ts';
import { ensureInternalTopics, planContext } from './persistent.ts';
import type { Row } from '../exec/expr/row.ts';
import { reorder, transientColumns } from './transient-columns.ts';
import type { ExecutionContext } from './context.ts';
import type { PushQuery, StatementResult } from './results.ts';

let transientCounter = 0;

export async function pushQuery(ctx: ExecutionContext, s: QueryStatement): Promise<StatementResult> {
  const { engine } = ctx;
  if (ctx.replay) return { kind: 'message', message: '' };
  if (s.query.emit === null) return pullQuery(engine, s.query, s.span);
  validateStreamingQuery(s.query);
  const analyzed = analyzeQuery(s.query, engine.catalog, { transient: true });
  // Unique across restarts: a repartition topic of this query must not hold an earlier one's rows.
  const id = `transient_${analyzed.source.name}_${Date.now().toString(36)}_${transientCounter++}`;
  const root = planQuery(analyzed, await planContext(engine, id, analyzed, s.span));
  const internalTopics = repartitionsOf(root).map((r) => r.topic);
  const limit = s.query.limit;
  const answer = transientColumns(analyzed);
  const streamResult = analyzed.resultType === 'STREAM';
  let emitted = 0;
  let stopped = false;
  let started = false;
  let wakeStopped!: () => void;
  const stoppedSignal = new Promise<void>((r) => (wakeStopped = r));
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  // Built now, like a persistent query, so that a query that cannot be built fails the statement
  // (with its position) instead of failing later, asynchronously, once started.
  await ensureInternalTopics(engine.log, root);
  let task: QueryTask;
  try {
    task = new QueryTask({
      queryId: id,
      root,
      log: engine.log,
      producer: engine.producer,
      groupId: null,
      fromBeginning: engine.fromBeginning,
      processingLog: engine.processingLog,
      services: engine.services,
      onRows: (rows: Row[]) => {
        if (stopped) return;
        // A stream's record without a value is no event: ksqlDB's push queries skip it (a table's tombstone is shown).
        if (streamResult) rows = rows.filter((r) => !r.valueNull);
        let take = limit === null ? rows : rows.slice(0, limit - emitted);
        if (answer.order) take = take.map((r) => ({ ...r, cols: reorder(r.cols, answer.order!) }));
        emitted += take.length;
        if (take.length) handle.onRows(take);
        if (limit !== null && emitted >= limit) void handle.stop();
      },
    });
  } catch (err) {
    await dropTransient(engine, id, internalTopics);
    if (err instanceof SqlError) throw err;
    throw new SqlError('INVALID', `Cannot build query: ${err instanceof Error ? err.message : String(err)}`, s.span);
  }
  const built = task;
  // Runs once: after the loop, or at once when stopped before it was started.
  const finish = async (error: Error | null): Promise<void> => {
    await built.stop().catch(() => undefined);
    await dropTransient(engine, id, internalTopics);
    handle.onEnd(error);
    resolveDone();
  };
  const run = async (): Promise<void> => {
    let error: Error | null = null;
    try {
      while (!stopped) {
        await built.step(200);
        // Backpressure: while the consumer of the rows is full, read no more input.
        const full = handle.backpressure();
        if (full) await Promise.race([full, stoppedSignal]);
      }
    } catch (e) {
      error = e as Error;
    }
    await finish(error);
  };
  const handle: PushQuery = {
    id,
    schema: answer.schema,
    onRows: () => undefined,
    onEnd: () => undefined,
    backpressure: () => null,
    start() {
      if (started) return;
      started = true;
      void run();
    },
    async stop() {
      stopped = true;
      wakeStopped();
      if (!started) {
        started = true;
        void finish(null);
      }
      await done;
    },
    done,
  };
  return { kind: 'push', query: handle };
}

/** A push query's state (changelogs, local stores) and repartition topics live and die with it. */
async function dropTransient(engine: ExecutionContext['engine'], id: string, internalTopics: readonly string[]): Promise<void> {
  await engine.stores.deleteQueryState(id).catch(() => undefined);
  for (const topic of internalTopics) await engine.log.deleteTopic(topic).catch(() => undefined);
}
