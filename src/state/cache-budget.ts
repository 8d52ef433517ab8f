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
 * Bytes of a V8 tagged pointer: 8, unless this Node was built with pointer compression (4).
 * Node's release builds do not compress pointers, so objects take about twice what they would
 * in a browser: an estimate that assumed 4-byte pointers let the caches hold about twice their
 * budget (q5 at 1M bids: ~130 MB of cached windows under a 64 MiB budget).
 */
export const POINTER_BYTES: number = (process.config.variables as Record<string, unknown>).v8_enable_pointer_compression ? 4 : 8;
const P = POINTER_BYTES;

/** A Map or Set slot: key, value and chain pointers, plus its share of the buckets and of the spare capacity. */
export const MAP_SLOT_BYTES = 5 * P;

/**
 * Approximate retained bytes of a cached key (its latin1 image: one character per byte) and
 * value: the cache's own entry object (6 fields) and its Map slot, the key string, and the value
 * walked to a small depth (approximateSize).
 */
export function approximateEntrySize(ks: string, value: unknown): number {
  return 9 * P + MAP_SLOT_BYTES + stringSize(ks) + (value === undefined ? 0 : approximateSize(value, 3));
}

const SAMPLED_ELEMENTS = 16;

/** A sequential string: map, hash and length, then its characters (one byte each for latin1), padded to a pointer. */
function stringSize(s: string): number {
  return P + 8 + Math.ceil(s.length / P) * P;
}

/**
 * Approximate bytes of the heap objects a value holds (not the pointer to it), V8 layout: an
 * object is a header of 3 pointers (map, properties, elements) plus one pointer per field; an
 * array 4 pointers plus its backing store (2 pointers plus one per element); numbers other
 * than small integers a heap number (a pointer and 8 bytes); small integers, booleans and null
 * nothing. Parts deeper than `depth` count as one small object each.
 */
export function approximateSize(value: unknown, depth = 3): number {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && value >= -0x4000_0000 && value < 0x4000_0000 ? 0 : P + 8;
    case 'boolean':
    case 'undefined':
      return 0;
    case 'string':
      return stringSize(value);
    case 'bigint':
      return 2 * P + 8;
    case 'object': {
      if (value === null) return 0;
      if (depth <= 0) return 4 * P;
      if (value instanceof Uint8Array) return 12 * P + value.byteLength;
      if (Array.isArray(value)) {
        // Long arrays (a growing COLLECT_LIST) are estimated from their first elements: a write
        // must not cost a walk over the whole value.
        const len = value.length;
        const seen = Math.min(len, SAMPLED_ELEMENTS);
        let elements = 0;
        for (let i = 0; i < seen; i++) elements += approximateSize(value[i], depth - 1);
        return 6 * P + P * len + (seen === 0 ? 0 : Math.round((elements * len) / seen));
      }
      let n = 3 * P;
      for (const k in value) n += P + approximateSize((value as Record<string, unknown>)[k], depth - 1);
      return n;
    }
    default:
      return 4 * P;
  }
}
