/**
 * Server settings, from (highest first) command-line flags, environment variables, a JSON config
 * file (`--config FILE` or RIFFLE_SERVER_CONFIG), and defaults:
 *
 * | setting               | flag                     | environment                | file key              |
 * |-----------------------|--------------------------|----------------------------|-----------------------|
 * | listen address        | --listen HOST:PORT       | RIFFLE_LISTEN              | listen                |
 * | embedded log dir      | --data-dir DIR           | RIFFLE_DATA_DIR            | dataDir               |
 * | Kafka                 | --bootstrap-servers H    | RIFFLE_BOOTSTRAP_SERVERS   | bootstrapServers      |
 * | users/tokens file     | --users FILE             | RIFFLE_USERS_FILE          | users                 |
 * | TLS                   | --tls-cert F --tls-key F | RIFFLE_TLS_CERT/_KEY       | tls: {cert, key}      |
 * | no-auth remote bind   | --allow-insecure-remote  | RIFFLE_ALLOW_INSECURE_REMOTE=1 | allowInsecureRemote |
 * | log level             | --log-level L            | RIFFLE_LOG_LEVEL           | logLevel              |
 * | body limit (bytes)    | --body-limit N           | RIFFLE_BODY_LIMIT          | bodyLimitBytes        |
 * | idle timeout (ms)     | --idle-timeout-ms N      | RIFFLE_IDLE_TIMEOUT_MS     | idleTimeoutMs         |
 * | push queries per user | --max-push-queries N     | RIFFLE_MAX_PUSH_QUERIES    | maxPushQueriesPerUser |
 */
import { readFileSync } from 'node:fs';
import { isLogLevel, type LogLevel } from './logger.ts';
import { DEFAULTS } from './server.ts';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir?: string;
  readonly bootstrapServers?: string;
  readonly usersFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly allowInsecureRemote: boolean;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly idleTimeoutMs: number;
  readonly maxPushQueriesPerUser: number;
  /**
   * ksqlDB properties in force for every statement unless a request or SET overrides them (the
   * config file's "properties" object, as ksqlDB's server reads ksql.* from its properties file):
   * default formats, wrap single values, collect_list limits, commit interval, ...
   */
  readonly properties: Readonly<Record<string, string>>;
}

export type ServerFlags = Readonly<Record<string, string | boolean | undefined>>;

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v.trim()) ?? /^()()(\d+)$/.exec(v.trim());
  if (!m) throw new Error(`--listen wants HOST:PORT (or PORT), got '${v}'`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`Port out of range in '${v}'`);
  return { host: m[1] ?? (m[2] || DEFAULTS.host), port };
}

export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fileName = str(flags.config) ?? env.RIFFLE_SERVER_CONFIG;
  let file: Record<string, unknown> = {};
  if (fileName) {
    try {
      file = JSON.parse(readFileSync(fileName, 'utf8'));
    } catch (e) {
      throw new Error(`Cannot read the server config ${fileName}: ${(e as Error).message}`);
    }
    if (!file || typeof file !== 'object' || Array.isArray(file)) throw new Error(`The server config ${fileName} must be a JSON object`);
  }
  const tls = (file.tls ?? {}) as Record<string, unknown>;
  const pick = (flag: string, envName: string, key: unknown): string | undefined => str(flags[flag]) ?? env[envName] ?? (key === undefined || key === null ? undefined : String(key));
  const num = (flag: string, envName: string, key: unknown, dflt: number): number => {
    const v = pick(flag, envName, key);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got '${v}'`);
    return n;
  };
  const listen = parseListen(pick('listen', 'RIFFLE_LISTEN', file.listen) ?? `${DEFAULTS.host}:${DEFAULTS.port}`);
  const level = pick('log-level', 'RIFFLE_LOG_LEVEL', file.logLevel) ?? 'info';
  if (!isLogLevel(level)) throw new Error(`Unknown log level '${level}' (debug, info, warn, error, silent)`);
  return {
    ...listen,
    dataDir: pick('data-dir', 'RIFFLE_DATA_DIR', file.dataDir),
    bootstrapServers: pick('bootstrap-servers', 'RIFFLE_BOOTSTRAP_SERVERS', file.bootstrapServers),
    usersFile: pick('users', 'RIFFLE_USERS_FILE', file.users),
    tlsCert: pick('tls-cert', 'RIFFLE_TLS_CERT', tls.cert),
    tlsKey: pick('tls-key', 'RIFFLE_TLS_KEY', tls.key),
    allowInsecureRemote: flags['allow-insecure-remote'] === true || env.RIFFLE_ALLOW_INSECURE_REMOTE === '1' || file.allowInsecureRemote === true,
    logLevel: level,
    bodyLimitBytes: num('body-limit', 'RIFFLE_BODY_LIMIT', file.bodyLimitBytes, DEFAULTS.bodyLimitBytes),
    idleTimeoutMs: num('idle-timeout-ms', 'RIFFLE_IDLE_TIMEOUT_MS', file.idleTimeoutMs, DEFAULTS.idleTimeoutMs),
    maxPushQueriesPerUser: num('max-push-queries', 'RIFFLE_MAX_PUSH_QUERIES', file.maxPushQueriesPerUser, DEFAULTS.maxPushQueriesPerUser),
    properties: propertiesOf(file.properties, fileName),
  };
}

function propertiesOf(v: unknown, fileName: string | undefined): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`The server config ${fileName}: "properties" must be an object of property names to values`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw new Error(`The server config ${fileName}: property '${k}' must be a string, number or boolean`);
    out[k] = String(x);
  }
  return out;
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
