/**
 * ModelInvoker: the engine's entry point to one model (one CREATE MODEL). `invoke(rows)` gives one
 * RowOutcome per row, in input order, and never rejects for a model failure: rows that cannot be
 * sent (NULL or mistyped feature) or whose batch failed for good are `error` outcomes; the caller
 * applies the model's ON_ERROR policy.
 *
 * Inside: rows are split into batches of BATCH_SIZE; at most MAX_IN_FLIGHT batches are in flight
 * across all invoke() calls; each batch is retried (same request id) on retryable failures with
 * exponential backoff and jitter; a circuit breaker fails batches fast while the server is down;
 * a batch the server rejects as bad input (400/422) is bisected so one poison row does not fail
 * its neighbours. With ORDERED, invoke() calls resolve in call order.
 *
 * reconfigure() (ALTER MODEL) swaps in a new client for batches that start afterwards; batches in
 * flight finish on the old one, which is closed when they are done.
 */
import { randomUUID } from 'node:crypto';
import { SqlError } from '../sql/errors.ts';
import { typesEqual } from '../types/sql-type.ts';
import { CircuitBreaker, backoffMs } from './breaker.ts';
import type { Health, ModelClient } from './model-client.ts';
import { openClient } from './client.ts';
import type { CallFailureKind } from './errors.ts';
import { ModelCallError, countsAgainstServer, isInputRejection, isRetryable } from './errors.ts';
import type { ModelSchema } from './schema.ts';
import { SchemaError, encodeRow } from './schema.ts';
import type { ModelColumn, ModelSpec } from './spec.ts';
import type { ModelStats } from './stats.ts';
import { Counters } from './stats.ts';
import type { WireValue } from './tensor.ts';
import { Semaphore, abortableSleep } from './semaphore.ts';

export type RowOutcome =
  | { readonly kind: 'ok'; readonly outputs: unknown[] }
  | {
      readonly kind: 'error';
      readonly reason: string;
      /** Requests sent that carried this row (0: rejected before sending, or breaker open). */
      readonly attempts: number;
      /** What failed: 'input' = the row could not be encoded; otherwise the CallFailure kind. */
      readonly code: CallFailureKind | 'input';
    };

export type HealthReport = Health & { readonly latencyMs: number };

/** Test seams: clock, randomness, sleeping. */
export interface InvokerOptions {
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface Generation {
  readonly spec: ModelSpec;
  readonly client: ModelClient;
  active: number;
  retired: boolean;
}

type Encoded = { readonly index: number; readonly row: readonly unknown[]; readonly wire: readonly WireValue[] };

function sameColumns(a: readonly ModelColumn[], b: readonly ModelColumn[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i].name && typesEqual(c.type, b[i].type));
}

/** openClient with schema problems as the user-facing SqlError. */
async function openChecked(spec: ModelSpec, signal: AbortSignal): Promise<ModelClient> {
  try {
    return await openClient(spec, signal);
  } catch (e) {
    if (e instanceof SchemaError) throw new SqlError('INVALID', `model schema: ${e.message}`);
    throw e;
  }
}

export class ModelInvoker {
  private gen: Generation;
  private readonly breaker: CircuitBreaker;
  private readonly slots: Semaphore;
  private readonly counters = new Counters();
  private readonly closing = new AbortController();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly idPrefix = randomUUID().slice(0, 8);
  private seq = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(spec: ModelSpec, client: ModelClient, options: InvokerOptions) {
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
    this.gen = { spec, client, active: 0, retired: false };
    this.breaker = new CircuitBreaker(spec.breaker, this.now);
    this.slots = new Semaphore(spec.maxInFlight);
  }

  /**
   * Opens the model: loads the ONNX file, or fetches V2 metadata when INPUT or OUTPUT is not
   * declared (otherwise no request is made). Throws SqlError for a schema that cannot be resolved
   * and ModelCallError when the server cannot be reached for metadata.
   */
  static async open(spec: ModelSpec, options: InvokerOptions = {}): Promise<ModelInvoker> {
    const client = await openChecked(spec, AbortSignal.timeout(Math.max(spec.timeoutMs, 1)));
    return new ModelInvoker(spec, client, options);
  }

  get spec(): ModelSpec {
    return this.gen.spec;
  }

