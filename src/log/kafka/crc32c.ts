/**
 * CRC-32C of record batches. @node-rs/crc32 (native, several GB/s, with a running state so a
 * batch split over socket chunks is checksummed in place) when it loads; otherwise the one
 * @platformatic/kafka uses (WebAssembly), over the parts joined. The library's own wrapper copies
 * every Buffer it is given into a new Uint8Array first: hence this module.
 */
import { createRequire } from 'node:module';
import { crc32c as libraryCrc32c } from '@platformatic/kafka';

type NativeCrc = (input: Uint8Array, initialState?: number) => number;

function loadNative(): NativeCrc | null {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: NativeCrc }).crc32c;
  } catch {
    return null; // optional dependency not installed on this platform
  }
}

const native = loadNative();

/** CRC-32C (Castagnoli) of the concatenation of `parts`, as an unsigned 32-bit number. */
export function checksum(parts: readonly Uint8Array[]): number {
  if (native) {
    let crc = 0;
    for (const part of parts) crc = native(part, crc);
    return crc >>> 0;
  }
  return libraryCrc32c(Buffer.concat(parts)) >>> 0;
}
