/**
 * State store throughput: N get+put pairs (an aggregation's read-modify-write) over K keys, with
 * a flush (the commit point: changelog send + LMDB commit) every F updates, through several
 * stacks:
 *   - InMemoryStore (the ceiling: a sorted map, nothing serialised)
 *   - CachingStore(ChangeLoggingStore(LmdbStore))        ← the production stack
 *   - MeteredStore(CachingStore(ChangeLoggingStore(LmdbStore)))   (what the registry builds)
 *   - ChangeLoggingStore(LmdbStore)                      (no cache)
 *   - LmdbStore                                          (no cache, no changelog)
 * Several rounds per stack, each on a fresh directory and embedded log; prints every round, then
 * median and best (shared machines are noisy), and the ratio to InMemoryStore in the same run.
 * Run: `node bench/state.bench.ts`
 * Options: --pairs N (1,000,000), --keys K (10,000), --flush F (5,000), --cache C (10,000), --rounds R (3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbeddedLog, type EmbeddedLog } from '../src/log/embedded/index.ts';
import { CachingStore } from '../src/state/caching-store.ts';
import { ChangeLoggingStore } from '../src/state/change-logging-store.ts';
import { InMemoryStore } from '../src/state/in-memory-store.ts';
import { LmdbEnv } from '../src/state/lmdb-env.ts';
import { MeteredStore } from '../src/state/metered-store.ts';
import type { KeyValueStore } from '../src/state/store.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const PAIRS = arg('pairs', 1_000_000);
const KEYS = arg('keys', 10_000);
const FLUSH = arg('flush', 5_000);
const CACHE = arg('cache', 10_000);
const ROUNDS = arg('rounds', 3);

interface Agg {
  count: number;
  sum: number;
  min: number;
  max: number;
}

interface Fixture {
  store: KeyValueStore<Agg>;
  changelogRecords: () => Promise<number>;
  close: () => Promise<void>;
}

type Stack = 'memory' | 'cache+changelog+lmdb' | 'metered+cache+changelog+lmdb' | 'changelog+lmdb' | 'lmdb';
const STACKS: Stack[] = ['memory', 'cache+changelog+lmdb', 'metered+cache+changelog+lmdb', 'changelog+lmdb', 'lmdb'];

async function open(stack: Stack, dir: string): Promise<Fixture> {
  if (stack === 'memory') {
    const store = new InMemoryStore<Agg>('bench');
    return { store, changelogRecords: async () => 0, close: () => store.close() };
  }
  const env = LmdbEnv.open(path.join(dir, 'state'));
  let store: KeyValueStore<Agg> = env.store<Agg>('bench/Aggregate/state');
  let log: EmbeddedLog | null = null;
  if (stack !== 'lmdb') {
    log = await openEmbeddedLog(path.join(dir, 'log'));
    await log.createTopic('changelog', { partitions: 1, cleanupPolicy: 'compact' });
    store = new ChangeLoggingStore(store, { producer: log.producer(), topic: 'changelog' });
  }
  if (stack.includes('cache')) store = new CachingStore(store, { maxEntries: CACHE });
  if (stack.startsWith('metered')) store = new MeteredStore(store);
  return {
    store,
    changelogRecords: async () => (log ? (await log.offsets('changelog'))[0].end : 0),
    close: async () => {
      await store.close();
      await env.close();
      await log?.close();
    },
  };
}

// Keys are built up front: the benchmark measures the store, not key encoding.
const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(`key-${String(i).padStart(8, '0')}`));

async function round(stack: Stack): Promise<{ rate: number; flushes: number[]; records: number; count: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riffle-state-bench-'));
  try {
    const f = await open(stack, dir);
    const store = f.store;
    const flushes: number[] = [];
    let x = 0x9e3779b9;
    const start = performance.now();
    for (let i = 0; i < PAIRS; i++) {
      x ^= x << 13; // xorshift32: a scattered key sequence hitting every key
      x ^= x >>> 17;
      x ^= x << 5;
      const key = keys[(x >>> 0) % KEYS];
      const v = i % 1000;
      const old = store.get(key);
      store.put(
        key,
        old === undefined
          ? { count: 1, sum: v, min: v, max: v }
          : { count: old.count + 1, sum: old.sum + v, min: Math.min(old.min, v), max: Math.max(old.max, v) },
      );
      if ((i + 1) % FLUSH === 0) {
        const t = performance.now();
        await store.flush();
        flushes.push(performance.now() - t);
      }
    }
    await store.flush();
    const ms = performance.now() - start;
    let total = 0;
    for (const { value } of store.range(null, null)) total += value.count;
    if (total !== PAIRS) throw new Error(`lost updates: counted ${total} of ${PAIRS}`);
    const count = store.approximateCount();
    const records = await f.changelogRecords();
    await f.close();
    return { rate: PAIRS / (ms / 1000), flushes, records, count };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

async function main(): Promise<void> {
  console.log(
    `${fmt(PAIRS)} get+put pairs over ${fmt(KEYS)} keys, flush every ${fmt(FLUSH)} updates, ` +
      `cache ${fmt(CACHE)} entries, ${ROUNDS} rounds per stack (Node ${process.version})`,
  );
  const medians = new Map<Stack, number>();
  for (const stack of STACKS) {
    const rates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const res = await round(stack);
      rates.push(res.rate);
      const flushInfo = res.flushes.length
        ? `, flush p50 ${pct(res.flushes, 0.5).toFixed(2)} ms p99 ${pct(res.flushes, 0.99).toFixed(2)} ms`
        : '';
      const log = res.records ? `, ${fmt(res.records)} changelog records` : '';
      console.log(`  ${stack} round ${r + 1}: ${fmt(res.rate)} pairs/s (${fmt(2 * res.rate)} ops/s)${flushInfo}${log}, ${fmt(res.count)} keys`);
    }
    medians.set(stack, median(rates));
    const ratio = stack === 'memory' ? '' : `, ${(median(rates) / medians.get('memory')!).toFixed(2)}× in-memory`;
    console.log(
      `${stack}: median ${fmt(median(rates))} pairs/s = ${fmt(2 * median(rates))} ops/s, best ${fmt(Math.max(...rates))} pairs/s${ratio}`,
    );
  }
}

await main();