  /** Resolved INPUT/OUTPUT columns and their tensors. */
  get schema(): ModelSchema {
    return this.gen.client.schema;
  }

  /** One outcome per row, same order. Rejects only if the invoker is closed. */
  invoke(rows: readonly (readonly unknown[])[]): Promise<RowOutcome[]> {
    if (this.closing.signal.aborted) return Promise.reject(new Error('model invoker is closed'));
    const work = this.run(rows);
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => {});
    if (!this.gen.spec.ordered) return work;
    const prev = this.tail;
    const inOrder = work.then(async (r) => {
      await prev;
      return r;
    });
    this.tail = inOrder.catch(() => {});
    return inOrder;
  }

  private async run(rows: readonly (readonly unknown[])[]): Promise<RowOutcome[]> {
    const out: RowOutcome[] = new Array(rows.length);
    this.counters.rows += rows.length;
    const schema = this.gen.client.schema;
    const good: Encoded[] = [];
    for (let i = 0; i < rows.length; i++) {
      const w = encodeRow(schema, rows[i]);
      if (typeof w === 'string') out[i] = this.fail(w, 0, 'input');
      else good.push({ index: i, row: rows[i], wire: w });
    }
    const size = this.gen.spec.batchSize;
    const batches: Promise<void>[] = [];
    for (let s = 0; s < good.length; s += size) batches.push(this.runBatch(good.slice(s, s + size), schema, out));
    await Promise.all(batches);
    return out;
  }

  private fail(reason: string, attempts: number, code: CallFailureKind | 'input'): RowOutcome {
    this.counters.rowsFailed++;
    this.counters.lastError = reason;
    return { kind: 'error', reason, attempts, code };
  }

  private async runBatch(batch: Encoded[], encodedFor: ModelSchema, out: RowOutcome[]): Promise<void> {
    await this.slots.acquire();
    const gen = this.gen;
    gen.active++;
    this.counters.inFlight++;
    try {
      let rows = batch;
      if (gen.client.schema !== encodedFor) {
        // Reconfigured since encoding: re-encode for the new client's datatypes.
        rows = [];
        for (const e of batch) {
          const w = encodeRow(gen.client.schema, e.row);
          if (typeof w === 'string') out[e.index] = this.fail(w, 0, 'input');
          else rows.push({ index: e.index, row: e.row, wire: w });
        }
      }
      if (rows.length > 0) await this.send(gen, rows, out, 0);
    } finally {
      this.counters.inFlight--;
      gen.active--;
      if (gen.retired && gen.active === 0) void gen.client.close().catch(() => {});
      this.slots.release();
    }
  }

  /** Sends one batch with retries; bisects it when the server rejects it as bad input. */
  private async send(gen: Generation, rows: Encoded[], out: RowOutcome[], priorAttempts: number): Promise<void> {
    const c = this.counters;
    const requestId = `${this.idPrefix}-${++this.seq}`;
    const retry = gen.spec.retry;
    let attempts = priorAttempts;
    let last: ModelCallError;
    for (let attempt = 1; ; attempt++) {
      let permit = this.breaker.tryAcquire();
      while (!permit.ok && permit.probePending && !this.closing.signal.aborted) {
        await this.breaker.probeSettled();
        permit = this.breaker.tryAcquire();
      }
      if (!permit.ok) {
        c.breakerRejections++;
        last = new ModelCallError({ kind: 'breaker-open', lastFailure: permit.lastFailure }, gen.client.target);
        break;
      }
      attempts++;
      c.requests++;
      const t0 = this.now();
      try {
        const results = await gen.client.predict(
          rows.map((r) => r.wire),
          { requestId, signal: this.closing.signal },
        );
        this.breaker.onSuccess(permit.probe);
        const ms = this.now() - t0;
        c.latency.record(ms);
        c.latencyHistogram.observe(ms);
        c.batchRows.observe(rows.length);
        for (let i = 0; i < rows.length; i++) out[rows[i].index] = { kind: 'ok', outputs: results[i] };
        c.rowsOk += rows.length;
        return;
      } catch (err) {
        last = err instanceof ModelCallError ? err : new ModelCallError({ kind: 'runtime', why: String((err as Error)?.message ?? err) }, gen.client.target);
        const f = last.failure;
        c.failedRequests++;
        if (f.kind === 'timeout') c.timeouts++;
        if (f.kind === 'closed') this.breaker.onAbandon(permit.probe);
        else if (countsAgainstServer(f)) this.breaker.onFailure(last.message, permit.probe);
        else this.breaker.onSuccess(permit.probe);
        if (!isRetryable(f) || attempt > retry.retries || this.closing.signal.aborted) break;
        c.retries++;
        const retryAfter = f.kind === 'http' ? f.retryAfterMs : null;
        try {
          await this.sleep(backoffMs(retry, attempt, this.random, retryAfter), this.closing.signal);
        } catch {
          break; // closed while waiting
        }
      }
    }
    if (isInputRejection(last.failure) && rows.length > 1) {
      const mid = rows.length >> 1;
      await this.send(gen, rows.slice(0, mid), out, attempts);
      await this.send(gen, rows.slice(mid), out, attempts);
      return;
    }
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    for (const r of rows) out[r.index] = this.fail(last.message + tries, attempts, last.failure.kind);
  }

  stats(): ModelStats {
    const c = this.counters;
    return {
      requests: c.requests,
      failedRequests: c.failedRequests,
      retries: c.retries,
      timeouts: c.timeouts,
      rows: c.rows,
      rowsOk: c.rowsOk,
      rowsFailed: c.rowsFailed,
      breakerRejections: c.breakerRejections,
      latencyMs: c.latency.summary(),
      breaker: this.breaker.snapshot(),
      inFlight: c.inFlight,
      lastError: c.lastError,
      latencyHistogram: c.latencyHistogram.snapshot(),
      batchRowsHistogram: c.batchRows.snapshot(),
    };
  }

  /** Probes the server (V2 health + model ready, V1 model status; ONNX: session loaded). */
  async health(): Promise<HealthReport> {
    const t0 = this.now();
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.gen.spec.timeoutMs)]);
    const h = await this.gen.client.health(signal);
    return { ...h, latencyMs: this.now() - t0 };
  }

  /**
   * ALTER MODEL: the new spec applies to batches that start after this resolves. INPUT/OUTPUT
   * left undeclared keep the current ones; changing them is an error (running queries depend on them).
   */
  async reconfigure(spec: ModelSpec): Promise<void> {
    if (this.closing.signal.aborted) throw new Error('model invoker is closed');
    const cur = this.gen.client.schema;
    const full: ModelSpec = { ...spec, inputs: spec.inputs ?? cur.inputs, outputs: spec.outputs ?? cur.outputs };
    if (!sameColumns(full.inputs!, cur.inputs) || !sameColumns(full.outputs!, cur.outputs)) {
      throw new SqlError('INVALID', 'ALTER MODEL cannot change INPUT or OUTPUT columns: drop and create the model');
    }
    // Keep the tensor names/datatypes found by discovery unless the new spec says otherwise.
    const keep: ModelSpec =
      cur.layout === 'matrix'
        ? { ...full, tensorLayout: full.tensorLayout ?? 'matrix', inputTensor: full.inputTensor ?? cur.inputTensors[0].name, inputDatatype: full.inputDatatype ?? cur.inputTensors[0].datatype }
        : { ...full, tensorLayout: full.tensorLayout ?? 'columns' };
    const client = await openChecked(keep, AbortSignal.any([this.closing.signal, AbortSignal.timeout(spec.timeoutMs)]));
    const old = this.gen;
    this.gen = { spec: keep, client, active: 0, retired: false };
    old.retired = true;
    if (old.active === 0) await old.client.close();
    this.breaker.setPolicy(spec.breaker);
    if (targetOf(old.spec) !== targetOf(spec)) this.breaker.onSuccess(false); // a new server starts with a clean slate
    this.slots.setLimit(spec.maxInFlight);
  }

  /** Aborts requests and backoff sleeps in flight, waits for them, releases the client. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await Promise.allSettled([...this.pending]);
    this.gen.retired = true;
    if (this.gen.active === 0) await this.gen.client.close();
  }
}

function targetOf(spec: ModelSpec): string {
  const p = spec.provider;
  switch (p.kind) {
    case 'kserve-v1':
    case 'kserve-v2':
      return `${p.kind} ${p.endpoint}`;
    case 'onnx':
      return `onnx ${p.path}`;
    case 'trained':
      return `trained ${p.model}`;
  }
}
