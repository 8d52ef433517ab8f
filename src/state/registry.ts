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
 *   start, and checkpointed at once (./open-restore.ts). An LMDB file that does not open is deleted
 *   and rebuilt.
 * - in-memory: always replayed from the start.
 *
 * Commit point (`flushAll(queryId)`, which the query task calls before committing input offsets):
 * every store's changes are sent to its changelog, then the writes of ALL the query's LMDB stores
 * (its state and its applied input offsets, ../exec/applied-offsets.ts) and each store's changelog
 * checkpoint are committed in ONE LMDB transaction (LmdbEnv.commit). A kill -9 at any instant
 * leaves the local state, the applied offsets and the checkpoints of one and the same batch.
 *
 * Changelog records beyond a store's checkpoint were sent by a batch whose commit did not happen:
 * - on a log owned by this process (`capabilities.localDirectory`, the embedded log) nobody else
 *   writes the changelog, so on open they are overwritten ("repair"): the store's committed value
 *   (or a tombstone) of each such key is appended, which is what an aborted transaction gives;
 * - on Kafka at-least-once another instance may have owned the partition since: the tail is
 *   restored (as before);
 * - under exactly-once (`bindQuery(..., { transactional: true })`) changelog records go through
 *   the query's transactional producer and are read committed; no checkpoint is kept while the
 *   query runs (Kafka Streams under EOS), so a store is restored from its committed changelog.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Log, Producer } from '../log/log.ts';
import { CachingStore } from './caching-store.ts';
import { CacheBudget } from './cache-budget.ts';
import { ChangeLoggingStore } from './change-logging-store.ts';
import { formatCodec, type StateFormat } from './codecs/format.ts';
import type { StoreCheckpoint } from './store-checkpoint.ts';
import { opaqueFormat } from './codecs/formats.ts';
import { InMemoryStore } from './in-memory-store.ts';
import { CorruptLocalStateError, LMDB_FILES, LmdbEnv } from './lmdb-env.ts';
import { MeteredStore } from './metered-store.ts';
import { changelogTopicName, queryStateDir, storeName } from './naming.ts';
import { restoreOnOpen } from './open-restore.ts';
import { SessionStore, type SessionStoreOptions } from './session-store.ts';
import type { KeyValueStore } from './store.ts';
import { addToManifest, readManifest } from './store-manifest.ts';
import type { FormatOption, QueryBinding, RestoreSummary, StateDamage, StoreInfo, StoreKind, StoreRegistryOptions } from './registry-types.ts';
import { WindowStore, type WindowStoreOptions } from './window-store.ts';

export type { FormatOption, QueryBinding, RestoreSummary, StateDamage, StoreInfo, StoreKind, StoreRegistryOptions };

