/**
 * Conformance cases (and engine tests) on Apache Kafka: each case gets a namespace of its own on
 * a shared cluster (NamespacedKafkaLog: every topic, the engine's internal ones included, and
 * every consumer group is prefixed), the queries are driven until idle by watching consumer
 * positions against end offsets, and the namespace is deleted afterwards.
 *
 * Why a progress check instead of `Engine.runUntilIdle()`: on the embedded log an empty poll
 * means no input is left. On Kafka a poll comes back empty while the first fetch after a join,
 * or a fetch for records an upstream query just wrote, is still on its way; only "every query's
 * consumer has fetched up to the end offset of every partition it owns, and taken it all" says
 * that no input is left.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { queryGroupId } from '../engine/persistent.ts';
import type { Log } from '../log/log.ts';
import { type ConsumerProgress, type KafkaLog, NamespacedKafkaLog, kafkaConfigFromEnv, openKafkaLog } from '../log/kafka/index.ts';
import type { CaseLog, OpenCaseLog } from './runner.ts';

/** A log that can show the progress of its consumers (KafkaLog, NamespacedKafkaLog). */
export interface ProgressLog extends Log {
  consumersOf(groupId: string): readonly ConsumerProgress[];
}

export interface IdleOptions {
  /** Give up (throw) when the queries are still behind after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** How long a step of a query that is behind waits for records (default 20 ms). */
  readonly stepMs?: number;
}

/**
 * Runs the engine's persistent queries (created with `background: false`) until every one has
 * consumed everything in its input topics, including records its upstream queries wrote.
 */
export async function runUntilIdleOnKafka(engine: Engine, options: IdleOptions = {}): Promise<void> {
  const log = engine.log as ProgressLog;
  if (typeof log.consumersOf !== 'function') throw new Error(`runUntilIdleOnKafka: the ${log.kind} log does not report consumer progress`);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const stepMs = options.stepMs ?? 20;
  for (;;) {
    // Caught up (every record up to the end offsets taken, and step() processes what it takes
    // before it returns): nothing is left, and no query can write anything more.
    const behind = await laggingQueries(engine, log);
    if (behind.size === 0) return;
    if (Date.now() > deadline) throw new Error(`queries still behind their input after ${options.timeoutMs ?? 60_000} ms: ${[...behind].join(', ')}`);
    for (const [id, task] of engine.tasks) {
      if (task.state === 'ERROR' || task.state === 'STOPPED') continue;
      // Only a query that is behind waits for records; the others drain what they hold.
      for (let n = await task.step(behind.has(id) ? stepMs : 0); n > 0; n = await task.step(0));
    }
  }
}

/** The queries whose consumer has not yet taken every record up to the current end offsets. */
async function laggingQueries(engine: Engine, log: ProgressLog): Promise<Set<string>> {
  const live = [...engine.tasks].filter(([, t]) => t.state !== 'ERROR' && t.state !== 'STOPPED');
  const consumers = live.map(([id]) => [id, log.consumersOf(queryGroupId(engine.serviceId, id))] as const);
  const topics = new Set(consumers.flatMap(([, cs]) => cs.flatMap((c) => c.assignment().map((p) => p.topic))));
  // End offsets first, positions after: a position read later is never older than the ends.
  const ends = new Map<string, number>();
  await Promise.all(
    [...topics].map(async (topic) => {
      for (const o of await log.offsets(topic)) ends.set(`${topic}:${o.partition}`, o.end);
    }),
  );
  const lagging = new Set<string>();
  for (const [id, cs] of consumers) {
    if (cs.length === 0) continue; // nothing reads for this query (cannot happen for a live task)
    for (const c of cs) {
      const caughtUp =
        c.joined &&
        c.buffered === 0 &&
        c.positions().every((p) => p.offset !== null && p.offset >= (ends.get(`${p.topic}:${p.partition}`) ?? Infinity));
      if (!caughtUp) lagging.add(id);
    }
  }
  return lagging;
}

/** One connection to the cluster from RIFFLE_BOOTSTRAP_SERVERS, shared by every case of a run. */
export async function openSharedKafka(env: NodeJS.ProcessEnv = process.env): Promise<KafkaLog> {
  const config = kafkaConfigFromEnv(env);
  if (config.bootstrapServers.length === 0) throw new Error('--kafka needs RIFFLE_BOOTSTRAP_SERVERS=host:port (the broker to run the cases on)');
  return openKafkaLog({ ...config, clientId: config.clientId ?? 'riffle-test' });
}

let caseSeq = 0;
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

/** A fresh namespace prefix: `rt-<run>-<n>-` (letters, digits and '-' only). */
export function freshPrefix(label = 'rt'): string {
  return `${label}-${runId}-${++caseSeq}-`;
}

/**
 * `runCase(files, kafkaCaseLog(shared))`: each case in a new namespace on the shared cluster,
 * deleted (topics and groups) once the case is over.
 */
export function kafkaCaseLog(shared: KafkaLog, options: IdleOptions = {}): OpenCaseLog {
  return async (): Promise<CaseLog> => {
    const log = new NamespacedKafkaLog(shared, freshPrefix());
    // Local state stores of the case's own (on Kafka the engine would default to ./.riffle/state,
    // where the same query ids of other cases would meet).
    const stateDir = mkdtempSync(join(tmpdir(), 'riffle-kafka-case-'));
    return {
      log,
      engineOptions: { stateDir },
      runUntilIdle: (engine) => runUntilIdleOnKafka(engine, options),
      // Outputs are all written when the queries are idle; the wait only covers the reader's join.
      readTimeoutMs: 5000,
      dispose: async () => {
        rmSync(stateDir, { recursive: true, force: true });
        await log.destroy({ wait: false });
      },
    };
  };
}
