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
 * On start, the intents are read back from the end to the last batch whose input the committed
 * position has passed (several batches may be uncommitted with commit.interval.ms > 0). Each
 * uncommitted batch's records are read back and processed first, as one batch, in the intent's
 * order, and to each output partition its first N outputs are not written again, N being what the
 * batch already wrote there: this producer's records between each of the batch's write episodes'
 * end offsets and the next episode's (other writers of the same topic, INSERT INTO, are not
 * counted). Processing a batch again is itself a write episode with its own intent (`replayOf`),
 * so a crash during it is counted right at the next start. Then processing continues as usual.
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
  TopicPartition,
} from '../log/log.ts';
import { sanitizeName } from '../state/naming.ts';
import type { Delivery } from './delivery.ts';

/** The intent topic of a query: `<serviceId>-<queryId>-output-intents`. */
export function intentTopicName(serviceId: string, queryId: string): string {
  return sanitizeName(`${serviceId}-${queryId}-output-intents`);
}

/**
 * One write episode of a batch: written before the batch's outputs. A batch processed for the
 * first time (`tps` and `runs` set) or again after a crash (`replayOf`: the seq of the first).
 */
interface Intent {
  readonly v: 1;
  readonly seq: number;
  readonly replayOf?: number;
  /** The input topic-partitions of the batch and the first offset of each. */
  readonly tps?: [topic: string, partition: number, from: number][];
  /** Flat pairs: index into `tps`, count of consecutive records; in processing order. */
  readonly runs?: number[];
  /** Per output topic: the end offset of each partition before the episode's writes. */
  readonly ends: Record<string, number[]>;
  readonly sticky: number;
}

/** A batch to process again: its records, what it already wrote per topic and partition, its null-key partition. */
interface Replay {
  readonly seq: number;
  readonly records: ConsumedRecord[];
  readonly written: Map<string, number[]>;
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
  /** The current batch's input, described at begin(): the task drops its record arrays before complete(). */
  let batch: Pick<Intent, 'tps' | 'runs'> = { tps: [], runs: [] };
  /** Interrupted batches still to be processed again (recover), in order. */
  let replays: Replay[] = [];
  let seq = 0;
  let sticky = Math.floor(Math.random() * 0x7fffffff);
  let lastIntent = -1;
  let lastPurge = Date.now();

  /** Appends an intent with the current end offsets of `topics`; durable before any output it announces. */
  const announce = async (topics: readonly string[], fields: Pick<Intent, 'replayOf' | 'tps' | 'runs' | 'sticky'>): Promise<void> => {
    await ensureIntentTopic();
    const ends: Record<string, number[]> = {};
    for (const topic of topics) ends[topic] = (await o.log.offsets(topic)).map((p) => p.end);
    const intent: Intent = { v: 1, seq: ++seq, ...fields, ends };
    const [r] = await intents.send(o.intentTopic, [{ key: null, value: Buffer.from(JSON.stringify(intent)), timestamp: Date.now(), partition: 0 }]);
    lastIntent = r.offset;
  };

  return {
    producer: o.producer,
    transactional: false,
    async begin(records) {
      batch = describe(records);
    },
    async complete(outputs, offsets, beforeCommit) {
      const topics = [...outputs.byTopic].filter(([, recs]) => recs.length > 0);
      // Recovered batches are the task's first batches, in order (QueryTask.recover).
      const replay = replays.shift() ?? null;
      const batchSticky = replay ? replay.sticky : (sticky = (sticky + 1) & 0x7fffffff);
      if (topics.length > 0) {
        const names = topics.map(([t]) => t);
        if (replay) await announce(names, { replayOf: replay.seq, sticky: batchSticky });
        else await announce(names, { ...batch, sticky: batchSticky });
      }
      await Promise.all(
        topics.map(([topic, recs]) => {
          const skip = replay?.written.get(topic);
          return out.send(topic, recs, skip ? { sticky: batchSticky, skip } : { sticky: batchSticky });
        }),
      );
      // Written: let go of the records while the commit waits (a stateful query's state flush is
      // real I/O; with many queries every waiting batch's outputs stayed in memory, long enough
      // to be promoted to the old generation).
      topics.length = 0;
      outputs.byTopic.clear();
      await beforeCommit();
      if (offsets.length) await o.consumer.commit(offsets);
      // Intents before the last committed batch's are dead.
      if (offsets.length > 0 && lastIntent > 0 && replays.length === 0 && Date.now() - lastPurge >= INTENT_PURGE_INTERVAL_MS) {
        lastPurge = Date.now();
        await o.log.deleteRecords(o.intentTopic, [{ partition: 0, offset: lastIntent }]).catch(() => undefined);
      }
    },
    async abort() {
      replays = [];
    },
    async close() {
      await intents.close();
    },
    async recover(committedPosition) {
      await ensureIntentTopic();
      const episodes = await uncommittedEpisodes(o.log, o.intentTopic, committedPosition);
      seq = episodes.lastSeq;
      const batches = episodes.list.filter((e): e is Intent & Required<Pick<Intent, 'tps' | 'runs'>> => e.tps !== undefined && e.runs !== undefined);
      if (batches.length === 0) return [];
      const written = await alreadyWritten(out, episodes.list);
      for (const b of batches) {
        const records = await readRuns(o.log, b);
        // Input deleted meanwhile (retention): nothing to process again from here on.
        if (records === null) break;
        replays.push({ seq: b.seq, records, written: written.get(b.seq) ?? new Map(), sticky: b.sticky });
      }
      return replays.map((r) => r.records);
    },
  };
}

