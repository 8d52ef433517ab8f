/**
 * The embedded, durable, file-backed log, used when no Kafka is configured.
 *
 * Layout under `dir`:
 *   LOCK                                  pid of the process that has the log open
 *   topics/<topic>/topic.json             partitions and config
 *   topics/<topic>/<partition>/<20-digit base offset>.log   segments (./format.ts)
 *   groups/<group>.offsets                committed offsets, append-only (./groups.ts)
 *   producers.json                        numbers of idempotent producers (./producers.ts)
 *   trash/                                topics being deleted (emptied on open)
 *   recoveries.jsonl                      repairs made on open (./recovery-report.ts)
 *
 * Durability: `send` resolves after its bytes were written with fs.writeSync, which survives
 * kill -9 of the process (not a power loss); with `fsync: true` every send is also fdatasync'ed.
 * On open, every frame's CRC is checked: a torn tail of a partition (a write cut short) is
 * truncated, damage elsewhere loses only the damaged frames (./recover.ts); every repair is in
 * `recoveries`, counted in `recoveryMetrics` and journaled (./recovery-report.ts).
 *
 * Everything is synchronous underneath; the async signatures follow the Log interface. One
 * process, one EmbeddedLog per directory (enforced by LOCK).
 */
import fs from 'node:fs';
import path from 'node:path';
import type {
  ConsumerOptions,
  Log,
  LogCapabilities,
  PartitionOffset,
  ProducerRecord,
  SendResult,
  TopicConfig,
  TopicDescription,
} from '../log.ts';
import { TopicExistsError, UnknownTopicError } from '../log.ts';
import { EmbeddedConsumer, type ConsumerHost } from './consumer.ts';
import { FdPool } from './fd-pool.ts';
import { FrameEncoder } from './format.ts';
import { fsyncDir } from './fsutil.ts';
import { GroupStore } from './groups.ts';
import { acquireLock } from './lock.ts';
import { AppendNotifier } from './notifier.ts';
import { PartitionLog, type PartitionSettings, type Recovery } from './partition.ts';
import { EmbeddedIdempotentProducer, EmbeddedProducer, type IdempotentHost } from './producer.ts';
import { appendJournal, readJournal, recoveryMetrics, type JournalEntry, type RecoveryMetrics } from './recovery-report.ts';
import { ProducerNumbers } from './producers.ts';
import { PartitionCursor } from './cursor.ts';
import { groupByPartition } from './route.ts';
import { TopicState, normalizeConfig, readTopicFile, validateTopicName, writeTopicFile } from './topics.ts';
import { MiB, positiveInt, type EmbeddedLogOptions } from './options.ts';

/** Opens (creating if needed) the embedded log in `dir`. Fails if another live process has it open. */
export async function openEmbeddedLog(dir: string, options: EmbeddedLogOptions = {}): Promise<EmbeddedLog> {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  const real = fs.realpathSync(abs);
  const release = acquireLock(real);
  try {
    return new EmbeddedLog(real, options, release);
  } catch (e) {
    release();
    throw e;
  }
}

export class EmbeddedLog implements Log, ConsumerHost, IdempotentHost {
  readonly kind = 'embedded' as const;
  readonly capabilities: LogCapabilities;
  readonly dir: string;
  /** What opening repaired: torn tails, lost frames, metadata (empty after a clean shutdown). */
  readonly recoveries: readonly Recovery[];
  /** Counters of those repairs, for metrics. */
  readonly recoveryMetrics: RecoveryMetrics;
  readonly notifier = new AppendNotifier();
  readonly readChunkBytes: number;
  readonly verifyReads: boolean;
  topicsVersion = 0;
  private readonly settings: PartitionSettings;
  private readonly maxFrameBytes: number;
  private readonly defaultRetentionMs: number;
  private readonly defaultRetentionBytes: number;
  private readonly topicsDir: string;
  private readonly trashDir: string;
  private readonly topics = new Map<string, TopicState>();
  private readonly groups: GroupStore;
  private readonly producerNumbers: ProducerNumbers;
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly encoder = new FrameEncoder();
  private readonly release: () => void;
  private readonly timer: NodeJS.Timeout | null;
  private trashSeq = 0;
  private closed = false;

