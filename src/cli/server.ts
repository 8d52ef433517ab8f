/**
 * `riffle server [--listen HOST:PORT] [--config FILE] [--data-dir DIR | --bootstrap-servers H]
 *  [--users FILE] [--tls-cert F --tls-key F] [--detach [--pid-file F]]`,
 * `riffle server stop [--data-dir DIR | --pid-file F]`, `riffle server hash-password` (reads
 * the secret from stdin, prints an argon2id hash for the users file).
 * SIGTERM and SIGINT stop the server cleanly: client push queries end, persistent queries stop
 * and commit, the log closes, and the discovery and pid files are removed.
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { resolveServerConfig } from '../server/config.ts';
import { RiffleServer } from '../server/server.ts';
import { Authenticator, hashSecret } from '../server/auth.ts';
import { createLogger } from '../server/logger.ts';
import { findServer, pidFile, processAlive, removeAdvert, writeAdvert } from '../server/discovery.ts';
import { openSession } from './session.ts';
import { dataDirOf } from './open.ts';

const OPTIONS = {
  listen: { type: 'string' },
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  'bootstrap-servers': { type: 'string' },
  users: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'allow-insecure-remote': { type: 'boolean' },
  'log-level': { type: 'string' },
  'body-limit': { type: 'string' },
  'idle-timeout-ms': { type: 'string' },
  'max-push-queries': { type: 'string' },
  detach: { type: 'boolean' },
  'pid-file': { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

export async function serverCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  switch (positionals[0]) {
    case undefined:
    case 'start':
      return values.detach ? detach(argv.filter((a) => a !== '--detach' && a !== 'start'), values) : runServer(values);
    case 'stop':
      return stopServer(values);
    case 'hash-password':
      return hashPassword();
    default:
      process.stderr.write(`riffle server: unknown subcommand '${positionals[0]}' (start, stop, hash-password)\n`);
      return 2;
  }
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function pidFileOf(values: Values, dataDir: string): string {
  return resolve(values['pid-file'] ?? pidFile(dataDir));
}

async function runServer(values: Values): Promise<number> {
  const config = resolveServerConfig(values);
  const logger = createLogger(config.logLevel);
  const authenticator = config.usersFile ? Authenticator.fromFile(config.usersFile) : null;
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw new Error('TLS needs both --tls-cert and --tls-key');
  const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : null;
  const embedded = !(config.bootstrapServers ?? process.env.RIFFLE_BOOTSTRAP_SERVERS);
  const dataDir = dataDirOf({ dataDir: config.dataDir });
  const session = await openSession({ dataDir: config.dataDir, bootstrapServers: config.bootstrapServers, properties: config.properties });
  let server: RiffleServer;
  try {
    server = new RiffleServer({
      engine: session.engine,
      host: config.host,
      port: config.port,
      authenticator,
      allowInsecureRemote: config.allowInsecureRemote,
      tls,
      bodyLimitBytes: config.bodyLimitBytes,
      idleTimeoutMs: config.idleTimeoutMs,
      maxPushQueriesPerUser: config.maxPushQueriesPerUser,
      logger,
    });
    await server.start();
  } catch (e) {
    await session.close();
    throw e;
  }
  if (embedded) writeAdvert(dataDir, { pid: process.pid, url: server.url, startedAt: Date.now() });
  logger.info('riffle server started', { log: session.where, queries: session.engine.tasks.size, pid: process.pid });
  const signal = await new Promise<string>((r) => {
    process.once('SIGTERM', () => r('SIGTERM'));
    process.once('SIGINT', () => r('SIGINT'));
  });
  logger.info('stopping', { signal });
  if (embedded) removeAdvert(dataDir);
  await server.stop();
  await session.close();
  logger.info('stopped');
  return 0;
}

/** Starts the server in the background, writes its pid file, and returns once it listens. */
async function detach(args: string[], values: Values): Promise<number> {
  const config = resolveServerConfig(values);
  const dataDir = dataDirOf({ dataDir: config.dataDir });
  mkdirSync(dataDir, { recursive: true });
  const pids = pidFileOf(values, dataDir);
  const logFile = join(dataDir, 'server.log');
  const out = openSync(logFile, 'a');
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'riffle.js');
  const child = spawn(process.execPath, [bin, 'server', ...args], { detached: true, stdio: ['ignore', out, out], env: process.env });
  writeFileSync(pids, `${child.pid}\n`);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + Number(values['timeout-ms'] ?? 60_000);
  while (Date.now() < deadline) {
    if (exited !== null) {
      rmSync(pids, { force: true });
      process.stderr.write(`riffle server failed to start (exit ${exited}); see ${logFile}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-6).join('\n')}\n`);
      return 1;
    }
    const advert = findServer(dataDir);
    if (advert && advert.pid === child.pid) {
      child.unref();
      process.stdout.write(`riffle server running at ${advert.url} (pid ${child.pid}, log ${logFile}, pid file ${pids})\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write(`riffle server did not come up within the timeout; see ${logFile}\n`);
  child.unref();
  return 1;
}

async function stopServer(values: Values): Promise<number> {
  const dataDir = dataDirOf({ dataDir: values['data-dir'] });
  const pids = pidFileOf(values, dataDir);
  let pid: number | null = null;
  if (existsSync(pids)) pid = Number(readFileSync(pids, 'utf8').trim()) || null;
  pid ??= findServer(dataDir)?.pid ?? null;
  if (pid === null || !processAlive(pid)) {
    rmSync(pids, { force: true });
    process.stderr.write(`No riffle server is running for ${dataDir}.\n`);
    return 1;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + Number(values['timeout-ms'] ?? 60_000);
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) {
    process.stderr.write(`riffle server (pid ${pid}) did not stop within the timeout.\n`);
    return 1;
  }
  rmSync(pids, { force: true });
  process.stdout.write(`riffle server (pid ${pid}) stopped.\n`);
  return 0;
}

async function hashPassword(): Promise<number> {
  if (process.stdin.isTTY) process.stderr.write('Password or token (then Enter): ');
  const rl = createInterface({ input: process.stdin });
  let secret = '';
  for await (const line of rl) {
    secret = line;
    break;
  }
  rl.close();
  if (!secret) {
    process.stderr.write('riffle server hash-password: nothing read from stdin\n');
    return 2;
  }
  process.stdout.write((await hashSecret(secret)) + '\n');
  return 0;
}
