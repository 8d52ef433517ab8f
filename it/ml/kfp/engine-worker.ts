/**
 * Child process for the engine-level kill -9 test: opens an engine on DIR (replaying its command
 * log), runs SQL given on the command line if any, prints each run state change of pipeline P as
 * "run <name> <state>", and waits to be killed.
 * Args: dir [sql]
 */
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import { Engine } from '../../../src/engine/engine.ts';

const [dir, sql] = process.argv.slice(2);
const log = await openEmbeddedLog(dir!);
const engine = await Engine.open({ log, background: true, properties: { 'auto.offset.reset': 'earliest' } });
if (sql) await engine.execute(sql);
setInterval(async () => {
  const [r] = await engine.execute('SHOW RUNS;');
  if (r!.kind === 'table') for (const row of r!.rows) process.stdout.write(`run ${row[1]} ${row[3]}\n`);
}, 100);