  /** Use openEmbeddedLog(), which takes the directory lock first. */
  constructor(dir: string, options: EmbeddedLogOptions, release: () => void) {
    this.dir = dir;
    // One process owns the directory (the lock): no transactions, no rebalancing; named producers
    // whose records it can count after a crash (exactly-once outputs, ../../exec/delivery-idempotent.ts).
    this.capabilities = {
      transactions: null,
      idempotence: { idempotentProducer: (name) => this.idempotentProducer(name) },
      rebalanceHooks: false,
      localDirectory: dir,
      consumerProgress: null,
    };
    this.release = release;
    const fsync = options.fsync ?? false;
    this.settings = {
      segmentBytes: positiveInt('segmentBytes', options.segmentBytes, 64 * MiB, 1),
      indexIntervalBytes: positiveInt('indexIntervalBytes', options.indexIntervalBytes, 4096, 1),
      chunkBytes: positiveInt('readChunkBytes', options.readChunkBytes, MiB, 4096),
      fsync,
      fds: new FdPool(positiveInt('maxOpenSegments', options.maxOpenSegments, 256, 1)),
    };
    this.readChunkBytes = this.settings.chunkBytes;
    this.maxFrameBytes = positiveInt('maxFrameBytes', options.maxFrameBytes, MiB, 1);
    this.verifyReads = options.verifyChecksumsOnRead ?? false;
    this.defaultRetentionMs = positiveInt('defaultRetentionMs', options.defaultRetentionMs, -1, -1);
    this.defaultRetentionBytes = positiveInt('defaultRetentionBytes', options.defaultRetentionBytes, -1, -1);
    const interval = positiveInt('retentionCheckIntervalMs', options.retentionCheckIntervalMs, 300_000, 0);

    this.topicsDir = path.join(dir, 'topics');
    this.trashDir = path.join(dir, 'trash');
    fs.mkdirSync(this.topicsDir, { recursive: true });
    // Topics whose deletion was interrupted: the rename into trash/ was the commit point.
    fs.rmSync(this.trashDir, { recursive: true, force: true });
    fs.mkdirSync(this.trashDir, { recursive: true });
    const recoveries: Recovery[] = [];
    this.recoveries = recoveries;
    try {
      this.loadTopics(recoveries);
    } catch (e) {
      for (const t of this.topics.values()) for (const p of t.partitions) p.close();
      throw e;
    }
    this.groups = new GroupStore(path.join(dir, 'groups'), fsync, recoveries);
    this.recoveryMetrics = recoveryMetrics(recoveries);
    appendJournal(dir, recoveries);
    this.producerNumbers = new ProducerNumbers(path.join(dir, 'producers.json'), fsync);
    this.timer = interval > 0 ? setInterval(() => this.retentionTick(), interval) : null;
    this.timer?.unref();
  }

