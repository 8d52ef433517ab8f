/**
 * The in-memory write sets of an LmdbStore (./lmdb-store.ts): the writes since the last flush
 * started (`pending`) and those of the flush in progress (`flushing`), each an Overlay.
 */
import { inLatinRange, type LatinRange } from './keys.ts';
import type { Slot } from './merge.ts';
import { SortedMap } from './sorted-keys.ts';

export class Overlay<V> {
  readonly data = new SortedMap<Slot<V>>();
  cleared = false;
  /** Range deletes since the overlay started, hiding older data (see ./lmdb-store.ts). */
  readonly ranges: LatinRange[] = [];
  /** Encodings handed over by a ChangeLoggingStore above. */
  readonly encoded = new Map<string, Encoded<V>>();
}

/** A value encoded by the layer above, with its bytes and the key's bytes made there. */
export class Encoded<V> {
  readonly value: V;
  readonly bytes: Uint8Array;
  readonly key: Buffer | undefined;
  constructor(value: V, bytes: Uint8Array, key: Buffer | undefined) {
    this.value = value;
    this.bytes = bytes;
    this.key = key;
  }
}

/** Whether a range delete of the overlay hides the (older) key. */
export function hides(ov: Overlay<unknown>, ks: string): boolean {
  const rs = ov.ranges;
  for (let i = 0; i < rs.length; i++) if (inLatinRange(ks, rs[i])) return true;
  return false;
}

/** The entries of `src` outside every range of `ranges`. */
export function* outside<V>(src: Iterator<[string, Slot<V>]>, ranges: readonly LatinRange[]): Generator<[string, Slot<V>], void, undefined> {
  try {
    for (let e = src.next(); !e.done; e = src.next()) {
      if (!ranges.some((r) => inLatinRange(e.value[0], r))) yield e.value;
    }
  } finally {
    src.return?.();
  }
}
