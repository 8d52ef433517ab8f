/**
 * Kafka's default partitioner for keyed records, bit-for-bit: `toPositive(murmur2(key)) %
 * numPartitions`. Both logs (embedded and Kafka) must place a key in the same partition as the
 * Java client does, so that co-partitioning (joins, repartition topics) agrees with what other
 * Kafka producers write.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's `Utils.murmur2`: MurmurHash2, 32 bit, seed 0x9747b28c, little-endian 4-byte blocks.
 * Returns a signed 32-bit integer, like Java's `int`.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  // Java's switch falls through from case 3 to case 1: the multiply happens once for any tail.
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs: MIN_VALUE stays non-negative). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}
