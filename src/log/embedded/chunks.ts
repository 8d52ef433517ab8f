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
 * How: a segment remembers the chunks read from it by their start position, weakly: a chunk lives
 * exactly as long as a cursor or a record still references it (nothing is kept for sharing's sake,
 * so no budget is needed), and a cursor that needs a chunk starting where a live one starts takes
 * that one instead of reading. Cursors walking a segment from the same frame follow the same
 * chain of chunk starts (each chunk starts where the previous one's complete frames end), so
 * queries reading a topic at about the same place share every chunk; a reader elsewhere simply
 * reads its own.
 *
 * Invariants:
 * - A chunk holds complete frames only, read from bytes below the segment's size at read time:
 *   those bytes are never written again while the segment is open (appends go past the size;
 *   repairs happen on open, before any read), so a chunk is never stale, only possibly shorter
 *   than what a later read would return. Using a shorter one is correct: the cursor continues
 *   at its end.
 * - A chunk's buffer is never written after it was read (records keep views into it).
 */

/** Complete frames read from a segment: `buf[0, end)`, the file bytes at [start, start + end). */
export interface Chunk {
  readonly buf: Buffer;
  readonly dv: DataView;
  readonly end: number;
}

/** Removes the entry of a collected chunk (if it was not replaced meanwhile). */
const collected = new FinalizationRegistry<{ readonly chunks: Map<number, WeakRef<Chunk>>; readonly start: number; readonly ref: WeakRef<Chunk> }>((e) => {
  if (e.chunks.get(e.start) === e.ref) e.chunks.delete(e.start);
});

export class SharedChunks {
  private readonly chunks = new Map<number, WeakRef<Chunk>>();

  /** The live chunk read at file position `start`, if any. */
  get(start: number): Chunk | undefined {
    return this.chunks.get(start)?.deref();
  }

  /** Registers a chunk just read at `start` (replacing a shorter one there, if still live). */
  add(start: number, chunk: Chunk): void {
    const ref = new WeakRef(chunk);
    this.chunks.set(start, ref);
    collected.register(chunk, { chunks: this.chunks, start, ref });
  }

  /** Chunks still registered (live or not yet finalized); for tests. */
  get size(): number {
    return this.chunks.size;
  }

  clear(): void {
    this.chunks.clear();
  }
}

/** A chunk made of `buf[0, end)`. */
export function chunkOf(buf: Buffer, end: number): Chunk {
  return { buf, dv: new DataView(buf.buffer, buf.byteOffset, buf.length), end };
}