  private loadTopics(recoveries: Recovery[]): void {
    for (const entry of fs.readdirSync(this.topicsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const name = entry.name;
      const tdir = path.join(this.topicsDir, name);
      const config = readTopicFile(tdir, this.settings.fsync, (reason, action) =>
        recoveries.push({ kind: 'metadata', topic: name, file: path.join(tdir, 'topic.json'), reason, action }),
      );
      if (config === null) {
        fs.rmSync(tdir, { recursive: true, force: true }); // creation interrupted by a crash
        continue;
      }
      const partitions: PartitionLog[] = [];
      try {
        for (let i = 0; i < config.partitions; i++) {
          partitions.push(PartitionLog.open(path.join(tdir, String(i)), name, i, this.settings, recoveries));
        }
      } catch (e) {
        for (const p of partitions) p.close();
        throw e;
      }
      this.topics.set(name, new TopicState(name, tdir, config, partitions));
    }
  }

  /** Every repair ever made to this directory (the journal), oldest first. */
  recoveryHistory(): JournalEntry[] {
    return readJournal(this.dir);
  }

  // ---- Log: topics ----

  async createTopic(name: string, config: TopicConfig): Promise<void> {
    this.createTopicSync(name, config);
  }

  async ensureTopic(name: string, config: TopicConfig): Promise<TopicDescription> {
    this.checkOpen();
    const existing = this.topics.get(name);
    if (existing !== undefined) return existing.describe();
    return this.createTopicSync(name, config).describe();
  }

  private createTopicSync(name: string, config: TopicConfig): TopicState {
    this.checkOpen();
    validateTopicName(name);
    const normalized = normalizeConfig(name, config);
    if (this.topics.has(name)) throw new TopicExistsError(name);
    const tdir = path.join(this.topicsDir, name);
    fs.rmSync(tdir, { recursive: true, force: true });
    fs.mkdirSync(tdir);
    const partitions: PartitionLog[] = [];
    try {
      for (let i = 0; i < normalized.partitions; i++) {
        partitions.push(PartitionLog.create(path.join(tdir, String(i)), name, i, this.settings));
      }
      writeTopicFile(tdir, name, normalized, this.settings.fsync);
      if (this.settings.fsync) fsyncDir(this.topicsDir);
    } catch (e) {
      for (const p of partitions) p.close();
      fs.rmSync(tdir, { recursive: true, force: true });
      throw e;
    }
    const state = new TopicState(name, tdir, normalized, partitions);
    this.topics.set(name, state);
    this.topicsVersion++;
    this.notifier.notify(name);
    return state;
  }

  async deleteRecords(topic: string, before: readonly { partition: number; offset: number }[]): Promise<void> {
    const state = this.requireTopic(topic);
    for (const { partition, offset } of before) state.partitions[partition]?.deleteBefore(offset);
  }

  async deleteTopic(name: string): Promise<void> {
    const state = this.requireTopic(name);
    state.deleted = true;
    for (const p of state.partitions) p.markDeleted();
    this.topics.delete(name);
    this.topicsVersion++;
    // The rename is the commit point; removing the files after it may take a while.
    const trash = path.join(this.trashDir, `${name}.${process.pid}.${++this.trashSeq}`);
    fs.renameSync(state.dir, trash);
    if (this.settings.fsync) fsyncDir(this.topicsDir);
    fs.rmSync(trash, { recursive: true, force: true });
    this.groups.removeTopic(name);
    this.notifier.notify(name);
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    this.checkOpen();
    return this.topics.get(name)?.describe() ?? null;
  }

  async listTopics(): Promise<TopicDescription[]> {
    this.checkOpen();
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => t.describe());
  }

  async offsets(topic: string): Promise<{ partition: number; start: number; end: number }[]> {
    return this.requireTopic(topic).partitions.map((p) => ({
      partition: p.partition,
      start: p.startOffset,
      end: p.endOffset,
    }));
  }

  // ---- Log: groups ----

  async committed(groupId: string, topic: string): Promise<PartitionOffset[]> {
    this.checkOpen();
    return this.groups.committed(groupId, topic);
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.checkOpen();
    this.groups.deleteGroup(groupId);
  }

  // ---- Log: clients ----

  producer(): EmbeddedProducer {
    this.checkOpen();
    return new EmbeddedProducer(this);
  }

  /** A producer whose frames carry `name`'s number (the same after a restart). */
  idempotentProducer(name: string): EmbeddedIdempotentProducer {
    this.checkOpen();
    return new EmbeddedIdempotentProducer(this, name, this.producerNumbers.numberOf(name));
  }

