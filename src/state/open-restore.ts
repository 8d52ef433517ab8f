/**
 * What opening a changelogged store does before the store takes any batch (StoreRegistry.open):
 * decide from the store's checkpoint how much of its changelog to read back, and leave a
 * checkpoint that lies at or below every changelog record not yet committed locally.
 *
 * - No usable checkpoint (new store, local damage, another encoding, a re-created topic,
 *   exactly-once): the store is emptied and restored from the start of its changelog; outside
 *   exactly-once its checkpoint is committed at once (a meta-only transaction), so changelog
 *   records a first batch sends and a kill keeps from committing are beyond it at the next open.
 * - A checkpoint, on a log this process owns: nothing is read; the tail beyond the checkpoint was
 *   sent by batches that did not commit, and is overwritten with the committed values ("repair").
 * - A checkpoint, on a shared log (Kafka, at-least-once): the tail is restored.
 */
import type { Log, Producer } from '../log/log.ts';
import type { ValueCodec } from './codec.ts';
import type { StateFormat } from './codecs/format.ts';
import type { LmdbEnv } from './lmdb-env.ts';
import type { RestoreSummary } from './registry-types.ts';
import { repairChangelogTail, restoreFromChangelog, type RestoreProgress } from './restore.ts';
import { fullRestoreReason, type StoreCheckpoint } from './store-checkpoint.ts';
import type { KeyValueStore } from './store.ts';

export interface OpenRestoreInput {
  /** The store beneath the changelog layer (LMDB or in memory). */
  readonly base: KeyValueStore<unknown>;
  /** The query's LMDB environment; null for an in-memory store. */
  readonly env: LmdbEnv | null;
  readonly checkpointKey: string | null;
  readonly log: Log;
  readonly topic: string;
  readonly codec: ValueCodec<unknown>;
  readonly format: StateFormat<unknown>;
  readonly transactional: boolean;
  /** Why the environment was re-created, when it was found damaged. */
  readonly damage: string | undefined;
  /** Writes the repair records. */
  readonly producer: Producer;
  readonly onProgress: (p: RestoreProgress) => void;
}

export interface OpenRestoreResult {
  readonly restore: RestoreSummary;
  /** The checkpoint to commit with the first batch; null when none is kept or it is committed already. */
  readonly pendingCheckpoint: StoreCheckpoint | null;
}

export async function restoreOnOpen(i: OpenRestoreInput): Promise<OpenRestoreResult> {
  const { base, env, log, topic, codec, checkpointKey } = i;
  const bounds = (await log.offsets(topic, 'read_committed')).find((o) => o.partition === 0) ?? { start: 0, end: 0 };
  const ckpt = env && checkpointKey ? env.readMeta(checkpointKey) : undefined;
  const reason = fullRestoreReason(ckpt, { local: env !== null, transactional: i.transactional, damage: i.damage, format: i.format, topic, bounds });
  const mark = (offset: number): StoreCheckpoint => ({ topic, codec: codec.id, offset });
  let result: OpenRestoreResult;
  if (reason !== undefined) {
    base.deleteRange(null, null);
    await base.flush();
    const r = await restoreFromChangelog(base, log, topic, 0, { fromOffset: bounds.start, codec, onProgress: i.onProgress });
    // The restore flushed what it wrote; its checkpoint goes on disk before any batch runs.
    if (env && !i.transactional && checkpointKey) await env.commitMeta(checkpointKey, mark(r.endOffset));
    result = { restore: { mode: 'full', records: r.records, ms: r.ms, reason }, pendingCheckpoint: null };
  } else if (log.capabilities.localDirectory !== null) {
    const at = (ckpt as StoreCheckpoint).offset;
    const r = await repairChangelogTail(base, log, i.producer, topic, 0, at, bounds.end, codec);
    i.onProgress({ topic, partition: 0, records: 0, offset: at, startOffset: at, endOffset: at, elapsedMs: r.ms, done: true });
    const restore: RestoreSummary = { mode: 'partial', records: 0, ms: r.ms, ...(r.keys > 0 ? { reason: `${r.keys} uncommitted changelog keys overwritten` } : {}) };
    result = { restore, pendingCheckpoint: mark(r.endOffset) };
  } else {
    const r = await restoreFromChangelog(base, log, topic, 0, { fromOffset: (ckpt as StoreCheckpoint).offset, codec, onProgress: i.onProgress });
    result = { restore: { mode: 'partial', records: r.records, ms: r.ms }, pendingCheckpoint: mark(r.endOffset) };
  }
  // Under exactly-once a checkpoint left by an earlier run must not survive a crash of this one.
  if (i.transactional && env && checkpointKey && ckpt !== undefined) await env.commit(new Map([[checkpointKey, undefined]]));
  return result;
}
