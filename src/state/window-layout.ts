/**
 * The two key layouts of a window store without duplicates (./window-store.ts), both starting
 * with the segment (./segments.ts: expiry deletes whole segments with one range delete):
 *
 *   key-major    [segment: 8][key length: 4][record key][start: 8]    (compositeKey; before start-major)
 *   start-major  [segment: 8][start: 8][record key]
 *
 * New stores are start-major: an aggregation updates the windows of the few starts that are open,
 * so in start-major order a commit's writes fall on the pages of those starts only (a few MB),
 * whereas in key-major order they fall on a page of every key updated, i.e. nearly every page
 * of the store (LMDB copies each page it writes: on q5 at 1M bids, ~40 K pages, ~160 MB per
 * commit, written, held as dirty pages and then kept resident through the file's map). Windows
 * that closed are never read or written again. A store keeps the layout its entries have: it is
 * told by byte 8 of any entry key — a key length below 2^30 starts with a byte below 0x40, an
 * order-preserving int64 (./keys.ts) of a safe integer with 0x7f or 0x80 — so stores (and their
 * changelogs, which carry the store keys) written before start-major keep working unchanged.
 *
 * Stores with duplicates (join and sliding buffers) are always key-major: they read by record
 * key over a time range.
 */
import { Buffer } from 'node:buffer';
import { readOrderedInt64, readUint32, writeOrderedInt64, writeUint32 } from './keys.ts';

export type WindowLayout = 'key-major' | 'start-major';

/** The layout of a store whose entries include `anyEntryKey` (a segment key); start-major for an empty store. */
export function layoutOf(anyEntryKey: Uint8Array | null): WindowLayout {
  if (anyEntryKey === null || anyEntryKey.length < 12) return 'start-major';
  return anyEntryKey[8] >= 0x7f ? 'start-major' : 'key-major';
}

/** A window's store key (no duplicates), as a Buffer (LMDB reads take it without a wrapping view). */
export function windowStoreKey(layout: WindowLayout, segment: number, key: Uint8Array, start: number): Buffer {
  if (layout === 'start-major') {
    const out = Buffer.allocUnsafe(16 + key.length);
    writeOrderedInt64(out, 0, segment);
    writeOrderedInt64(out, 8, start);
    out.set(key, 16);
    return out;
  }
  const out = Buffer.allocUnsafe(20 + key.length);
  writeOrderedInt64(out, 0, segment);
  writeUint32(out, 8, key.length);
  out.set(key, 12);
  writeOrderedInt64(out, 12 + key.length, start);
  return out;
}

/** Where the record key starts in a store key of the layout. */
export function recordKeyOffset(layout: WindowLayout): number {
  return layout === 'start-major' ? 16 : 12;
}

/** Record key and window start of a store key written by windowStoreKey. */
export function parseWindowStoreKey(layout: WindowLayout, k: Uint8Array): { key: Uint8Array; start: number } {
  if (layout === 'start-major') return { key: k.slice(16), start: readOrderedInt64(k, 8) };
  const len = readUint32(k, 8);
  return { key: k.slice(12, 12 + len), start: readOrderedInt64(k, 12 + len) };
}

/** The first key of a start in a start-major segment (every window of that start sorts at or after it). */
export function startPrefix(segment: number, start: number): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeOrderedInt64(out, 0, segment);
  writeOrderedInt64(out, 8, start);
  return out;
}

/**
 * The latin1 image of windowStoreKey(layout, segment, key, start) from the images of the segment
 * and the start (8 characters each) and the key's image.
 */
export function windowKeyImage(layout: WindowLayout, segmentImage: string, startImage: string, keyImage: string): string {
  if (layout === 'start-major') return segmentImage + startImage + keyImage;
  const n = keyImage.length;
  return segmentImage + String.fromCharCode(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff) + keyImage + startImage;
}

const scratch = new Uint8Array(8);

/** The latin1 image of writeOrderedInt64(n) (./keys.ts). */
export function orderedInt64Latin(n: number): string {
  writeOrderedInt64(scratch, 0, n);
  return String.fromCharCode(scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5], scratch[6], scratch[7]);
}
