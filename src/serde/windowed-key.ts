/**
 * Windowed keys on the wire, as Kafka Streams (and so ksqlDB) writes them:
 * - time windows (TUMBLING, HOPPING, SLIDING): [key bytes][window start: int64 big-endian];
 *   the end is start + window size, known from the source's metadata;
 * - session windows: [key bytes][window end: int64][window start: int64].
 */
import type { WindowInfo } from '../types/window.ts';
import { writeSafeInt64BE } from './kafka.ts';

export interface WindowedKey {
  readonly key: Uint8Array;
  readonly start: number;
  readonly end: number;
}

export function encodeWindowedKey(key: Uint8Array | null, info: WindowInfo, start: number, end: number): Uint8Array {
  const inner = key ?? new Uint8Array(0);
  const session = info.kind === 'SESSION';
  const out = Buffer.allocUnsafe(inner.length + (session ? 16 : 8));
  out.set(inner, 0);
  if (session) {
    writeSafeInt64BE(out, inner.length, end);
    writeSafeInt64BE(out, inner.length + 8, start);
  } else {
    writeSafeInt64BE(out, inner.length, start);
  }
  return out;
}

/** Splits a windowed key; null when the bytes are too short to hold the window. */
export function decodeWindowedKey(bytes: Uint8Array, info: WindowInfo): WindowedKey | null {
  const session = info.kind === 'SESSION';
  const suffix = session ? 16 : 8;
  if (bytes.length < suffix) return null;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = bytes.length - suffix;
  if (session) {
    const end = Number(b.readBigInt64BE(at));
    const start = Number(b.readBigInt64BE(at + 8));
    return { key: bytes.subarray(0, at), start, end };
  }
  const start = Number(b.readBigInt64BE(at));
  const size = info.kind === 'HOPPING' || info.kind === 'TUMBLING' || info.kind === 'SLIDING' ? info.sizeMs : 0;
  return { key: bytes.subarray(0, at), start, end: start + size };
}
