/**
 * `riffle test`: runs ksqlDB conformance cases (ksql-test-runner's file format) on a fresh
 * embedded log. Statements run first; then each input record is produced in file order and every
 * query runs to quiescence before the next one, so each query sees its upstream's output and
 * multi-input queries see records in file order. Outputs are read back per topic and compared
 * (same count, same order) with the rules in compare.ts.
 * The log is pluggable (`openLog`): the same cases run on Apache Kafka through kafka-runner.ts.
 */
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../log/embedded/index.ts';
import type { Log, ProducerRecord, Header } from '../log/log.ts';
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { parseJsonLossless } from '../serde/index.ts';
import type { DataSource } from '../analyze/catalog.ts';
import { jsonEquals } from './compare.ts';
import { recordFromTestJson, recordToTestJson, type TestRecord } from './test-records.ts';
import { registerTestingFunctions } from './functions.ts';
import { judgeRejection, type ExpectedError, type RejectionVerdict } from './expected-error.ts';

export interface CaseFiles {
  readonly statements: string;
  readonly input: { inputs?: TestRecord[] } | null;
  readonly output: { outputs?: TestRecord[] } | null;
  /** Set for a must-fail case: ksqlDB's rejection (expected-error.json). */
  readonly expectedError?: ExpectedError | null;
}

export interface CaseResult {
  readonly passed: boolean;
  readonly reason: string | null;
  /** Every record the queries wrote, in the output-file format. */
  readonly actual: TestRecord[];
  /** For a must-fail case: how it ended. */
  readonly verdict?: RejectionVerdict;
}

/** A fresh, empty log for one case, and how to drive queries on it. */
export interface CaseLog {
  readonly log: Log;
  /** Runs the queries until none has input left (default: `engine.runUntilIdle()`). */
  runUntilIdle?(engine: Engine): Promise<void>;
  /** How long reading an output topic waits for more records before it stops (default 100 ms). */
  readonly readTimeoutMs?: number;
  /** More engine options (a state directory of the case's own when the log has none). */
  readonly engineOptions?: Partial<EngineOptions>;
  /** Called once the engine and the log are closed: removes what the case left behind. */
  dispose(): Promise<void>;
}

export type OpenCaseLog = () => Promise<CaseLog>;

