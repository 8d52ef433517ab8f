/**
 * Consumer of the embedded log. In one process there is one member per group, so a consumer is
 * assigned every partition of its topics.
 *
 * Starting position per partition: the group's committed offset, else the log start or end per
 * `fromBeginning`. A topic that appears after the consumer was created (created or re-created
 * later) is read from its start: everything in it was written after the subscription. A deleted
 * topic silently leaves the assignment; polls never fail because of it.
 *
 * Positions outside the log: below the start (retention deleted the data) continue at the
 * start; above the end (e.g. a seek past it) reset to the start or end per `fromBeginning`.
 */
import type { ConsumedRecord, Consumer, ConsumerOptions, PartitionOffset, TopicPartition } from '../log.ts';
import { PartitionCursor } from './cursor.ts';
import type { AppendNotifier, Wait } from './notifier.ts';
import type { TopicState } from './topics.ts';

/** What a consumer needs from the log. */
export interface ConsumerHost {
  readonly notifier: AppendNotifier;
  /** Changes whenever a topic is created or deleted. */
  readonly topicsVersion: number;
  readonly readChunkBytes: number;
  readonly verifyReads: boolean;
  topicState(name: string): TopicState | undefined;
  committedOffset(groupId: string, topic: string, partition: number): number | undefined;
  commitOffsets(groupId: string, offsets: readonly PartitionOffset[]): void;
  consumerClosed(consumer: EmbeddedConsumer): void;
}

interface Assigned {
  readonly state: TopicState;
  readonly cursors: PartitionCursor[];
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class EmbeddedConsumer implements Consumer {
  readonly groupId: string;
  private readonly host: ConsumerHost;
  private readonly topics: readonly string[];
  private readonly fromBeginning: boolean;
  private readonly assigned = new Map<string, Assigned>();
  private cursors: PartitionCursor[] = [];
  /** Topic-partitions poll skips (setPaused); null: none. */
  private paused: Set<string> | null = null;
  private seenVersion = -1;
  private rr = 0;
  private closed = false;
  /** Pending waits of polls (a set: nothing stops a caller from polling concurrently). */
  private readonly waits = new Set<Wait>();

  constructor(host: ConsumerHost, options: ConsumerOptions) {
    this.host = host;
    this.groupId = options.groupId;
    this.topics = [...new Set(options.topics)];
    this.fromBeginning = options.fromBeginning;
    this.refresh();
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    this.checkOpen();
    if (!(maxRecords >= 1)) throw new RangeError(`maxRecords must be at least 1, got ${maxRecords}`);
    const deadline = performance.now() + Math.max(0, timeoutMs);
    // Always go through the event loop once: a consumer loop over a long backlog would otherwise
    // run on resolved promises only and starve timers and I/O. Before draining, not after: the
    // records are then handed over right away instead of being held while every other
    // consumer in the process takes its turn (with many queries, all their batches at once).
    await yieldToEventLoop();
    for (;;) {
      if (this.closed) return [];
      this.refresh();
      const out = this.drain(Math.floor(maxRecords));
      const remaining = deadline - performance.now();
      if (out.length > 0 || remaining <= 0) return out;
      // Nothing can be appended between drain() and registering: both are synchronous.
      const wait = this.host.notifier.wait(this.topics, remaining);
      this.waits.add(wait);
      await wait.promise;
      this.waits.delete(wait);
    }
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    this.checkOpen();
    this.host.commitOffsets(this.groupId, offsets);
  }

  assignment(): readonly TopicPartition[] {
    if (!this.closed) this.refresh();
    return this.cursors.map((c) => ({ topic: c.topic, partition: c.partition }));
  }

  setPaused(tps: readonly TopicPartition[]): void {
    this.paused = tps.length === 0 ? null : new Set(tps.map((tp) => `${tp.topic}\u0000${tp.partition}`));
  }

  hasUnfetched(tp: TopicPartition): boolean {
    if (this.closed) return false;
    this.refresh();
    const cursor = this.assigned.get(tp.topic)?.cursors.find((c) => c.partition === tp.partition);
    return cursor !== undefined && cursor.hasData();
  }

  seek(position: PartitionOffset): void {
    this.checkOpen();
    this.refresh();
    if (!Number.isSafeInteger(position.offset) || position.offset < 0) {
      throw new RangeError(`Invalid seek offset ${position.offset}`);
    }
    const cursor = this.assigned
      .get(position.topic)
      ?.cursors.find((c) => c.partition === position.partition);
    if (cursor === undefined) {
      throw new Error(`Cannot seek: partition ${position.topic}-${position.partition} is not assigned`);
    }
    cursor.seek(position.offset);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closeFromLog();
    this.host.consumerClosed(this);
  }

  /** Called by the log when it closes: ends a pending poll with no records. */
  closeFromLog(): void {
    this.closed = true;
    for (const w of this.waits) w.cancel();
    this.waits.clear();
    for (const c of this.cursors) c.close();
    this.assigned.clear();
    this.cursors = [];
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`Consumer of group '${this.groupId}' is closed`);
  }

  /**
   * Takes up to `max` records, fairly: each pass gives every partition up to an equal share,
   * starting one partition further each poll; later passes fill what earlier ones left.
   */
  private drain(max: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    const cursors = this.cursors;
    const n = cursors.length;
    if (n === 0) return out;
    const share = Math.max(1, Math.ceil(max / n));
    let progress = true;
    while (progress && out.length < max) {
      progress = false;
      for (let k = 0; k < n && out.length < max; k++) {
        const c = cursors[(this.rr + k) % n];
        if (!c.hasData()) continue;
        if (this.paused !== null && this.paused.has(`${c.topic}\u0000${c.partition}`)) continue;
        if (c.take(out, Math.min(share, max - out.length)) > 0) progress = true;
      }
    }
    this.rr = (this.rr + 1) % n;
    return out;
  }

  /** Follows topic creation and deletion (cheap when nothing changed). */
  private refresh(): void {
    const version = this.host.topicsVersion;
    if (version === this.seenVersion) return;
    const initial = this.seenVersion === -1;
    this.seenVersion = version;
    for (const topic of this.topics) {
      const state = this.host.topicState(topic);
      const current = this.assigned.get(topic);
      if (current !== undefined && current.state === state) continue;
      for (const c of current?.cursors ?? []) c.close();
      if (state === undefined) {
        this.assigned.delete(topic);
        continue;
      }
      const cursors = state.partitions.map((part) => {
        const committed = this.host.committedOffset(this.groupId, topic, part.partition);
        const position =
          committed ?? (initial && !this.fromBeginning ? part.endOffset : part.startOffset);
        return new PartitionCursor(
          part,
          position,
          this.fromBeginning,
          this.host.readChunkBytes,
          this.host.verifyReads,
        );
      });
      this.assigned.set(topic, { state, cursors });
    }
    this.cursors = this.topics.flatMap((t) => this.assigned.get(t)?.cursors ?? []);
  }
}
