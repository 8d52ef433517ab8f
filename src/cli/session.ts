/** Shared by run, sql and demo: opens the log and the engine, executes scripts with clear errors. */
import type { Engine } from '../engine/engine.ts';
import type { StatementResult } from '../engine/results.ts';
import { Engine as EngineClass } from '../engine/engine.ts';
import type { Log } from '../log/log.ts';
import { openLog, describeLog, type LogOptions } from './open.ts';
import { renderResult, LiveTable } from './render.ts';

export interface Session {
  readonly log: Log;
  readonly engine: Engine;
  readonly where: string;
  close(): Promise<void>;
}

export async function openSession(opts: LogOptions & { serviceId?: string }): Promise<Session> {
  const log = await openLog(opts);
  const engine = await EngineClass.open({ log, serviceId: opts.serviceId ?? process.env.RIFFLE_SERVICE_ID ?? 'default' });
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
export async function presentResult(r: StatementResult, write: (s: string) => void, signal?: AbortSignal): Promise<void> {
  switch (r.kind) {
    case 'push': {
      const table = new LiveTable(r.query.schema, write);
      table.header();
      let count = 0;
      r.query.onRows = (rows) => {
        for (const row of rows) table.row(row.cols);
        count += rows.length;
      };
      let failure: Error | null = null;
      r.query.onEnd = (e) => (failure = e);
      const abort = () => void r.query.stop();
      signal?.addEventListener('abort', abort, { once: true });
      r.query.start();
      await r.query.done;
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
