/**
 * CRC-32C of record batches. @node-rs/crc32 (native, several GB/s) when it loads; otherwise the
 * one @platformatic/kafka uses (WebAssembly). The library's own wrapper copies every Buffer it is
 * given into a new Uint8Array first, which doubles the cost on the fetch path: hence this module.
 */
import { createRequire } from 'node:module';
import { crc32c as libraryCrc32c } from '@platformatic/kafka';

type Crc = (bytes: Uint8Array) => number;

function loadNative(): Crc | null {
  try {
    const native = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: (input: Uint8Array) => number };
    return (bytes) => native.crc32c(bytes) >>> 0;
  } catch {
    return null; // optional dependency not installed on this platform
  }
}

/** CRC-32C (Castagnoli) of `bytes`, as an unsigned 32-bit number. */
export const checksum: Crc = loadNative() ?? ((bytes) => libraryCrc32c(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) >>> 0);
