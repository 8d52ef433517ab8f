/**
 * Opens the state stores of running queries under stable names (./naming.ts), restores them from
 * their changelogs, and flushes, closes and deletes them per query.
 *
 * Stack per store: MeteredStore → CachingStore (unless cacheMaxEntries = 0) → ChangeLoggingStore
 * (when there is a log) → LmdbStore (one LMDB environment per query: `<dataDir>/state/<queryId>/`)
 * or InMemoryStore. Window and session stores sit on top of such a stack.
 *
 * Opening a store (async: restoration can take long, reported through onRestoreProgress):
 * - ensure the changelog topic (1 partition, compacted; window and session changelogs also delete
 *   by time, as Kafka Streams': retention = the store's + window size + one day, since their
 *   expired entries are never tombstoned — unless the topic exists without time retention, in
 *   which case expiry is logged);
 * - LMDB: a valid checkpoint for this environment incarnation and codec whose offset lies within
 *   the changelog → replay only the changelog from that offset; otherwise (no/corrupt checkpoint,
 *   re-created local file, truncated or re-created topic) → empty the store and replay from the
 *   start. An LMDB file that does not open is deleted and rebuilt.
 * - in-memory: always replayed from the start.
 *
 * Checkpoints are written after each flush that logged changes, once LMDB reports the commit on
 * disk (in the background: a flush does not wait for the fsync), and on close.
 *
 * The query task calls `flushAll(queryId)` before committing input offsets.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Log, Producer } from '../log/log.ts';
import { CachingStore } from './caching-store.ts';
import { ChangeLoggingStore } from './change-logging-store.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { msgpackCodec } from './codec.ts';
import { InMemoryStore } from './in-memory-store.ts';
import { CorruptLocalStateError, LMDB_FILES, LmdbEnv } from './lmdb-store.ts';
import { MeteredStore, type StoreStats } from './metered-store.ts';
import { changelogTopicName, operatorFileName, queryStateDir, storeName } from './naming.ts';
import { restoreFromChangelog, type RestoreProgress } from './restore.ts';
import { SessionStore, type SessionStoreOptions } from './session-store.ts';
import type { KeyValueStore } from './store.ts';
import { WindowStore, type WindowStoreOptions } from './window-store.ts';

export interface StoreRegistryOptions {
  readonly dataDir: string;
  /** Prefix of changelog topic names (ksql.service.id). */
  readonly serviceId: string;
  /** Where changelogs live; null: no changelogs (state lives and dies with the local store). */
  readonly log: Log | null;
  /** Default 'lmdb'. */
  readonly backend?: 'lmdb' | 'memory';
  /** Entries cached per store; 0 disables the cache layer. Default 10,000. */
  readonly cacheMaxEntries?: number;
  readonly onRestoreProgress?: (store: string, progress: RestoreProgress) => void;
  /** A query's local state was found damaged on open and is rebuilt from its changelogs. */
  readonly onDamagedState?: (damage: StateDamage) => void;
}

/** Local state found damaged when it was opened (then deleted and rebuilt from the changelogs). */
export interface StateDamage {
  readonly queryId: string;
  readonly file: string;
  readonly problem: string;
}

export type StoreKind = 'keyValue' | 'window' | 'session';

/** What opening a store did, for logs and tests. */
export interface RestoreSummary {
  readonly mode: 'none' | 'full' | 'partial';
  readonly records: number;
  readonly ms: number;
  /** Why a full restore was needed, when it was. */
  readonly reason?: string;
}

export interface StoreInfo extends StoreStats {
  readonly queryId: string;
  readonly kind: StoreKind;
  readonly restore: RestoreSummary;
}

interface Handle {
  readonly queryId: string;
  readonly operator: string;
  readonly name: string;
  readonly kind: StoreKind;
  readonly metered: MeteredStore<unknown>;
  /** What flushAll/closeAll call: the window/session store, or the metered stack. */
  readonly top: { flush(): Promise<void>; close(): Promise<void> };
  readonly restore: RestoreSummary;
  checkpoints: Promise<void>;
}

interface Manifest {
  version: 1;
  stores: { operator: string; topic: string }[];
}

const MANIFEST = 'stores.json';

/**
 * Kafka Streams' windowstore.changelog.additional.retention.ms: a window/session changelog keeps
 * records this long beyond the store's own retention (a margin for clock skew and for stream
 * time that stands still), then deletes them by time.
 */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000;

export class StoreRegistry {
  readonly dataDir: string;
  readonly serviceId: string;
  private readonly log: Log | null;
  private readonly backend: 'lmdb' | 'memory';
  private readonly cacheMaxEntries: number;
  private readonly onRestoreProgress: StoreRegistryOptions['onRestoreProgress'];
  private readonly onDamagedState: StoreRegistryOptions['onDamagedState'];
  /** Damaged local state found by this registry (each rebuilt from its changelogs), for metrics and tests. */
  readonly damaged: StateDamage[] = [];
  /** Queries whose environment was re-created because it was damaged: their full restores say why. */
  private readonly damageReason = new Map<string, string>();
  private readonly handles = new Map<string, Handle>();
  private readonly envs = new Map<string, LmdbEnv>();
  private producer: Producer | null = null;

