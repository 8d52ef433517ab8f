/**
 * `npm run bench:nexmark`: the Nexmark suite. Riffle on its embedded log, Riffle on Kafka, a
 * Kafka Streams peer (peer/NexmarkPeer.java, built from Maven Central by peer/build.sh) and a
 * Flink SQL peer (peer-flink/NexmarkFlinkPeer.java, built by peer-flink/build.sh) run q0, q1,
 * q2, q5, q7 and the stream-table join over the same generated bids (generator.ts), on one
 * broker started with scripts/kafka/start.sh, the Kafka engines reading the same 4-partition
 * topics. Each engine runs alone, pinned to one core (taskset; the broker and this driver on the
 * other); its CPU time (utime + stime of /proc/<pid>/stat between its START and DONE marks,
 * minus the pause while the join's bids are produced) and peak RSS (VmHWM) are read from /proc,
 * and the CPU time at each of its PROGRESS marks gives the steady-state rate between ~25% and
 * ~90% of the input (steady.ts). Prints both rates, peak RSS and the ratios (report.ts), and
 * checks that all engines wrote the same output (summary.ts: the final value per window for
 * Flink, which emits each window once, against the last update of the others); exits 1 if not.
 *
 *   node bench/nexmark/run.ts [--records N] [--auctions A] [--queries q0,q5] [--engines riffle-embedded,riffle-kafka,kstreams,flink] [--smoke] [--profile] [--promoted] [--memtrace] [--timeout S]
 *
 * Engine `riffle-kafka-libenc` (not run unless named) is Riffle on Kafka with the client
 * library's record-batch encoder and Fetch decoder (RIFFLE_KAFKA_BATCH_ENCODER=library,
 * RIFFLE_KAFKA_BATCH_DECODER=library): the produce and fetch paths before. Engine `flink-updates`
 * (not run unless named; q5 and q7 only) is the Flink peer emitting every window update, as
 * Riffle and Kafka Streams do, through Flink's regular updating aggregation.
 * Defaults: 1,000,000 bids, 100,000 auctions, all queries and engines; --smoke = 20,000 bids,
 * 2,000 auctions; --profile writes V8 CPU profiles of the Riffle processes next to the results
 * (whole process, setup included); --timeout fails a run without DONE after S seconds (default
 * 3600); --memtrace samples each engine's RSS composition (anonymous / file-backed / shared, per
 * mapping) and the Riffle runners' V8 heap spaces, and prints it at the highest RSS (memtrace.ts).
 * Results also go to bench/nexmark/results/<time>.json (not versioned). RIFFLE_NEXMARK_CORES="0 1"
 * picks the driver/broker core and the engine core; RIFFLE_NEXMARK_FLINK_STATE=rocksdb gives
 * the Flink peer RocksDB state instead of Flink's default heap state.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { openKafkaLog } from '../../src/log/kafka/index.ts';
import type { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import { QUERY_NAMES, querySpec, type QuerySpec } from './queries.ts';
import { produceAuctions, produceBids } from './produce.ts';
import { ProcTrace } from './memtrace.ts';
import { compareSummaries, type OutputSummary, SummaryBuilder } from './summary.ts';
import { type ProgressSample, type SteadyRate, steadyRate } from './steady.ts';
import { formatReport } from './report.ts';

type EngineName = 'riffle-embedded' | 'riffle-kafka' | 'kstreams' | 'flink' | 'flink-updates' | 'riffle-kafka-libenc';
const ENGINES: readonly EngineName[] = ['riffle-embedded', 'riffle-kafka', 'kstreams', 'flink'];
/** Riffle on Kafka with @platformatic/kafka's record-batch encoder: the produce path before/after, on request. */
const OPTIONAL_ENGINES: readonly EngineName[] = ['riffle-kafka-libenc', 'flink-updates'];
const isFlink = (e: EngineName) => e === 'flink' || e === 'flink-updates';
/** The JVM peers: Kafka Streams emits every update like Riffle; Flink SQL emits each window once, final. */
const JVM_OPTS = ['-Xmx1g', '-XX:+UseG1GC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error'];

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const smoke = process.argv.includes('--smoke');
const profile = process.argv.includes('--profile');
const promoted = process.argv.includes('--promoted');
const memtrace = process.argv.includes('--memtrace');
const memReports: string[] = [];
const BIDS = Number(option('records') ?? (smoke ? 20_000 : 1_000_000));
const AUCTIONS = Number(option('auctions') ?? (smoke ? 2_000 : Math.min(100_000, Math.max(100, Math.floor(BIDS / 10)))));
const queries = (option('queries') ?? QUERY_NAMES.join(',')).split(',').map(querySpec);
const engines = (option('engines') ?? ENGINES.join(',')).split(',') as EngineName[];
for (const e of engines) if (![...ENGINES, ...OPTIONAL_ENGINES].includes(e)) throw new Error(`unknown engine '${e}' (known: ${[...ENGINES, ...OPTIONAL_ENGINES].join(', ')})`);
if (!Number.isInteger(BIDS) || BIDS <= 0 || !Number.isInteger(AUCTIONS) || AUCTIONS <= 0) throw new Error('--records and --auctions must be positive integers');
const [driverCore, engineCore] = (process.env.RIFFLE_NEXMARK_CORES ?? '0 1').split(/\s+/);
const TIMEOUT_S = Number(option('timeout') ?? 3600);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const work = mkdtempSync(join(tmpdir(), 'riffle-nexmark-'));
const log = (msg: string) => process.stderr.write(`[nexmark] ${msg}\n`);

