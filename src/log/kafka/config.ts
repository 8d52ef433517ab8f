/**
 * Connection settings for Apache Kafka and their translation into @platformatic/kafka client
 * options. One `KafkaConfig` serves the admin client, producers and consumers alike.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { BaseOptions } from '@platformatic/kafka';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface KafkaConfig {
  /** `host:port` entries; use `127.0.0.1`, not `localhost` (Node may resolve `::1`). */
  readonly bootstrapServers: readonly string[];
  /** Prefix of every client id this log creates (default `riffle`). */
  readonly clientId?: string;
  /** TLS to the brokers: `true` = system CAs; an object = Node's `tls.connect` options (e.g. `ca`). */
  readonly tls?: true | { readonly ca?: string | Buffer; readonly rejectUnauthorized?: boolean; readonly servername?: string };
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
  /** Per-request timeout in ms (default 30000). */
  readonly requestTimeoutMs?: number;
  /**
   * Consumer group session timeout for every consumer of this log (default 45000): how long a
   * crashed member holds its partitions before the group moves them. Must lie within the broker's
   * group.min/max.session.timeout.ms.
   */
  readonly sessionTimeoutMs?: number;
  /** Who encodes uncompressed record batches (default 'riffle'; see KafkaProducerOptions.batchEncoder). */
  readonly batchEncoder?: 'riffle' | 'library';
  /**
   * Who parses Fetch responses and decodes their record batches: 'riffle' (default,
   * ./fetch-response.ts and ./record-batch-reader.ts) or 'library' (@platformatic/kafka's parser;
   * kept for comparison).
   */
  readonly batchDecoder?: 'riffle' | 'library';
}

const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/**
 * Reads the Kafka settings from the environment. `bootstrapServers` is empty when
 * `RIFFLE_BOOTSTRAP_SERVERS` is unset (callers may take the servers from elsewhere, e.g. a CLI
 * flag, and keep the TLS/SASL settings read here).
 *
 * - `RIFFLE_BOOTSTRAP_SERVERS`: comma-separated `host:port` list
 * - `RIFFLE_KAFKA_SASL_MECHANISM` (PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512), `RIFFLE_KAFKA_SASL_USERNAME`,
 *   `RIFFLE_KAFKA_SASL_PASSWORD`
 * - `RIFFLE_KAFKA_TLS=true`; `RIFFLE_KAFKA_TLS_CA=<PEM file>` (implies TLS)
 * - `RIFFLE_KAFKA_CLIENT_ID`
 * - `RIFFLE_KAFKA_SESSION_TIMEOUT_MS`: consumer group session timeout
 * - `RIFFLE_KAFKA_BATCH_ENCODER` (riffle | library): record-batch encoder of the producers
 * - `RIFFLE_KAFKA_BATCH_DECODER` (riffle | library): Fetch response parser of the consumers
 * Throws on inconsistent settings (e.g. a mechanism without credentials) rather than connecting
 * without the authentication the operator asked for.
 */
export function kafkaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const servers = (env.RIFFLE_BOOTSTRAP_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const s of servers) {
    if (!/^[^\s:]+:\d+$/.test(s) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(s)) {
      throw new Error(`RIFFLE_BOOTSTRAP_SERVERS: '${s}' is not host:port`);
    }
  }
  let tls: KafkaConfig['tls'];
  const caFile = env.RIFFLE_KAFKA_TLS_CA?.trim();
  const tlsFlag = env.RIFFLE_KAFKA_TLS?.trim().toLowerCase();
  if (caFile) tls = { ca: readFileSync(caFile) };
  else if (tlsFlag === 'true' || tlsFlag === '1') tls = true;
  else if (tlsFlag && tlsFlag !== 'false' && tlsFlag !== '0') {
    throw new Error(`RIFFLE_KAFKA_TLS: expected true or false, got '${env.RIFFLE_KAFKA_TLS}'`);
  }
  let sasl: KafkaConfig['sasl'];
  const mechanism = env.RIFFLE_KAFKA_SASL_MECHANISM?.trim().toUpperCase();
  if (mechanism) {
    if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
      throw new Error(`RIFFLE_KAFKA_SASL_MECHANISM: expected one of ${SASL_MECHANISMS.join(', ')}, got '${mechanism}'`);
    }
    const username = env.RIFFLE_KAFKA_SASL_USERNAME;
    const password = env.RIFFLE_KAFKA_SASL_PASSWORD;
    if (!username || password === undefined) {
      throw new Error('RIFFLE_KAFKA_SASL_MECHANISM is set: RIFFLE_KAFKA_SASL_USERNAME and RIFFLE_KAFKA_SASL_PASSWORD are required');
    }
    sasl = { mechanism: mechanism as SaslMechanism, username, password };
  }
  const clientId = env.RIFFLE_KAFKA_CLIENT_ID?.trim() || undefined;
  let sessionTimeoutMs: number | undefined;
  const session = env.RIFFLE_KAFKA_SESSION_TIMEOUT_MS?.trim();
  if (session) {
    sessionTimeoutMs = Number(session);
    if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs <= 0) {
      throw new Error(`RIFFLE_KAFKA_SESSION_TIMEOUT_MS: expected a positive integer (ms), got '${session}'`);
    }
  }
  const encoder = env.RIFFLE_KAFKA_BATCH_ENCODER?.trim().toLowerCase();
  if (encoder && encoder !== 'riffle' && encoder !== 'library') {
    throw new Error(`RIFFLE_KAFKA_BATCH_ENCODER: expected riffle or library, got '${encoder}'`);
  }
  const batchEncoder = encoder as KafkaConfig['batchEncoder'];
  const decoder = env.RIFFLE_KAFKA_BATCH_DECODER?.trim().toLowerCase();
  if (decoder && decoder !== 'riffle' && decoder !== 'library') {
    throw new Error(`RIFFLE_KAFKA_BATCH_DECODER: expected riffle or library, got '${decoder}'`);
  }
  const batchDecoder = decoder as KafkaConfig['batchDecoder'];
  return {
    bootstrapServers: servers,
    clientId,
    tls,
    sasl,
    ...(sessionTimeoutMs ? { sessionTimeoutMs } : {}),
    ...(batchEncoder ? { batchEncoder } : {}),
    ...(batchDecoder ? { batchDecoder } : {}),
  };
}

let clientSeq = 0;

/** A unique client id per client instance: `<prefix>-<role>-<pid>-<n>` (shows in broker logs and quotas). */
export function clientIdFor(config: KafkaConfig, role: string): string {
  return `${config.clientId ?? 'riffle'}-${role}-${process.pid}-${++clientSeq}`;
}

/** Exponential backoff from 100 ms, capped at 2 s: with `retries` 15 an operation gives up after ~25 s. */
function retryDelay(_client: unknown, _op: string, attempt: number): number {
  return Math.min(100 * 2 ** (attempt - 1), 2000);
}

/** Options every @platformatic/kafka client built from `config` shares. */
export function baseClientOptions(config: KafkaConfig, role: string): BaseOptions {
  const options: BaseOptions = {
    clientId: clientIdFor(config, role),
    bootstrapBrokers: [...config.bootstrapServers],
    timeout: config.requestTimeoutMs ?? 30_000,
    connectTimeout: 10_000,
    retries: 15,
    retryDelay,
    // Topics are created explicitly (Log.createTopic/ensureTopic); never as a side effect of a
    // metadata request for a misspelt name.
    autocreateTopics: false,
  };
  if (config.tls) {
    options.tls = config.tls === true ? {} : ({ ...config.tls } as TlsOptions);
  }
  if (config.sasl) {
    options.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password };
  }
  return options;
}
