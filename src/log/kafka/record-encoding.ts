/**
 * The primitives of Kafka's record format (magic v2): unsigned varints, zigzag, length-prefixed
 * bytes and record headers, sized before they are written so that a batch (./record-batch.ts) or
 * an encoded run (./encoded-run.ts) is written into buffers allocated once.
 */
import type { BatchRecord } from './record-runs.ts';

/** Bytes of an unsigned varint (values up to 2^53). */
export function uvarintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 5;
  n = Math.floor(n / 0x800000000);
  while (n > 0) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Zigzag of a safe integer (Kafka's varint/varlong), as an unsigned number. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function writeUvarint(buf: Buffer, pos: number, n: number): number {
  // One and two bytes: attributes, deltas, lengths of all but large values.
  if (n < 0x80) {
    buf[pos] = n;
    return pos + 1;
  }
  if (n < 0x4000) {
    buf[pos] = (n & 0x7f) | 0x80;
    buf[pos + 1] = n >>> 7;
    return pos + 2;
  }
  if (n < 0x80000000) {
    // Below 2^31 (every length and offset delta): shifts instead of divisions.
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    return pos;
  }
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

export function bytesSize(b: Uint8Array | null | undefined): number {
  return b === null || b === undefined ? 1 : uvarintSize(b.byteLength * 2) + b.byteLength;
}

export function writeBytes(buf: Buffer, pos: number, b: Uint8Array | null | undefined): number {
  if (b === null || b === undefined) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeUvarint(buf, pos, b.byteLength * 2);
  buf.set(b, pos);
  return pos + b.byteLength;
}

export function timestampOf(m: BatchRecord, now: number): number {
  const t = m.timestamp;
  return t === undefined ? now : typeof t === 'number' ? Math.trunc(t) : Number(t);
}

export function headerCount(headers: BatchRecord['headers']): number {
  return !headers ? 0 : headers instanceof Map ? headers.size : headers.length;
}

/** Bytes of a record's headers after their count. */
export function headersSize(headers: BatchRecord['headers']): number {
  let size = 0;
  if (!headers) return size;
  if (headers instanceof Map) {
    for (const [k, v] of headers) size += bytesSize(k) + bytesSize(v);
    return size;
  }
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += uvarintSize(keyBytes * 2) + keyBytes + bytesSize(h.value);
  }
  return size;
}

export function writeHeaders(buf: Buffer, pos: number, headers: BatchRecord['headers']): number {
  if (!headers) return pos;
  if (headers instanceof Map) {
    for (const [k, v] of headers) {
      pos = writeBytes(buf, pos, k);
      pos = writeBytes(buf, pos, v);
    }
    return pos;
  }
  for (const h of headers) {
    pos = writeUvarint(buf, pos, Buffer.byteLength(h.key, 'utf8') * 2);
    pos += buf.write(h.key, pos, 'utf8');
    pos = writeBytes(buf, pos, h.value);
  }
  return pos;
}
