/**
 * The LMDB environment of a query's state: one file (`state.mdb`) per state directory, one named
 * database per store (./lmdb-store.ts), a meta database (incarnation id, changelog checkpoints),
 * and one commit point for all of them (`commit`: every deferred store's writes and the meta
 * entries in ONE transaction).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { open, type Database, type RootDatabase } from 'lmdb';
import { defaultCodec, type ValueCodec } from './codec.ts';
import { checkLmdbFile, consumeLmdbSum, lmdbSumFile, writeLmdbSum } from './lmdb-file-check.ts';
import { LongKeyTable, storeTag } from './lmdb-long-keys.ts';
import { LmdbStore, type PreparedCommit } from './lmdb-store.ts';

const META_DB = '__riffle_meta';
const LONG_KEYS_DB = '__riffle_long_keys';
const ENV_FILE = 'state.mdb';
/**
 * Address space reserved for the file's memory map at open. lmdb-js starts with a 128 KiB map and
 * doubles it as the file grows, keeping every earlier map until the environment closes (for reads
 * still in flight): each page read through an old map and again through a newer one is resident
 * twice, so a growing store's pages counted in the process's RSS up to about twice the file size.
 * One map large enough for any store keeps each page resident at most once. Reserving address
 * space costs no memory (the file only grows as pages are written; nothing is pre-allocated on
 * Linux or macOS), and a file that outgrows it still works (the map grows as before).
 */
const MAP_SIZE = 64 * 1024 ** 3;

export class CorruptLocalStateError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`Local state ${file} is unusable: ${problem}`);
    this.file = file;
  }
}

/** The files of an environment in its directory (to delete a corrupt one). */
export const LMDB_FILES: readonly string[] = [ENV_FILE, `${ENV_FILE}-lock`, lmdbSumFile(ENV_FILE)];

export class LmdbEnv {
  readonly dir: string;
  /** Random id written when the environment file was created: a checkpoint taken against another incarnation is void. */
  readonly incarnation: string;
  private readonly root: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly stores = new Map<string, LmdbStore<any>>();
  /** Keys above LMDB's limit, of every store (./lmdb-long-keys.ts); opened on first use. */
  private longKeys: Database<Buffer, Buffer> | null = null;
  private commitChain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(dir: string, root: RootDatabase, meta: Database<unknown, string>, incarnation: string) {
    this.dir = dir;
    this.root = root;
    this.meta = meta;
    this.incarnation = incarnation;
  }

