/**
 * Driving persistent queries until no input is left, on Kafka (`Engine.runUntilIdle()` uses this
 * when its log reports consumer progress). On the embedded log an empty poll means no input is
 * left; on Kafka a poll comes back empty while a fetch is still on its way, so only "every query's
 * consumer has fetched up to the end offset of every partition it owns, and taken it all" says so.
 */
import type { EngineContext } from './context.ts';
import { queryGroupId } from './persistent.ts';
import type { ConsumerProgressSource } from '../log/log.ts';

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
export async function runUntilIdleOnKafka(engine: EngineContext, options: IdleOptions = {}): Promise<void> {
  const progress = engine.log.capabilities.consumerProgress;
  if (progress === null) throw new Error(`runUntilIdleOnKafka: the ${engine.log.kind} log does not report consumer progress`);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const stepMs = options.stepMs ?? 20;
  for (;;) {
    // Caught up (every record up to the end offsets taken, and step() processes what it takes
    // before it returns): nothing is left, and no query can write anything more.
    const behind = await laggingQueries(engine, progress);
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
async function laggingQueries(engine: EngineContext, progress: ConsumerProgressSource): Promise<Set<string>> {
  const live = [...engine.tasks].filter(([, t]) => t.state !== 'ERROR' && t.state !== 'STOPPED');
  const consumers = live.map(([id]) => [id, progress.consumersOf(queryGroupId(engine.serviceId, id))] as const);
  const topics = new Set(consumers.flatMap(([, cs]) => cs.flatMap((c) => c.assignment().map((p) => p.topic))));
  // End offsets first, positions after: a position read later is never older than the ends.
  const ends = new Map<string, number>();
  await Promise.all(
    [...topics].map(async (topic) => {
      for (const o of await engine.log.offsets(topic)) ends.set(`${topic}:${o.partition}`, o.end);
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