/**
 * The intents from the first batch not committed on: read backwards from the end of the intent
 * topic until a batch whose input the committed position has passed (or the start).
 */
async function uncommittedEpisodes(
  log: Log,
  topic: string,
  committedPosition: (tps: readonly TopicPartition[]) => Promise<number[]>,
): Promise<{ list: Intent[]; lastSeq: number }> {
  const [p] = await log.offsets(topic);
  if (!p || p.end <= p.start) return { list: [], lastSeq: 0 };
  let from = p.end;
  let list: Intent[] = [];
  let lastSeq = 0;
  for (let step = 64; from > p.start; step *= 2) {
    const to = from;
    from = Math.max(p.start, to - step);
    const chunk = await readIntents(log, topic, from, to);
    if (lastSeq === 0 && chunk.length) lastSeq = chunk[chunk.length - 1].seq;
    // Newest first: stop at the first batch whose input is committed.
    for (let i = chunk.length - 1; i >= 0; i--) {
      const e = chunk[i];
      if (e.tps && e.tps.length) {
        const committed = await committedPosition(e.tps.map(([t, q]) => ({ topic: t, partition: q })));
        if (!e.tps.every(([, , f], k) => committed[k] <= f)) return { list: dropLeadingReplays(list), lastSeq };
      }
      list = [e, ...list];
    }
  }
  return { list: dropLeadingReplays(list), lastSeq };
}

/** Replay episodes of batches already committed (before the first uncommitted batch) do not count. */
function dropLeadingReplays(list: Intent[]): Intent[] {
  const first = list.findIndex((e) => e.tps !== undefined);
  return first < 0 ? [] : list.slice(first);
}

async function readIntents(log: Log, topic: string, from: number, to: number): Promise<Intent[]> {
  const c = log.consumer({ groupId: `${topic}-recover-${process.pid}-${Date.now()}`, topics: [topic], fromBeginning: true });
  const out: Intent[] = [];
  try {
    c.seek({ topic, partition: 0, offset: from });
    while (out.length < to - from) {
      const batch = await c.poll(to - from - out.length, 1000);
      if (batch.length === 0) break;
      for (const r of batch) {
        if (r.offset >= to || !r.value) continue;
        const intent = JSON.parse(Buffer.from(r.value).toString('utf8')) as Intent;
        if (intent.v !== 1) throw new Error(`${topic}: unknown intent version ${String(intent.v)}`);
        out.push(intent);
      }
    }
  } finally {
    await c.close();
  }
  return out;
}

/**
 * What each uncommitted batch already wrote, per topic and partition: the producer's records of
 * each episode lie between its end offsets and those of the next episode writing the topic (or
 * the end of the log); episodes of one batch add up.
 */
async function alreadyWritten(out: IdempotentProducer, episodes: readonly Intent[]): Promise<Map<number, Map<string, number[]>>> {
  const result = new Map<number, Map<string, number[]>>();
  const beyond = new Map<Intent, Map<string, number[]>>();
  for (const e of episodes) {
    const m = new Map<string, number[]>();
    for (const [topic, ends] of Object.entries(e.ends)) m.set(topic, await out.countSince(topic, ends));
    beyond.set(e, m);
  }
  for (let i = 0; i < episodes.length; i++) {
    const e = episodes[i];
    const batchSeq = e.replayOf ?? e.seq;
    let perTopic = result.get(batchSeq);
    if (!perTopic) result.set(batchSeq, (perTopic = new Map()));
    for (const [topic, counts] of beyond.get(e)!) {
      const next = episodes.slice(i + 1).find((x) => x.ends[topic] !== undefined);
      const later = next ? beyond.get(next)!.get(topic)! : [];
      const sum = perTopic.get(topic) ?? counts.map(() => 0);
      perTopic.set(topic, sum.map((n, p) => n + counts[p] - (later[p] ?? 0)));
    }
  }
  return result;
}

/** The batch as runs of consecutive records of one topic-partition. */
function describe(records: readonly ConsumedRecord[]): Pick<Intent, 'tps' | 'runs'> {
  const tps: Intent['tps'] = [];
  const index = new Map<string, number>();
  const runs: number[] = [];
  let lastTopic = '';
  let lastPartition = -1;
  for (const r of records) {
    // Batches come in runs: only a change of topic-partition costs a lookup.
    if (r.partition === lastPartition && r.topic === lastTopic) {
      runs[runs.length - 1]++;
      continue;
    }
    const k = `${r.topic}\u0000${r.partition}`;
    let i = index.get(k);
    if (i === undefined) {
      index.set(k, (i = tps.length));
      tps.push([r.topic, r.partition, r.offset]);
    }
    runs.push(i, 1);
    lastTopic = r.topic;
    lastPartition = r.partition;
  }
  return { tps, runs };
}

/** The intent's records, in its order; null when some of them are no longer in the log. */
async function readRuns(log: Log, intent: Intent & Required<Pick<Intent, 'tps' | 'runs'>>): Promise<ConsumedRecord[] | null> {
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

