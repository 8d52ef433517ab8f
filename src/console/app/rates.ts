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
  }[];
}

export class RateTracker {
  private previous = new Map<string, { at: number; in: number; out: number }>();
  private current = new Map<string, { in: number | null; out: number | null }>();

  update(doc: QueryStatsDoc): void {
    const next = new Map<string, { at: number; in: number; out: number }>();
    for (const q of doc.queries) {
      const p = this.previous.get(q.id);
      const dt = p ? (doc.at - p.at) / 1000 : 0;
      this.current.set(q.id, dt > 0 && p ? { in: Math.max(0, q.recordsIn - p.in) / dt, out: Math.max(0, q.recordsOut - p.out) / dt } : { in: null, out: null });
      next.set(q.id, { at: doc.at, in: q.recordsIn, out: q.recordsOut });
    }
    this.previous = next;
  }

  rates(id: string): { in: number | null; out: number | null } {
    return this.current.get(id) ?? { in: null, out: null };
  }
}
