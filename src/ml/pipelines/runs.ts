/**
 * Retraining runs of one pipeline: triggered, submitted to Kubeflow Pipelines, polled to a final
 * state, retried per policy, every change announced (the runs stream) and kept in a state file.
 *
 * Idempotency (KFP has no idempotency key): a run's display name is derived from what triggered
 * it (`riffle-<pipeline>-<trigger id>`, the id being e.g. the drift record's partition/offset or
 * the last training-data file's sequence), the intent is written to the state file before any
 * request, and submission always lists runs by that name first and adopts one that exists. So a
 * restart — after kill -9 between the POST and the state write included — never creates a run
 * twice; a trigger id already in the state file is ignored.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { FINAL_STATES, KfpClient, KfpError, type KfpTarget, type RunState } from './kfp-client.ts';

/** Riffle's view of a run: KFP's states plus the two before KFP knows it. */
export type TrackedState = 'REQUESTED' | 'SUBMIT_FAILED' | RunState;

export interface TrackedRun {
  readonly name: string;
  readonly triggerId: string;
  readonly reason: string;
  readonly parameters: Record<string, unknown>;
  /** Retry number (0 = first run for this trigger). */
  readonly attempt: number;
  runId: string | null;
  state: TrackedState;
  /** Submission attempts (requests that failed before KFP accepted the run). */
  submitErrors: number;
  error: string | null;
  readonly requestedAt: number;
  updatedAt: number;
}

export interface RetryPolicy {
  /** Runs per trigger in total when runs fail (1 = no retry). */
  readonly runAttempts: number;
  /** Submissions before a run is reported SUBMIT_FAILED (KFP unreachable, 5xx). */
  readonly submitAttempts: number;
  readonly backoffMs: number;
}

export interface RunsOptions {
  readonly pipeline: string;
  readonly target: KfpTarget;
  readonly stateFile: string;
  readonly retry: RetryPolicy;
  readonly pollMs: number;
  readonly now?: () => number;
}

export type RunEvent = Readonly<TrackedRun> & { readonly pipeline: string };

interface StateFile {
  readonly version: 1;
  runs: TrackedRun[];
}

export class PipelineRuns {
  readonly opts: RunsOptions;
  private readonly client: KfpClient;
  private state: StateFile;
  private readonly listeners: ((e: RunEvent) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(opts: RunsOptions) {
    this.opts = opts;
    this.client = new KfpClient(opts.target);
    this.state = load(opts.stateFile);
  }

  get runs(): readonly TrackedRun[] {
    return this.state.runs;
  }

  onEvent(l: (e: RunEvent) => void): void {
    this.listeners.push(l);
  }

  /** Starts polling (and resumes runs a previous process left unsubmitted). */
  start(): void {
    const tick = () => {
      if (this.closed) return;
      this.busy = this.busy.then(() => this.advance()).catch(() => undefined);
      void this.busy.then(() => {
        if (!this.closed) this.timer = setTimeout(tick, this.opts.pollMs);
      });
    };
    tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
  }

  /** Records a trigger (once per id); the run is submitted by the next advance. Returns false for a known id. */
  trigger(triggerId: string, reason: string, parameters: Record<string, unknown>): boolean {
    if (this.state.runs.some((r) => r.triggerId === triggerId)) return false;
    this.add(triggerId, reason, parameters, 0);
    this.kick();
    return true;
  }

  private add(triggerId: string, reason: string, parameters: Record<string, unknown>, attempt: number): TrackedRun {
    const now = this.now();
    const base = `riffle-${this.opts.pipeline.toLowerCase()}-${triggerId}`;
    const run: TrackedRun = { name: attempt === 0 ? base : `${base}-retry${attempt}`, triggerId, reason, parameters, attempt, runId: null, state: 'REQUESTED', submitErrors: 0, error: null, requestedAt: now, updatedAt: now };
    this.state.runs.push(run);
    this.save(); // the intent is durable before any request
    this.emit(run);
    return run;
  }

  /** Runs an advance soon (after the one under way). */
  kick(): void {
    if (this.closed) return;
    this.busy = this.busy.then(() => this.advance()).catch(() => undefined);
  }

  /** One pass: submit what is not submitted, poll what is not final, retry failed runs. */
  async advance(): Promise<void> {
    for (const run of [...this.state.runs]) {
      if (run.state === 'REQUESTED') await this.submit(run);
      else if (run.runId && !FINAL_STATES.has(run.state as RunState) && run.state !== 'SUBMIT_FAILED') await this.poll(run);
      else if (run.state === 'FAILED') this.retryIfDue(run); // also after a crash between the FAILED save and the retry's
    }
  }

  /** Waits until every pass asked so far is done (tests). */
  async settled(): Promise<void> {
    await this.busy;
  }

  private async submit(run: TrackedRun): Promise<void> {
    const backoff = this.opts.retry.backoffMs * 2 ** Math.max(0, run.submitErrors - 1);
    if (run.submitErrors > 0 && this.now() - run.updatedAt < backoff) return;
    try {
      const existing = await this.client.findByName(run.name);
      const created = existing ?? (await this.client.createRun(run.name, run.parameters, `${run.reason} (Riffle pipeline ${this.opts.pipeline})`));
      run.runId = created.run_id;
      run.state = created.state ?? 'PENDING';
      run.error = null;
    } catch (e) {
      run.submitErrors++;
      run.error = e instanceof Error ? e.message : String(e);
      const permanent = e instanceof KfpError && e.status >= 400 && e.status < 500;
      if (permanent || run.submitErrors >= this.opts.retry.submitAttempts) run.state = 'SUBMIT_FAILED';
    }
    run.updatedAt = this.now();
    this.save();
    this.emit(run);
  }

  private async poll(run: TrackedRun): Promise<void> {
    let state: TrackedState;
    let error: string | null = null;
    try {
      const r = await this.client.getRun(run.runId!);
      state = r.state ?? 'RUNTIME_STATE_UNSPECIFIED';
      error = r.error?.message ?? null;
    } catch (e) {
      // KFP unreachable while polling: reported on the run, the state is unknown, polled again.
      const message = e instanceof Error ? e.message : String(e);
      if (run.error !== message) {
        run.error = message;
        run.updatedAt = this.now();
        this.emit(run);
      }
      return;
    }
    if (state === run.state && error === run.error) return;
    run.state = state;
    run.error = error;
    run.updatedAt = this.now();
    this.save();
    this.emit(run);
    if (state === 'FAILED') this.retryIfDue(run);
  }

  /** Adds the next attempt for a FAILED run, once, while the policy allows one. */
  private retryIfDue(run: TrackedRun): void {
    if (run.attempt + 1 >= this.opts.retry.runAttempts) return;
    if (this.state.runs.some((r) => r.triggerId === run.triggerId && r.attempt > run.attempt)) return;
    this.add(run.triggerId, run.reason, run.parameters, run.attempt + 1);
  }

  private emit(run: TrackedRun): void {
    const e: RunEvent = { ...run, pipeline: this.opts.pipeline };
    for (const l of this.listeners) l(e);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private save(): void {
    const file = this.opts.stateFile;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = file + '.tmp';
    writeFileSync(tmp, JSON.stringify(this.state));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  }
}

function load(file: string): StateFile {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (s.version === 1 && Array.isArray(s.runs)) return s;
  } catch {
    // no state yet
  }
  return { version: 1, runs: [] };
}
