/**
 * Runs one query: poll a batch from the source topic, decode, push through the operators, encode,
 * write to the sink (or hand to a push-query callback), then commit the input offsets.
 *
 * Delivery: offsets are committed only after the batch's outputs and processing log entries are
 * durable, so after a crash the query resumes at the first uncommitted batch, never skipping
 * output. State is exact: a stateful query's state and the input offsets it includes commit
 * together (StoreRegistry.flushAll, ./applied-offsets.ts), and replayed records the state already
 * holds are skipped. Outputs: at-least-once on Kafka by default (a crash repeats the uncommitted
 * batches' outputs); under exactly_once_v2 on Kafka outputs, state changelogs and input offsets
 * are one transaction (./delivery-eos.ts); on the embedded log (default) the batches a crash
 * interrupted are processed again first, in their recorded order, without writing again what
 * they had written (recover(), ./delivery-idempotent.ts).
 *
 * Queries whose sub-topology reads several topics (joins) take their records through a
 * PartitionGroup (./partition-group.ts): in timestamp order across sources, waiting boundedly for
 * a source with unfetched records.
 */
import type { ConsumedRecord, Consumer, PartitionOffset, ProducerRecord, TopicPartition } from '../log/log.ts';
import type { Row } from './expr/row.ts';
import type { Operator } from './operator.ts';
import { buildPipeline, sinkOf } from './build.ts';
import { pipelineDecoder, type BatchDecoder } from './source-decoder.ts';
import { sinkEncoder, type SinkEncoder } from './sink-encoder.ts';
import { ProcessingLog } from './processing-log.ts';
import { AppliedOffsets } from './applied-offsets.ts';
import type { StepRows } from './step-rows.ts';
import { BUFFERED_PER_PARTITION, PartitionGroup, needsTimeOrder, type Lag } from './partition-group.ts';
import { addOutputs, atLeastOnce, emptyOutputs, type BatchOutputs, type Delivery } from './delivery.ts';
import type { QueryTaskOptions } from './query-task-options.ts';
import { nextOffsets, partitionsOf } from './batch-positions.ts';
export type { QueryTaskOptions } from './query-task-options.ts';

/** Records per slice of a batch (see runRecords). */
const SLICE_RECORDS = 500;

/** How often committed records are purged from repartition topics (Kafka Streams: repartition.purge.interval.ms). */
const PURGE_INTERVAL_MS = 30_000;

export type QueryState = 'CREATED' | 'RUNNING' | 'STOPPED' | 'ERROR';

export class QueryTask {
  readonly queryId: string;
  state: QueryState = 'CREATED';
  error: Error | null = null;
  /** Records consumed / rows emitted since start (SHOW QUERIES, progress). */
  consumed = 0;
  emitted = 0;
  /** Batches a crash had interrupted, processed again at start (exactly-once on the embedded log). */
  replayedBatches = 0;
  readonly errors: ProcessingLog;
  /** Rows out of each plan step, counted per batch (./step-rows.ts; the console's per-step rates). */
  readonly stepRows: StepRows;

  private readonly consumer: Consumer;
  private readonly decode: BatchDecoder;
  private readonly operators: readonly Operator[];
  private readonly encode: SinkEncoder | null;
  private readonly sinkTopic: string | null;
  private readonly opts: QueryTaskOptions;
  private readonly delivery: Delivery;
  private pending: BatchOutputs = emptyOutputs();
  private loop: Promise<void> | null = null;
  private readonly openPartitions = new Set<number>();
  /** Next offsets processed but not yet committed (with commit.interval.ms > 0). */
  private readonly uncommitted = new Map<string, PartitionOffset>();
  private readonly commitIntervalMs: number;
  private lastCommit = Date.now();
  /** For stateful queries: the input offsets their state already includes (see ./applied-offsets.ts). */
  private readonly applied: AppliedOffsets | null;
  private stopping = false;
  /** Whether recover() ran (before the first batch). */
  private recovered = false;
  /** Repartition topics this query writes and reads back: committed records are purged from them. */
  private readonly internalTopics: ReadonlySet<string>;
  private readonly purgeable = new Map<string, PartitionOffset>();
  private lastPurge = Date.now();
  /** Time order across the query's topics; null for a query that reads one topic. */
  private readonly group: PartitionGroup | null;

