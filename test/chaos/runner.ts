/**
 * The kill -9 loop (./scenario.ts): produces the input into two data directories, runs the
 * pipeline on one uninterrupted (the reference) and on the other with SIGKILL at random moments
 * (`minGapMs`..`maxGapMs` after each start, so some land during start-up), restarting each time,
 * until a life finishes the input; then compares the outputs. Used by the short test
 * (./chaos.test.ts) and `npm run chaos` (./main.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { mulberry32 } from '../helpers/random.ts';
import { startChild } from '../helpers/child.ts';
import { compare, MODELS_FILE, produceInput, readOutputs, type Comparison, type Models, type Outputs, type ScenarioSize } from './scenario.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface ChaosOptions extends ScenarioSize {
  readonly kills: number;
  readonly minGapMs: number;
  readonly maxGapMs: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosResult {
  readonly comparison: Comparison;
  readonly reference: Outputs;
  readonly killsLanded: number;
  readonly lives: number;
  /** Interrupted batches processed again at a restart, over all lives (as last reported by each). */
  readonly replayedBatches: number;
  readonly referenceMs: number;
  readonly chaosMs: number;
}

interface Life {
  readonly done: Promise<boolean>;
  /** Resolves when the engine is open and its queries started. */
  readonly ready: Promise<void>;
  /** Records the queries of this life had consumed at the last report. */
  consumed(): number;
  /** Interrupted batches this life processed again at start (exactly-once outputs), at the last report. */
  replayed(): number;
  kill(): void;
}

/** Starts one life; `done` resolves true when it finished the input, false when killed. */
function life(dir: string): Life {
  const child = startChild(WORKER, [dir]);
  let finished = false;
  let consumed = 0;
  let replayed = 0;
  child.onLine((line) => {
    if (line === 'done') finished = true;
    else if (line.startsWith('consumed ')) {
      const [, n, , r] = line.split(' ');
      consumed = Number(n);
      replayed = Number(r ?? 0);
    }
  });
  // A life killed (or failed) before it was ready never is: `done` reports how it ended.
  const ready = child.line((l) => l === 'ready').then(
    () => undefined,
    () => new Promise<void>(() => {}),
  );
  const done = child.exited.then(({ code, signal }) => {
    if (signal === 'SIGKILL') return finished;
    if (code === 0 && finished) return true;
    throw new Error(`chaos worker exited with ${signal ?? code}`);
  });
  return { done, ready, consumed: () => consumed, replayed: () => replayed, kill: child.kill };
}

async function prepare(size: ScenarioSize): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-chaos-'));
  const log = await openEmbeddedLog(dir);
  await produceInput(log, size);
  await log.close();
  return dir;
}

async function outputsOf(dir: string): Promise<Outputs> {
  const log = await openEmbeddedLog(dir);
  try {
    return await readOutputs(log);
  } finally {
    await log.close();
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const say = opts.log ?? (() => {});
  const refDir = await prepare(opts);
  const chaosDir = await prepare(opts);
  try {
    let t0 = performance.now();
    if (!(await life(refDir).done)) throw new Error('the reference run was killed');
    const referenceMs = performance.now() - t0;
    const reference = await outputsOf(refDir);
    say(`reference: ${reference.AGG.length} AGG, ${reference.SS.length} SS, ${reference.ST.length} ST outputs in ${(referenceMs / 1000).toFixed(1)} s`);

    const rand = mulberry32(opts.seed ?? 7);
    let killsLanded = 0;
    let lives = 0;
    let replayedBatches = 0;
    t0 = performance.now();
    for (;;) {
      lives++;
      const l = life(chaosDir);
      if (killsLanded >= opts.kills) {
        if (!(await l.done)) throw new Error('a life was killed after the last kill');
        break;
      }
      const gap = opts.minGapMs + rand() * (opts.maxGapMs - opts.minGapMs);
      // Every fourth kill counts from the start of the process (it may land during start-up);
      // the others from the moment the queries run.
      const duringStartup = killsLanded % 4 === 3;
      let timer: NodeJS.Timeout | undefined;
      if (duringStartup) timer = setTimeout(() => l.kill(), gap);
      else void l.ready.then(() => (timer = setTimeout(() => l.kill(), gap)));
      const finished = await l.done;
      clearTimeout(timer);
      replayedBatches += l.replayed();
      if (finished) break;
      killsLanded++;
      say(`kill ${killsLanded} ${gap.toFixed(0)} ms after ${duringStartup ? 'the start' : 'the queries started'}: this life had consumed ${l.consumed()} records, processed ${l.replayed()} interrupted batches again`);
    }
    const chaosMs = performance.now() - t0;
    const models = (dir: string): Models => JSON.parse(readFileSync(join(dir, MODELS_FILE), 'utf8')) as Models;
    const comparison = compare(reference, await outputsOf(chaosDir), models(refDir), models(chaosDir));
    return { comparison, reference, killsLanded, lives, replayedBatches, referenceMs, chaosMs };
  } finally {
    rmSync(refDir, { recursive: true, force: true });
    rmSync(chaosDir, { recursive: true, force: true });
  }
}
