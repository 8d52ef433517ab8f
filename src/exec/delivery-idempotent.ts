/**
 * Exactly-once outputs on a log with idempotent producers (the embedded log, the default there).
 *
 * A query's state and the input offsets it includes commit together (../state/registry.ts), and
 * its processing is deterministic given the same state and the same input records in the same
 * order. So the outputs a crashed batch had written before its commit are exactly the first
 * outputs that batch produces again, per output partition, when it is processed again in the same
 * order. Per batch with outputs:
 *
 * 1. an intent record goes to the query's intent topic first: the batch's input records as runs
 *    (topic-partition, first offset, count, in processing order), the end offset of every
 *    partition of every topic it is about to write, and the partition for its null-key records;
 * 2. the outputs (sink, repartition topics, side outputs) go through the query's idempotent
 *    producer: its frames carry the query's producer number (../log/embedded/format.ts);
 * 3. state + applied input offsets commit (one LMDB transaction), then the group's offsets.
 *
 * On start, the last intent is read. If the query's committed position of its inputs is still at
 * the intent's first offsets, the batch was not committed: its records are read back and
 * processed first, in the intent's order, and to each output partition the first N outputs are
 * not written again, N being the count of this producer's records beyond the intent's end offset
 * there (other writers of the same topic, INSERT INTO, are not counted). A crash during that
 * replay leaves the same intent (no new one is written for it), so the next start counts from the
 * same end offsets. Then processing continues as usual.
 *
 * Not covered (documented in docs/kafka.md "Delivery guarantees"): the processing log is not
 * transactional (as in ksqlDB); a replayed batch whose outputs depend on the wall clock or a
 * remote model gives the same NUMBER of records per partition, of which the first ones written
 * stay (their values may differ from what the replay would give); output partitions chosen from
 * such values may differ.
 */
import type {
  ConsumedRecord,
  Consumer,
  IdempotentProducer,
  Log,
  LogIdempotence,
  Producer,
} from '../log/log.ts';
import { sanitizeName } from '../state/naming.ts';
import type { Delivery } from './delivery.ts';

/** The intent topic of a query: `<serviceId>-<queryId>-output-intents`. */
export function intentTopicName(serviceId: string, queryId: string): string {
  return sanitizeName(`${serviceId}-${queryId}-output-intents`);
}

interface Intent {
  readonly v: 1;
  /** The input topic-partitions of the batch and the first offset of each. */
  readonly tps: [topic: string, partition: number, from: number][];
  /** Flat pairs: index into `tps`, count of consecutive records; in processing order. */
  readonly runs: number[];
  /** Per output topic: the end offset of each partition before the batch's writes. */
  readonly ends: Record<string, number[]>;
  readonly sticky: number;
}

/** How often intents below the last one are deleted (whole segments, EmbeddedLog.deleteRecords). */
const INTENT_PURGE_INTERVAL_MS = 30_000;

export interface IdempotentDeliveryOptions {
  readonly log: Log;
  readonly idempotence: LogIdempotence;
  readonly consumer: Consumer;
  readonly queryId: string;
  readonly intentTopic: string;
  /** For operators and stores (changelogs are made exact by their own repair, ../state/registry.ts). */
  readonly producer: Producer;
}

export function idempotentDelivery(o: IdempotentDeliveryOptions): Delivery {
  const out: IdempotentProducer = o.idempotence.idempotentProducer(`query:${o.queryId}`);
  const intents = o.log.producer();
  let ready: Promise<void> | null = null;
  const ensureIntentTopic = (): Promise<void> =>
    (ready ??= o.log.ensureTopic(o.intentTopic, { partitions: 1, retentionMs: -1 }).then(() => undefined));
  let batch: readonly ConsumedRecord[] = [];
  /** The interrupted batch being processed again (recover), until its outputs are written. */
  let replay: Intent | null = null;
  let sticky = Math.floor(Math.random() * 0x7fffffff);
  let lastIntent = -1;
  let lastPurge = Date.now();

  return {
    producer: o.producer,
    transactional: false,
    async begin(records) {
      batch = records;
    },
    async complete(outputs, offsets, beforeCommit) {
      const topics = [...outputs.byTopic].filter(([, recs]) => recs.length > 0);
      const skips = new Map<string, number[]>();
      let batchSticky: number;
      if (replay) {
        for (const [topic] of topics) {
          const ends = replay.ends[topic];
          if (ends) skips.set(topic, await out.countSince(topic, ends));
        }
        batchSticky = replay.sticky;
      } else {
        batchSticky = sticky = (sticky + 1) & 0x7fffffff;
        if (topics.length > 0) {
          // The intent is durable before any output of the batch: an output without it cannot exist.
          await ensureIntentTopic();
          const ends: Record<string, number[]> = {};
          for (const [topic] of topics) ends[topic] = (await o.log.offsets(topic)).map((p) => p.end);
          const intent: Intent = { v: 1, ...describe(batch), ends, sticky: batchSticky };
          const [r] = await intents.send(o.intentTopic, [{ key: null, value: Buffer.from(JSON.stringify(intent)), timestamp: Date.now(), partition: 0 }]);
          lastIntent = r.offset;
        }
      }
      await Promise.all(topics.map(([topic, recs]) => out.send(topic, recs, { sticky: batchSticky, ...(skips.has(topic) ? { skip: skips.get(topic) } : {}) })));
      replay = null;
      await beforeCommit();
      if (offsets.length) await o.consumer.commit(offsets);
      if (lastIntent > 0 && Date.now() - lastPurge >= INTENT_PURGE_INTERVAL_MS) {
        lastPurge = Date.now();
        await o.log.deleteRecords(o.intentTopic, [{ partition: 0, offset: lastIntent }]).catch(() => undefined);
      }
    },
    async abort() {
      replay = null;
    },
    async close() {
      await intents.close();
    },
    async recover(committedPosition) {
      await ensureIntentTopic();
      const intent = await lastIntentOf(o.log, o.intentTopic);
      if (intent === null || intent.tps.length === 0) return null;
      const tps = intent.tps.map(([topic, partition]) => ({ topic, partition }));
      const committed = await committedPosition(tps);
      // Committed atomically for all of the batch's partitions: past the first one means done.
      if (!intent.tps.every(([, , from], i) => committed[i] <= from)) return null;
      const records = await readRuns(o.log, intent);
      if (records === null) return null; // input deleted meanwhile (retention): nothing to replay
      replay = intent;
      sticky = intent.sticky;
      return records;
    },
  };
}

