/**
 * Rows out of each step of a running query, keyed by the step names EXPLAIN shows (`Source/S`,
 * `WhereFilter`, `Join`, `Sink/OUT`...), for the web console's per-step rates. Counted once per
 * batch an operator returns (a number added, no promise, no allocation); only plans over several
 * sources look at rows one by one (their side tag, see ./build.ts). Counters are cumulative;
 * readers turn successive readings into rates.
 */
export interface StepCounter {
  rows: number;
}

export class StepRows {
  private readonly counters = new Map<string, StepCounter>();

  /** The counter of `step` (created at zero; the same object for the same name). */
  counter(step: string): StepCounter {
    let c = this.counters.get(step);
    if (!c) this.counters.set(step, (c = { rows: 0 }));
    return c;
  }

  /** Makes `step` read another step's counter (a sink writes what its input step emitted). */
  alias(step: string, counter: StepCounter): void {
    this.counters.set(step, counter);
  }

  /** Rows out per step name, as of now. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.counters) out[name] = c.rows;
    return out;
  }
}