  constructor(opts: QueryTaskOptions) {
    this.opts = opts;
    this.queryId = opts.queryId;
    this.errors = opts.processingLog ?? new ProcessingLog(opts.producer);
    const ctx = {
      queryId: opts.queryId,
      errors: this.errors,
      log: opts.log,
      services: opts.services ?? {},
      sideOutput: (topic: string, records: readonly ProducerRecord[]) => addOutputs(this.pending, topic, records),
    };
    const pipeline = buildPipeline(opts.root, ctx);
    this.decode = pipelineDecoder(pipeline.sources, pipeline.internal, opts.queryId, this.errors);
    this.operators = pipeline.operators;
    this.stepRows = pipeline.stepRows;
    const sink = sinkOf(opts.root);
    this.encode = sink ? sinkEncoder(sink, opts.queryId, this.errors) : null;
    this.sinkTopic = sink ? sink.binding.topic : null;
    this.internalTopics = new Set(pipeline.internal.map((i) => i.step.topic));
    const topics = [...new Set([...pipeline.sources.map((s) => s.binding.topic), ...pipeline.internal.map((i) => i.step.topic)])];
    // Time order only within a sub-topology (a join's two sides), not between a GROUP BY's source and its repartition topic.
    const subtopologyOf = (topic: string): number => pipeline.subtopologyOf.get(topic) ?? 0;
    this.group = needsTimeOrder(topics, subtopologyOf) ? new PartitionGroup(opts.maxTaskIdleMs ?? 0, subtopologyOf) : null;
    this.consumer = opts.log.consumer({
      groupId: opts.groupId ?? `riffle-transient-${opts.queryId}-${process.pid}-${Date.now()}`,
      topics,
      fromBeginning: opts.fromBeginning,
      // Kafka: when partitions move to another instance, hand over their state cleanly.
      onRevoked: (ps) => this.revoke(ps),
    });
    this.delivery = opts.delivery ? opts.delivery(this.consumer) : atLeastOnce(opts.producer, this.consumer, opts.groupId !== null, opts.log.capabilities.localDirectory === null);
    const stateful = this.operators.some((op) => op.openPartitions);
    // Commits every commit.interval.ms as Kafka Streams (Riffle's default 0: every batch, so a crash
    // repeats at most one). Kafka's exactly-once commits each batch in its transaction.
    this.commitIntervalMs = this.delivery.transactional ? 0 : (opts.commitIntervalMs ?? 0);
    this.applied = stateful && opts.groupId !== null && opts.services?.stores ? new AppliedOffsets(opts.services.stores, opts.queryId) : null;
    // Exactly-once: state changelogs are written through the batch's transaction (Kafka Streams).
    if (this.delivery.transactional) opts.services?.stores?.bindQuery(opts.queryId, { producer: this.delivery.producer, transactional: true });
  }

  /**
   * Processes at most one batch. Returns the number of input records consumed (0 = none were
   * available within `timeoutMs`). Used directly by the test driver to run to quiescence.
   */
  async step(timeoutMs: number): Promise<number> {
    try {
      return await this.stepOnce(timeoutMs);
    } catch (e) {
      await this.fail(e as Error);
      throw e;
    }
  }

  /**
   * The query stops in ERROR, never silently: the reason goes to the processing log too (best
   * effort: the log may be the cause).
   */
  private async fail(e: Error): Promise<void> {
    if (this.state === 'ERROR') return;
    this.state = 'ERROR';
    this.error = e;
    this.errors.report({ type: 'QUERY_ERROR', queryId: this.queryId, step: 'Query', reason: `Query stopped: ${e.message}` });
    await this.errors.flush().catch(() => undefined);
  }