  /**
   * Opens (creating if needed) the environment in `dir`. Throws CorruptLocalStateError when the
   * file is not a sound LMDB file (checked first: lmdb-js would crash the process on it) or
   * differs from what the last clean close left (./lmdb-file-check.ts).
   */
  static open(dir: string): LmdbEnv {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, ENV_FILE);
    const problem = checkLmdbFile(file) ?? consumeLmdbSum(file);
    if (problem !== null) throw new CorruptLocalStateError(file, problem);
    const root = open({ path: file, maxDbs: 256, mapSize: MAP_SIZE });
    try {
      const meta = root.openDB<unknown, string>({ name: META_DB, keyEncoding: 'ordered-binary', encoding: 'msgpack' });
      let incarnation = meta.get('incarnation');
      if (typeof incarnation !== 'string') {
        incarnation = randomUUID();
        meta.putSync('incarnation', incarnation);
      }
      return new LmdbEnv(dir, root, meta, incarnation as string);
    } catch (e) {
      root.close().catch(() => {});
      throw e;
    }
  }

  /**
   * Opens the store kept in LMDB database `dbName` (once per name while open); `name` is the
   * store's name as reported (default: dbName).
   */
  store<V>(dbName: string, codec: ValueCodec<V> = defaultCodec<V>(), name = dbName, options: { deferred?: boolean } = {}): LmdbStore<V> {
    if (this.closed) throw new Error(`LMDB environment ${this.dir} is closed`);
    if (dbName === META_DB || dbName === LONG_KEYS_DB) throw new Error(`Store name '${dbName}' is reserved`);
    const existing = this.stores.get(dbName);
    if (existing) return existing as LmdbStore<V>;
    const db = this.root.openDB<Buffer, Buffer>({ name: dbName, keyEncoding: 'binary', encoding: 'binary' });
    this.longKeys ??= this.root.openDB<Buffer, Buffer>({ name: LONG_KEYS_DB, keyEncoding: 'binary', encoding: 'binary' });
    const long = new LongKeyTable(this.longKeys, storeTag(dbName));
    const store = new LmdbStore<V>(name, db, codec, () => this.stores.delete(dbName), long);
    store.deferred = options.deferred === true;
    this.stores.set(dbName, store);
    return store;
  }

  /** A value written by `commit` under `key` (e.g. a store's changelog checkpoint); undefined if none. */
  readMeta(key: string): unknown {
    if (key === 'incarnation') throw new Error("meta key 'incarnation' is reserved");
    return this.meta.get(key);
  }

  /**
   * The environment's commit point: the pending writes of every store opened with `deferred`
   * (whose own flush commits nothing) and the `meta` entries (undefined deletes) in ONE LMDB
   * transaction, so all of them are on disk together or none is. A failed commit leaves every
   * store's writes pending. Commits are serialised.
   */
  commit(meta: ReadonlyMap<string, unknown> = new Map()): Promise<void> {
    const p = this.commitChain.then(() => this.commitNow(meta));
    this.commitChain = p.catch(() => {});
    return p;
  }

  private async commitNow(meta: ReadonlyMap<string, unknown>): Promise<void> {
    if (this.closed) throw new Error(`LMDB environment ${this.dir} is closed`);
    const prepared: PreparedCommit[] = [];
    for (const s of this.stores.values()) {
      if (!s.deferred) continue;
      const p = s.prepare();
      if (p !== null) prepared.push(p);
    }
    if (prepared.length === 0 && meta.size === 0) return;
    try {
      await this.root.transaction(() => {
        for (const p of prepared) p.apply();
        for (const [k, v] of meta) {
          if (v === undefined) this.meta.removeSync(k);
          else this.meta.putSync(k, v);
        }
      });
    } catch (e) {
      for (const p of prepared) p.settle(false);
      throw e;
    }
    for (const p of prepared) p.settle(true);
  }

  /**
   * Writes one meta entry in a transaction of its own, leaving the deferred stores' pending
   * writes pending: for a checkpoint that describes what a non-deferred store already holds
   * (a full restore's result), which must not wait for, nor take along, a batch's writes.
   */
  commitMeta(key: string, value: unknown): Promise<void> {
    if (key === 'incarnation') throw new Error("meta key 'incarnation' is reserved");
    const p = this.commitChain.then(async () => {
      if (this.closed) throw new Error(`LMDB environment ${this.dir} is closed`);
      await this.root.transaction(() => this.meta.putSync(key, value));
    });
    this.commitChain = p.catch(() => {});
    return p;
  }

  /** Resolves when every commit so far is flushed to disk (not just visible). */
  durable(): Promise<void> {
    return Promise.resolve(this.root.flushed).then(() => undefined);
  }

  /** Flushes and closes every open store (deferred ones: commits their writes first), then the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    for (const s of [...this.stores.values()]) await s.close();
    this.closed = true;
    await this.root.close();
    // A clean close vouches for the file: the next open detects damage done in between.
    writeLmdbSum(path.join(this.dir, ENV_FILE));
  }

  /** Closes without flushing: un-flushed writes are dropped (the state is being deleted). */
  async discard(): Promise<void> {
    if (this.closed) return;
    for (const s of [...this.stores.values()]) await s.discard();
    this.closed = true;
    await this.root.close();
  }
}
