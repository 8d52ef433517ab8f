/**
 * `riffle sql`: the interactive shell. Statements may span lines and run when a line ends the
 * statement with `;`. Push queries and PRINT stream rows until LIMIT or Ctrl-C. History is kept
 * in ~/.riffle_history. Errors show the line and a caret; the shell never exits on an error.
 */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync, appendFileSync, existsSync } from 'node:fs';
import { openBackend } from './backend.ts';
import { statementComplete } from './script-text.ts';
import { parseStatements } from '../sql/parser.ts';
import { VERSION } from '../version.ts';

const HISTORY = join(homedir(), '.riffle_history');
const PIPED_QUIET_MS = 2000;

/** A stream into `target` (with its backpressure) that calls `onWrite` for every chunk. */
function watchedOutput(target: NodeJS.WritableStream, onWrite: () => void): PassThrough {
  const t = new PassThrough();
  t.on('data', onWrite);
  t.pipe(target, { end: false });
  return t;
}

export async function shellCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, 'bootstrap-servers': { type: 'string' }, server: { type: 'string' } } });
  const backend = await openBackend({ dataDir: values['data-dir'], bootstrapServers: values['bootstrap-servers'], server: values.server });
  const write = (s: string) => void process.stdout.write(s);
  const history = existsSync(HISTORY) ? readFileSync(HISTORY, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500) : [];
  const rl = createInterface({ input: process.stdin, output: process.stdout, history, historySize: 500, terminal: process.stdin.isTTY });
  write(`Riffle ${VERSION} on ${backend.where}\nType SQL statements ending with ';'. 'help;' for examples, 'exit' to quit.\n\n`);
  let buffer = '';
  let running: AbortController | null = null;
  let quitting = false;
  let inputClosed = false;
  /** Whether the running statements end by themselves (no push query or PRINT without LIMIT). */
  let runningEnds = true;
  rl.on('close', () => {
    inputClosed = true;
    if (!process.stdin.isTTY && !quietTimer) quietTimer = setInterval(stopWhenQuiet, 250);
  });
  // With piped input, an open-ended push query or PRINT running when the input ends stops once it
  // has written nothing for PIPED_QUIET_MS (it has delivered what there was), so a piped script
  // ends by itself; one with a LIMIT runs to its limit. A terminal user stops it with Ctrl-C.
  let lastOutput = Date.now();
  let quietTimer: ReturnType<typeof setInterval> | null = null;
  const stopWhenQuiet = () => {
    if (running && !runningEnds && Date.now() - lastOutput >= PIPED_QUIET_MS) running.abort();
  };
  const out = process.stdin.isTTY ? process.stdout : watchedOutput(process.stdout, () => (lastOutput = Date.now()));
  const prompt = (text: string) => {
    if (inputClosed) return;
    rl.setPrompt(text);
    rl.prompt();
  };
  // Ctrl-C: stops the running push query or PRINT and returns to the prompt; at an empty prompt it quits.
  // The readline interface stays active while a query runs, so the keypress is seen (a paused
  // interface in raw mode would swallow it).
  rl.on('SIGINT', () => {
    if (running) running.abort();
    else if (buffer) {
      buffer = '';
      write('\n');
      prompt('riffle> ');
    } else rl.close();
  });
  // Without a terminal (piped input), Ctrl-C and SIGTERM arrive as signals: stop the query, then quit cleanly.
  const onSignal = () => {
    quitting = true;
    running?.abort();
    rl.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed stdout (the reader of a pipe went away) ends the running query and the shell.
  process.stdout.on('error', onSignal);
  prompt('riffle> ');
  for await (const line of rl) {
    if (quitting) break;
    const trimmed = line.trim();
    if (!buffer && (trimmed.toLowerCase() === 'exit' || trimmed.toLowerCase() === 'quit')) break;
    buffer += (buffer ? '\n' : '') + line;
    if (!statementComplete(buffer)) {
      prompt('     > ');
      continue;
    }
    const sql = buffer;
    buffer = '';
    if (process.stdin.isTTY) appendFileSync(HISTORY, sql.replace(/\n/g, ' ') + '\n');
    if (/^\s*help\s*;\s*$/i.test(sql)) write(HELP);
    else {
      running = new AbortController();
      runningEnds = endsByItself(sql);
      lastOutput = Date.now();
      await backend.run(sql, out, running.signal);
      running = null;
    }
    if (quitting) break;
    prompt('riffle> ');
  }
  rl.close();
  if (quietTimer) clearInterval(quietTimer);
  if (out !== process.stdout) out.unpipe(process.stdout);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.stdout.off('error', onSignal);
  await backend.close();
  // Quit by a signal: output a reader never took would keep the process alive; drop it.
  if (quitting && process.stdout.writableLength > 0) process.exit(0);
  return 0;
}


const HELP = `Examples:
  CREATE STREAM readings (id STRING KEY, temp DOUBLE) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);
  INSERT INTO readings (id, temp) VALUES ('a', 21.5);
  SET 'auto.offset.reset' = 'earliest';
  SELECT id, temp * 1.8 + 32 AS fahrenheit FROM readings WHERE temp > 20 EMIT CHANGES LIMIT 5;
  CREATE STREAM hot AS SELECT * FROM readings WHERE temp > 30;
  SHOW STREAMS; SHOW QUERIES; DESCRIBE EXTENDED hot; PRINT 'readings' FROM BEGINNING LIMIT 3;
Ctrl-C stops a running query; 'exit' quits.
`;

/**
 * False when the statements include a push query (EMIT CHANGES) or PRINT without LIMIT, which
 * stream until stopped. A script that does not parse ends by itself (with its error).
 */
export function endsByItself(sql: string): boolean {
  try {
    return parseStatements(sql).every(({ statement: s }) => {
      if (s.kind === 'Print') return s.limit !== null;
      if (s.kind === 'QueryStatement') return s.query.emit === null || s.query.limit !== null;
      return true;
    });
  } catch {
    return true;
  }
}
