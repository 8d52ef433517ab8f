/**
 * `riffle` command line: run | sql | topic | test | demo | --version.
 * Each subcommand lives in its own file; this one only dispatches.
 */
import { VERSION } from '../version.ts';

const USAGE = `riffle ${VERSION} — streaming SQL over Kafka topics, with models in the query

Usage:
  riffle run FILE.sql       run the statements and keep the persistent queries running
  riffle sql                interactive SQL shell
  riffle topic list|create|produce|consume ...
  riffle test -s statements.sql [-i input.json] -o output.json [-e expected-error.json] [--actual FILE]
  riffle test --suite DIR [--filter TEXT] [--actual-dir OUT] [--kafka]
                            (must-fail cases: an expected-error.json in the case folder)
  riffle demo [--duration SECONDS]
  riffle demo retraining     the Kubeflow retraining loop (needs the repository's scripts; see examples/retraining)
  riffle server [--listen HOST:PORT] [--config FILE] [--users FILE] [--tls-cert F --tls-key F] [--detach]
  riffle server stop | hash-password
  riffle --version

Options for run, sql, topic and demo:
  --data-dir DIR             embedded log directory (default .riffle, or RIFFLE_DATA_DIR)
  --bootstrap-servers HOSTS  use Apache Kafka instead (or RIFFLE_BOOTSTRAP_SERVERS)
`;

const COMMANDS = new Set(['run', 'sql', 'topic', 'test', 'demo', 'server']);

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // `riffle <command> --help`: the usage (every command's options are in it), not an unknown-option error.
  if (COMMANDS.has(cmd) && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`riffle ${VERSION}\n`);
      return 0;
    case 'run':
      return (await import('./run.ts')).runCommand(rest);
    case 'sql':
      return (await import('./shell.ts')).shellCommand(rest);
    case 'topic':
      return (await import('./topic.ts')).topicCommand(rest);
    case 'test':
      return (await import('./test.ts')).testCommand(rest);
    case 'demo':
      return (await import('./demo.ts')).demoCommand(rest);
    case 'server':
      return (await import('./server.ts')).serverCommand(rest);
    default:
      process.stderr.write(`Unknown command '${cmd}'.\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // Known conditions (a locked data directory, a bad flag or config) are one line, not a stack trace.
    const known = e instanceof Error && (e.name === 'RemoteError' || e.constructor?.name === 'LogLockedError' || (e as NodeJS.ErrnoException).code === 'ECONNREFUSED');
    const badArgs = e instanceof Error && String((e as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_');
    if (badArgs) process.stderr.write(`riffle: ${(e as Error).message}\n(riffle --help lists the commands and their options)\n`);
    else if (known) process.stderr.write(`riffle: ${lockHint(e as Error)}\n`);
    else process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);

function lockHint(e: Error): string {
  const m = e as Error & { dir?: string; pid?: number | null };
  if (m.dir !== undefined && e.constructor?.name === 'LogLockedError') {
    return `${e.message}. Another riffle (pid ${m.pid ?? '?'}) uses this data directory: stop it, use another --data-dir, or run it as \`riffle server\` so other commands can talk to it.`;
  }
  return e.message;
}