  private async stepOnce(timeoutMs: number): Promise<number> {
    if (!this.recovered) await this.recover();
    const maxBatch = this.opts.maxBatch;
    const max = typeof maxBatch === 'function' ? maxBatch() : (maxBatch ?? 2000);
    const group = this.group;
    // Bounded buffering: a partition with enough records waiting is not fetched until they drain
    // (at most a batch's worth: with many queries in the process their batches are small).
    if (group && this.consumer.setPaused) this.consumer.setPaused(group.fullPartitions(Math.min(BUFFERED_PER_PARTITION, max)));
    // With records buffered, only take what is there (a source held back is waited for by polling).
    const polled = await this.consumer.poll(max, group && group.buffered > 0 ? Math.min(timeoutMs, 10) : timeoutMs);
    await this.ensureOpen(partitionsOf(this.consumer.assignment())); // a rebalance in poll() may have assigned more: see recover()
    let records = polled;
    if (group) {
      group.add(polled);
      records = group.take(max, this.lag, Date.now());
    }
    if (records.length === 0) {
      // Idle: outputs held back go out now; what was processed since the last commit is
      // committed once the interval has passed.
      await this.delivery.flush?.();
      if (this.uncommitted.size && Date.now() - this.lastCommit >= this.commitIntervalMs) await this.commitPending();
      return polled.length;
    }
    return this.process(records);
  }

  private readonly lag: Lag = {
    assignment: () => this.consumer.assignment(),
    hasUnfetched: (tp) => this.consumer.hasUnfetched?.(tp),
  };

  /** Processes one batch of records (in the order given) and commits per the delivery. */
  private async process(polled: ConsumedRecord[]): Promise<number> {
    const batchStart = performance.now();
    const count = polled.length;
    await this.ensureOpen(partitionsOf(polled));
    const records = this.applied ? this.applied.fresh(polled) : polled;
    for (const o of nextOffsets(polled)) this.uncommitted.set(`${o.topic}\u0000${o.partition}`, o);
    const commitNow = this.commitIntervalMs === 0 || Date.now() - this.lastCommit >= this.commitIntervalMs;
    const offsets = commitNow ? [...this.uncommitted.values()] : [];
    await this.delivery.begin(records);
    try {
      let rows: Row[];
      let sinkRecords: ProducerRecord[] | null = null;
      if (this.encode !== null && !this.opts.services?.batchObserver) {
        // A whole batch's decoded rows outlived young-generation GCs (a third more CPU per record at
        // 2000 than at 500): runRecords takes it a slice at a time, in order, and keeps only the
        // encoded outputs.
        await this.runRecords(records, (sinkRecords = []));
        rows = [];
      } else {
        rows = await this.runRecords(records);
        this.emitted += rows.length;
      }
      const outputs = this.pending;
      this.pending = emptyOutputs();
      if (sinkRecords !== null) addOutputs(outputs, this.sinkTopic!, sinkRecords);
      else if (this.encode && this.sinkTopic) addOutputs(outputs, this.sinkTopic, this.encode(rows));
      else if (rows.length) this.opts.onRows?.(rows);
      this.consumed += count;
      const observed = this.opts.services?.batchObserver ? rows : null;
      // Done with the batch's input and rows: drop them before waiting for the writes and the
      // state flush (real I/O). The arrays from poll() and fresh() are this batch's own; the rows
      // array may be an operator's, so only the reference to it is dropped.
      rows = [];
      records.length = 0;
      polled.length = 0;
      await this.delivery.complete(outputs, offsets, async () => {
        await this.errors.flush();
        if (!commitNow) return;
        // State, its changelog and the applied input offsets: one commit point (StoreRegistry.flushAll).
        this.applied?.record(offsets);
        await this.opts.services?.stores?.flushAll(this.queryId);
      });
      if (commitNow) {
        this.markCommitted();
        await this.purgeInternal(offsets);
      }
      if (observed) this.opts.services!.batchObserver!(this.queryId, { records: count, rows: observed, seconds: (performance.now() - batchStart) / 1000 });
    } catch (e) {
      // The batch is neither written nor committed; the task stops so it is not skipped either.
      await this.delivery.abort().catch(() => undefined);
      this.pending = emptyOutputs();
      // Nothing of this batch (or of earlier uncommitted ones) may be committed now: they are redone.
      this.uncommitted.clear();
      this.group?.clear();
      throw e;
    }
    return count;
  }

