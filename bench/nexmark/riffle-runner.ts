/**
 * One Nexmark query on Riffle, in a process of its own (the suite pins it to one core and reads
 * its CPU time and peak RSS from /proc). Speaks the same line protocol as the Kafka Streams peer
 * (see run.ts): `@@NEXMARK START|PAUSE|RESUME|DONE` on stdout, each answered by a line on stdin.
 *
 *   node bench/nexmark/riffle-runner.ts embedded|kafka QUERY BIDS_TOPIC AUCTIONS_TOPIC OUT_TOPIC BIDS AUCTIONS WORK_DIR SERVICE_ID
 *   node bench/nexmark/riffle-runner.ts ceiling BIDS AUCTIONS     the JSON parse+stringify ceiling, records/CPU-s
 *
 * embedded: writes the inputs into a fresh embedded log in WORK_DIR first (before START; unless
 * the suite already wrote them there), runs
 * the query, then writes the summary of its output (summary.ts) to WORK_DIR/summary.json after
 * DONE. kafka: the topics exist on the broker of RIFFLE_BOOTSTRAP_SERVERS, the suite reads the
 * output itself; the engine's command topic is deleted at the end so the next run starts clean.
 * For the join, the bids arrive only after the table is loaded (PAUSE: the suite, or this
 * process on the embedded log, produces them; that time is not counted).
 */
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { COMMAND_TOPIC } from '../../src/engine/command-log.ts';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { kafkaConfigFromEnv, openKafkaLog } from '../../src/log/kafka/index.ts';
import type { Log } from '../../src/log/log.ts';
import { bidJson } from './generator.ts';
import { produceAuctions, produceBids } from './produce.ts';
import { querySpec, querySql, sourcesSql } from './queries.ts';
import { SummaryBuilder } from './summary.ts';
import { startPromotedProfile, startRunnerTrace, traceFiles } from './memtrace.ts';
import { ensureNodeFlags } from '../../src/engine/memory-flags.ts';
import v8 from 'node:v8';

// Riffle runs with its V8 flags (bin/riffle.js applies them the same way): the runner re-executes
// itself in place (same pid, so the suite's pinning and /proc readings still apply) before START.
if (process.argv[2] === 'embedded' || process.argv[2] === 'kafka') ensureNodeFlags(process.argv[1], process.argv.slice(2));
// RIFFLE_NEXMARK_V8_FLAGS: V8 flags to try (set at run time, before the engine starts).
if (process.env.RIFFLE_NEXMARK_V8_FLAGS) v8.setFlagsFromString(process.env.RIFFLE_NEXMARK_V8_FLAGS);

/** --memtrace of the suite: V8's heap spaces sampled into this file (memtrace.ts). */
const traceFile = process.env.RIFFLE_NEXMARK_MEMTRACE;

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

/** Announces a point of the run and waits until the suite has read this process's counters. */
async function mark(what: string): Promise<void> {
  process.stdout.write(`@@NEXMARK ${what}\n`);
  const answer = await lines.next();
  if (answer.done) process.exit(3);
}

function ceiling(bids: number, auctions: number): void {
  const buffers = Array.from({ length: bids }, (_, i) => Buffer.from(bidJson(i, auctions)));
  const cpu0 = process.cpuUsage();
  let sink = 0;
  for (const b of buffers) sink += Buffer.from(JSON.stringify(JSON.parse(b.toString('utf8')))).length;
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  process.stdout.write(`@@NEXMARK CEILING ${Math.round(bids / ((cpu.user + cpu.system) / 1e6))}\n`);
}

