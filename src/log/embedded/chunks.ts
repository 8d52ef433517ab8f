/**
 * Read chunks of a segment shared by every cursor that reads the same bytes.
 *
 * Why: each persistent query has its own consumer, and queries over the same topic read the same
 * frames. With a private chunk per cursor, N queries over one topic read, allocated and kept
 * alive N copies of every chunk (external memory that only a major GC frees, and malloc heap
 * that stays fragmented afterwards); records are views into their chunk, so each copy was also
 * pinned for as long as any of its records was held. Sharing the chunk makes the bytes cost
 * the same whatever the number of readers.
 *
 * How: a segment keeps the chunks its cursors currently hold, by start position, with the number
 * of cursors holding each; a cursor that needs a chunk starting where a held one starts takes
 * that one instead of reading, and the entry goes once its last holder lets go (records keep
 * their own reference to the buffer; nothing is kept for sharing's sake, so no budget is needed).
 * Cursors walking a segment from the same frame follow the same chain of chunk starts (each
 * chunk starts where the previous one's complete frames end), so queries reading a topic at about
 * the same place share every chunk; a reader elsewhere simply reads its own. (Counted, not
 * WeakRefs: a weakly held chunk would still live until a full GC, as WeakRef targets survive
 * young-generation collections.)
 *
 * Invariants:
 * - A chunk holds complete frames only, read from bytes below the segment's size at read time:
 *   those bytes are never written again while the segment is open (appends go past the size;
 *   repairs happen on open, before any read), so a chunk is never stale, only possibly shorter
 *   than what a later read would return. Using a shorter one is correct: the cursor continues
 *   at its end.
 * - A chunk's buffer is never written after it was read (records keep views into it).
 * - An entry's `holders` counts the cursors that acquired or added it and have not released it.
 */

/** Complete frames read from a segment: `buf[0, end)`, the file bytes at [start, start + end). */
export interface Chunk {
  readonly buf: Buffer;
  readonly dv: DataView;
  readonly end: number;
}

interface Entry {
  readonly chunk: Chunk;
  holders: number;
}

export class SharedChunks {
  private readonly entries = new Map<number, Entry>();

  /** The chunk at file position `start` that another cursor holds, now held by the caller too. */
  acquire(start: number): Chunk | undefined {
    const e = this.entries.get(start);
    if (e === undefined) return undefined;
    e.holders++;
    return e.chunk;
  }

  /** Registers a chunk the caller just read at `start` (and holds). */
  add(start: number, chunk: Chunk): void {
    this.entries.set(start, { chunk, holders: 1 });
  }

  /** The caller no longer holds `chunk` (read at `start`). */
  release(start: number, chunk: Chunk): void {
    const e = this.entries.get(start);
    if (e !== undefined && e.chunk === chunk && --e.holders === 0) this.entries.delete(start);
  }

  /** Chunks held by some cursor; for tests. */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** A chunk made of `buf[0, end)`. */
export function chunkOf(buf: Buffer, end: number): Chunk {
  return { buf, dv: new DataView(buf.buffer, buf.byteOffset, buf.length), end };
}