  /**
   * Decodes records and pushes them through the operators, then what the operators release. With
   * `sink` (nothing returned): SLICE_RECORDS records at a time (operators take rows one after
   * another: same rows, same order), each slice encoded into `sink` (or handed to the delivery)
   * and counted. Takes `records` over: a run may be spliced as it goes.
   */
  private async runRecords(records: ConsumedRecord[], sink: ProducerRecord[] | null = null): Promise<Row[]> {
    let rows: Row[] = [];
    const emit = sink !== null ? this.delivery.emit?.bind(this.delivery) : undefined;
    const take = (out: Row[]): Promise<void> | void => {
      if (sink === null) rows = rows.length === 0 ? out : rows.concat(out);
      else {
        this.emitted += out.length;
        const encoded = this.encode!(out);
        if (emit) return emit(this.sinkTopic!, encoded);
        for (let i = 0; i < encoded.length; i++) sink.push(encoded[i]);
      }
    };
    for (const r of this.decode.runs(records)) {
      const recs = r.records;
      if (sink === null || recs.length <= SLICE_RECORDS) await take(await this.run(this.decode.rows(r, recs), r.entry));
      // Spliced off: each slice's records are let go once taken (a run may be the batch's own array,
      // which the task drops after this anyway).
      else while (recs.length > 0) await take(await this.run(this.decode.rows(r, recs.splice(0, SLICE_RECORDS)), r.entry));
    }
    // Rows that the batch's progress in time released (closed EMIT FINAL windows).
    for (let i = 0; i < this.operators.length; i++) {
      const released = this.operators[i].drain?.();
      if (released?.length) await take(await this.run(released, i + 1));
    }
    return rows;
  }

  /** Opens (restores) the state of input partitions met for the first time. */
  private async ensureOpen(partitions: readonly number[]): Promise<void> {
    if (partitions.every((p) => this.openPartitions.has(p))) return;
    for (const op of this.operators) await op.openPartitions?.(partitions);
    await this.applied?.open(partitions);
    for (const p of partitions) this.openPartitions.add(p);
  }

  /**
   * The state of every assigned partition opens (restores) at start and after each rebalance, as Kafka
   * Streams restores a task's state at assignment: what a query keeps (a training query's models) is
   * there before new input arrives. Then batches a crash interrupted after writing some outputs
   * (exactly-once on the embedded log, ./delivery-idempotent.ts) are processed again first, each in
   * its original order; the consumer then continues after them.
   */
  private async recover(): Promise<void> {
    this.recovered = true;
    await this.ensureOpen(partitionsOf(this.consumer.assignment()));
    if (!this.delivery.recover || this.opts.groupId === null) return;
    const batches = await this.delivery.recover((tps) => this.committedPosition(tps));
    for (const batch of batches) {
      for (const o of nextOffsets(batch)) this.consumer.seek(o);
      await this.process(batch);
      this.replayedBatches++;
    }
  }

  /** The committed next offset per input topic-partition: what the state includes, or the group's commit. */
  private async committedPosition(tps: readonly TopicPartition[]): Promise<number[]> {
    await this.ensureOpen([...new Set(tps.map((tp) => tp.partition))]);
    const group = new Map<string, number>();
    for (const topic of new Set(tps.map((tp) => tp.topic))) {
      for (const c of await this.opts.log.committed(this.opts.groupId!, topic)) group.set(`${c.topic}\u0000${c.partition}`, c.offset);
    }
    return tps.map((tp) => Math.max(group.get(`${tp.topic}\u0000${tp.partition}`) ?? -1, this.applied?.position(tp.topic, tp.partition) ?? -1));
  }

