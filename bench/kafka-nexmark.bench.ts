/**
 * Nexmark's stateless queries (q0 SELECT *, q1 projection, q2 filter) on Kafka and on the embedded
 * log in ONE process, alternating, several rounds: records per CPU-second of each and their ratio
 * (rk/re, issue 17's "Riffle on Kafka ≥ 0.7× Riffle on the embedded log"). A quicker, less noisy
 * companion of the suite (bench/nexmark) for work on the Kafka path: the same bids, the same SQL,
 * the same engine properties as bench/nexmark/riffle-runner.ts, and CPU measured the same way
 * (this process's user + system time from just before the query starts until every input record
 * went through it and its offsets are committed), but no process per run and no Kafka Streams.
 *
 *   bash scripts/kafka/with-broker.sh node bench/kafka-nexmark.bench.ts
 *
 * Env: RIFFLE_BENCH_RECORDS (default 300000), RIFFLE_BENCH_ROUNDS (default 3),
 * RIFFLE_BENCH_QUERIES (default q0,q2). The broker shares the machine's cores: compare ratios of
 * one run, not absolute figures across runs. Each round runs every query on both logs with a
 * fresh engine and output topic; the ratio reported is of the medians. RIFFLE_BENCH_CORES="0 1"
 * (as the suite's RIFFLE_NEXMARK_CORES): the broker (RIFFLE_BENCH_BROKER_PID, set by the caller)
 * on the first core, this process on the second; without them nothing is pinned.
 * On Kafka the topics carry a prefix of their own (the engine sees them as they are, as the
 * suite's do: no namespace layer mapping every record) and are deleted at the end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_TOPIC } from '../src/engine/command-log.ts';
import { Engine } from '../src/engine/engine.ts';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { execFileSync } from 'node:child_process';
import { kafkaConfigFromEnv, openKafkaLog } from '../src/log/kafka/index.ts';
import type { Log } from '../src/log/log.ts';
import { produceBids } from './nexmark/produce.ts';
import { querySpec, querySql, sourcesSql } from './nexmark/queries.ts';

const BIDS = Number(process.env.RIFFLE_BENCH_RECORDS ?? 300_000);
const AUCTIONS = Math.max(1, Math.round(BIDS / 10));
const ROUNDS = Number(process.env.RIFFLE_BENCH_ROUNDS ?? 3);
const QUERIES = (process.env.RIFFLE_BENCH_QUERIES ?? 'q0,q2').split(',').map((q) => querySpec(q));
for (const q of QUERIES) if (q.shape !== 'stream' || q.usesAuctions) throw new Error(`${q.name}: only the stateless queries (q0, q1, q2) run here`);

const config = kafkaConfigFromEnv(process.env);
const [brokerCore, benchCore] = (process.env.RIFFLE_BENCH_CORES ?? '').split(/\s+/);
if (benchCore !== undefined) {
  if (process.env.RIFFLE_BENCH_BROKER_PID) execFileSync('taskset', ['-a', '-cp', brokerCore, process.env.RIFFLE_BENCH_BROKER_PID], { stdio: 'ignore' });
  execFileSync('taskset', ['-a', '-cp', benchCore, String(process.pid)], { stdio: 'ignore' });
}
/** Topic names on Kafka: a prefix of this run's, so that runs never meet on a shared broker. */
const prefix = `nexbench-${process.pid}-${Date.now()}-`;
if (config.bootstrapServers.length === 0) {
  console.error('RIFFLE_BOOTSTRAP_SERVERS is not set: run via scripts/kafka/with-broker.sh node bench/kafka-nexmark.bench.ts');
  process.exit(2);
}

/** CPU ticks (user, system) per thread of this process, by thread name and id (Linux). */
function threadTicks(): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}#${tid}`, [Number(f[11]), Number(f[12])]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** RIFFLE_BENCH_THREADS: where a run's CPU went, per thread (user/system ticks). */
function threadReport(before: Map<string, [number, number]>, after: Map<string, [number, number]>): string {
  const byName = new Map<string, [number, number]>();
  for (const [key, [u, s]] of after) {
    const [u0, s0] = before.get(key) ?? [0, 0];
    const name = key.slice(0, key.lastIndexOf('#'));
    const acc = byName.get(name) ?? [0, 0];
    byName.set(name, [acc[0] + u - u0, acc[1] + s - s0]);
  }
  return [...byName].filter(([, [u, s]]) => u + s > 0).map(([n, [u, s]]) => `${n} ${u}u/${s}s`).join(', ');
}

