/**
 * The memory bound of the state caches: one budget shared by every CachingStore of a registry
 * (an engine), in approximate bytes — Kafka Streams' `statestore.cache.max.bytes`, which is
 * likewise shared by all the stores of an instance.
 *
 * Rule (Kafka Streams' ThreadCache.maybeEvict): a store that grows the total beyond the budget
 * evicts from ITSELF until the total is within the budget again or it holds nothing. A store
 * never evicts another store's entries (their dirty entries would have to be written into a
 * store whose operator is not running), so a store that stops growing keeps what it holds until
 * it shrinks, is flushed and closed.
 *
 * Sizes are estimates of the retained heap (approximateSize), not serialised bytes: values in
 * the cache are kept as objects, and the objects are what occupy memory.
 */
export class CacheBudget {
  readonly maxBytes: number;
  private used = 0;

  constructor(maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cache budget must be a non-negative integer (bytes), got ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** Bytes currently charged by all the caches sharing this budget. */
  get usedBytes(): number {
    return this.used;
  }

  /** Charges (positive) or releases (negative) bytes. */
  charge(bytes: number): void {
    this.used += bytes;
  }

  get exceeded(): boolean {
    return this.used > this.maxBytes;
  }
}

/**
 * Approximate retained bytes of a cached key (its latin1 image: one character per byte) and
 * value, V8 layout on 64-bit with pointer compression: the cache's own entry object and Map slot
 * (~64), the key string (header + one byte per character), and the value walked to a small
 * depth (deeper parts counted as one pointer each: aggregate states are shallow).
 */
export function approximateEntrySize(ks: string, value: unknown): number {
  return 64 + 16 + ks.length + (value === undefined ? 0 : approximateSize(value, 3));
}

const SAMPLED_ELEMENTS = 16;

export function approximateSize(value: unknown, depth = 3): number {
  switch (typeof value) {
    case 'number':
      return 12; // a pointer, plus a heap number when it is not a small integer
    case 'boolean':
    case 'undefined':
      return 4;
    case 'string':
      return 16 + value.length;
    case 'bigint':
      return 24;
    case 'object': {
      if (value === null) return 4;
      if (depth <= 0) return 16;
      if (value instanceof Uint8Array) return 64 + value.byteLength;
      if (Array.isArray(value)) {
        // Long arrays (a growing COLLECT_LIST) are estimated from their first elements: a write
        // must not cost a walk over the whole value.
        const len = value.length;
        const seen = Math.min(len, SAMPLED_ELEMENTS);
        let elements = 0;
        for (let i = 0; i < seen; i++) elements += approximateSize(value[i], depth - 1);
        return 16 + 4 * len + (seen === 0 ? 0 : Math.round((elements * len) / seen));
      }
      let n = 24;
      for (const k in value) n += 4 + approximateSize((value as Record<string, unknown>)[k], depth - 1);
      return n;
    }
    default:
      return 16;
  }
}
