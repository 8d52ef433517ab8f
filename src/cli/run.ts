/** `riffle run FILE.sql`: executes a script headless, then keeps its persistent queries running. */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { openSession, presentResult } from './session.ts';
import { formatError } from './errors.ts';

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, 'bootstrap-servers': { type: 'string' }, 'exit-after': { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('riffle run: need a SQL file\n');
    return 2;
  }
  const sql = readFileSync(file, 'utf8');
  const session = await openSession({ dataDir: values['data-dir'], bootstrapServers: values['bootstrap-servers'] });
  const write = (s: string) => process.stdout.write(s);
  write(`Riffle on ${session.where}\n`);
  try {
    for (const r of await session.engine.execute(sql)) await presentResult(r, write);
  } catch (e) {
    process.stderr.write(formatError(e, sql) + '\n');
    await session.close();
    return 1;
  }
  if (values['exit-after'] || session.engine.tasks.size === 0) {
    await session.close();
    return 0;
  }
  write(`${session.engine.tasks.size} persistent quer${session.engine.tasks.size === 1 ? 'y' : 'ies'} running. Ctrl-C to stop.\n`);
  const timer = setInterval(() => {
    const stats = [...session.engine.tasks.values()].map((t) => `${t.queryId}: ${t.state} ${t.consumed} in / ${t.emitted} out`);
    process.stderr.write(`\r${stats.join(' | ')}  `);
  }, 2000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  process.stderr.write('\nStopping...\n');
  // A second signal while stopping exits at once; a stop that fails (a query in ERROR, a broken
  // store) is reported and still ends the process.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  try {
    await session.close();
  } catch (e) {
    process.stderr.write(`riffle run: error while stopping: ${(e as Error).message}\n`);
    // Whatever the failed stop left open (stores, clients) must not keep the process alive.
    process.exit(1);
  }
  return 0;
}
