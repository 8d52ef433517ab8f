/** A FIFO counting semaphore whose limit can change while in use (ALTER MODEL MAX_IN_FLIGHT). */
export class Semaphore {
  private limit: number;
  private held = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  acquire(): Promise<void> {
    if (this.held < this.limit) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.held--;
    this.wake();
  }

  /** A lower limit takes effect as holders release; a higher one wakes waiters at once. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.wake();
  }

  get inUse(): number {
    return this.held;
  }

  private wake(): void {
    while (this.held < this.limit && this.waiters.length > 0) {
      this.held++;
      this.waiters.shift()!();
    }
  }
}

/** setTimeout as a promise that rejects when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