  constructor(options: StoreRegistryOptions) {
    this.dataDir = options.dataDir;
    this.serviceId = options.serviceId;
    this.log = options.log;
    this.backend = options.backend ?? 'lmdb';
    this.cacheMaxEntries = options.cacheMaxEntries ?? 10_000;
    this.onRestoreProgress = options.onRestoreProgress;
    this.onDamagedState = options.onDamagedState;
  }

  stateDir(queryId: string): string {
    return queryStateDir(this.dataDir, queryId);
  }

  changelogTopic(queryId: string, operator: string): string {
    return changelogTopicName(this.serviceId, queryId, operator);
  }

  async keyValueStore<V>(queryId: string, operator: string): Promise<MeteredStore<V>> {
    return (await this.open(queryId, operator, 'keyValue', null, (m) => m)).metered as MeteredStore<V>;
  }

  async windowStore<V>(queryId: string, operator: string, options: WindowStoreOptions): Promise<WindowStore<V>> {
    const retention = options.retentionMs + options.windowSizeMs + CHANGELOG_ADDITIONAL_RETENTION_MS;
    const h = await this.open(queryId, operator, 'window', retention, (m) => new WindowStore<V>(m, options));
    return h.top as WindowStore<V>;
  }

  async sessionStore<V>(queryId: string, operator: string, options: SessionStoreOptions): Promise<SessionStore<V>> {
    const retention = options.retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS;
    const h = await this.open(queryId, operator, 'session', retention, (m) => new SessionStore<V>(m, options));
    return h.top as SessionStore<V>;
  }

  /** Stats of the open stores (of one query, or all). */
  stats(queryId?: string): StoreInfo[] {
    return this.select(queryId).map((h) => ({
      ...h.metered.stats(),
      queryId: h.queryId,
      kind: h.kind,
      restore: h.restore,
    }));
  }

  /** The commit point of a query's state: call before committing its input offsets. */
  async flushAll(queryId?: string): Promise<void> {
    await Promise.all(this.select(queryId).map((h) => h.top.flush()));
  }

  /**
   * Flushes and closes the stores of one query whose operator name matches (the stores of a
   * partition this instance no longer owns); the environment stays open.
   */
  async closeStores(queryId: string, match: (operator: string) => boolean): Promise<void> {
    for (const h of this.select(queryId).filter((x) => match(x.operator))) {
      await h.top.close();
      await h.checkpoints;
      this.handles.delete(h.name);
    }
  }

  /** Flushes and closes the stores (and LMDB environments) of one query, or all. */
  async closeAll(queryId?: string): Promise<void> {
    const hs = this.select(queryId);
    const errors: unknown[] = [];
    for (const h of hs) {
      try {
        await h.top.close();
        await h.checkpoints;
      } catch (e) {
        errors.push(e);
      }
      this.handles.delete(h.name);
    }
    for (const [q, env] of [...this.envs]) {
      if (queryId !== undefined && q !== queryId) continue;
      await env.close();
      this.envs.delete(q);
    }
    if (queryId === undefined && this.producer) {
      await this.producer.close();
      this.producer = null;
    }
    if (errors.length > 0) throw errors[0];
  }

  /**
   * Deletes all state of a query (TERMINATE + DROP): closes its stores without flushing, removes
   * its state directory and its changelog topics.
   */
  async deleteQueryState(queryId: string): Promise<void> {
    const topics = new Set<string>(this.readManifest(queryId).stores.map((s) => s.topic));
    for (const h of this.select(queryId)) {
      topics.add(this.changelogTopic(h.queryId, h.operator));
      this.handles.delete(h.name);
    }
    const env = this.envs.get(queryId);
    if (env) {
      await env.discard();
      this.envs.delete(queryId);
    }
    fs.rmSync(this.stateDir(queryId), { recursive: true, force: true });
    if (this.log) {
      for (const t of topics) {
        if ((await this.log.describeTopic(t)) !== null) await this.log.deleteTopic(t);
      }
    }
  }

  private select(queryId: string | undefined): Handle[] {
    return [...this.handles.values()].filter((h) => queryId === undefined || h.queryId === queryId);
  }

