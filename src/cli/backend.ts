/**
 * Where the CLI's statements run: in this process on the log (`local`), or on a Riffle server
 * (`remote`) — the one given by --server / RIFFLE_SERVER, or the one that owns the data
 * directory (it advertises itself in `<dataDir>/server.json`).
 */
import type { Writable } from 'node:stream';
import { findServer } from '../server/discovery.ts';
import { dataDirOf, type LogOptions } from './open.ts';
import { openSession, presentResult, type Session } from './session.ts';
import { RemoteClient, RemoteError } from './remote.ts';
import { formatError } from './errors.ts';
import { splitStatements, stripComments } from './script-text.ts';

export interface Backend {
  readonly where: string;
  /** Runs a script; push queries and PRINT stream to `out` until they end or `signal` aborts. Errors are written, not thrown. */
  run(sql: string, out: Writable, signal?: AbortSignal, errors?: Writable): Promise<boolean>;
  /** Persistent queries running (local) or null when they run on a server. */
  readonly localSession: Session | null;
  readonly remote: RemoteClient | null;
  close(): Promise<void>;
}

export interface TargetOptions extends LogOptions {
  readonly server?: string;
}

/** The server URL to use, if any: explicit, or the live server owning the embedded data directory. */
export function serverUrlFor(opts: TargetOptions, env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = opts.server ?? env.RIFFLE_SERVER;
  if (explicit) return explicit;
  if (opts.bootstrapServers ?? env.RIFFLE_BOOTSTRAP_SERVERS) return null;
  return findServer(dataDirOf(opts))?.url ?? null;
}

export async function openBackend(opts: TargetOptions): Promise<Backend> {
  const url = serverUrlFor(opts);
  if (url) return remoteBackend(new RemoteClient(url));
  const session = await openSession(opts);
  return {
    where: session.where,
    localSession: session,
    remote: null,
    async run(sql, out, signal, errors = out) {
      const write = (s: string) => void out.write(s);
      try {
        for (const r of await session.engine.execute(sql)) {
          if (signal?.aborted) break;
          await presentResult(r, write, signal, out);
        }
        return true;
      } catch (e) {
        errors.write(formatError(e, sql) + '\n');
        return false;
      }
    },
    close: () => session.close(),
  };
}

function remoteBackend(client: RemoteClient): Backend {
  // Session properties live in the client, as in ksqlDB's CLI: SET/UNSET change them, every request carries them.
  const properties: Record<string, string> = {};
  return {
    where: `the Riffle server at ${client.url.origin}`,
    localSession: null,
    remote: client,
    async run(sql, out, signal, errors = out) {
      const write = (s: string) => void out.write(s);
      for (const statement of splitStatements(sql)) {
        if (signal?.aborted) break;
        try {
          const set = /^\s*set\s+'([^']+)'\s*=\s*'([^']*)'\s*;?\s*$/is.exec(statement);
          const unset = /^\s*unset\s+'([^']+)'\s*;?\s*$/is.exec(statement);
          if (set) {
            properties[set[1]] = set[2];
            write(`Successfully changed local property '${set[1]}' to '${set[2]}'.\n`);
          } else if (unset) {
            delete properties[unset[1]];
            write(`Successfully unset local property '${unset[1]}'.\n`);
          } else if (isStreaming(statement)) {
            const rows = await client.stream(statement, properties, out, signal);
            if (!/^\s*print\b/i.test(stripComments(statement))) write(`${rows} row${rows === 1 ? '' : 's'}. Query terminated.\n`);
          } else {
            for (const text of await client.execute(statement, properties)) write(text + '\n');
          }
        } catch (e) {
          errors.write(e instanceof RemoteError ? `Error: ${e.message}\n` : formatError(e, statement) + '\n');
          return false;
        }
      }
      return true;
    },
    async close() {
      client.close();
    },
  };
}

function isStreaming(statement: string): boolean {
  return /^\s*(select|print)\b/i.test(stripComments(statement));
}

