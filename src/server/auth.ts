/**
 * Authentication and roles. Users and tokens live in a JSON file:
 *   {"users":  [{"name": "alice", "passwordHash": "$argon2id$...", "role": "admin"}],
 *    "tokens": [{"name": "grafana", "tokenHash": "$argon2id$...", "role": "read-only"}]}
 * Hashes are argon2id with a random salt each (@node-rs/argon2; `riffle server hash-password`
 * makes them); the file never holds a password or token. A verified credential is remembered
 * (by its SHA-256) for a minute so a stream of requests does not pay argon2's cost each time.
 * Roles: `admin` runs anything; `read-only` may SELECT, SHOW, DESCRIBE, EXPLAIN and PRINT.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { IncomingHttpHeaders } from 'node:http';
import type { Statement } from '../sql/ast.ts';

export type Role = 'admin' | 'read-only';

export interface Principal {
  readonly name: string;
  readonly role: Role;
}

/** Everyone, when no auth is configured (the server then listens on loopback only unless told otherwise). */
export const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };

interface Entry {
  readonly name: string;
  readonly hash: string;
  readonly role: Role;
}

const REMEMBER_MS = 60_000;
const REMEMBER_MAX = 10_000;

export class Authenticator {
  private readonly users = new Map<string, Entry>();
  private readonly tokens: Entry[] = [];
  private readonly remembered = new Map<string, { principal: Principal; until: number }>();
  /** Checks under way, so a burst of requests with the same new header costs one argon2 verify, not one each. */
  private readonly checking = new Map<string, Promise<Principal | null>>();

  static fromFile(file: string): Authenticator {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`Cannot read the users file ${file}: ${(e as Error).message}`);
    }
    return new Authenticator(parsed, file);
  }

  constructor(config: unknown, where = 'the users file') {
    const c = (config ?? {}) as { users?: unknown; tokens?: unknown };
    const list = (v: unknown, field: string, hashField: string): Entry[] => {
      if (v === undefined) return [];
      if (!Array.isArray(v)) throw new Error(`${where}: '${field}' must be an array`);
      return v.map((e: Record<string, unknown>, i) => {
        const role = e?.role ?? 'admin';
        if (typeof e?.name !== 'string' || typeof e?.[hashField] !== 'string' || !String(e[hashField]).startsWith('$argon2')) {
          throw new Error(`${where}: ${field}[${i}] needs a 'name' and an argon2 '${hashField}'`);
        }
        if (role !== 'admin' && role !== 'read-only') throw new Error(`${where}: ${field}[${i}] has role '${String(role)}' (admin or read-only)`);
        return { name: e.name, hash: String(e[hashField]), role };
      });
    };
    for (const u of list(c.users, 'users', 'passwordHash')) this.users.set(u.name, u);
    this.tokens.push(...list(c.tokens, 'tokens', 'tokenHash'));
    if (this.users.size === 0 && this.tokens.length === 0) throw new Error(`${where}: no users or tokens`);
  }

  /** The principal for the request's Authorization header, or null (401). */
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | null> {
    const header = headers.authorization;
    if (typeof header !== 'string' || header.length > 4096) return null;
    const digest = createHash('sha256').update(header).digest('base64');
    const known = this.remembered.get(digest);
    if (known && known.until > Date.now()) return known.principal;
    let pending = this.checking.get(digest);
    if (!pending) {
      pending = this.check(header).finally(() => this.checking.delete(digest));
      this.checking.set(digest, pending);
    }
    const principal = await pending;
    if (principal) {
      if (this.remembered.size >= REMEMBER_MAX) this.remembered.clear();
      this.remembered.set(digest, { principal, until: Date.now() + REMEMBER_MS });
    }
    return principal;
  }

  private async check(header: string): Promise<Principal | null> {
    const space = header.indexOf(' ');
    if (space < 0) return null;
    const scheme = header.slice(0, space).toLowerCase();
    const credential = header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const text = Buffer.from(credential, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) return null;
      const user = this.users.get(text.slice(0, colon));
      if (!user) return null;
      return (await safeVerify(user.hash, text.slice(colon + 1))) ? { name: user.name, role: user.role } : null;
    }
    if (scheme === 'bearer') {
      for (const t of this.tokens) if (await safeVerify(t.hash, credential)) return { name: t.name, role: t.role };
    }
    return null;
  }
}

async function safeVerify(hashed: string, secret: string): Promise<boolean> {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}

/** An argon2id hash with a random salt, for the users file. */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

/** What a read-only user may run: queries and metadata, nothing that changes the catalog or data. */
export function allowedFor(role: Role, s: Statement): boolean {
  if (role === 'admin') return true;
  switch (s.kind) {
    case 'QueryStatement':
    case 'Show':
    case 'Describe':
    case 'DescribeFunction':
    case 'DescribeModel':
    case 'DescribePipeline':
    case 'Explain':
    case 'Print':
    case 'AssertTopic': // reads topic metadata only
    case 'AssertSchema':
    case 'SetProperty':
    case 'UnsetProperty':
      return true;
    case 'CreateSource':
    case 'CreateAsSelect':
    case 'InsertInto':
    case 'InsertValues':
    case 'DropSource':
    case 'AlterSource':
    case 'CreateTopic':
    case 'DropTopic':
    case 'Terminate':
    case 'DefineVariable':
    case 'UndefineVariable':
    case 'CreateType':
    case 'DropType':
    case 'CreateModel':
    case 'AlterModel':
    case 'DropModel':
    case 'ExportModel': // writes a file on the server's machine
    case 'CreatePipeline': // writes files and starts runs with the server's credentials
    case 'DropPipeline':
    case 'PromoteModel':
    case 'SetPromotionRule':
      return false;
  }
}
