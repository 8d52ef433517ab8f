/**
 * UTF-8 and base64 on the hot path. Measured on Node 24 for ~180-byte records: Buffer.from is
 * ~5x faster than TextEncoder.encode; Buffer#utf8Slice and TextDecoder#decode are on par.
 */
import { Buffer } from 'node:buffer';

const decoder = new TextDecoder();

/** UTF-8 bytes of a string (a pooled Buffer, which is a Uint8Array). */
export function utf8Encode(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

/** Bytes of a string known to be ASCII (then equal to its UTF-8), skipping UTF-8 analysis. */
export function latin1Encode(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** The string of UTF-8 bytes; malformed sequences become U+FFFD, as Java's `new String(b, UTF_8)`. */
export function utf8Decode(b: Uint8Array): string {
  return b instanceof Buffer ? b.toString('utf8') : decoder.decode(b);
}

/** Standard base64 with padding (java.util.Base64 / Jackson's default variant). */
export function base64Encode(b: Uint8Array): string {
  return (b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64');
}

// Whole quads, then an optional tail of 2 or 3 characters, padded or not (Java's basic decoder
// accepts both); any other character or a dangling single character is invalid.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Strict base64 decoding (Buffer.from alone silently skips invalid characters); null when invalid. */
export function base64Decode(s: string): Uint8Array | null {
  if (!BASE64.test(s)) return null;
  return Buffer.from(s, 'base64');
}
