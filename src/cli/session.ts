/** Shared by run, sql and demo: opens the log and the engine, executes scripts with clear errors. */
import type { Engine } from '../engine/engine.ts';
import type { StatementResult } from '../engine/results.ts';
import { Engine as EngineClass } from '../engine/engine.ts';
import type { Log } from '../log/log.ts';
import { openLog, describeLog, type LogOptions } from './open.ts';
import { renderResult, LiveTable } from './render.ts';
import { deliverPushQuery, type ByteSink } from '../engine/push-delivery.ts';

export interface Session {
  readonly log: Log;
  readonly engine: Engine;
  readonly where: string;
  close(): Promise<void>;
}

export async function openSession(opts: LogOptions & { serviceId?: string; properties?: Readonly<Record<string, string>> }): Promise<Session> {
  const log = await openLog(opts);
  const engine = await EngineClass.open({ log, serviceId: opts.serviceId ?? process.env.RIFFLE_SERVICE_ID ?? 'default', properties: opts.properties });
  return {
    log,
    engine,
    where: describeLog(log, opts),
    async close() {
      await engine.close();
      await log.close();
    },
  };
}

/**
 * Shows one result. Push queries and PRINT stream until they end or `signal` aborts (Ctrl-C in
 * the shell), then resolve.
 */
export async function presentResult(r: StatementResult, write: (s: string) => void, signal?: AbortSignal, out?: ByteSink): Promise<void> {
  switch (r.kind) {
    case 'push': {
      let count = 0;
      const abort = () => void r.query.stop();
      signal?.addEventListener('abort', abort, { once: true });
      if (signal?.aborted) abort();
      let failure: Error | null;
      if (out) {
        // Through the one bounded delivery path: a pipe nobody reads pauses the query instead of growing memory.
        let text = '';
        const table = new LiveTable(r.query.schema, (s) => (text += s));
        table.header();
        out.write(text);
        const delivery = deliverPushQuery(r.query, out, (rows, put) => {
          text = '';
          for (const row of rows) table.row(row.cols);
          count += rows.length;
          put(text);
        });
        failure = await delivery.ended;
        if (delivery.disconnected) {
          signal?.removeEventListener('abort', abort);
          return;
        }
      } else {
        const table = new LiveTable(r.query.schema, write);
        table.header();
        r.query.onRows = (rows) => {
          for (const row of rows) table.row(row.cols);
          count += rows.length;
        };
        failure = null;
        r.query.onEnd = (e) => (failure = e);
        r.query.start();
        await r.query.done;
      }
      signal?.removeEventListener('abort', abort);
      write(failure ? `Query failed: ${(failure as Error).message}\n` : `${count} row${count === 1 ? '' : 's'}. Query terminated.\n`);
      return;
    }
    case 'print': {
      r.print.onLine = (line) => write(line + '\n');
      const abort = () => void r.print.stop();
      signal?.addEventListener('abort', abort, { once: true });
      r.print.start();
      await r.print.done;
      signal?.removeEventListener('abort', abort);
      return;
    }
    default:
      write(renderResult(r) + '\n');
  }
}
