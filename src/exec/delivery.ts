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
import type { ConsumedRecord, Consumer, PartitionOffset, Producer, ProducerRecord, TopicPartition } from '../log/log.ts';

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
}

export function atLeastOnce(producer: Producer, consumer: Consumer, commit: boolean): Delivery {
  return {
    producer,
    transactional: false,
    async begin() {},
    async complete(outputs, offsets, beforeCommit) {
      await Promise.all([...outputs.byTopic].filter(([, recs]) => recs.length).map(([topic, recs]) => producer.send(topic, recs)));
      // Written: let go of the records while the commit waits (state flushes are real I/O, and
      // with many queries every waiting batch's outputs would stay in memory).
      outputs.byTopic.clear();
      await beforeCommit();
      if (commit && offsets.length) await consumer.commit(offsets);
    },
    async abort() {},
    async close() {},
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
