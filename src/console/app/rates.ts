/** Per-second rates from successive readings of cumulative counters (the server keeps no per-client state). */
export interface QueryStatsDoc {
  readonly at: number;
  readonly queries: readonly {
    id: string;
    sql: string;
    sink: string | null;
    sources: readonly string[];
    state: string;
    recordsIn: number;
    recordsOut: number;
    lag: number | null;
    processingErrors: number;
    lastProcessingError: string | null;
    error: string | null;
    /** Rows out of each plan step so far, by the step names EXPLAIN shows. */
    steps: Readonly<Record<string, number>>;
  }[];
}

interface Reading {
  readonly at: number;
  readonly in: number;
  readonly out: number;
  readonly steps: Readonly<Record<string, number>>;
}

export class RateTracker {
  private previous = new Map<string, Reading>();
  private current = new Map<string, { in: number | null; out: number | null; steps: Map<string, number> }>();

  update(doc: QueryStatsDoc): void {
    const next = new Map<string, Reading>();
    for (const q of doc.queries) {
      const p = this.previous.get(q.id);
      const dt = p ? (doc.at - p.at) / 1000 : 0;
      const steps = new Map<string, number>();
      const stepRows = q.steps ?? {};
      if (dt > 0 && p) for (const [name, rows] of Object.entries(stepRows)) steps.set(name, Math.max(0, rows - (p.steps[name] ?? 0)) / dt);
      this.current.set(q.id, dt > 0 && p ? { in: Math.max(0, q.recordsIn - p.in) / dt, out: Math.max(0, q.recordsOut - p.out) / dt, steps } : { in: null, out: null, steps });
      next.set(q.id, { at: doc.at, in: q.recordsIn, out: q.recordsOut, steps: stepRows });
    }
    this.previous = next;
  }

  rates(id: string): { in: number | null; out: number | null } {
    const c = this.current.get(id);
    return c ? { in: c.in, out: c.out } : { in: null, out: null };
  }

  /** Rows out per second of a plan step (null before two readings, or for a step the server does not count). */
  stepRate(id: string, step: string): number | null {
    return this.current.get(id)?.steps.get(step) ?? null;
  }
}
