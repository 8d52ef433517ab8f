/**
 * Rebuilds a store from its changelog topic: reads one partition from a start offset (default:
 * the log start) up to the end offset observed when restoration began, applying each record —
 * a value is a put (the last one per key wins), a tombstone (null value) a delete.
 *
 * Pass the local store itself (LmdbStore / InMemoryStore), never a ChangeLoggingStore: restored
 * records must not be logged again. The store is flushed every `flushEveryRecords` records (so the
 * un-flushed overlay stays small) and at the end.
 *
 * Records are applied by their own offsets (Kafka may leave gaps: compaction, transaction
 * markers). ChangeLoggingStore's producer is not transactional and compaction keeps the last
 * record of a partition, so the record at end - 1 exists; if no record arrives for
 * `idleTimeoutMs` before it is seen, restoration fails (RestoreStalledError) rather than hand
 * out a store that silently lacks state.
 */
import type { Consumer, Log, Producer, ProducerRecord } from '../log/log.ts';
import { defaultCodec, type ValueCodec } from './codec.ts';

/** What restoration writes to: a local store (or anything that takes the records' puts and deletes). */
export interface RestoreTarget<V> {
  put(key: Uint8Array, value: V): void;
  delete(key: Uint8Array): void;
  flush(): Promise<void>;
}

export interface RestoreProgress {
  readonly topic: string;
  readonly partition: number;
  /** Records applied so far. */
  readonly records: number;
  /** Next offset to apply. */
  readonly offset: number;
  readonly startOffset: number;
  /** Restoration ends when `offset` reaches it. */
  readonly endOffset: number;
  readonly elapsedMs: number;
  readonly done: boolean;
}

export interface RestoreOptions<V> {
  /** First offset to apply (a checkpoint); below the log start means the log start. */
  readonly fromOffset?: number;
  readonly codec?: ValueCodec<V>;
  /** Called at most every `progressIntervalMs` while restoring, and once at the end (`done`). */
  readonly onProgress?: (p: RestoreProgress) => void;
  /** Default 1000. */
  readonly progressIntervalMs?: number;
  /** Default 5000. */
  readonly pollRecords?: number;
  /** Default 50,000. */
  readonly flushEveryRecords?: number;
  /** Default 30,000. */
  readonly idleTimeoutMs?: number;
}

export interface RestoreResult {
  readonly records: number;
  readonly ms: number;
  readonly startOffset: number;
  /** The offset the store now reflects (the next one to apply). */
  readonly endOffset: number;
}

export class RestoreStalledError extends Error {
  constructor(topic: string, partition: number, offset: number, end: number) {
    super(`Restoring from changelog ${topic}-${partition} stalled at offset ${offset} of ${end}`);
  }
}

let restoreSeq = 0;

