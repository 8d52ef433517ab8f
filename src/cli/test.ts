/**
 * `riffle test`: one conformance case (ksql-test-runner's flags) or a whole suite folder, on a
 * fresh embedded log per case, or with `--kafka` on the Kafka cluster at RIFFLE_BOOTSTRAP_SERVERS
 * (a namespace per case, deleted afterwards: see ../testing/kafka-runner.ts).
 */
import { parseArgs } from 'node:util';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExpectedError } from '../testing/expected-error.ts';
import { readCaseDir, readCaseFiles, runCase, type OpenCaseLog } from '../testing/runner.ts';
import { stringifyTestJson } from '../testing/test-records.ts';
import { classifyCase, type CaseFamily } from '../testing/classify.ts';

export async function testCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      s: { type: 'string', short: 's' },
      statements: { type: 'string' },
      i: { type: 'string', short: 'i' },
      input: { type: 'string' },
      o: { type: 'string', short: 'o' },
      output: { type: 'string' },
      actual: { type: 'string' },
      e: { type: 'string', short: 'e' },
      'expected-error': { type: 'string' },
      suite: { type: 'string' },
      filter: { type: 'string' },
      'actual-dir': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      kafka: { type: 'boolean' },
    },
  });
  let openLog: OpenCaseLog | undefined;
  let shared: { close(): Promise<void> } | null = null;
  if (values.kafka) {
    const { openSharedKafka, kafkaCaseLog } = await import('../testing/kafka-runner.ts');
    let kafka;
    try {
      kafka = await openSharedKafka();
    } catch (e) {
      process.stderr.write(`riffle test --kafka: ${(e as Error).message}\n`);
      return 2;
    }
    shared = kafka;
    openLog = kafkaCaseLog(kafka);
  }
  try {
    return await testWith(values, openLog);
  } finally {
    await shared?.close();
  }
}

type TestValues = { [k: string]: string | boolean | undefined };

async function testWith(values: TestValues, openLog: OpenCaseLog | undefined): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (str('suite')) return suite(str('suite')!, str('filter'), str('actual-dir'), values.verbose === true, openLog);
  const statements = str('s') ?? str('statements');
  if (!statements) {
    process.stderr.write('riffle test: need -s statements.sql (and -o output.json, or -e expected-error.json), or --suite DIR [--kafka]\n');
    return 2;
  }
  const read = readCaseFiles(statements, str('i') ?? str('input') ?? null, str('o') ?? str('output') ?? null);
  // A must-fail case: ksqlDB's expected rejection (-e, or expected-error.json beside the statements).
  const errorFile = str('e') ?? str('expected-error') ?? join(dirname(statements), 'expected-error.json');
  const files = existsSync(errorFile) ? { ...read, expectedError: JSON.parse(readFileSync(errorFile, 'utf8')) as ExpectedError } : read;
  const result = await runCase(files, openLog);
  const actual = str('actual');
  if (actual) writeFileSync(actual, stringifyTestJson({ outputs: result.actual }));
  if (result.passed) {
    process.stdout.write('\t >>> Test passed!\n');
    return 0;
  }
  process.stdout.write(`\t >>>>> Test failed: ${result.reason}\n`);
  return 1;
}

async function suite(dir: string, filter: string | undefined, actualDir: string | undefined, verbose: boolean, openLog?: OpenCaseLog): Promise<number> {
  const cases = readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .filter((d) => !filter || d.includes(filter))
    .sort();
  if (actualDir) mkdirSync(actualDir, { recursive: true });
  let passed = 0;
  let failed = 0;
  const families: Record<CaseFamily, { passed: number; total: number }> = {
    stateless: { passed: 0, total: 0 },
    stateful: { passed: 0, total: 0 },
    join: { passed: 0, total: 0 },
    properties: { passed: 0, total: 0 },
  };
  const mustFail = { total: 0, accepted: 0, sameMessage: 0, otherMessage: 0 };
  const started = Date.now();
  for (const [i, name] of cases.entries()) {
    const files = readCaseDir(join(dir, name));
    const result = await runCase(files, openLog);
    if (files.expectedError) {
      mustFail.total++;
      const kind = result.verdict?.kind ?? 'accepted';
      if (kind === 'accepted') mustFail.accepted++;
      else if (kind === 'rejected-same') mustFail.sameMessage++;
      else mustFail.otherMessage++;
    } else {
      const family = families[classifyCase(files.statements)];
      family.total++;
      if (result.passed) family.passed++;
    }
    if (actualDir) writeFileSync(join(actualDir, `${name}.json`), stringifyTestJson({ outputs: result.actual }));
    if (result.passed) passed++;
    else {
      failed++;
      process.stdout.write(`FAIL ${name}: ${verbose ? result.reason : (result.reason ?? '').split('\n')[0].slice(0, 300)}\n`);
    }
    if (process.stderr.isTTY && (i + 1) % 20 === 0) {
      process.stderr.write(`\r${i + 1}/${cases.length} cases, ${passed} passed, ${((Date.now() - started) / 1000).toFixed(0)}s `);
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const pct = (f: { passed: number; total: number }) => (f.total ? ((100 * f.passed) / f.total).toFixed(1) : '-');
  for (const [name, f] of Object.entries(families)) {
    if (f.total > 0) process.stdout.write(`${name}: ${f.passed}/${f.total} (${pct(f)}%)\n`);
  }
  if (mustFail.total > 0) {
    process.stdout.write(
      `must-fail: ${mustFail.sameMessage}/${mustFail.total} rejected with ksqlDB's message, ` +
        `${mustFail.otherMessage} rejected with another message, ${mustFail.accepted} accepted\n`,
    );
  }
  process.stdout.write(`time: ${((Date.now() - started) / 1000).toFixed(1)} s on ${openLog ? 'Kafka' : 'the embedded log'}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
