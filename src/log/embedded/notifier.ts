/**
 * Wakes polls waiting for appends: a poll that found nothing registers for its topics; an
 * append (or the topic being created or deleted) wakes it, and a timer bounds the wait. No
 * polling loop, no timers while data is flowing.
 */
export interface Wait {
  readonly promise: Promise<void>;
  /** Resolves the wait now (consumer closed); idempotent. */
  cancel(): void;
}

export class AppendNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves on the next notify() of one of `topics`, after `timeoutMs`, or on cancel(). */
  wait(topics: readonly string[], timeoutMs: number): Wait {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | null = null;
      wake = () => {
        if (done) return;
        done = true;
        if (timer !== null) clearTimeout(timer);
        for (const t of topics) {
          const set = this.waiters.get(t);
          if (set !== undefined) {
            set.delete(wake);
            if (set.size === 0) this.waiters.delete(t);
          }
        }
        resolve();
      };
      for (const t of topics) {
        let set = this.waiters.get(t);
        if (set === undefined) {
          set = new Set();
          this.waiters.set(t, set);
        }
        set.add(wake);
      }
      timer = setTimeout(wake, Math.max(0, timeoutMs));
    });
    return { promise, cancel: wake };
  }

  notify(topic: string): void {
    const set = this.waiters.get(topic);
    if (set === undefined) return;
    for (const wake of [...set]) wake();
  }

  notifyAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