  private async open(
    queryId: string,
    operator: string,
    kind: StoreKind,
    /** Time retention of the changelog (segmented stores, whose expiry is not logged); null: none. */
    retentionMs: number | null,
    wrap: (m: MeteredStore<unknown>) => { flush(): Promise<void>; close(): Promise<void> },
  ): Promise<Handle> {
    const name = storeName(queryId, operator);
    if (this.handles.has(name)) throw new Error(`State store '${name}' is already open`);
    const dir = this.stateDir(queryId);
    const env = this.backend === 'lmdb' ? this.env(queryId) : null;
    const base: KeyValueStore<unknown> = env ? env.store<unknown>(operator, msgpackCodec, name) : new InMemoryStore<unknown>(name);
    let stack: KeyValueStore<unknown> = base;
    let restore: RestoreSummary = { mode: 'none', records: 0, ms: 0 };
    const ckptFile = path.join(dir, `${operatorFileName(operator)}.checkpoint`);
    let handle: Handle | null = null;
    if (this.log) {
      const log = this.log;
      const topic = this.changelogTopic(queryId, operator);
      const described = await log.ensureTopic(
        topic,
        retentionMs === null ? { partitions: 1, cleanupPolicy: 'compact' } : { partitions: 1, cleanupPolicy: 'compact,delete', retentionMs },
      );
      // An older topic may be compact-only: then expired entries must be tombstoned.
      const policy = described.config.cleanupPolicy;
      const timeRetained = (policy === 'compact,delete' || policy === 'delete') && (described.config.retentionMs ?? -1) >= 0;
      this.addToManifest(queryId, operator, topic);
      const bounds = (await log.offsets(topic)).find((o) => o.partition === 0) ?? { start: 0, end: 0 };
      const ckpt = env ? readCheckpoint(ckptFile) : null;
      let reason: string | undefined;
      if (!env) reason = 'in-memory store';
      else if (ckpt === null) reason = 'no valid checkpoint';
      else if (ckpt.incarnation !== env.incarnation) reason = this.damageReason.get(queryId) ?? 'local store was re-created';
      else if (ckpt.codec !== msgpackCodec.id || ckpt.topic !== topic || ckpt.partition !== 0) reason = 'checkpoint is for another encoding or topic';
      else if (ckpt.offset < bounds.start || ckpt.offset > bounds.end) reason = `checkpoint offset ${ckpt.offset} is outside the changelog [${bounds.start}, ${bounds.end}]`;
      const from = reason === undefined ? ckpt!.offset : bounds.start;
      if (reason !== undefined) {
        base.deleteRange(null, null);
        await base.flush();
      }
      const r = await restoreFromChangelog(base, log, topic, 0, {
        fromOffset: from,
        codec: msgpackCodec,
        onProgress: (p) => this.onRestoreProgress?.(name, p),
      });
      restore = { mode: reason === undefined ? 'partial' : 'full', records: r.records, ms: r.ms, ...(reason ? { reason } : {}) };
      if (env) {
        await env.durable();
        this.checkpoint(ckptFile, name, topic, env, r.endOffset);
      }
      stack = new ChangeLoggingStore<unknown>(base, {
        producer: this.sharedProducer(log),
        topic,
        partition: 0,
        codec: msgpackCodec,
        unloggedExpiry: retentionMs !== null && timeRetained,
        onFlushed: env
          ? (next) => {
              // In the background: flush does not wait for the fsync; close does.
              const h = handle!;
              h.checkpoints = h.checkpoints
                .then(() => env.durable())
                .then(() => this.checkpoint(ckptFile, name, topic, env, next))
                .catch(() => {}); // a missing checkpoint only means a longer restore
            }
          : undefined,
      });
    }
    if (this.cacheMaxEntries > 0) stack = new CachingStore<unknown>(stack, { maxEntries: this.cacheMaxEntries });
    const metered = new MeteredStore<unknown>(stack);
    handle = { queryId, operator, name, kind, metered, top: wrap(metered), restore, checkpoints: Promise.resolve() };
    this.handles.set(name, handle);
    return handle;
  }

  private checkpoint(file: string, store: string, topic: string, env: LmdbEnv, offset: number): void {
    writeCheckpoint(file, { store, topic, partition: 0, offset, incarnation: env.incarnation, codec: msgpackCodec.id });
  }

  /** The query's LMDB environment; a file that does not open is deleted and created anew. */
  private env(queryId: string): LmdbEnv {
    let env = this.envs.get(queryId);
    if (env) return env;
    const dir = this.stateDir(queryId);
    try {
      env = LmdbEnv.open(dir);
    } catch (e) {
      if (!(e instanceof CorruptLocalStateError)) throw e;
      // Every store of the query is rebuilt from its changelog: checkpoints name the old
      // environment's incarnation, so none of them matches the new file.
      for (const f of LMDB_FILES) fs.rmSync(path.join(dir, f), { force: true });
      env = LmdbEnv.open(dir);
      const damage: StateDamage = { queryId, file: e.file, problem: e.message };
      this.damaged.push(damage);
      this.damageReason.set(queryId, `local store was damaged (${e.message}); rebuilt from the changelog`);
      this.onDamagedState?.(damage);
    }
    this.envs.set(queryId, env);
    return env;
  }

  private sharedProducer(log: Log): Producer {
    this.producer ??= log.producer();
    return this.producer;
  }

  private readManifest(queryId: string): Manifest {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(this.stateDir(queryId), MANIFEST), 'utf8')) as Manifest;
      if (m.version === 1 && Array.isArray(m.stores)) return m;
    } catch {
      // missing or unreadable: no known stores
    }
    return { version: 1, stores: [] };
  }

  private addToManifest(queryId: string, operator: string, topic: string): void {
    const m = this.readManifest(queryId);
    if (m.stores.some((s) => s.operator === operator && s.topic === topic)) return;
    m.stores.push({ operator, topic });
    const dir = this.stateDir(queryId);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, MANIFEST);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
    fs.renameSync(`${file}.tmp`, file);
  }
}
