/**
 * What pull queries read: the latest record per key of a table's topic, kept up to date
 * incrementally. The first pull query on a table reads its topic once; later ones read only what
 * was written since (a consumer that stays at its position), so a pull query costs the new
 * records plus the answer, not the whole topic.
 *
 * Records are kept as they are on the log (key and value bytes), keyed by the key bytes, and
 * decoded when a query reads them: memory is about the table's compacted size. A key lookup
 * (`WHERE k = literal`) is one map access.
 *
 * Invariants: `latest` holds, per key, the last non-tombstone record at offsets below
 * `position` (per partition); catch-ups are serialised. A topic that was re-created or truncated
 * under the view (its offsets no longer contain the position) is read again from its start.
 */
import type { ConsumedRecord, Consumer, Log } from '../log/log.ts';
import { readToEnd } from '../log/read-to-end.ts';
import { keyToString } from '../state/keys.ts';

export class TableView {
  readonly topic: string;
  private readonly log: Log;
  private consumer: Consumer | null = null;
  private latest = new Map<string, ConsumedRecord>();
  /** Next offset to read, per partition. */
  private position = new Map<number, number>();
  private chain: Promise<void> = Promise.resolve();
  /** Records read since the view was created (for tests and stats). */
  recordsRead = 0;

  constructor(log: Log, topic: string) {
    this.log = log;
    this.topic = topic;
  }

  /** Reads up to the end offsets of now; resolves when the view reflects them. */
  catchUp(): Promise<void> {
    const p = this.chain.then(() => this.read());
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The current records, one per key (call after catchUp). */
  records(): IterableIterator<ConsumedRecord> {
    return this.latest.values();
  }

  /** The current record of a key (its bytes as on the log), if any. */
  lookup(key: Uint8Array): ConsumedRecord | undefined {
    return this.latest.get(keyToString(key));
  }

  async close(): Promise<void> {
    await this.chain;
    await this.consumer?.close();
    this.consumer = null;
  }

  private async read(): Promise<void> {
    const offsets = await this.log.offsets(this.topic);
    // Re-created, repartitioned or truncated under us: start over.
    const partitions = new Set(offsets.map((o) => o.partition));
    const stale =
      [...this.position.keys()].some((p) => !partitions.has(p)) ||
      offsets.some((o) => {
        const at = this.position.get(o.partition);
        return at !== undefined && (at > o.end || at < o.start);
      });
    if (stale) {
      await this.consumer?.close();
      this.consumer = null;
      this.latest = new Map();
      this.position = new Map();
    }
    const remaining = new Map(offsets.filter((o) => o.end > (this.position.get(o.partition) ?? o.start)).map((o) => [o.partition, o.end]));
    if (remaining.size === 0) return;
    // A private group that never commits: the consumer itself keeps the position between catch-ups.
    this.consumer ??= this.log.consumer({ groupId: `riffle-view-${process.pid}-${Date.now()}-${this.topic}`, topics: [this.topic], fromBeginning: true });
    const left = new Map(remaining);
    for await (const batch of readToEnd(this.consumer, this.topic, left)) {
      for (const rec of batch) {
        const key = rec.key === null ? '' : keyToString(rec.key);
        if (rec.value === null) this.latest.delete(key);
        else this.latest.set(key, rec);
        this.recordsRead++;
        this.position.set(rec.partition, rec.offset + 1);
      }
    }
    // Read up to the ends (a transactional topic's last offsets are markers, never returned).
    for (const [partition, end] of remaining) if (!left.has(partition) && (this.position.get(partition) ?? 0) < end) this.position.set(partition, end);
  }
}
