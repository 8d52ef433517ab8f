/**
 * A read position over a list of buffers read as one byte sequence: the socket chunks a response
 * arrived in (@platformatic/kafka keeps them as a list). Fields are read across chunk boundaries;
 * `take(n)` hands out the next n bytes as views of the chunks, without copying them.
 */
export class ChunkCursor {
  readonly #chunks: readonly Buffer[];
  #index = 0;
  #offset = 0;
  #remaining: number;
  readonly #scratch = Buffer.allocUnsafe(8);

  constructor(chunks: readonly Buffer[]) {
    this.#chunks = chunks;
    let total = 0;
    for (const c of chunks) total += c.length;
    this.#remaining = total;
  }

  get remaining(): number {
    return this.#remaining;
  }

  u8(): number {
    if (this.#remaining <= 0) throw new RangeError('fetch response: read past the end');
    let chunk = this.#chunks[this.#index];
    while (this.#offset >= chunk.length) {
      chunk = this.#chunks[++this.#index];
      this.#offset = 0;
    }
    this.#remaining--;
    return chunk[this.#offset++];
  }

  /** The next n (≤ 8) bytes: a view of the chunk, or a copy when they straddle two. */
  #fixed(n: number): { buf: Buffer; at: number } {
    if (this.#remaining < n) throw new RangeError('fetch response: read past the end');
    let chunk = this.#chunks[this.#index];
    while (this.#offset >= chunk.length) {
      chunk = this.#chunks[++this.#index];
      this.#offset = 0;
    }
    if (chunk.length - this.#offset >= n) {
      const at = this.#offset;
      this.#offset += n;
      this.#remaining -= n;
      return { buf: chunk, at };
    }
    for (let i = 0; i < n; i++) this.#scratch[i] = this.u8();
    return { buf: this.#scratch, at: 0 };
  }

  int16(): number {
    const { buf, at } = this.#fixed(2);
    return buf.readInt16BE(at);
  }
  int32(): number {
    const { buf, at } = this.#fixed(4);
    return buf.readInt32BE(at);
  }
  uint32(): number {
    const { buf, at } = this.#fixed(4);
    return buf.readUInt32BE(at);
  }
  int64(): bigint {
    const { buf, at } = this.#fixed(8);
    return buf.readBigInt64BE(at);
  }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 35) throw new RangeError('fetch response: varint too long');
      const b = this.u8();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  }
  /** The next n bytes as views of the chunks they lie in (no copy). */
  take(n: number): Buffer[] {
    if (n > this.#remaining) throw new RangeError(`fetch response: ${n} bytes declared, ${this.#remaining} left`);
    const out: Buffer[] = [];
    this.#remaining -= n;
    while (n > 0) {
      const chunk = this.#chunks[this.#index];
      const available = chunk.length - this.#offset;
      if (available <= 0) {
        this.#index++;
        this.#offset = 0;
        continue;
      }
      const k = Math.min(available, n);
      out.push(chunk.subarray(this.#offset, this.#offset + k));
      this.#offset += k;
      n -= k;
    }
    return out;
  }
  skip(n: number): void {
    this.take(n);
  }
  /** The next n bytes as one Buffer (a view when they lie in one chunk, else a copy). */
  bytes(n: number): Buffer {
    const parts = this.take(n);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }
}
