/**
 * Exactly-once delivery on Kafka (`processing.guarantee = 'exactly_once_v2'`, KIP-447): each
 * batch is one transaction. begin → send every output → add the input offsets to the transaction
 * (`sendOffsets` with the consumer's group generation) → commit; any failure aborts it. Readers
 * with `isolation.level=read_committed` see a batch's outputs exactly when its input offsets are
 * committed, so a crash at any point neither loses nor repeats output.
 *
 * Invariants:
 * - The transactional id is derived from service id + query id, so it is the same after a restart:
 *   the restarted instance's InitProducerId fences the old producer (a zombie's next write or
 *   commit fails) and aborts the transaction it left open. init() runs as soon as the delivery is
 *   made, so that abort happens while the consumer waits for stable offsets (requireStable), not
 *   after the transaction times out.
 * - A zombie consumer (an older group generation) cannot commit offsets: the broker rejects
 *   TxnOffsetCommit for a stale generation, the transaction aborts, the query stops.
 * - Outputs of one batch are sent one topic after the other: the client adds partitions to the
 *   transaction per send and must not interleave two such registrations.
 * - The processing log is not transactional (as in ksqlDB): its entries are written before the
 *   commit and may repeat when a batch is retried after a crash.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumer, LogTransactions, Producer } from '../log/log.ts';
import type { Delivery } from './delivery.ts';

/**
 * One per instance and query, stable across restarts of that instance (same state directory): a
 * restarted instance fences its predecessor, while the instances of one service, which split the
 * query's partitions, do not fence each other. Zombies among them are fenced by the consumer
 * group generation their offset commits carry (KIP-447).
 */
export function transactionalIdFor(serviceId: string, queryId: string, instanceId: string): string {
  return `riffle_${serviceId}_query_${queryId}_${instanceId}`;
}

/** This instance's id: random on first use, kept in `<stateDir>/instance-id`. */
export function instanceIdOf(stateDir: string): string {
  const file = join(stateDir, 'instance-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9-]+$/.test(id)) return id;
  } catch {
    // first start
  }
  const id = randomBytes(6).toString('hex');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${id}\n`);
  renameSync(`${file}.tmp`, file);
  return id;
}

export function exactlyOnce(transactions: LogTransactions, transactionalId: string, consumer: Consumer): Delivery {
  const producer = transactions.transactionalProducer(transactionalId);
  // Fence zombies now; a failure surfaces in begin(). The catch only keeps it from being unhandled.
  const ready = producer.init();
  ready.catch(() => undefined);
  let open = false;
  return {
    producer: producer as Producer,
    transactional: true,
    async begin() {
      await ready;
      await producer.beginTransaction();
      open = true;
    },
    async complete(outputs, offsets, beforeCommit) {
      if (!open) throw new Error('exactly-once: complete() without begin()');
      for (const [topic, records] of outputs.byTopic) {
        if (records.length > 0) await producer.send(topic, records);
      }
      // Sent: let go of the records while the state flushes (as the other deliveries do).
      outputs.byTopic.clear();
      await beforeCommit();
      if (offsets.length > 0) {
        const { groupId, generationId, memberId } = transactions.groupMetadata(consumer);
        await producer.sendOffsets(groupId, offsets, { generationId, memberId });
      }
      await producer.commit();
      open = false;
    },
    async abort() {
      if (!open) return;
      open = false;
      await producer.abort();
    },
    async close() {
      await producer.close();
    },
  };
}
