/**
 * One life of the chaos pipeline (./scenario.ts): opens the embedded log in `dir` (the command
 * log restarts the queries; the first life creates them), prints `ready`, and when every query
 * has committed all of its input, stops the engine gracefully and prints `done`. The parent
 * kills it with SIGKILL at random moments before that.
 */
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import { queryGroupId } from '../../src/engine/persistent.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainedRegistry } from '../../src/engine/model-train.ts';
import { DDL, MODELS_FILE, type Models } from './scenario.ts';

const dir = process.argv[2];
const log = await openEmbeddedLog(dir);
// commit.interval.ms from the parent (several uncommitted batches at a kill); default: every batch.
const commitInterval = process.env.RIFFLE_CHAOS_COMMIT_INTERVAL_MS;
const engine = await Engine.open({ log, properties: { 'auto.offset.reset': 'earliest', ...(commitInterval ? { 'commit.interval.ms': commitInterval } : {}) } });
if (!engine.catalog.getSource('AGG')) await engine.execute(DDL);
process.stdout.write('ready\n');

const inputsOf = (queryId: string): string[] =>
  queryId.includes('_SS_') ? ['clicks', 'views'] : queryId.includes('_ST_') ? ['clicks', 'users'] : ['clicks'];

async function caughtUp(): Promise<boolean> {
  for (const [id, task] of engine.tasks) {
    if (task.state === 'ERROR') throw new Error(`query ${id} failed: ${task.error?.message}`);
    for (const topic of inputsOf(id)) {
      const ends = await log.offsets(topic);
      const committed = await log.committed(queryGroupId(engine.serviceId, id), topic);
      for (const e of ends) if ((committed.find((c) => c.partition === e.partition)?.offset ?? 0) < e.end) return false;
    }
  }
  return engine.tasks.size === 4;
}

// Progress for the parent: records consumed by this life's queries.
const progress = setInterval(() => {
  let n = 0;
  let replayed = 0;
  for (const t of engine.tasks.values()) {
    n += t.consumed;
    replayed += t.replayedBatches;
  }
  process.stdout.write(`consumed ${n} replayed ${replayed}\n`);
}, 100);
while (!(await caughtUp())) await new Promise((r) => setTimeout(r, 100));
clearInterval(progress);
// The trained models, per user, as their whole state (typed arrays and big integers spelled out).
const models: Models = {};
for (const [key, m] of trainedRegistry(engine).live.get('CLICKMODEL') ?? []) {
  models[key] = JSON.stringify(m.state, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'bigint' ? `${v}n` : v));
}
writeFileSync(join(dir, MODELS_FILE), JSON.stringify(models));
await engine.close();
await log.close();
process.stdout.write('done\n');
