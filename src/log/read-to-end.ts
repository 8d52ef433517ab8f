/**
 * Reading a topic's partitions up to given end offsets with a consumer (pull queries' scans of a
 * stream, table views): a polled batch at a time, each partition in offset order.
 *
 * When is a partition read? Not "when a record at end − 1 came": on Kafka a transactional topic
 * ends with a commit marker and may hold aborted records, neither ever returned, so the last
 * record returned can lie below the end. Where the consumer reports its positions (Kafka), a
 * partition is read once its position reaches the end. An empty poll is not the end either: the
 * first poll of a Kafka consumer joins its group, and a busy broker can take longer than a poll's
 * timeout to answer a fetch; so with positions, empty polls go on until the reader has been idle
 * for `idleMs` (then ReadToEndStalledError). Without positions (the embedded log, whose records
 * up to its end offsets are there to take), an empty poll ends the read, as before.
 */
import type { ConsumedRecord, Consumer } from './log.ts';

export class ReadToEndStalledError extends Error {
  constructor(topic: string, idleMs: number, left: ReadonlyMap<number, number>) {
    const parts = [...left].map(([p, end]) => `partition ${p} (end offset ${end})`).join(', ');
    super(`Reading topic '${topic}' stalled: no record for ${idleMs} ms before the end of ${parts}`);
  }
}

export interface ReadToEndOptions {
  /** Records per poll (default 5000). */
  readonly pollRecords?: number;
  /** A poll's wait (default 500 ms). */
  readonly pollMs?: number;
  /** Idle time after which a read that has not reached its ends fails (default 30 s). */
  readonly idleMs?: number;
}

/**
 * Yields the records of `consumer` (subscribed to `topic` from the beginning) below the end
 * offsets in `left` (partition → end offset, partitions with nothing to read left out), until
 * every partition is read. A partition is deleted from `left` once read, so what is left when the
 * generator returns was not read to its end (only when an empty poll ended a read without
 * positions). Records of other partitions or at or past their end are not yielded.
 */
export async function* readToEnd(consumer: Consumer, topic: string, left: Map<number, number>, options: ReadToEndOptions = {}): AsyncGenerator<ConsumedRecord[]> {
  const idleMs = options.idleMs ?? 30_000;
  let idleSince = performance.now();
  while (left.size > 0) {
    const batch = await consumer.poll(options.pollRecords ?? 5000, options.pollMs ?? 500);
    const below: ConsumedRecord[] = [];
    for (const rec of batch) {
      const end = left.get(rec.partition);
      if (end === undefined) continue;
      if (rec.offset >= end) {
        left.delete(rec.partition); // past the end: what was below it has been returned
        continue;
      }
      if (rec.offset + 1 >= end) left.delete(rec.partition);
      below.push(rec);
    }
    const positions = consumer.positions?.();
    if (positions !== undefined) {
      for (const p of positions) {
        const end = left.get(p.partition);
        if (p.topic === topic && end !== undefined && p.offset !== null && p.offset >= end) left.delete(p.partition);
      }
    }
    if (below.length > 0) {
      idleSince = performance.now();
      yield below;
    } else if (batch.length === 0 && left.size > 0) {
      if (positions === undefined) return;
      if (performance.now() - idleSince > idleMs) throw new ReadToEndStalledError(topic, idleMs, left);
    }
  }
}
