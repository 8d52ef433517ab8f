/**
 * The V8 flags Riffle's processes run with, and the re-execution that applies them.
 *
 * Why: while busy, V8 grows its young generation to two 64 MiB semi-spaces (Node runs without
 * pointer compression), the largest single part of a one-query process's RSS. Capped at 2 × 16
 * MiB it gives back ~100 MB per process; what it costs is more young-generation collections and
 * more objects promoted, which mattered when a stateful query's batches and commits kept many
 * short-lived objects alive (measured then: −5% to −16% records per CPU-second). With those
 * reduced (docs/state.md, "What a commit allocates"), measured on Nexmark at 300K bids, the runs
 * of each pair at the same time on one core (common-mode load): q5 (HOPPING COUNT) 495 → 390 MB
 * peak RSS for +5% CPU; q7 (TUMBLING MAX+COUNT) 389 → 281 MB for +3%.
 *
 * How: V8 sizes the young generation when the process starts (setting the flag later has no
 * effect), so `bin/riffle.js` (and the benchmark runner, to measure what users get) re-executes
 * the process in place (`process.execve`: same pid, same stdio) with the flags it lacks before
 * doing anything else. A flag the user gave (on the command line or in NODE_OPTIONS) wins;
 * `RIFFLE_NODE_FLAGS=off` turns the re-execution off; where execve is not available (Windows) the
 * process runs with V8's defaults. An embedding application chooses its own flags.
 *
 * The re-executed process also gets Node's compile cache (NODE_COMPILE_CACHE, unless the user set
 * it or turned it off with NODE_DISABLE_COMPILE_CACHE): Riffle is TypeScript run by Node's type
 * stripping, which otherwise loads its TypeScript transformer (a WebAssembly build of swc) into
 * every process and strips every module anew at each start. With the cache, a module seen before
 * is loaded from its stripped and compiled form, and the transformer is never loaded: measured on
 * one .ts script, 60 MB → 42 MB resident (node's image 37 → 31 MB, malloc's heap 9 → 2 MB).
 * `bin/riffle.js` enables the same cache in its first process (`module.enableCompileCache`).
 */
import os from 'node:os';
import path from 'node:path';

/**
 * The flags, each `--name[=value]`.
 *
 * `--no-allocation-site-pretenuring`: V8 allocates the objects of an allocation site straight
 * into the old generation once most of them survived young-generation collections there. The
 * MessagePack decoder (msgpackr) is one site for state values (read from the store and kept in
 * memory for a window's life: they survive) and for the rows of repartition topics (one batch
 * slice: they die at once); once pretenured, every decoded row was born old and died there, as
 * old-generation garbage that only full collections reclaim. Measured on Nexmark at 1M bids
 * (q5 HOPPING COUNT, q7 TUMBLING MAX+COUNT, on Kafka, one run each, same machine): bytes
 * outliving the young generation (sampling heap profiler) 970 → 540 MB on q7; peak RSS q7 392 →
 * 361 MB, q5 525 → 387 MB; records per CPU-second q7 100 K → 103 K, q5 46 K → 55 K.
 */
export const RIFFLE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--no-allocation-site-pretenuring'];

/** Set in the environment of the re-executed process, so that it never re-executes again. */
const APPLIED_MARK = 'RIFFLE_NODE_FLAGS_APPLIED';

/** A flag's name, the same for `--x`, `--no-x`, `--x=v` and `--x_y` spellings. */
function flagName(flag: string): string {
  const eq = flag.indexOf('=');
  return (eq < 0 ? flag : flag.slice(0, eq)).replace(/_/g, '-').replace(/^--no-/, '--');
}

/** The flags of RIFFLE_NODE_FLAGS that neither the command line nor NODE_OPTIONS sets. */
export function missingNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return RIFFLE_NODE_FLAGS.filter((f) => !given.has(flagName(f)));
}

/**
 * Node's compile cache directory for a re-executed process: the one the user set, else Node's own
 * default (`<tmpdir>/node-compile-cache`); undefined when the user turned the cache off.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  return env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), 'node-compile-cache');
}

/**
 * Re-executes this process with the flags it lacks (see the header); returns when there is
 * nothing to do or it cannot. Call first thing: what the process did before is discarded.
 * `script` and `args`: the entry script and its arguments, as they are to be run again.
 */
export function ensureNodeFlags(script: string, args: readonly string[]): void {
  const env = process.env;
  if (env[APPLIED_MARK] !== undefined || env.RIFFLE_NODE_FLAGS === 'off') return;
  const missing = missingNodeFlags(process.execArgv, env.NODE_OPTIONS);
  if (missing.length === 0 || typeof process.execve !== 'function') return;
  const cache = compileCacheDir(env);
  const next: NodeJS.ProcessEnv = { ...env, [APPLIED_MARK]: '1' };
  if (cache !== undefined) next.NODE_COMPILE_CACHE = cache;
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, script, ...args], next as Record<string, string>);
}
