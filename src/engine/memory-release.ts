/**
 * Gives memory back to the operating system once the process has gone idle, as the JVM's G1 does
 * with its periodic collection (JEP 346, `G1PeriodicGCInterval`).
 *
 * Why: while queries are busy, V8 grows its young generation to its maximum (two 64 MiB
 * semi-spaces in Node, which runs without pointer compression) and keeps the pages a major GC
 * freed in a pool for reuse. Both are given back only by a memory-reducing collection, and V8
 * starts one of those (its memory reducer) only some seconds after a major GC. An idle engine
 * allocates next to nothing, so it never collects again: 100 persistent queries that caught up
 * with their input kept ~400 MB resident of which ~240 MB were that young generation and pool
 * (live heap: 22 MiB; after a memory-reducing GC the process is at ~160 MB).
 *
 * How: one unref'd timer per process. The process counts as idle when no engine in it consumed
 * a record over a whole interval (each engine gives a counter of records its queries consumed).
 * When it is idle, and has done work since the last release, and V8 has committed more than
 * MIN_SLACK_BYTES beyond what is live, one memory-reducing full GC runs. It costs a full mark of
 * the live heap (tens of milliseconds for 100 queries), once per idle period; a process that is
 * consuming records is never collected by it.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Committed but unused heap worth a collection to give back. */
const MIN_SLACK_BYTES = 32 * 1024 * 1024;

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

let gcFunction: GcFunction | null | undefined;

/**
 * V8's `gc` with options (type, execution, flavor). Node exposes it only with --expose-gc; the
 * flag can be set at run time, and a new context then has the function. null when unavailable.
 */
function memoryReducingGc(): GcFunction | null {
  if (gcFunction !== undefined) return gcFunction;
  try {
    const existing = (globalThis as { gc?: unknown }).gc;
    if (typeof existing === 'function') gcFunction = existing as GcFunction;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as GcFunction;
    }
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

export interface MemoryReleaseStats {
  /** Memory-reducing collections run so far in this process. */
  releases: number;
  /** Bytes of committed heap given back by the last one (committed before minus after). */
  lastReleasedBytes: number;
}

const stats: MemoryReleaseStats = { releases: 0, lastReleasedBytes: 0 };

/** Records consumed so far by one engine's queries (only ever grows). */
export type ActivityCounter = () => number;

class IdleMemoryMonitor {
  private timer: NodeJS.Timeout | null = null;
  private readonly counters = new Set<ActivityCounter>();
  private lastActivity = -1;
  /** Work was done since the last release: the next idle interval may release again. */
  private workedSinceRelease = true;
  private readonly intervalMs: number;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  add(counter: ActivityCounter): void {
    this.counters.add(counter);
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Returns whether the monitor still has counters (stopped when not). */
  remove(counter: ActivityCounter): boolean {
    this.counters.delete(counter);
    if (this.counters.size > 0) return true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.lastActivity = -1;
    return false;
  }

  private activity(): number {
    let total = 0;
    for (const counter of this.counters) total += counter();
    return total;
  }

  private sample(): void {
    const activity = this.activity();
    const idle = activity === this.lastActivity;
    if (!idle) this.workedSinceRelease = true;
    this.lastActivity = activity;
    if (!idle || !this.workedSinceRelease) return;
    const { used_heap_size: used, total_heap_size: committed } = v8.getHeapStatistics();
    if (committed - used < MIN_SLACK_BYTES) return;
    const gc = memoryReducingGc();
    if (!gc) return;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    this.workedSinceRelease = false;
    stats.releases++;
    stats.lastReleasedBytes = committed - v8.getHeapStatistics().total_heap_size;
  }
}

let monitor: IdleMemoryMonitor | null = null;

/**
 * Registers an engine's activity counter with the process's monitor (one per process, shared by
 * every engine in it; the first registration's interval wins) and returns the function that
 * unregisters it. `intervalMs` 0 or less: nothing is started.
 */
export function holdIdleMemoryRelease(intervalMs: number, activity: ActivityCounter): () => void {
  if (!(intervalMs > 0)) return () => undefined;
  const m = (monitor ??= new IdleMemoryMonitor(intervalMs));
  m.add(activity);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (!m.remove(activity) && monitor === m) monitor = null;
  };
}

/** What the monitor did (zeros before it ran). */
export function idleMemoryReleaseStats(): Readonly<MemoryReleaseStats> {
  return { ...stats };
}

/** The default of `riffle.memory.heap.growing.percent` (see setHeapGrowingPercent): twice the live heap. */
const DEFAULT_HEAP_GROWING_PERCENT = 100;

/** `--heap-growing-percent` as the process was started, if given (Node refuses it in NODE_OPTIONS). */
function startupHeapGrowingPercent(): number | undefined {
  let found: number | undefined;
  for (const a of process.execArgv) {
    const m = /^--heap[-_]growing[-_]percent=(\d+)$/.exec(a);
    if (m) found = Number(m[1]);
  }
  return found;
}

const startupPercent = startupHeapGrowingPercent();
/** What the flag is (V8's default: 0) as far as this module knows. */
let heapGrowing = startupPercent ?? 0;

/** The percent an engine sets when its properties name none: the one the process was started with, else DEFAULT_HEAP_GROWING_PERCENT. */
export function defaultHeapGrowingPercent(): number {
  return startupPercent ?? DEFAULT_HEAP_GROWING_PERCENT;
}

/**
 * How far V8 lets its old generation grow past what the last full collection found live before
 * it collects again: (100 + percent) % of it; 0 leaves the choice to V8 (dynamic, up to 4 times).
 * A busy stateful query promotes the changes of each commit interval (held until the commit) and
 * the buffers of its fetches and produce requests (held for a round trip) into the old
 * generation, where they die: with V8's factor the old generation reached 3-4 times the live heap
 * before each full collection (Nexmark q7 at 1M bids: 145-175 MB over 34-65 MB live). 100 (twice
 * the live heap) is a trade of CPU for memory: more full collections. Measured on Nexmark at 1M
 * bids on Kafka, one process pinned to one core, runs alternated in one sitting:
 * q7 (TUMBLING MAX+COUNT): V8's factor 348/370/362 MB peak RSS at 118.8-122.7 K records per
 * CPU-second; 100: 334/317/317 MB at 115.3-116.4 K (−35 MB, −4%); q5 (HOPPING COUNT): V8's
 * 330/352 MB at 80.8/78.5 K; 100: 335/320 MB at 74.1/73.2 K (−7% CPU for little memory). Before
 * V8's pretenuring was turned off (./memory-flags.ts) the same setting cost q5 20-35%. A V8
 * flag, so process-wide: the last engine opened sets it; a `--heap-growing-percent` the process
 * was started with is the default instead of 100.
 */
export function setHeapGrowingPercent(percent: number): void {
  if (heapGrowing === percent) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  heapGrowing = percent;
}

/** The percent last set in this process (0: V8's own factor). */
export function heapGrowingPercent(): number {
  return heapGrowing;
}
