/**
 * Store keys are byte strings (`Uint8Array`), ordered unsigned-bytewise (memcmp, a shorter key
 * before any longer key it prefixes) — the order LMDB uses for binary keys.
 *
 * Inside the stores a key is also handled as a "latin1 string": one UTF-16 code unit per byte,
 * 0..255. That string is a bijective image of the bytes, usable as a `Map` key, and JavaScript's
 * string comparison (by code unit) on it is exactly the byte order above — so maps and sorted
 * sets of such strings need no comparator.
 */
import { Buffer } from 'node:buffer';

/** Bytes → latin1 string (see the header). Short keys by a loop, which beats a Buffer call there. */
export function keyToString(key: Uint8Array): string {
  const n = key.length;
  if (n <= 32) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(key[i]);
    return s;
  }
  return Buffer.from(key.buffer, key.byteOffset, n).toString('latin1');
}

/** A half-open range [from, to) of latin1 key images; null: unbounded. */
export type LatinRange = readonly [from: string | null, to: string | null];

/** The latin1 images of a byte range's bounds. */
export function latinRange(from: Uint8Array | null, to: Uint8Array | null): LatinRange {
  return [from === null ? null : keyToString(from), to === null ? null : keyToString(to)];
}

export function inLatinRange(ks: string, r: LatinRange): boolean {
  return (r[0] === null || ks >= r[0]) && (r[1] === null || ks < r[1]);
}

/** Latin1 string → bytes (a Buffer, which is a Uint8Array). */
export function stringToKey(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Views the bytes as a Buffer without copying (LMDB wants Buffers for binary keys). */
export function asBuffer(key: Uint8Array): Buffer {
  return Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.length);
}

/** Unsigned bytewise comparison: negative, zero or positive. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return asBuffer(a).compare(asBuffer(b));
}

/**
 * The smallest key greater than every key starting with `prefix`, as the exclusive upper bound of
 * a prefix scan; null when there is none (the prefix is empty or all 0xFF bytes).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return null;
  const out = new Uint8Array(n);
  out.set(prefix.subarray(0, n));
  out[n - 1]++;
  return out;
}

const TWO_32 = 0x1_0000_0000;

/**
 * Writes a safe integer as 8 bytes big-endian with the sign bit flipped, so that the byte order of
 * the encodings is the numeric order (negative timestamps sort before positive ones).
 */
export function writeOrderedInt64(buf: Uint8Array, offset: number, n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  const hi = Math.floor(n / TWO_32);
  const lo = n - hi * TWO_32;
  const h = (hi ^ 0x8000_0000) >>> 0;
  buf[offset] = h >>> 24;
  buf[offset + 1] = (h >>> 16) & 0xff;
  buf[offset + 2] = (h >>> 8) & 0xff;
  buf[offset + 3] = h & 0xff;
  buf[offset + 4] = lo >>> 24;
  buf[offset + 5] = (lo >>> 16) & 0xff;
  buf[offset + 6] = (lo >>> 8) & 0xff;
  buf[offset + 7] = lo & 0xff;
}

/** Inverse of writeOrderedInt64. */
export function readOrderedInt64(buf: Uint8Array, offset: number): number {
  const h = ((buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0;
  const lo = ((buf[offset + 4] << 24) | (buf[offset + 5] << 16) | (buf[offset + 6] << 8) | buf[offset + 7]) >>> 0;
  const hi = (h ^ 0x8000_0000) | 0; // back to signed 32 bits
  return hi * TWO_32 + lo;
}

export function writeUint32(buf: Uint8Array, offset: number, n: number): void {
  buf[offset] = n >>> 24;
  buf[offset + 1] = (n >>> 16) & 0xff;
  buf[offset + 2] = (n >>> 8) & 0xff;
  buf[offset + 3] = n & 0xff;
}

export function readUint32(buf: Uint8Array, offset: number): number {
  return ((buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0;
}

/** UTF-8 bytes of a string, as a key (handy for string-keyed state and tests). */
export function utf8Key(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}