async function run(mode: 'embedded' | 'kafka', args: string[]): Promise<void> {
  const [queryName, bidsTopic, auctionsTopic, outTopic, bidsArg, auctionsArg, workDir, serviceId] = args;
  const spec = querySpec(queryName);
  const bids = Number(bidsArg);
  const auctions = Number(auctionsArg);
  const log: Log =
    mode === 'embedded' ? await openEmbeddedLog(join(workDir, 'log')) : await openKafkaLog({ ...kafkaConfigFromEnv(process.env), clientId: `nexmark-${serviceId}` });
  // The embedded log may come prepared by the suite (inputs written by another process, so
  // that writing them does not count in this one's peak RSS); else the inputs are written here.
  if (mode === 'embedded' && (await log.listTopics()).every((t) => t.name !== bidsTopic)) {
    await log.createTopic(bidsTopic, { partitions: 4 });
    await log.createTopic(auctionsTopic, { partitions: 4 });
    if (spec.usesAuctions) await produceAuctions(log, auctionsTopic, auctions);
    else await produceBids(log, bidsTopic, bids, auctions);
  }
  const engine = await Engine.open({
    log,
    serviceId,
    background: false,
    stateDir: join(workDir, 'state'),
    // RIFFLE_NEXMARK_PROPERTIES (JSON, optional): engine properties to try on top of the suite's.
    properties: { 'auto.offset.reset': 'earliest', 'commit.interval.ms': '2000', 'processing.guarantee': 'at_least_once', ...JSON.parse(process.env.RIFFLE_NEXMARK_PROPERTIES ?? '{}') },
  });
  await engine.execute(sourcesSql(bidsTopic, auctionsTopic));
  const stopTrace = traceFile ? startRunnerTrace(traceFile) : null;
  const promotedFile = process.env.RIFFLE_NEXMARK_PROMOTED;
  const stopPromoted = promotedFile ? await startPromotedProfile(promotedFile) : null;
  await mark('START');
  await engine.execute(querySql(spec, outTopic));
  const task = [...engine.tasks.values()][0];
  if (!task) throw new Error(`no task for ${spec.name}`);
  if (spec.usesAuctions) {
    while (task.consumed < auctions) await task.step(200);
    await mark('PAUSE');
    if (mode === 'embedded') await produceBids(log, bidsTopic, bids, auctions);
    await mark('RESUME');
  }
  // Every input record, plus its copy through the repartition topic when the query re-keys.
  // If the plan re-keys less than assumed, the run ends once the task has been idle for 2 s.
  const inputs = bids + (spec.usesAuctions ? auctions : 0);
  const expected = inputs + (spec.shape === 'windowed' || spec.usesAuctions ? bids : 0);
  // Progress marks for the steady-state rate (steady.ts): the fraction of what the task will
  // consume, counted from the moment the join's table is loaded.
  const base = task.consumed;
  let reported = 0;
  let idle = 0;
  while (task.consumed < expected) {
    const percent = Math.floor(((task.consumed - base) * 100) / (expected - base));
    if (percent > reported) {
      reported = percent;
      process.stdout.write(`@@NEXMARK PROGRESS ${(task.consumed - base) / (expected - base)}\n`);
    }
    if ((await task.step(200)) > 0) idle = 0;
    else if (++idle >= (task.consumed >= inputs ? 10 : 600)) {
      if (task.consumed < inputs) throw new Error(`${spec.name} stalled at ${task.consumed} of ${inputs} input records`);
      break;
    }
  }
  await task.commitPending();
  stopTrace?.();
  await stopPromoted?.();
  if (traceFile) traceFiles(traceFile, workDir);
  await mark('DONE');
  process.stderr.write(`[riffle-${mode}] ${spec.name}: consumed ${task.consumed}, emitted ${task.emitted}\n`);
  if (mode === 'embedded') {
    const summary = new SummaryBuilder(spec.shape, 'ksql');
    const total = (await log.offsets(outTopic)).reduce((n, p) => n + p.end - p.start, 0);
    const reader = log.consumer({ groupId: 'nexmark-summary', topics: [outTopic], fromBeginning: true });
    for (let read = 0; read < total; ) {
      const batch = await reader.poll(50_000, 2000);
      if (batch.length === 0) throw new Error(`output ${outTopic}: read ${read} of ${total}`);
      read += batch.length;
      for (const r of batch) summary.add(r);
    }
    await reader.close();
    writeFileSync(join(workDir, 'summary.json'), JSON.stringify(summary.build()));
  }
  await engine.close();
  if (mode === 'kafka') await log.deleteTopic(COMMAND_TOPIC).catch(() => undefined);
  await log.close();
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'ceiling') ceiling(Number(rest[0]), Number(rest[1]));
else if (mode === 'embedded' || mode === 'kafka') await run(mode, rest);
else {
  console.error('usage: riffle-runner.ts embedded|kafka QUERY BIDS_TOPIC AUCTIONS_TOPIC OUT_TOPIC BIDS AUCTIONS WORK_DIR SERVICE_ID | ceiling BIDS AUCTIONS');
  process.exit(2);
}
process.exit(0);
