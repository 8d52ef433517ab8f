/**
 * Delivery guarantees: how a batch's outputs and its input offsets reach the log.
 *
 * At-least-once (default): write every output (sink, side outputs, changelogs), wait for them to
 * be durable, then commit the input offsets. A crash between the two repeats the batch.
 * Exactly-once (Kafka transactions, `processing.guarantee = 'exactly_once_v2'`): outputs and
 * offsets commit atomically in one transaction; readers with read_committed never see a
 * partial batch (see ./delivery-eos.ts).
 * Exactly-once on the embedded log (its default): outputs through an idempotent producer, each
 * batch announced by an intent record; a batch a crash cut short is processed again first and
 * what it had written is not written again (see ./delivery-idempotent.ts).
 */
import type { ConsumedRecord, Consumer, OutputBuffer, PartitionOffset, Producer, ProducerRecord, TopicPartition } from '../log/log.ts';

export interface BatchOutputs {
  /** Records per topic, in order. */
  readonly byTopic: Map<string, ProducerRecord[]>;
}

export interface Delivery {
  /** The producer operators and stores must write through (transactional under exactly-once). */
  readonly producer: Producer;
  /** Whether writes through `producer` are part of the batch's transaction (state changelogs then go through it). */
  readonly transactional: boolean;
  /**
   * Called before the batch's first write with the batch's input records in processing order
   * (begins a transaction under exactly-once on Kafka).
   */
  begin(records: readonly ConsumedRecord[]): Promise<void>;
  /** Writes the outputs, then commits `offsets`; resolves when both are durable. */
  complete(outputs: BatchOutputs, offsets: readonly PartitionOffset[], beforeCommit: () => Promise<void>): Promise<void>;
  /** Undoes an unfinished batch (aborts the transaction); at-least-once has nothing to undo. */
  abort(): Promise<void>;
  close(): Promise<void>;
  /**
   * Called once before the first batch: the batches a crash interrupted (not committed) after some
   * of their outputs were written, each to be processed first, in this order, as one batch (what
   * they already wrote is then not written again); empty when there are none. `committedPosition` gives the query's
   * committed next offset per input topic-partition (for a stateful query: what its state includes).
   */
  recover?(committedPosition: (tps: readonly TopicPartition[]) => Promise<number[]>): Promise<ConsumedRecord[][]>;
  /**
   * Writes the outputs `complete` held back (at-least-once lingers between commit points); the
   * task calls it before it commits offsets outside `complete` and when it is idle.
   */
  flush?(): Promise<void>;
  /**
   * Takes sink outputs while the batch is still being processed, a slice at a time, instead of in
   * `complete` (only where that changes nothing: at-least-once into a log that keeps held outputs
   * encoded). A batch's outputs, collected as records until it completed, outlived young-generation
   * collections and were promoted (Nexmark q5: ~40% of what its old generation received); taken
   * per slice, only their bytes stay. Returns a promise when the caller must wait (the buffer wrote).
   */
  emit?(topic: string, records: readonly ProducerRecord[]): Promise<void> | void;
}

/**
 * At-least-once outputs of a persistent query on a remote log linger between commit points, up
 * to LINGER_MS and LINGER_RECORDS (Kafka Streams' producer lingers 100 ms), so that with
 * commit.interval.ms > 0 several batches go out in one write per topic: on Kafka each write is a
 * produce request whose fixed cost was more than encoding a 2,000-record batch. On a local log a
 * write costs per record, and held outputs only live longer (measured: q0 on the embedded log
 * lost ~15% records per CPU-second lingering), so they do not linger there. Invariant: every
 * output is written before the offsets of the input it came from are committed (a crash
 * repeats, never loses).
 */
const LINGER_MS = 100;
const LINGER_RECORDS = 16_384;

export function atLeastOnce(producer: Producer, consumer: Consumer, commit: boolean, linger: boolean): Delivery {
  const lingers = linger && commit;
  // A remote log's own buffer holds the outputs encoded (its bytes, not the records, which then die
  // with their batch instead of surviving young-generation collections while they linger: on Kafka
  // the held records made V8's GC threads do about three times the embedded log's work).
  const encoded = lingers ? producer.outputBuffer?.() : undefined;
  const held = encoded ?? recordBuffer(producer);
  let heldSince = 0;
  const flush = (): Promise<void> => held.flush();
  // Outputs added before `complete` are like those it adds: held until a flush, dropped by abort
  // (nothing of theirs is committed before they are durable: the invariant above holds).
  const hold = (topic: string, recs: readonly ProducerRecord[]): Promise<void> | void => {
    if (recs.length === 0) return;
    if (held.records === 0) heldSince = Date.now();
    return held.add(topic, recs);
  };
  return {
    producer,
    transactional: false,
    async begin() {},
    ...(encoded ? { emit: hold } : {}),
    async complete(outputs, offsets, beforeCommit) {
      for (const [topic, recs] of outputs.byTopic) {
        const adding = hold(topic, recs);
        if (adding) await adding;
      }
      // Taken over (or written below): the task lets go of its references while the commit waits.
      outputs.byTopic.clear();
      if (!lingers || offsets.length > 0 || held.records >= LINGER_RECORDS || Date.now() - heldSince >= LINGER_MS) await flush();
      await beforeCommit();
      if (commit && offsets.length) await consumer.commit(offsets);
    },
    async abort() {
      // Not committed: the input of these outputs is processed again.
      held.clear();
    },
    flush,
    async close() {},
  };
}

/** Outputs held as the records themselves, per topic in order (a log without its own OutputBuffer). */
function recordBuffer(producer: Producer): OutputBuffer {
  let held = new Map<string, ProducerRecord[]>();
  let records = 0;
  return {
    get records() {
      return records;
    },
    add(topic, recs) {
      const list = held.get(topic);
      if (list) for (const r of recs) list.push(r);
      else held.set(topic, recs as ProducerRecord[]); // the batch's own array: the task lets go of it
      records += recs.length;
    },
    async flush() {
      if (records === 0) return;
      const writes = held;
      held = new Map();
      records = 0;
      await Promise.all([...writes].map(([topic, recs]) => producer.send(topic, recs)));
    },
    clear() {
      held = new Map();
      records = 0;
    },
  };
}

export function emptyOutputs(): BatchOutputs {
  return { byTopic: new Map() };
}

export function addOutputs(outputs: BatchOutputs, topic: string, records: readonly ProducerRecord[]): void {
  let list = outputs.byTopic.get(topic);
  if (!list) outputs.byTopic.set(topic, (list = []));
  for (const r of records) list.push(r);
}
