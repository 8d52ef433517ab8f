/**
 * A store's changelog checkpoint: kept in the query's LMDB environment (meta key
 * `checkpoint:<operator>`) and committed in the same transaction as the state it describes, so
 * the local store reflects exactly the changelog below `offset`. Opening a store replays only the
 * changelog from there, unless `fullRestoreReason` finds the checkpoint unusable.
 */
import { readsCodec, type StateFormat } from './codecs/format.ts';

export interface StoreCheckpoint {
  readonly topic: string;
  /** Codec id the store was written with (`aggregate@v2`; `msgpack-v1` before versioned formats). */
  readonly codec: string;
  /** The next changelog offset: the store reflects every record below it. */
  readonly offset: number;
}

function isCheckpoint(v: unknown): v is StoreCheckpoint {
  const c = v as Partial<StoreCheckpoint> | null;
  return typeof c === 'object' && c !== null && typeof c.topic === 'string' && typeof c.codec === 'string' && Number.isInteger(c.offset);
}

export interface CheckpointContext {
  /** An LMDB store (in-memory stores have no checkpoint). */
  readonly local: boolean;
  /** Exactly-once: no checkpoint is kept while running (Kafka Streams under EOS). */
  readonly transactional: boolean;
  /** Why the environment was re-created, when it was found damaged. */
  readonly damage: string | undefined;
  readonly format: StateFormat<unknown>;
  readonly topic: string;
  /** The changelog partition's start and end offsets. */
  readonly bounds: { readonly start: number; readonly end: number };
}

/** Why the store must be emptied and restored from the start of its changelog; undefined: `ckpt` is usable. */
export function fullRestoreReason(ckpt: unknown, c: CheckpointContext): string | undefined {
  if (!c.local) return 'in-memory store';
  if (c.transactional) return 'exactly-once: restored from the committed changelog';
  if (!isCheckpoint(ckpt)) return c.damage ?? 'no valid checkpoint';
  if (!readsCodec(c.format, ckpt.codec) || ckpt.topic !== c.topic) return `checkpoint is for another encoding (${ckpt.codec}) or topic`;
  if (ckpt.offset < c.bounds.start || ckpt.offset > c.bounds.end) return `checkpoint offset ${ckpt.offset} is outside the changelog [${c.bounds.start}, ${c.bounds.end}]`;
  return undefined;
}
