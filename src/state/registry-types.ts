/**
 * The types of the store registry's API (./registry.ts): its options, what it reports about
 * stores and damaged state, and how a query's changelogs are written.
 */
import type { Producer, Log } from '../log/log.ts';
import type { StateFormat } from './codecs/format.ts';
import type { StoreStats } from './metered-store.ts';
import type { RestoreProgress } from './restore.ts';

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
  /**
   * Approximate bytes all the caches of the registry hold together (./cache-budget.ts); a store
   * that grows the total beyond it evicts from itself. Default: unbounded (only cacheMaxEntries).
   */
  readonly cacheMaxBytes?: number;
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

/** How a query's changelogs are written (bindQuery). */
export interface QueryBinding {
  /** The producer its changelog records go through (the query's transactional producer under EOS). */
  readonly producer: Producer;
  /** Exactly-once: records are part of the query's transactions; no local checkpoint while running. */
  readonly transactional: boolean;
}

/** The layout of a store's values; default: opaque MessagePack (./codecs/formats.ts). */
export interface FormatOption<V> {
  readonly format?: StateFormat<V>;
}