  private markCommitted(): void {
    this.uncommitted.clear();
    this.lastCommit = Date.now();
  }

  /** Flushes state and commits what was processed but not committed yet (stop, rebalance, idle). */
  async commitPending(): Promise<void> {
    // Exactly-once on Kafka commits every batch inside its transaction; never outside one.
    if (this.uncommitted.size === 0 || this.delivery.transactional) return;
    // Outputs before the offsets of their input.
    await this.delivery.flush?.();
    const offsets = [...this.uncommitted.values()];
    await this.errors.flush();
    this.applied?.record(offsets);
    await this.opts.services?.stores?.flushAll(this.queryId);
    if (this.opts.groupId) await this.consumer.commit(offsets);
    this.markCommitted();
    await this.purgeInternal(offsets);
  }

  /** Repartition records below the committed offsets are dead: deleted (Kafka Streams' purge) at most every PURGE_INTERVAL_MS; a failed purge waits for the next. */
  private async purgeInternal(committed: readonly PartitionOffset[]): Promise<void> {
    if (this.internalTopics.size === 0 || this.opts.groupId === null) return;
    for (const o of committed) if (this.internalTopics.has(o.topic)) this.purgeable.set(`${o.topic}\u0000${o.partition}`, o);
    if (this.purgeable.size === 0 || Date.now() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = Date.now();
    const byTopic = new Map<string, { partition: number; offset: number }[]>();
    for (const o of this.purgeable.values()) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    this.purgeable.clear();
    for (const [topic, before] of byTopic) await this.opts.log.deleteRecords(topic, before).catch(() => undefined);
  }

  /** Partitions given away (rebalance, inside poll() between batches): flush their state (complete changelog for the new owner), close their stores. */
  private async revoke(ps: readonly TopicPartition[]): Promise<void> {
    const partitions = [...new Set(ps.map((p) => p.partition))].filter((p) => this.openPartitions.has(p));
    // Buffered, never processed, not committed: the new owner reads them.
    this.group?.drop(ps);
    if (partitions.length === 0) return;
    const stores = this.opts.services?.stores;
    await this.commitPending();
    await stores?.flushAll(this.queryId);
    await stores?.closeStores(this.queryId, (operator) => partitions.some((p) => operator.endsWith(`/p${p}`)));
    for (const op of this.operators) await op.closePartitions?.(partitions);
    this.applied?.close(partitions);
    for (const p of partitions) this.openPartitions.delete(p);
  }

  /** Pushes rows through the operators from index `from` on. */
  private async run(input: Row[], from: number): Promise<Row[]> {
    let rows = input;
    for (let i = from; i < this.operators.length; i++) {
      const out = this.operators[i].process(rows);
      rows = out instanceof Promise ? await out : out;
    }
    return rows;
  }

  /** Runs until stop(); a failure moves the query to ERROR with the reason. */
  start(): void {
    if (this.loop) return;
    this.state = 'RUNNING';
    this.loop = (async () => {
      try {
        while (!this.stopping) await this.step(200);
        this.state = 'STOPPED';
      } catch (e) {
        await this.fail(e as Error);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    const failed = this.state === 'ERROR';
    if (!failed) await this.commitPending().catch(() => undefined);
    for (const op of this.operators) await op.close?.();
    // A failed query's uncommitted writes belong to no commit point: dropped, not flushed.
    if (failed) await this.opts.services?.stores?.abandon(this.queryId);
    else await this.opts.services?.stores?.closeAll(this.queryId);
    this.applied?.close();
    await this.delivery.close();
    await this.consumer.close();
    if (this.state !== 'ERROR') this.state = 'STOPPED';
  }
}