export async function restoreFromChangelog<V>(
  store: RestoreTarget<V>,
  log: Log,
  topic: string,
  partition: number,
  options: RestoreOptions<V> = {},
): Promise<RestoreResult> {
  const t0 = performance.now();
  const codec = options.codec ?? defaultCodec<V>();
  // Committed records only: a transaction still open (a dead instance's) is not state yet.
  const offsets = await log.offsets(topic, 'read_committed');
  const p = offsets.find((o) => o.partition === partition);
  if (p === undefined) throw new Error(`Changelog topic '${topic}' has no partition ${partition}`);
  const startOffset = Math.max(p.start, options.fromOffset ?? p.start);
  const endOffset = p.end;
  let records = 0;
  let offset = startOffset;
  let lastReport = t0;
  const interval = options.progressIntervalMs ?? 1000;
  const report = (done: boolean): void => {
    lastReport = performance.now();
    options.onProgress?.({
      topic,
      partition,
      records,
      offset,
      startOffset,
      endOffset,
      elapsedMs: lastReport - t0,
      done,
    });
  };

  if (startOffset < endOffset) {
    // A private group that never commits: restoration positions itself by seek.
    const groupId = `riffle-restore-${process.pid}-${++restoreSeq}-${topic}`;
    const consumer = log.consumer({
      groupId,
      topics: [topic],
      fromBeginning: true,
    });
    // Seeking is only a shortcut (records below `offset` are skipped anyway): a Kafka consumer
    // learns its assignment on its first poll, so a seek that fails now is retried after polls.
    const trySeek = (): boolean => {
      try {
        consumer.seek({ topic, partition, offset });
        return true;
      } catch {
        return false;
      }
    };
    try {
      let sought = trySeek();
      const flushEvery = options.flushEveryRecords ?? 50_000;
      const idleMs = options.idleTimeoutMs ?? 30_000;
      let sinceFlush = 0;
      let idleSince = performance.now();
      while (offset < endOffset) {
        const batch = await consumer.poll(options.pollRecords ?? 5000, 200);
        if (batch.length === 0) {
          // A transactional changelog ends with a commit marker (and may hold aborted records),
          // never returned: the consumer's position, when the log reports it, says it is read.
          if (reachedEnd(consumer, topic, partition, endOffset)) {
            offset = endOffset;
            break;
          }
          if (performance.now() - idleSince > idleMs) throw new RestoreStalledError(topic, partition, offset, endOffset);
          if (!sought) sought = trySeek();
          continue;
        }
        idleSince = performance.now();
        for (const r of batch) {
          if (r.partition !== partition || r.offset < offset || r.offset >= endOffset) continue;
          if (r.key === null) throw new Error(`Changelog '${topic}' has a record without a key at offset ${r.offset}`);
          if (r.value === null) store.delete(r.key);
          else store.put(r.key, codec.decode(r.value));
          offset = r.offset + 1;
          records++;
          sinceFlush++;
        }
        if (!sought) sought = trySeek();
        if (sinceFlush >= flushEvery) {
          await store.flush();
          sinceFlush = 0;
        }
        if (performance.now() - lastReport >= interval) report(false);
      }
    } finally {
      await consumer.close();
      await log.deleteGroup(groupId).catch(() => {});
    }
  }
  await store.flush();
  report(true);
  return { records, ms: performance.now() - t0, startOffset, endOffset: offset };
}

function reachedEnd(consumer: Consumer, topic: string, partition: number, endOffset: number): boolean {
  const at = consumer.positions?.().find((p) => p.topic === topic && p.partition === partition)?.offset;
  return at !== undefined && at !== null && at >= endOffset;
}

export interface RepairResult {
  /** Distinct keys whose uncommitted records were overwritten. */
  readonly keys: number;
  readonly ms: number;
  /** The changelog's end after the repair: the store reflects every record below it. */
  readonly endOffset: number;
}

/**
 * Undoes a changelog tail that was written but never committed (the process died between a
 * batch's changelog send and its state commit), on a changelog this process alone writes: every
 * key of records [from, end) gets a new record with the store's committed value (a tombstone
 * when it has none). Compaction and restoration keep the last record per key, so the changelog
 * then says what the store says, as an aborted transaction would. Idempotent: a crash during the
 * repair only repairs again (the checkpoint stays at `from` until the next commit).
 */
export async function repairChangelogTail<V>(
  store: { get(key: Uint8Array): V | undefined },
  log: Log,
  producer: Producer,
  topic: string,
  partition: number,
  from: number,
  end: number,
  codec: ValueCodec<V>,
): Promise<RepairResult> {
  const t0 = performance.now();
  if (from >= end) return { keys: 0, ms: 0, endOffset: end };
  const keys = new Map<string, Uint8Array>();
  const collect: RestoreTarget<unknown> = {
    put: (key) => void keys.set(Buffer.from(key).toString('latin1'), key),
    delete: (key) => void keys.set(Buffer.from(key).toString('latin1'), key),
    flush: async () => {},
  };
  // Values are not decoded: only the keys matter.
  await restoreFromChangelog(collect, log, topic, partition, { fromOffset: from, codec: { id: 'raw', encode: (v) => v as Uint8Array, decode: (b) => b } });
  if (keys.size === 0) return { keys: 0, ms: performance.now() - t0, endOffset: end };
  const timestamp = Date.now();
  const records: ProducerRecord[] = [];
  for (const key of keys.values()) {
    const v = store.get(key);
    records.push({ key, value: v === undefined ? null : codec.encode(v), timestamp, partition });
  }
  const sent = await producer.send(topic, records);
  let max = end - 1;
  for (const r of sent) if (r.offset > max) max = r.offset;
  return { keys: keys.size, ms: performance.now() - t0, endOffset: max + 1 };
}
