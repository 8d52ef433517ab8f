/**
 * Steady-state throughput of one engine run: records per CPU-second between ~25% and ~90% of the
 * input, which leaves out the start (JVM start and JIT warm-up, planning, code generation,
 * consumer group joins, the first fetches) and the end (final flushes, a last checkpoint,
 * closing) that the end-to-end START→DONE figure includes.
 *
 * Every engine prints `@@NEXMARK PROGRESS f` (f = fraction of the input bids through the query's
 * last stage) each time f crosses another percent, and the suite reads the process's CPU time
 * (utime + stime of /proc/<pid>/stat, every thread) as the line arrives. What "through the last
 * stage" means per engine:
 * - Riffle: records its query task consumed over the records it will consume (bids, plus their
 *   copies through the repartition topic for q5, q7 and the join; the join counts from the
 *   moment its table is loaded);
 * - Kafka Streams: bids through the last stage's `peek` (after the repartition topic when the
 *   query re-keys);
 * - Flink: bids into the task holding the window aggregation or the temporal join (Flink's
 *   numRecordsIn), or out of the bids source when the whole query is one chained task.
 * In steady state every stage of a query moves at the same pace (the buffers between them are
 * bounded), so these fractions advance together whatever stage they are read at.
 */
export interface ProgressSample {
  /** Fraction of the input bids through the last stage, 0..1. */
  readonly fraction: number;
  /** CPU ticks (utime + stime) of the engine process as the mark was read. */
  readonly ticks: number;
}

export interface SteadyRate {
  recordsPerCpuS: number;
  /** The fractions of the input the rate was measured between. */
  from: number;
  to: number;
  cpuS: number;
}

const STEADY_FROM = 0.25;
const STEADY_TO = 0.9;

/**
 * The rate between the first mark at or past STEADY_FROM and the last at or before STEADY_TO;
 * null when the marks do not span at least a third of the input or the CPU time between them is
 * under 5 ticks (too coarse to mean anything).
 */
export function steadyRate(samples: readonly ProgressSample[], bids: number, clockTicksPerS: number): SteadyRate | null {
  const from = samples.find((s) => s.fraction >= STEADY_FROM);
  const to = samples.findLast((s) => s.fraction <= STEADY_TO);
  if (!from || !to || to.fraction - from.fraction < 1 / 3) return null;
  const ticks = to.ticks - from.ticks;
  if (ticks < 5) return null;
  const cpuS = ticks / clockTicksPerS;
  return { recordsPerCpuS: Math.round(((to.fraction - from.fraction) * bids) / cpuS), from: from.fraction, to: to.fraction, cpuS };
}
