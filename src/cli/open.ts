/**
 * Opens the log the user configured: Apache Kafka when bootstrap servers are given (flag,
 * RIFFLE_BOOTSTRAP_SERVERS), otherwise the embedded log in the data directory.
 */
import { resolve } from 'node:path';
import type { Log } from '../log/log.ts';
import { openEmbeddedLog } from '../log/embedded/index.ts';

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
  return openEmbeddedLog(dataDirOf(opts));
}

export function describeLog(log: Log, opts: LogOptions): string {
  return log.kind === 'kafka' ? `Kafka at ${opts.bootstrapServers ?? process.env.RIFFLE_BOOTSTRAP_SERVERS}` : `embedded log in ${dataDirOf(opts)}`;
}
