/**
 * Circuit breaker over one model endpoint, so a dead server is not hammered by every batch's
 * retries: after `failureThreshold` consecutive failed requests it opens and requests fail fast
 * for `cooldownMs`; then it is half-open and lets exactly one probe through (other requests wait
 * for its verdict); the probe's success closes it, its failure opens it again for another cool-down.
 *
 * Only failures that say the server is unwell count (see countsAgainstServer); any answer from the
 * server, even a 4xx, is proof of life and resets the count. Time comes from an injectable clock.
 */
import type { BreakerPolicy } from './spec.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export type Permit =
  | { readonly ok: true; readonly probe: boolean }
  /** probePending: half-open with the probe still out; its outcome decides (see probeSettled). */
  | { readonly ok: false; readonly lastFailure: string; readonly probePending: boolean };

export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** How often it has opened since the invoker started. */
  readonly opens: number;
  /** ms until a probe is allowed (0 unless open). */
  readonly retryInMs: number;
}

export class CircuitBreaker {
  private policy: BreakerPolicy;
  private readonly now: () => number;
  private failures = 0;
  private openedAt: number | null = null;
  private probeOut = false;
  private lastFailure = '';
  private opensCount = 0;
  private settled: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(policy: BreakerPolicy, now: () => number = Date.now) {
    this.policy = policy;
    this.now = now;
  }

  setPolicy(policy: BreakerPolicy): void {
    this.policy = policy;
    if (policy.failureThreshold === 0) this.reset();
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.policy.cooldownMs ? 'half-open' : 'open';
  }

  /** Asks to send one request. A probe permit must be answered by onSuccess/onFailure/onAbandon. */
  tryAcquire(): Permit {
    if (this.policy.failureThreshold === 0) return { ok: true, probe: false };
    switch (this.state) {
      case 'closed':
        return { ok: true, probe: false };
      case 'open':
        return { ok: false, lastFailure: this.lastFailure, probePending: false };
      case 'half-open':
        if (this.probeOut) return { ok: false, lastFailure: this.lastFailure, probePending: true };
        this.probeOut = true;
        return { ok: true, probe: true };
    }
  }

  /**
   * Resolves when the probe now out has its answer, so batches that arrive while the server is
   * being probed wait for the verdict instead of failing while it may be back.
   */
  probeSettled(): Promise<void> {
    if (!this.probeOut) return Promise.resolve();
    if (this.settled === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((ok) => (resolve = ok));
      this.settled = { promise, resolve };
    }
    return this.settled.promise;
  }

  private endProbe(): void {
    this.probeOut = false;
    const s = this.settled;
    this.settled = null;
    s?.resolve();
  }

  /** The server answered (2xx, or a 4xx that is the request's fault). */
  onSuccess(probe: boolean): void {
    this.reset();
    if (probe) this.endProbe();
  }

  /** The request failed in a way that says the server is unwell. */
  onFailure(reason: string, probe: boolean): void {
    this.lastFailure = reason;
    if (this.policy.failureThreshold === 0) return;
    if (probe) {
      this.open();
      this.endProbe();
      return;
    }
    this.failures++;
    // Failures of requests sent before it opened do not extend the cool-down.
    if (this.openedAt === null && this.failures >= this.policy.failureThreshold) this.open();
  }

  /** A probe that ended without an answer either way (the invoker closed). */
  onAbandon(probe: boolean): void {
    if (probe) this.endProbe();
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    const retryInMs = state === 'open' ? Math.max(0, this.openedAt! + this.policy.cooldownMs - this.now()) : 0;
    return { state, consecutiveFailures: this.failures, opens: this.opensCount, retryInMs };
  }

  private open(): void {
    this.openedAt = this.now();
    this.opensCount++;
  }

  private reset(): void {
    this.failures = 0;
    this.openedAt = null;
  }
}

/**
 * Delay before retry number `retry` (1-based): exponential from initialBackoffMs, capped at
 * maxBackoffMs, with the `jitter` fraction randomized downwards so that clients that failed
 * together do not retry together. A server's Retry-After is honoured up to the cap.
 */
export function backoffMs(
  policy: { readonly initialBackoffMs: number; readonly maxBackoffMs: number; readonly jitter: number },
  retry: number,
  random: () => number = Math.random,
  retryAfterMs: number | null = null,
): number {
  const exp = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, retry - 1));
  const jittered = exp * (1 - policy.jitter * random());
  return retryAfterMs === null ? jittered : Math.min(policy.maxBackoffMs, Math.max(jittered, retryAfterMs));
}
