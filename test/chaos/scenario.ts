/**
 * The chaos suite's pipeline and its checks (method: ../shared/notes/reliability.md, "kill -9
 * loop"): one data directory with three inputs and three persistent queries, all input produced
 * up front, then run once uninterrupted (the reference) and once with kill -9 at random moments
 * and restarts until the input is consumed; the outputs are compared.
 *
 * - AGG: windowed COUNT/SUM per user over `clicks` (4 partitions, many keys, event times spanning
 *   many windows): compared by the final value per (key, window), plus output counts;
 * - SS: stream-stream join clicks ⋈ views WITHIN 5 s: compared as the multiset of (click, view)
 *   pairs (missing, made up, repeated);
 * - ST: stream-table LEFT join clicks ⋈ users, the table older than every click: compared per
 *   click (the name it joined, missing, repeated);
 * - CLICKMODEL: a model trained per user (CREATE MODEL ... PARTITION BY): compared by the whole
 *   model state of each user (rows learned, weights, metrics), which must be bit for bit the same.
 */
import type { Log, ProducerRecord } from '../../src/log/log.ts';
import { mulberry32 } from '../helpers/random.ts';

export const PARTITIONS = 4;
export const WINDOW_MS = 10_000;
export const T0 = 1_700_000_000_000;

export const DDL = `
CREATE STREAM clicks (user STRING KEY, id BIGINT, v BIGINT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=${PARTITIONS});
CREATE STREAM views (user STRING KEY, id BIGINT) WITH (KAFKA_TOPIC='views', VALUE_FORMAT='JSON', PARTITIONS=${PARTITIONS});
CREATE TABLE users (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=${PARTITIONS});
CREATE TABLE agg AS SELECT user, COUNT(*) AS n, SUM(v) AS total FROM clicks WINDOW TUMBLING (SIZE ${WINDOW_MS / 1000} SECONDS) GROUP BY user EMIT CHANGES;
CREATE STREAM ss AS SELECT c.user AS user, c.id AS cid, w.id AS vid FROM clicks c JOIN views w WITHIN 5 SECONDS ON c.user = w.user;
CREATE STREAM st AS SELECT c.user AS user, c.id AS cid, u.name AS name FROM clicks c LEFT JOIN users u ON c.user = u.id;
CREATE MODEL clickmodel WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'HIGH') AS SELECT user, CAST(v AS DOUBLE) / 100 AS x, CASE WHEN v > 50 THEN 1 ELSE 0 END AS high FROM clicks PARTITION BY user;`;

/** The trained model's file in a data directory, written by the worker when it finished (./worker.ts). */
export const MODELS_FILE = 'chaos-models.json';
/** The models trained by the pipeline: one per user (PARTITION BY), each learning its user's clicks in offset order. */
export type Models = Record<string, string>;

export const INPUTS = ['clicks', 'views', 'users'] as const;
export const OUTPUTS = ['AGG', 'SS', 'ST'] as const;

export interface ScenarioSize {
  /** Click records (the views are a fifth of them, users = keys). */
  readonly clicks: number;
  readonly keys: number;
}

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

/** Appends the whole input: users first (older than every click), then clicks and views in time order. */
export async function produceInput(log: Log, size: ScenarioSize): Promise<void> {
  for (const t of INPUTS) await log.createTopic(t, { partitions: PARTITIONS });
  const producer = log.producer();
  const rand = mulberry32(42); // deterministic: both runs get the same input
  const CHUNK = 20_000;
  const users: ProducerRecord[] = [];
  for (let k = 0; k < size.keys; k++) users.push({ key: Buffer.from(`u${k}`), value: json({ NAME: `name-${k}` }), timestamp: T0 - 1_000_000 + k });
  for (let i = 0; i < users.length; i += CHUNK) await producer.send('users', users.slice(i, i + CHUNK));
  // 10 ms apart: 500K clicks span ~5000 s, 500 windows of 10 s.
  let clicks: ProducerRecord[] = [];
  let views: ProducerRecord[] = [];
  for (let i = 0; i < size.clicks; i++) {
    const user = `u${Math.floor(rand() * size.keys)}`;
    const ts = T0 + i * 10;
    clicks.push({ key: Buffer.from(user), value: json({ ID: i, V: 1 + Math.floor(rand() * 100) }), timestamp: ts });
    if (i % 5 === 0) views.push({ key: Buffer.from(`u${Math.floor(rand() * size.keys)}`), value: json({ ID: i / 5 }), timestamp: ts + 3 });
    if (clicks.length >= CHUNK) {
      await producer.send('clicks', clicks);
      await producer.send('views', views);
      clicks = [];
      views = [];
    }
  }
  if (clicks.length) await producer.send('clicks', clicks);
  if (views.length) await producer.send('views', views);
  await producer.close();
}