/** The batch as runs of consecutive records of one topic-partition. */
function describe(records: readonly ConsumedRecord[]): Pick<Intent, 'tps' | 'runs'> {
  const tps: Intent['tps'] = [];
  const index = new Map<string, number>();
  const runs: number[] = [];
  let last = -1;
  for (const r of records) {
    const k = `${r.topic}\u0000${r.partition}`;
    let i = index.get(k);
    if (i === undefined) {
      index.set(k, (i = tps.length));
      tps.push([r.topic, r.partition, r.offset]);
    }
    if (i === last) runs[runs.length - 1]++;
    else runs.push(i, 1);
    last = i;
  }
  return { tps, runs };
}

async function lastIntentOf(log: Log, topic: string): Promise<Intent | null> {
  const [p] = await log.offsets(topic);
  if (!p || p.end <= p.start) return null;
  const c = log.consumer({ groupId: `${topic}-recover-${process.pid}-${Date.now()}`, topics: [topic], fromBeginning: true });
  try {
    c.seek({ topic, partition: 0, offset: p.end - 1 });
    const [r] = await c.poll(1, 1000);
    if (!r?.value) return null;
    const intent = JSON.parse(Buffer.from(r.value).toString('utf8')) as Intent;
    if (intent.v !== 1) throw new Error(`${topic}: unknown intent version ${String(intent.v)}`);
    return intent;
  } finally {
    await c.close();
  }
}

/** The intent's records, in its order; null when some of them are no longer in the log. */
async function readRuns(log: Log, intent: Intent): Promise<ConsumedRecord[] | null> {
  const need = new Array<number>(intent.tps.length).fill(0);
  for (let k = 0; k < intent.runs.length; k += 2) need[intent.runs[k]] += intent.runs[k + 1];
  const topics = [...new Set(intent.tps.map(([t]) => t))];
  const c = log.consumer({ groupId: `intent-replay-${process.pid}-${Date.now()}`, topics, fromBeginning: true });
  const got: ConsumedRecord[][] = intent.tps.map(() => []);
  try {
    const at = new Map(intent.tps.map(([t, p, from], i) => [`${t}\u0000${p}`, { from, i }]));
    // Only the intent's partitions, from its offsets; the others are moved to their end.
    for (const tp of c.assignment()) {
      const mine = at.get(`${tp.topic}\u0000${tp.partition}`);
      const end = mine ? mine.from : ((await log.offsets(tp.topic)).find((x) => x.partition === tp.partition)?.end ?? 0);
      c.seek({ ...tp, offset: end });
    }
    let missing = need.reduce((a, b) => a + b, 0);
    while (missing > 0) {
      const batch = await c.poll(10_000, 200);
      if (batch.length === 0) return null;
      for (const r of batch) {
        const mine = at.get(`${r.topic}\u0000${r.partition}`);
        if (!mine || r.offset < mine.from || got[mine.i].length >= need[mine.i]) continue;
        if (r.offset !== mine.from + got[mine.i].length) return null; // a gap: deleted meanwhile
        got[mine.i].push(r);
        missing--;
      }
    }
  } finally {
    await c.close();
  }
  const records: ConsumedRecord[] = [];
  const next = new Array<number>(got.length).fill(0);
  for (let k = 0; k < intent.runs.length; k += 2) {
    const i = intent.runs[k];
    for (let n = 0; n < intent.runs[k + 1]; n++) records.push(got[i][next[i]++]);
  }
  return records;
}

