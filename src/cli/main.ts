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
  riffle --version

Options for run, sql, topic and demo:
  --data-dir DIR             embedded log directory (default .riffle, or RIFFLE_DATA_DIR)
  --bootstrap-servers HOSTS  use Apache Kafka instead (or RIFFLE_BOOTSTRAP_SERVERS)
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
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
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