  consumer(options: ConsumerOptions): EmbeddedConsumer {
    this.checkOpen();
    for (const t of options.topics) validateTopicName(t);
    const c = new EmbeddedConsumer(this, options);
    this.consumers.add(c);
    return c;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const c of this.consumers) c.closeFromLog();
    this.consumers.clear();
    this.notifier.notifyAll();
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
    this.groups.close();
    this.release();
  }

  // ---- retention ----

  /**
   * Applies time and size retention to every topic now (the timer calls this too). Topics with
   * cleanupPolicy 'compact' are kept whole (compaction is not implemented); 'compact,delete'
   * topics get time and size retention only. Returns the number
   * of deleted segments.
   */
  runRetention(now: number = Date.now()): number {
    this.checkOpen();
    let deleted = 0;
    for (const t of this.topics.values()) {
      if (t.config.cleanupPolicy === 'compact') continue;
      const ms = t.config.retentionMs ?? this.defaultRetentionMs;
      const bytes = t.config.retentionBytes ?? this.defaultRetentionBytes;
      if (ms < 0 && bytes < 0) continue;
      for (const p of t.partitions) deleted += p.applyRetention(now, ms, bytes);
    }
    return deleted;
  }

  private retentionTick(): void {
    try {
      this.runRetention();
    } catch (e) {
      process.emitWarning(`Embedded log retention failed: ${(e as Error).message}`);
    }
  }

  // ---- hosts for producers and consumers ----

  topicState(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  committedOffset(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId, topic, partition);
  }

  /** Commits, dropping offsets of topics that no longer exist (deleted while consumed). */
  commitOffsets(groupId: string, offsets: readonly PartitionOffset[]): void {
    this.groups.commit(
      groupId,
      offsets.filter((o) => this.topics.has(o.topic)),
    );
  }

  consumerClosed(consumer: EmbeddedConsumer): void {
    this.consumers.delete(consumer);
  }

  /** Per partition of `topic`: records of producer number `producer` at offsets >= from[p]. */
  countSince(topic: string, from: readonly number[], producer: number): number[] {
    const parts = this.requireTopic(topic).partitions;
    return parts.map((part, p) => {
      if (p >= from.length || from[p] >= part.endOffset) return 0;
      return new PartitionCursor(part, Math.max(from[p], part.startOffset), false, this.readChunkBytes, false).countProducer(producer);
    });
  }

  /**
   * Appends records: partition per record (explicit, key hash, or sticky for null keys), then
   * per partition one encode and one write, in the order the records came. Frames carry
   * `producer`; the first skip[p] records routed to partition p are not written (their result
   * offset is -1: they are in the log from an earlier send).
   */
  append(topic: string, records: readonly ProducerRecord[], sticky: number, producer = 0, skip?: readonly number[]): SendResult[] {
    const state = this.requireTopic(topic);
    const count = records.length;
    if (count === 0) return [];
    const parts = state.partitions;
    const n = parts.length;
    const { order, bounds } = groupByPartition(topic, records, n, sticky);
    const results: SendResult[] = new Array(count);
    try {
      for (let p = 0; p < n; p++) {
        const to = bounds[p + 1];
        const from = Math.min(to, bounds[p] + (skip?.[p] ?? 0));
        for (let k = bounds[p]; k < from; k++) results[order[k]] = { topic, partition: p, offset: -1 };
        if (from === to) continue;
        const part = parts[p];
        const base = part.endOffset;
        const length = this.encoder.encode(records, order, from, to, base, this.maxFrameBytes, producer);
        part.append(this.encoder, length, to - from);
        for (let k = from; k < to; k++) results[order[k]] = { topic, partition: p, offset: base + (k - from) };
      }
    } finally {
      // Also after a failure in a later partition: earlier partitions were appended.
      this.encoder.shrink();
      this.notifier.notify(topic);
    }
    return results;
  }

  private requireTopic(name: string): TopicState {
    this.checkOpen();
    const t = this.topics.get(name);
    if (t === undefined) throw new UnknownTopicError(name);
    return t;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`The embedded log in ${this.dir} is closed`);
  }
}