export interface Outputs {
  readonly AGG: { key: string; value: string }[];
  readonly SS: { cid: number; vid: number }[];
  readonly ST: { cid: number; name: string | null }[];
}

export async function readOutputs(log: Log): Promise<Outputs> {
  const read = async (topic: string) => {
    const c = log.consumer({ groupId: `chaos-read-${topic}-${Date.now()}`, topics: [topic], fromBeginning: true });
    const out: { key: Uint8Array | null; value: Uint8Array | null; partition: number; offset: number }[] = [];
    try {
      for (;;) {
        const batch = await c.poll(50_000, 300);
        if (batch.length === 0) break;
        for (const r of batch) out.push(r);
      }
    } finally {
      await c.close();
    }
    return out;
  };
  const text = (b: Uint8Array | null) => (b === null ? '' : Buffer.from(b).toString('latin1'));
  return {
    AGG: (await read('AGG')).map((r) => ({ key: text(r.key), value: text(r.value) })),
    SS: (await read('SS')).map((r) => {
      const v = JSON.parse(Buffer.from(r.value!).toString()) as { CID: number; VID: number };
      return { cid: v.CID, vid: v.VID };
    }),
    ST: (await read('ST')).map((r) => {
      const v = JSON.parse(Buffer.from(r.value!).toString()) as { CID: number; NAME: string | null };
      return { cid: v.CID, name: v.NAME };
    }),
  };
}

export interface Comparison {
  readonly agg: { windows: number; wrong: number; missing: number; extra: number; outputs: number; referenceOutputs: number };
  readonly ss: { pairs: number; missing: number; madeUp: number; repeated: number; outputs: number };
  readonly st: { clicks: number; missing: number; wrong: number; repeated: number; outputs: number };
  /** Per-user models: how many, how many differ from the reference's or are missing, rows learned in all. */
  readonly model: { models: number; different: number; missing: number; rows: number; referenceRows: number };
}

/** Models compared as their serialised state, per key. */
export function compareModels(reference: Models, run: Models): Comparison['model'] {
  let different = 0;
  let missing = 0;
  for (const [k, v] of Object.entries(reference)) {
    if (run[k] === undefined) missing++;
    else if (run[k] !== v) different++;
  }
  const rows = (m: Models) => Object.values(m).reduce((n, v) => n + (JSON.parse(v) as { rows: number }).rows, 0);
  return { models: Object.keys(reference).length, different, missing, rows: rows(run), referenceRows: rows(reference) };
}

/** Latest value per key (the key bytes include the window). */
function finals(records: readonly { key: string; value: string }[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}

function counts<T>(items: readonly T[], id: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(id(t), (m.get(id(t)) ?? 0) + 1);
  return m;
}

export function compare(reference: Outputs, run: Outputs, referenceModels: Models, runModels: Models): Comparison {
  const ra = finals(reference.AGG);
  const ca = finals(run.AGG);
  let wrong = 0;
  let missing = 0;
  for (const [k, v] of ra) {
    const got = ca.get(k);
    if (got === undefined) missing++;
    else if (got !== v) wrong++;
  }
  const extra = [...ca.keys()].filter((k) => !ra.has(k)).length;

  const pair = (p: { cid: number; vid: number }) => `${p.cid}:${p.vid}`;
  const rs = counts(reference.SS, pair);
  const cs = counts(run.SS, pair);
  let ssMissing = 0;
  let ssRepeated = 0;
  for (const [p, n] of rs) {
    const got = cs.get(p) ?? 0;
    if (got < n) ssMissing += n - got;
    else ssRepeated += got - n;
  }
  const madeUp = [...cs].filter(([p]) => !rs.has(p)).reduce((s, [, n]) => s + n, 0);

  const rt = new Map(reference.ST.map((r) => [r.cid, r.name]));
  const ct = counts(run.ST, (r) => String(r.cid));
  let stMissing = 0;
  let stWrong = 0;
  let stRepeated = 0;
  const seen = new Map<number, string | null>();
  for (const r of run.ST) {
    if (seen.has(r.cid) && seen.get(r.cid) !== r.name) stWrong++;
    seen.set(r.cid, r.name);
  }
  for (const [cid, name] of rt) {
    const n = ct.get(String(cid)) ?? 0;
    if (n === 0) stMissing++;
    else {
      stRepeated += n - 1;
      if (seen.get(cid) !== name) stWrong++;
    }
  }
  return {
    agg: { windows: ra.size, wrong, missing, extra, outputs: run.AGG.length, referenceOutputs: reference.AGG.length },
    ss: { pairs: reference.SS.length, missing: ssMissing, madeUp, repeated: ssRepeated, outputs: run.SS.length },
    st: { clicks: rt.size, missing: stMissing, wrong: stWrong, repeated: stRepeated, outputs: run.ST.length },
    model: compareModels(referenceModels, runModels),
  };
}
