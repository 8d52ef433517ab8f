/**
 * A bound on the segment files a log keeps open: segments open their file on use
 * (Segment.ensureOpen) and register here; past the bound, the least recently used one is closed
 * (it reopens on its next use). Without it every partition of every topic held a descriptor for
 * as long as the log was open — with many queries, several per query.
 *
 * Invariant: every use of a segment's descriptor follows its ensureOpen() synchronously (no
 * await in between), so closing any other segment's descriptor can never pull one from under a
 * caller.
 */
export interface PooledFile {
  /** Closes the descriptor (the pool already forgot it). */
  closeFd(): void;
}

export class FdPool {
  readonly max: number;
  /** Open files, least recently used first (a Map keeps insertion order). */
  private readonly open = new Map<PooledFile, true>();

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.open.size;
  }

  /** Marks `f` as just used (and open); closes the least recently used files past the bound. */
  touch(f: PooledFile): void {
    if (this.open.delete(f)) {
      this.open.set(f, true);
      return;
    }
    this.open.set(f, true);
    while (this.open.size > this.max) {
      const oldest = this.open.keys().next().value!;
      this.open.delete(oldest);
      oldest.closeFd();
    }
  }

  forget(f: PooledFile): void {
    this.open.delete(f);
  }
}
