/**
 * `riffle run FILE.sql`: executes a script headless, then keeps its persistent queries running.
 * When a server owns the data directory (or --server is given) the statements run there and the
 * persistent queries stay on the server; push-query output goes to stdout with backpressure.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { openBackend } from './backend.ts';

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, 'bootstrap-servers': { type: 'string' }, 'exit-after': { type: 'boolean' }, server: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('riffle run: need a SQL file\n');
    return 2;
  }
  const sql = readFileSync(file, 'utf8');
  const backend = await openBackend({ dataDir: values['data-dir'], bootstrapServers: values['bootstrap-servers'], server: values.server });
  process.stdout.write(`Riffle on ${backend.where}\n`);
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // stdout closed by its reader (EPIPE): stop what streams to it instead of dying on the error.
  process.stdout.on('error', stop);
  try {
    const ok = await backend.run(sql, process.stdout, stopping.signal, process.stderr);
    if (!ok) return 1;
    const session = backend.localSession;
    if (!session) {
      process.stdout.write(`Done; persistent queries keep running on the server.\n`);
      return 0;
    }
    if (values['exit-after'] || session.engine.tasks.size === 0 || stopping.signal.aborted) return 0;
    process.stdout.write(`${session.engine.tasks.size} persistent quer${session.engine.tasks.size === 1 ? 'y' : 'ies'} running. Ctrl-C to stop.\n`);
    const timer = setInterval(() => {
      const stats = [...session.engine.tasks.values()].map((t) => `${t.queryId}: ${t.state} ${t.consumed} in / ${t.emitted} out`);
      process.stderr.write(`\r${stats.join(' | ')}  `);
    }, 2000);
    await new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(timer);
    process.stderr.write('\nStopping...\n');
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.off('error', stop);
    // A second signal while stopping exits at once; a stop that fails (a query in ERROR, a broken
    // store) is reported and still ends the process.
    const force = () => process.exit(130);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    try {
      await backend.close();
    } catch (e) {
      process.stderr.write(`riffle run: error while stopping: ${(e as Error).message}\n`);
      // Whatever the failed stop left open (stores, clients) must not keep the process alive.
      process.exit(1);
    }
    // Stopped by a signal: output a reader never took would keep the process alive; drop it.
    if (stopping.signal.aborted && process.stdout.writableLength > 0) process.exit(0);
  }
}