// ---------------------------------------------------------------- broker and peer
function portOpen(port: number): boolean {
  try {
    execFileSync('bash', ['-c', `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`]);
    return true;
  } catch {
    return false;
  }
}
let port = Number(process.env.RIFFLE_NEXMARK_PORT ?? 29092);
while (portOpen(port) || portOpen(port + 1)) port += 2;
const brokerDir = join(work, 'broker');
const buildPeer = (script: string) => execFileSync('bash', [join(here, script)], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
const peerClasspath = engines.includes('kstreams') ? buildPeer('peer/build.sh') : '';
const flinkClasspath = engines.some(isFlink) ? buildPeer('peer-flink/build.sh') : '';
log(`starting the broker on 127.0.0.1:${port}`);
const bootstrap = execFileSync('bash', [join(root, 'scripts/kafka/start.sh'), '--port', String(port), '--dir', brokerDir], { stdio: ['ignore', 'pipe', 'inherit'] })
  .toString()
  .trim();
const brokerPid = readFileSync(join(brokerDir, 'broker.pid'), 'utf8').trim();
execFileSync('taskset', ['-a', '-cp', driverCore, brokerPid], { stdio: 'ignore' });
execFileSync('taskset', ['-cp', driverCore, String(process.pid)], { stdio: 'ignore' });
let kafka: KafkaLog | null = null;
function stopBroker(): void {
  try {
    execFileSync('bash', [join(root, 'scripts/kafka/stop.sh'), '--dir', brokerDir], { stdio: 'inherit' });
  } catch {
    /* reported by stop.sh */
  }
  rmSync(work, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  stopBroker();
  process.exit(130);
});

// ---------------------------------------------------------------- one engine run
interface Measured {
  engine: EngineName;
  query: string;
  cpuS: number;
  wallS: number;
  peakRssMb: number;
  recordsPerCpuS: number;
  /** Records per CPU-second between ~25% and ~90% of the input (steady.ts), null without enough progress marks. */
  steady: SteadyRate | null;
  /** The engine's progress marks (in the results file, to see how the steady rate was taken). */
  progress: ProgressSample[];
  summary: OutputSummary;
}
const isRiffle = (e: EngineName) => e.startsWith('riffle');
/** What Flink's launcher passes to its JVMs on Java 17 (its config.yaml's env.java.opts.all, the opens its runtime needs). */
const FLINK_JVM_OPENS = ['java.lang', 'java.net', 'java.io', 'java.nio', 'sun.nio.ch', 'java.lang.reflect', 'java.text', 'java.time', 'java.util', 'java.util.concurrent', 'java.util.concurrent.atomic', 'java.util.concurrent.locks'].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

function cpuTicks(pid: number): number {
  // Fields after the command (which may hold spaces) start at ')'; utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const topicOf = (engine: EngineName, spec: QuerySpec, what: 'out' | 'bids') =>
  what === 'out' ? `nexmark-${spec.name}-${engine}-out` : spec.usesAuctions ? `nexmark-join-bids-${engine}` : 'nexmark-bids';

/** --promoted: what outlived the young generation in the Riffle runs (memtrace.ts, startPromotedProfile), in results/profiles/. */
function promotedProfileFile(spec: QuerySpec, engine: EngineName): string {
  const dir = join(here, 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${spec.name}-${engine}-${Date.now()}.promoted.heapprofile`);
}

/** --profile: V8 CPU profiles of the Riffle runs, in results/profiles/ (open in Chrome DevTools). */
function profileArgs(spec: QuerySpec, engine: EngineName): string[] {
  if (!profile) return [];
  const dir = join(here, 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${spec.name}-${engine}-${Date.now()}.cpuprofile`];
}

async function runEngine(engine: EngineName, spec: QuerySpec): Promise<Measured> {
  const dir = join(work, `${spec.name}-${engine}`);
  mkdirSync(dir, { recursive: true });
  const bidsTopic = topicOf(engine, spec, 'bids');
  const outTopic = topicOf(engine, spec, 'out');
  const serviceId = `nx-${spec.name}-${engine}-${Date.now().toString(36)}`;
  if (engine !== 'riffle-embedded') {
    if (spec.usesAuctions) await kafka!.createTopic(bidsTopic, { partitions: 4 });
    // The JVM peers write to an existing topic; Riffle creates its own (PARTITIONS=4).
    if (engine === 'kstreams' || isFlink(engine)) await kafka!.createTopic(outTopic, { partitions: 4 });
    // Flink's event-time temporal join gives the same rows whatever the order in which the
    // table and the bids arrive, and a Flink job cannot be paused: its bids are written first.
    if (isFlink(engine) && spec.usesAuctions) await produceBids(kafka!, bidsTopic, BIDS, AUCTIONS);
  }
  if (engine === 'riffle-embedded') {
    // The inputs, written here so that the engine's peak RSS is the query's alone. The join's
    // bids are written by the runner itself once the table is loaded (a log has one writer process).
    const embedded = await openEmbeddedLog(join(dir, 'log'));
    await embedded.createTopic('bids', { partitions: 4 });
    await embedded.createTopic('auctions', { partitions: 4 });
    if (spec.usesAuctions) await produceAuctions(embedded, 'auctions', AUCTIONS);
    else await produceBids(embedded, 'bids', BIDS, AUCTIONS);
    await embedded.close();
  }
  const pinned = ['taskset', '-c', engineCore];
  const onKafka = engine !== 'riffle-embedded';
  const peerArgs = [bootstrap, spec.name, serviceId, bidsTopic, 'nexmark-auctions', outTopic, String(BIDS), String(AUCTIONS), join(dir, 'state')];
  const command =
    engine === 'kstreams'
      ? [...pinned, 'java', ...JVM_OPTS, '-cp', peerClasspath, 'NexmarkPeer', ...peerArgs]
      : isFlink(engine)
        ? [...pinned, 'java', ...JVM_OPTS, ...FLINK_JVM_OPENS, '-cp', flinkClasspath, 'NexmarkFlinkPeer', ...peerArgs, ...(engine === 'flink-updates' ? ['updates'] : [])]
        : [...pinned, process.execPath, ...profileArgs(spec, engine), join(here, 'riffle-runner.ts'), onKafka ? 'kafka' : 'embedded', spec.name,
           onKafka ? bidsTopic : 'bids', onKafka ? 'nexmark-auctions' : 'auctions', outTopic,
           String(BIDS), String(AUCTIONS), dir, serviceId];
  const traceFile = memtrace && isRiffle(engine) ? join(work, `memtrace-${spec.name}-${engine}.jsonl`) : null;
  const env = {
    ...process.env,
    RIFFLE_BOOTSTRAP_SERVERS: bootstrap,
    ...(engine === 'riffle-kafka-libenc' ? { RIFFLE_KAFKA_BATCH_ENCODER: 'library', RIFFLE_KAFKA_BATCH_DECODER: 'library' } : {}),
    ...(traceFile ? { RIFFLE_NEXMARK_MEMTRACE: traceFile } : {}),
    ...(promoted && isRiffle(engine) ? { RIFFLE_NEXMARK_PROMOTED: promotedProfileFile(spec, engine) } : {}),
  };
  const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'], env });
  const pid = child.pid!;
  const trace = memtrace ? new ProcTrace(pid) : null;
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  // A run that never finishes (an engine stalled, a peer that miscounts) fails the suite instead of hanging it.
  const timer = setTimeout(() => {
    log(`${engine} ${spec.name}: no DONE within ${TIMEOUT_S} s: killing it`);
    child.kill('SIGKILL');
  }, TIMEOUT_S * 1000);
  const marks = new Map<string, { ticks: number; at: number }>();
  const progress: ProgressSample[] = [];
  let peak = NaN;
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^@@NEXMARK (\w+)(?: (\S+))?/.exec(line);
    if (!m) {
      process.stderr.write(`[${engine}] ${line}\n`);
      continue;
    }
    if (m[1] === 'PROGRESS') {
      // Not answered: the engine goes on; the CPU time is read as the line arrives.
      progress.push({ fraction: Number(m[2]), ticks: cpuTicks(pid) });
      continue;
    }
    marks.set(m[1], { ticks: cpuTicks(pid), at: performance.now() });
    if (m[1] === 'PAUSE' && engine !== 'riffle-embedded') await produceBids(kafka!, bidsTopic, BIDS, AUCTIONS);
    if (m[1] === 'DONE') {
      peak = peakRssMb(pid);
      trace?.stop();
    }
    child.stdin!.write('ok\n');
  }
  const code = await exited;
  clearTimeout(timer);
  if (trace) {
    trace.stop();
    const r = trace.report(`${spec.name} ${engine}`, traceFile);
    memReports.push(r);
    log(r);
    // The runner's samples over time (V8 spaces every 200 ms) stay next to the results.
    if (traceFile && existsSync(traceFile)) {
      mkdirSync(join(here, 'results'), { recursive: true });
      copyFileSync(traceFile, join(here, 'results', `memtrace-${spec.name}-${engine}-${Date.now()}.jsonl`));
    }
  }
  if (code !== 0 || !marks.has('DONE')) throw new Error(`${engine} ${spec.name} failed (exit ${code})`);
  const span = (a: string, b: string) => ({ ticks: marks.get(b)!.ticks - marks.get(a)!.ticks, ms: marks.get(b)!.at - marks.get(a)!.at });
  const total = span('START', 'DONE');
  const pause = marks.has('PAUSE') ? span('PAUSE', 'RESUME') : { ticks: 0, ms: 0 };
  const cpuS = (total.ticks - pause.ticks) / CLK_TCK;
  const summary =
    engine === 'riffle-embedded' ? (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as OutputSummary) : await readOutput(outTopic, spec, engine);
  if (onKafka) {
    // This run's topics (output, the join's bids, repartition and changelog topics, named after
    // the service / application id) are not needed any more.
    for (const t of await kafka!.listTopics()) {
      if (t.name === outTopic || (spec.usesAuctions && t.name === bidsTopic) || t.name.startsWith(serviceId)) await kafka!.deleteTopic(t.name).catch(() => undefined);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    engine,
    query: spec.name,
    cpuS,
    wallS: (total.ms - pause.ms) / 1000,
    peakRssMb: peak,
    recordsPerCpuS: Math.round(BIDS / cpuS),
    steady: steadyRate(progress, BIDS, CLK_TCK),
    progress,
    summary,
  };
}

async function readOutput(topic: string, spec: QuerySpec, engine: EngineName): Promise<OutputSummary> {
  const summary = new SummaryBuilder(spec.shape, isFlink(engine) ? 'flink' : 'ksql', engine === 'flink' && spec.shape === 'windowed' ? 'final' : 'updates');
  const total = (await kafka!.offsets(topic)).reduce((n, p) => n + p.end - p.start, 0);
  const reader = kafka!.consumer({ groupId: `nexmark-reader-${topic}`, topics: [topic], fromBeginning: true });
  for (let read = 0; read < total; ) {
    const batch = await reader.poll(50_000, 5000);
    if (batch.length === 0) throw new Error(`output ${topic}: read ${read} of ${total}`);
    read += batch.length;
    for (const r of batch) summary.add(r);
  }
  await reader.close();
  return summary.build();
}

// ---------------------------------------------------------------- the suite
const results: Measured[] = [];
const mismatches: string[] = [];
let ceiling = NaN;
try {
  kafka = await openKafkaLog({ bootstrapServers: [bootstrap], clientId: 'nexmark-driver' });
  log(`producing ${BIDS.toLocaleString('en-US')} bids and ${AUCTIONS.toLocaleString('en-US')} auctions`);
  await kafka.createTopic('nexmark-bids', { partitions: 4 });
  await kafka.createTopic('nexmark-auctions', { partitions: 4 });
  await produceBids(kafka, 'nexmark-bids', BIDS, AUCTIONS);
  await produceAuctions(kafka, 'nexmark-auctions', AUCTIONS);

  const c = execFileSync('taskset', ['-c', engineCore, process.execPath, join(here, 'riffle-runner.ts'), 'ceiling', String(Math.min(BIDS, 1_000_000)), String(AUCTIONS)]).toString();
  ceiling = Number(/CEILING (\d+)/.exec(c)?.[1]);
  log(`JSON parse+stringify ceiling: ${ceiling.toLocaleString('en-US')} records/CPU-s`);

  for (const spec of queries) {
    const byEngine: Measured[] = [];
    for (const engine of engines) {
      // flink-updates differs from flink only where windows are emitted.
      if (engine === 'flink-updates' && spec.shape !== 'windowed') continue;
      log(`${spec.name} (${spec.description}) on ${engine}`);
      const m = await runEngine(engine, spec);
      log(`  ${m.recordsPerCpuS.toLocaleString('en-US')} records/CPU-s, ${m.cpuS.toFixed(1)} CPU-s, ${m.wallS.toFixed(1)} s, peak RSS ${m.peakRssMb} MB, ${m.summary.records} output records`);
      byEngine.push(m);
      results.push(m);
    }
    for (const m of byEngine.slice(1)) {
      const diffs = compareSummaries(byEngine[0].summary, m.summary);
      if (diffs.length) mismatches.push(`${spec.name}: ${byEngine[0].engine} vs ${m.engine}: ${diffs.join('; ')}`);
    }
  }
} finally {
  await kafka?.close().catch(() => undefined);
  stopBroker();
}

// ---------------------------------------------------------------- report
const differing = new Set(mismatches.map((m) => m.slice(0, m.indexOf(':'))));
console.log(formatReport({ bids: BIDS, auctions: AUCTIONS, ceiling, queries: queries.map((q) => q.name), engines, results, differing }));
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ bids: BIDS, auctions: AUCTIONS, ceilingRecordsPerCpuS: ceiling, results, mismatches }, null, 2));
console.log(`results: ${file}`);
for (const r of memReports) console.log(r);
for (const m of mismatches) console.log(`MISMATCH ${m}`);
process.exit(mismatches.length ? 1 : 0);