/** Runs one query over the bids already in `log`; returns CPU seconds. */
async function runQuery(log: Log, topics: string, stateDir: string, serviceId: string, name: string, outTopic: string): Promise<{ cpuS: number; emitted: number }> {
  const spec = querySpec(name);
  const engine = await Engine.open({
    log,
    serviceId,
    background: false,
    stateDir,
    properties: { 'auto.offset.reset': 'earliest', 'commit.interval.ms': '2000', 'processing.guarantee': 'at_least_once' },
  });
  await engine.execute(sourcesSql(`${topics}bids`, `${topics}auctions`));
  const threads0 = process.env.RIFFLE_BENCH_THREADS ? threadTicks() : null;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await engine.execute(querySql(spec, outTopic));
  const task = [...engine.tasks.values()][0];
  if (!task) throw new Error(`no task for ${name}`);
  let idle = 0;
  while (task.consumed < BIDS) {
    if ((await task.step(200)) > 0) idle = 0;
    else if (++idle >= 600) throw new Error(`${name} stalled at ${task.consumed} of ${BIDS}`);
  }
  await task.commitPending();
  const cpu = process.cpuUsage(cpu0);
  if (threads0) console.error(`threads ${serviceId}: user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s; ${threadReport(threads0, threadTicks())}`);
  // For windowing a --cpu-prof profile on one run (its timestamps are this clock's, in µs).
  if (process.env.RIFFLE_BENCH_MARKS) console.error(`@@run ${serviceId} ${t0 / 1000n} ${process.hrtime.bigint() / 1000n}`);
  const emitted = task.emitted;
  await engine.close();
  // The next run starts from an empty command log (its own engine, the same `bids` source).
  await log.deleteTopic(COMMAND_TOPIC);
  return { cpuS: (cpu.user + cpu.system) / 1e6, emitted };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-'));
const embedded = await openEmbeddedLog(join(dir, 'log'));
const kafka = await openKafkaLog({ ...config, clientId: 'riffle-bench' });
const topicPrefix = (log: Log): string => (log === kafka ? prefix : '');
try {
  for (const log of [embedded, kafka]) {
    await log.createTopic(`${topicPrefix(log)}bids`, { partitions: 4 });
    await log.createTopic(`${topicPrefix(log)}auctions`, { partitions: 4 });
    await produceBids(log, `${topicPrefix(log)}bids`, BIDS, AUCTIONS);
  }
  // RIFFLE_BENCH_PAUSE_MS: a pause after the inputs are written (to attach perf to this pid).
  if (process.env.RIFFLE_BENCH_PAUSE_MS) {
    console.error(`@@inputs-ready pid ${process.pid}`);
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.RIFFLE_BENCH_PAUSE_MS)));
  }
  const logs = (process.env.RIFFLE_BENCH_LOGS ?? 'embedded,kafka').split(',');
  const cpu: Record<string, { embedded: number[]; kafka: number[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of QUERIES) {
      const runs = (cpu[q.name] ??= { embedded: [], kafka: [] });
      for (const [label, log] of [['embedded', embedded], ['kafka', kafka]] as const) {
        if (!logs.includes(label)) continue;
        const id = `${q.name}_${label}_${round}`;
        const r = await runQuery(log, topicPrefix(log), join(dir, `state-${id}`), `bench_${id}`, q.name, `${topicPrefix(log)}out-${id}`);
        runs[label].push(r.cpuS);
        console.error(`round ${round} ${q.name} ${label}: ${Math.round(BIDS / r.cpuS).toLocaleString('en-US')} records/CPU-s (${r.cpuS.toFixed(2)} CPU-s, ${r.emitted} out)`);
      }
    }
  }
  const report = Object.fromEntries(
    Object.entries(cpu).map(([q, runs]) => {
      const re = BIDS / median(runs.embedded);
      const rk = BIDS / median(runs.kafka);
      const perRound = runs.kafka.map((k, i) => +(runs.embedded[i] / k).toFixed(2));
      return [q, { embeddedRecordsPerCpuS: Math.round(re), kafkaRecordsPerCpuS: Math.round(rk), rkOverRe: +(rk / re).toFixed(2), rkOverRePerRound: perRound }];
    }),
  );
  console.log(JSON.stringify({ bids: BIDS, rounds: ROUNDS, queries: report }, null, 2));
} finally {
  await embedded.close();
  for (const t of await kafka.listTopics().catch(() => [])) if (t.name.startsWith(prefix) || t.name.startsWith('bench_')) await kafka.deleteTopic(t.name).catch(() => undefined);
  await kafka.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
