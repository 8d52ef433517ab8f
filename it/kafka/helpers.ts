/**
 * Shared by the tests against a real broker. They need RIFFLE_BOOTSTRAP_SERVERS, which
 * `npm run test:kafka` (scripts/kafka/with-broker.sh) sets after starting a throwaway broker.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ConsumedRecord, Consumer } from '../../src/log/log.ts';
import { type KafkaLog, kafkaConfigFromEnv, openKafkaLog } from '../../src/log/kafka/index.ts';

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
