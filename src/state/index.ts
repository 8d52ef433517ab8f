/**
 * The state layer for stateful operators: key-value stores with decorators (metered → caching →
 * change-logging → LMDB / in-memory), window and session stores, changelog restoration with
 * checkpoints, the registry that names, opens, flushes and deletes them per query, and the named,
 * versioned formats of the values operators keep in them (./codecs/).
 * Contract: ./store.ts.
 */
export type { KeyValue, KeyValueStore, RangeOptions } from './store.ts';
export { StoreClosedError } from './store.ts';
export { defaultCodec, msgpackCodec, type ValueCodec } from './codec.ts';
export { formatCodec, formatCodecId, readsCodec, StateFormatError, type StateFormat } from './codecs/format.ts';
export {
  aggregateFormat,
  appliedOffsetFormat,
  opaqueFormat,
  overFrameFormat,
  pendingJoinRowFormat,
  pendingWindowFormat,
  rowColumnsFormat,
  stateFormats,
  storedRowFormat,
  trainingStateFormat,
  type AggregateState,
  type OverFrame,
  type PendingJoinRow,
  type PendingWindow,
  type StoredRow,
} from './codecs/formats.ts';
export { compareKeys, keyToString, prefixEnd, stringToKey, utf8Key } from './keys.ts';
export { InMemoryStore } from './in-memory-store.ts';
export { CorruptLocalStateError, LmdbEnv } from './lmdb-env.ts';
export { LmdbStore, MAX_KEY_BYTES } from './lmdb-store.ts';
export { checkLmdbFile } from './lmdb-file-check.ts';
export { CachingStore, type CacheStats, type CachingStoreOptions } from './caching-store.ts';
export { ChangeLoggingStore, type ChangeLoggingOptions } from './change-logging-store.ts';
export {
  MeteredStore,
  type ChangelogStats,
  type LatencyStats,
  type MeteredStoreOptions,
  type StoreStats,
} from './metered-store.ts';
export { RestoreStalledError, restoreFromChangelog, type RestoreOptions, type RestoreProgress, type RestoreResult } from './restore.ts';
export { WindowStore, type WindowEntry, type WindowStoreOptions } from './window-store.ts';
export { SessionStore, type Session, type SessionStoreOptions } from './session-store.ts';
export { changelogTopicName, queryStateDir, sanitizeName, storeName } from './naming.ts';
export {
  StoreRegistry,
  type RestoreSummary,
  type StoreInfo,
  type StoreKind,
  type StoreRegistryOptions,
} from './registry.ts';
