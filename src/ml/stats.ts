/**
 * Live counters of a model invoker for DESCRIBE MODEL, and a bounded latency window for
 * percentiles (the last LATENCY_WINDOW successful requests; sorting 2K numbers on demand is cheap).
 */
import type { BreakerSnapshot } from './breaker.ts';

export const LATENCY_WINDOW = 2048;

export interface LatencySummary {
  readonly samples: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface ModelStats {
  /** Requests sent (HTTP requests or ONNX runs), retries included. */
  readonly requests: number;
  readonly failedRequests: number;
  readonly retries: number;
  readonly timeouts: number;
  /** Rows given to invoke(). */
  readonly rows: number;
  readonly rowsOk: number;
  readonly rowsFailed: number;
  /** Batches failed fast because the breaker was open. */
  readonly breakerRejections: number;
  /** Latency of successful requests, in ms. */
  readonly latencyMs: LatencySummary;
  readonly breaker: BreakerSnapshot;
  readonly inFlight: number;
  readonly lastError: string | null;
  /** Cumulative histograms since the invoker opened (for Prometheus): successful request latency in ms, rows per request. */
  readonly latencyHistogram: HistogramSnapshot;
  readonly batchRowsHistogram: HistogramSnapshot;
}

/** Counts per upper bound (not cumulative; the last count is above every bound), their sum and count. */
export interface HistogramSnapshot {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export const LATENCY_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
export const BATCH_ROWS_BOUNDS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/** A fixed-bucket histogram: O(buckets) per observation, no allocation. */
export class Histogram {
  private readonly bounds: readonly number[];
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    return { bounds: this.bounds, counts: [...this.counts], sum: this.sum, count: this.count };
  }
}

export class LatencyWindow {
  private readonly buf = new Float64Array(LATENCY_WINDOW);
  private n = 0;

  record(ms: number): void {
    this.buf[this.n % LATENCY_WINDOW] = ms;
    this.n++;
  }

  summary(): LatencySummary {
    const count = Math.min(this.n, LATENCY_WINDOW);
    if (count === 0) return { samples: 0, p50: null, p99: null, max: null };
    const xs = this.buf.slice(0, count).sort();
    const at = (q: number): number => xs[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))];
    return { samples: count, p50: at(0.5), p99: at(0.99), max: xs[count - 1] };
  }
}

/** The mutable counters behind ModelStats. */
export class Counters {
  requests = 0;
  failedRequests = 0;
  retries = 0;
  timeouts = 0;
  rows = 0;
  rowsOk = 0;
  rowsFailed = 0;
  breakerRejections = 0;
  inFlight = 0;
  lastError: string | null = null;
  readonly latency = new LatencyWindow();
  readonly latencyHistogram = new Histogram(LATENCY_BOUNDS_MS);
  readonly batchRows = new Histogram(BATCH_ROWS_BOUNDS);
}