/** The default: a new embedded log in a temp dir, deleted afterwards. */
export async function openEmbeddedCaseLog(): Promise<CaseLog> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-test-'));
  try {
    const log = await openEmbeddedLog(dir);
    return { log, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export function readCaseFiles(statementsPath: string, inputPath: string | null, outputPath: string | null): CaseFiles {
  const read = (p: string | null) => (p && existsSync(p) ? (parseJsonLossless(readFileSync(p, 'utf8')) as never) : null);
  return { statements: readFileSync(statementsPath, 'utf8'), input: read(inputPath), output: read(outputPath) };
}

export function readCaseDir(dir: string): CaseFiles {
  const files = readCaseFiles(join(dir, 'statements.sql'), join(dir, 'input.json'), join(dir, 'output.json'));
  const errorPath = join(dir, 'expected-error.json');
  return existsSync(errorPath) ? { ...files, expectedError: JSON.parse(readFileSync(errorPath, 'utf8')) as ExpectedError } : files;
}

/** A must-fail case's result from the rejection (or null when everything was accepted). */
function mustFailResult(expected: ExpectedError, rejection: string | null, actual: TestRecord[]): CaseResult {
  const verdict = judgeRejection(expected, rejection);
  switch (verdict.kind) {
    case 'accepted':
      return { passed: false, reason: `accepted, but ksqlDB rejects it: ${expected.message ?? expected.type}`, actual, verdict };
    case 'rejected-same':
      return { passed: true, reason: null, actual, verdict };
    case 'rejected-other':
      return { passed: false, reason: `rejected with another message: ${verdict.message}; ksqlDB: ${expected.message}`, actual, verdict };
  }
}

export async function runCase(files: CaseFiles, openLog: OpenCaseLog = openEmbeddedCaseLog): Promise<CaseResult> {
  registerTestingFunctions(); // ksqlDB's test-only UDFs, which some cases call
  let caseLog: CaseLog | null = null;
  let log: Log | null = null;
  let engine: Engine | null = null;
  const idle = (e: Engine) => (caseLog?.runUntilIdle ? caseLog.runUntilIdle(e) : e.runUntilIdle());
  try {
    caseLog = await openLog();
    log = caseLog.log;
    const inputs = files.input?.inputs ?? [];
    const expected = files.output?.outputs ?? [];
    for (const t of new Set([...inputs.map((r) => r.topic), ...expected.map((r) => r.topic)])) {
      await log.ensureTopic(t, { partitions: 1 });
    }
    engine = await Engine.open({
      ...caseLog.engineOptions,
      log,
      autoCreateTopics: true,
      background: false,
      properties: { 'auto.offset.reset': 'earliest' },
    });
    try {
      await engine.execute(files.statements);
    } catch (e) {
      if (files.expectedError) return mustFailResult(files.expectedError, (e as Error).message, []);
      return { passed: false, reason: `statement failed: ${(e as Error).message}`, actual: [] };
    }
    await idle(engine);
    const producer = engine.producer;
    for (const input of inputs) {
      const source = sourceForTopic(engine, input.topic);
      let rec: ProducerRecord;
      try {
        rec = recordFromTestJson(input, source);
      } catch (e) {
        // A record the source's format cannot even encode is written raw, as the real runner does.
        rec = { key: rawBytes(input.key), value: rawBytes(input.value), timestamp: Number(input.timestamp ?? 0), headers: headersOf(input) };
        void e;
      }
      await producer.send(input.topic, [{ ...rec, partition: 0 }]);
      await idle(engine);
    }
    const actual = await readOutputs(engine, log, [...new Set(expected.map((r) => r.topic))], caseLog.readTimeoutMs ?? 100);
    if (files.expectedError) {
      // ksqlDB fails some cases at run time: the query failing is the rejection.
      const failed = [...engine.tasks.values()].find((t) => t.state === 'ERROR');
      return mustFailResult(files.expectedError, failed ? (failed.error?.message ?? 'query failed') : null, actual);
    }
    const reason = compareOutputs(expected, actual);
    return { passed: reason === null, reason: reason ?? null, actual };
  } catch (e) {
    return { passed: false, reason: `error: ${(e as Error).stack ?? e}`, actual: [] };
  } finally {
    await engine?.close().catch(() => undefined);
    await log?.close().catch(() => undefined);
    await caseLog?.dispose().catch(() => undefined);
  }
}

function sourceForTopic(engine: Engine, topic: string): DataSource | null {
  return engine.catalog.listSources().find((s) => s.topic === topic) ?? null;
}

function rawBytes(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
}

function headersOf(r: TestRecord): Header[] {
  return (r.headers ?? []).map((h) => ({ key: h.KEY, value: h.VALUE === null ? null : Buffer.from(h.VALUE, 'base64') }));
}

async function readOutputs(engine: Engine, log: Log, topics: string[], pollTimeoutMs: number): Promise<TestRecord[]> {
  const out: TestRecord[] = [];
  for (const topic of topics) {
    const offsets = await log.offsets(topic).catch(() => []);
    const total = offsets.reduce((n, o) => n + (o.end - o.start), 0);
    if (total === 0) continue;
    const consumer = log.consumer({ groupId: `riffle-test-reader-${topic}`, topics: [topic], fromBeginning: true });
    const records = [];
    while (records.length < total) {
      const batch = await consumer.poll(10_000, pollTimeoutMs);
      if (batch.length === 0) break;
      records.push(...batch);
    }
    await consumer.close();
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const source = engine.catalog.listSources().find((s) => s.topic === topic && s.writerQueryId) ?? sourceForTopic(engine, topic);
    for (const r of records) out.push(recordToTestJson(r, source));
  }
  return out;
}

/** null when equal, else a description of the first difference. */
export function compareOutputs(expected: readonly TestRecord[], actual: readonly TestRecord[]): string | null {
  const topics = [...new Set(expected.map((r) => r.topic))];
  for (const topic of topics) {
    const e = expected.filter((r) => r.topic === topic);
    const a = actual.filter((r) => r.topic === topic);
    for (let i = 0; i < Math.max(e.length, a.length); i++) {
      const exp = e[i];
      const act = a[i];
      if (!exp) return `topic ${topic}: unexpected extra record ${i}: ${show(act)}`;
      if (!act) return `topic ${topic}: expected ${e.length} records but got ${a.length}; missing ${i}: ${show(exp)}`;
      if (!jsonEquals(exp.key ?? null, act.key ?? null)) return `topic ${topic} record ${i}: key mismatch: expected ${show(exp)} got ${show(act)}`;
      if (!jsonEquals(exp.value ?? null, act.value ?? null)) return `topic ${topic} record ${i}: value mismatch: expected ${show(exp)} got ${show(act)}`;
      if (exp.timestamp !== undefined && Number(exp.timestamp) !== Number(act.timestamp)) {
        return `topic ${topic} record ${i}: timestamp mismatch: expected ${show(exp)} got ${show(act)}`;
      }
      if (exp.window && !jsonEquals(exp.window, act.window ?? null)) return `topic ${topic} record ${i}: window mismatch: expected ${show(exp)} got ${show(act)}`;
    }
  }
  return null;
}

function show(r: TestRecord | undefined): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}
