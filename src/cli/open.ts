/**
 * Opens the log the user configured: Apache Kafka when bootstrap servers are given (flag,
 * RIFFLE_BOOTSTRAP_SERVERS), otherwise the embedded log in the data directory.
 */
import { resolve } from 'node:path';
import type { Log } from '../log/log.ts';
import { openEmbeddedLog, recoverySummary } from '../log/embedded/index.ts';

export interface LogOptions {
  readonly dataDir?: string;
  readonly bootstrapServers?: string;
}

export function dataDirOf(opts: LogOptions): string {
  return resolve(opts.dataDir ?? process.env.RIFFLE_DATA_DIR ?? '.riffle');
}

export async function openLog(opts: LogOptions): Promise<Log> {
  const servers = opts.bootstrapServers ?? process.env.RIFFLE_BOOTSTRAP_SERVERS;
  if (servers) {
    const { openKafkaLog, kafkaConfigFromEnv } = await import('../log/kafka/index.ts');
    return openKafkaLog({ ...kafkaConfigFromEnv(process.env), bootstrapServers: servers.split(',').map((s) => s.trim()) });
  }
  const log = await openEmbeddedLog(dataDirOf(opts));
  // One line at start-up when opening repaired anything; `riffle topic list` has the details.
  const summary = recoverySummary(log.recoveries);
  if (summary !== null) process.stderr.write(`${summary}\n`);
  return log;
}

export function describeLog(log: Log, opts: LogOptions): string {
  return log.kind === 'kafka' ? `Kafka at ${opts.bootstrapServers ?? process.env.RIFFLE_BOOTSTRAP_SERVERS}` : `embedded log in ${dataDirOf(opts)}`;
}
