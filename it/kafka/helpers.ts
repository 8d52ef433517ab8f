/**
 * Shared by the tests against a real broker. They need RIFFLE_BOOTSTRAP_SERVERS, which
 * `npm run test:kafka` (scripts/kafka/with-broker.sh) sets after starting a throwaway broker.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ConsumedRecord, Consumer, Log } from '../../src/log/log.ts';
import { type KafkaLog, kafkaConfigFromEnv, NamespacedKafkaLog, openKafkaLog } from '../../src/log/kafka/index.ts';
import { Engine, type EngineOptions } from '../../src/engine/engine.ts';
import { freshPrefix } from '../../src/testing/kafka-runner.ts';

export function bootstrapServers(): string {
  const servers = process.env.RIFFLE_BOOTSTRAP_SERVERS;
  if (!servers) {
    throw new Error('RIFFLE_BOOTSTRAP_SERVERS is not set: run these tests with `npm run test:kafka` (starts a broker)');
  }
  return servers;
}

export async function openTestLog(): Promise<KafkaLog> {
  bootstrapServers();
  return openKafkaLog({ ...kafkaConfigFromEnv(process.env), clientId: 'riffle-it' });
}

/** A fresh name per test: topics and groups never leak between tests or runs. */
export function unique(prefix: string): string {
  return `it-${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
export const dec = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));

/** Polls until `count` records arrived (or fails after `timeoutMs`). */
export async function pollCount(consumer: Consumer, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${out.length} of ${count} records within ${timeoutMs} ms`);
    out.push(...(await consumer.poll(count - out.length, 500)));
  }
  return out;
}

/** Polls for `ms` and returns whatever arrived (to check that nothing more comes). */
export async function pollFor(consumer: Consumer, ms: number): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + ms;
  for (let left = ms; left > 0; left = deadline - Date.now()) out.push(...(await consumer.poll(1000, left)));
  return out;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command with optional stdin; never throws on a non-zero exit (callers assert). */
export function run(cmd: string, args: readonly string[], input?: string, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Sorts records by partition, then offset (poll order across partitions is unspecified). */
export function byPartitionOffset<T extends { partition: number; offset: number }>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Everything in `topic` of `log` (read_committed), sorted by partition and offset. */
export async function readAll(log: Log, topic: string, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const offsets = await log.offsets(topic);
  const total = offsets.reduce((n, o) => n + o.end - o.start, 0);
  const consumer = log.consumer({ groupId: `reader-${randomBytes(4).toString('hex')}`, topics: [topic], fromBeginning: true });
  const out: ConsumedRecord[] = [];
  try {
    // `total` counts transaction markers too: stop at the end of every partition, not at a count.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      out.push(...(await consumer.poll(10_000, 200)));
      const kc = consumer as unknown as { positions?(): { partition: number; offset: number | null }[]; buffered?: number };
      const ends = new Map(offsets.map((o) => [o.partition, o.end]));
      const atEnd = kc.positions ? kc.buffered === 0 && kc.positions().length === offsets.length && kc.positions().every((p) => p.offset !== null && p.offset >= ends.get(p.partition)!) : out.length >= total;
      if (atEnd) break;
      if (Date.now() > deadline) throw new Error(`reading ${topic}: got ${out.length} records, not at the end after ${timeoutMs} ms`);
    }
  } finally {
    await consumer.close();
  }
  return byPartitionOffset(out);
}

export interface KafkaTestEngine {
  readonly shared: KafkaLog;
  readonly log: NamespacedKafkaLog;
  readonly engine: Engine;
  /** Closes the engine and the namespace's clients (the namespace's topics stay). */
  close(): Promise<void>;
}

/**
 * An engine on a namespace of its own on the test broker (every topic, the engine's internal
 * ones included, carries a unique prefix). Pass `log` to open a second engine on the same
 * namespace (a restart).
 */
export async function kafkaTestEngine(shared: KafkaLog, opts: Partial<EngineOptions> = {}, log = new NamespacedKafkaLog(shared, freshPrefix('it'))): Promise<KafkaTestEngine> {
  // State stores in a temp dir of the namespace's own (removeNamespace deletes it).
  const stateDir = stateDirOf(log);
  const engine = await Engine.open({ log, background: false, stateDir, properties: { 'auto.offset.reset': 'earliest' }, ...opts });
  return {
    shared,
    log,
    engine,
    async close() {
      await engine.close();
      await log.close();
    },
  };
}

/** The test broker of a test file or suite, and the engines its tests open there. */
export interface TestBroker {
  /** The shared client (open from the file's or suite's `before` hook on). */
  readonly shared: KafkaLog;
  /** kafkaTestEngine on this broker; its namespace is deleted after the file or suite. */
  engine(opts?: Partial<EngineOptions>, log?: NamespacedKafkaLog): Promise<KafkaTestEngine>;
}

/**
 * Connects to the test broker before the tests of the file or suite it is called in, and deletes
 * every namespace their engines used (topics, groups, local state) and closes the client after them.
 */
export function useTestBroker(): TestBroker {
  let client: KafkaLog | null = null;
  const namespaces: NamespacedKafkaLog[] = [];
  before(async () => {
    client = await openTestLog();
  });
  after(async () => {
    for (const ns of namespaces) await removeNamespace(ns);
    await client?.close();
  });
  const broker: TestBroker = {
    get shared(): KafkaLog {
      if (client === null) throw new Error('the test broker is open only inside tests (after the before hook)');
      return client;
    },
    async engine(opts = {}, log) {
      const t = await kafkaTestEngine(broker.shared, opts, log);
      namespaces.push(t.log);
      return t;
    },
  };
  return broker;
}

const stateDirOf = (log: NamespacedKafkaLog): string => join(tmpdir(), `riffle-it-state-${log.prefix}`);

/** Deletes a test namespace: its topics and groups on the broker, its engine's local state. */
export async function removeNamespace(log: NamespacedKafkaLog): Promise<void> {
  await log.destroy().catch(() => undefined);
  rmSync(stateDirOf(log), { recursive: true, force: true });
}

/** One record as `kcat -C -J` prints it. */
export interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  headers?: string[];
  key: string | null;
  payload: string | null;
}

/** Runs kcat (librdkafka's CLI) against the test broker; fails the test on a non-zero exit. */
export async function kcat(args: string[], input?: string): Promise<string> {
  let result;
  try {
    result = await run('kcat', ['-b', bootstrapServers(), ...args], input);
  } catch (error) {
    throw new Error('kcat is not installed: run scripts/kafka/ensure-kcat.sh (or npm run test:kafka, which does)', { cause: error });
  }
  assert.equal(result.code, 0, `kcat ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Everything in the (physical) topic, read by kcat with the JSON envelope, exiting at the end of every partition. */
export async function kcatConsume(topic: string, extraArgs: readonly string[] = []): Promise<KcatRecord[]> {
  const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J', ...extraArgs]);
  return out
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as KcatRecord);
}