interface Handle {
  readonly queryId: string;
  readonly operator: string;
  readonly name: string;
  readonly kind: StoreKind;
  readonly metered: MeteredStore<unknown>;
  /** What flushAll/closeAll call: the window/session store, or the metered stack. */
  readonly top: { flush(): Promise<void>; close(): Promise<void> };
  readonly restore: RestoreSummary;
  /** Internal bookkeeping (applied offsets): not listed by stats(). */
  readonly internal: boolean;
  /** LMDB meta key of the store's changelog checkpoint (null: in-memory or no changelog). */
  readonly checkpointKey: string | null;
  /** Changelog offset the store's uncommitted writes reach: written at the next commit. */
  pendingCheckpoint: StoreCheckpoint | null;
}

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
  /** Shared by every cache of this registry (Kafka Streams' statestore.cache.max.bytes). */
  readonly cacheBudget: CacheBudget;
  private readonly onRestoreProgress: StoreRegistryOptions['onRestoreProgress'];
  private readonly onDamagedState: StoreRegistryOptions['onDamagedState'];
  /** Damaged local state found by this registry (each rebuilt from its changelogs), for metrics and tests. */
  readonly damaged: StateDamage[] = [];
  /** Queries whose environment was re-created because it was damaged: their full restores say why. */
  private readonly damageReason = new Map<string, string>();
  private readonly handles = new Map<string, Handle>();
  private readonly envs = new Map<string, LmdbEnv>();
  private readonly bindings = new Map<string, QueryBinding>();
  private producer: Producer | null = null;

  constructor(options: StoreRegistryOptions) {
    this.dataDir = options.dataDir;
    this.serviceId = options.serviceId;
    this.log = options.log;
    this.backend = options.backend ?? 'lmdb';
    this.cacheMaxEntries = options.cacheMaxEntries ?? 10_000;
    this.cacheBudget = new CacheBudget(options.cacheMaxBytes ?? Number.MAX_SAFE_INTEGER);
    this.onRestoreProgress = options.onRestoreProgress;
    this.onDamagedState = options.onDamagedState;
  }

  stateDir(queryId: string): string {
    return queryStateDir(this.dataDir, queryId);
  }

  changelogTopic(queryId: string, operator: string): string {
    return changelogTopicName(this.serviceId, queryId, operator);
  }

  /** A key-value store whose values are laid out by `format` (./codecs/formats.ts). */
  async keyValueStore<V>(queryId: string, operator: string, format: StateFormat<V> = opaqueFormat as StateFormat<V>): Promise<MeteredStore<V>> {
    return (await this.open(queryId, operator, 'keyValue', null, format, (m) => m)).metered as MeteredStore<V>;
  }

  /**
   * A key-value store of the query's own bookkeeping (the input offsets its state includes):
   * committed with its state, not listed by stats().
   */
  async internalStore<V>(queryId: string, operator: string, format: StateFormat<V> = opaqueFormat as StateFormat<V>): Promise<MeteredStore<V>> {
    return (await this.open(queryId, operator, 'keyValue', null, format, (m) => m, true)).metered as MeteredStore<V>;
  }

  /**
   * Sets how the query's changelogs are written; call before its stores open. Unbound queries use
   * one shared non-transactional producer.
   */
  bindQuery(queryId: string, binding: QueryBinding): void {
    this.bindings.set(queryId, binding);
  }

  async windowStore<V>(queryId: string, operator: string, options: WindowStoreOptions & FormatOption<V>): Promise<WindowStore<V>> {
    const retention = options.retentionMs + options.windowSizeMs + CHANGELOG_ADDITIONAL_RETENTION_MS;
    // A window store keeps its open windows in memory itself (./open-windows.ts, charged to the
    // same budget): no CachingStore beneath, except for join buffers (duplicates, read by range).
    const openWindows = options.openWindows ?? true;
    const h = await this.open(queryId, operator, 'window', retention, options.format, (m) => new WindowStore<V>(m, { ...options, openWindows, cacheBudget: this.cacheBudget }), false, !openWindows || options.retainDuplicates === true);
    return h.top as WindowStore<V>;
  }

  async sessionStore<V>(queryId: string, operator: string, options: SessionStoreOptions & FormatOption<V>): Promise<SessionStore<V>> {
    const retention = options.retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS;
    const h = await this.open(queryId, operator, 'session', retention, options.format, (m) => new SessionStore<V>(m, options));
    return h.top as SessionStore<V>;
  }

  /** Stats of the open stores (of one query, or all). */
  stats(queryId?: string): StoreInfo[] {
    return this.select(queryId).filter((h) => !h.internal).map((h) => ({
      ...h.metered.stats(),
      queryId: h.queryId,
      kind: h.kind,
      restore: h.restore,
    }));
  }

  /**
   * The commit point of a query's state: call before committing its input offsets. Sends every
   * store's changes to its changelog, then commits the writes of all the query's LMDB stores and
   * their checkpoints in one transaction per environment (one environment per query).
   */
  async flushAll(queryId?: string): Promise<void> {
    const hs = this.select(queryId);
    // Internal stores (applied offsets) after the state: should the local store be lost, a full
    // restore from changelogs cut by a crash has the state ahead of the offsets, never behind.
    await Promise.all(hs.filter((h) => !h.internal).map((h) => h.top.flush()));
    await Promise.all(hs.filter((h) => h.internal).map((h) => h.top.flush()));
    await this.commitEnvs(hs);
  }

  private async commitEnvs(hs: readonly Handle[]): Promise<void> {
    for (const [q, env] of this.envs) {
      const mine = hs.filter((h) => h.queryId === q);
      if (mine.length === 0) continue;
      const meta = new Map<string, unknown>();
      for (const h of mine) {
        if (h.checkpointKey === null || h.pendingCheckpoint === null) continue;
        meta.set(h.checkpointKey, h.pendingCheckpoint);
        h.pendingCheckpoint = null;
      }
      await env.commit(meta);
    }
  }

  /**
   * Flushes and closes the stores of one query whose operator name matches (the stores of a
   * partition this instance no longer owns); the environment stays open.
   */
  async closeStores(queryId: string, match: (operator: string) => boolean): Promise<void> {
    const hs = this.select(queryId).filter((x) => match(x.operator));
    for (const h of hs) await h.top.flush();
    await this.commitEnvs(hs);
    for (const h of hs) await h.top.close();
    for (const h of hs) this.handles.delete(h.name);
  }

  /** Flushes and closes the stores (and LMDB environments) of one query, or all. */
  async closeAll(queryId?: string): Promise<void> {
    const hs = this.select(queryId);
    const errors: unknown[] = [];
    try {
      for (const h of hs) await h.top.flush();
      await this.commitEnvs(hs);
    } catch (e) {
      errors.push(e);
    }
    for (const h of hs) {
      try {
        await h.top.close();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const h of hs) this.handles.delete(h.name);
    if (queryId !== undefined) this.bindings.delete(queryId);
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
   * Closes a failed query's stores without committing anything: the writes of the batch that
   * failed (and any since the last commit point) are dropped, locally; on a log this process owns,
   * changelog records they may have sent are repaired at the next open.
   */
  async abandon(queryId: string): Promise<void> {
    for (const h of this.select(queryId)) this.handles.delete(h.name);
    this.bindings.delete(queryId);
    const env = this.envs.get(queryId);
    if (env) {
      await env.discard();
      this.envs.delete(queryId);
    }
  }

  /**
   * Deletes all state of a query (TERMINATE + DROP): closes its stores without flushing, removes
   * its state directory and its changelog topics.
   */
  async deleteQueryState(queryId: string): Promise<void> {
    const topics = new Set<string>(readManifest(this.stateDir(queryId)).stores.map((s) => s.topic));
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

  private async open<V>(
    queryId: string,
    operator: string,
    kind: StoreKind,
    /** Time retention of the changelog (segmented stores, whose expiry is not logged); null: none. */
    retentionMs: number | null,
    format: StateFormat<V> | undefined,
    wrap: (m: MeteredStore<unknown>) => { flush(): Promise<void>; close(): Promise<void> },
    internal = false,
    /** With a CachingStore (unless cacheMaxEntries = 0). */
    cached = true,
  ): Promise<Handle> {
    const name = storeName(queryId, operator);
    if (this.handles.has(name)) throw new Error(`State store '${name}' is already open`);
    const env = this.backend === 'lmdb' ? this.env(queryId) : null;
    const codec = formatCodec((format ?? opaqueFormat) as StateFormat<unknown>);
    const lmdb = env ? env.store<unknown>(operator, codec, name) : null;
    const base: KeyValueStore<unknown> = lmdb ?? new InMemoryStore<unknown>(name);
    let stack: KeyValueStore<unknown> = base;
    let restore: RestoreSummary = { mode: 'none', records: 0, ms: 0 };
    const checkpointKey = env && this.log ? `checkpoint:${operator}` : null;
    let pendingCheckpoint: StoreCheckpoint | null = null;
    // The handle exists once the stack is built; until then the changelog layer records here.
    let handle: Handle | null = null;
    const setCheckpoint = (c: StoreCheckpoint): void => {
      if (handle) handle.pendingCheckpoint = c;
      else pendingCheckpoint = c;
    };
    if (this.log) {
      const log = this.log;
      const topic = this.changelogTopic(queryId, operator);
      const binding = this.bindings.get(queryId);
      const transactional = binding?.transactional === true;
      const described = await log.ensureTopic(
        topic,
        retentionMs === null ? { partitions: 1, cleanupPolicy: 'compact' } : { partitions: 1, cleanupPolicy: 'compact,delete', retentionMs },
      );
      // An older topic may be compact-only: then expired entries must be tombstoned.
      const policy = described.config.cleanupPolicy;
      const timeRetained = (policy === 'compact,delete' || policy === 'delete') && (described.config.retentionMs ?? -1) >= 0;
      addToManifest(this.stateDir(queryId), operator, topic, codec.id);
      const producer = binding?.producer ?? this.sharedProducer(log);
      const opened = await restoreOnOpen({
        base,
        env,
        checkpointKey,
        log,
        topic,
        codec,
        format: (format ?? opaqueFormat) as StateFormat<unknown>,
        transactional,
        damage: this.damageReason.get(queryId),
        producer,
        onProgress: (p) => this.onRestoreProgress?.(name, p),
      });
      restore = opened.restore;
      if (opened.pendingCheckpoint) setCheckpoint(opened.pendingCheckpoint);
      const mark = (offset: number): StoreCheckpoint => ({ topic, codec: codec.id, offset });
      stack = new ChangeLoggingStore<unknown>(base, {
        producer,
        topic,
        partition: 0,
        codec,
        unloggedExpiry: retentionMs !== null && timeRetained,
        onFlushed: env && !transactional ? (next) => setCheckpoint(mark(next)) : undefined,
      });
    }
    // From here on the store's writes are committed with the query's other stores (LmdbEnv.commit).
    if (lmdb) lmdb.deferred = true;
    if (this.cacheMaxEntries > 0 && cached) stack = new CachingStore<unknown>(stack, { maxEntries: this.cacheMaxEntries, budget: this.cacheBudget });
    const metered = new MeteredStore<unknown>(stack);
    handle = { queryId, operator, name, kind, metered, top: wrap(metered), restore, internal, checkpointKey, pendingCheckpoint };
    this.handles.set(name, handle);
    return handle;
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

}
