/**
 * Kafka's default key partitioner, bit-compatible with the Java client:
 * `partition = toPositive(murmur2(keyBytes)) % numPartitions`, toPositive = `& 0x7fffffff`.
 *
 * Not @platformatic/kafka's `defaultPartitioner`: that one uses `murmur2 >>> 0` (unsigned), which
 * puts about half of all keys on another partition than Java, librdkafka's murmur2 partitioners,
 * Kafka Streams and ksqlDB do. Its murmur2 also runs on BigInt; this one uses Math.imul.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Java's `org.apache.kafka.common.utils.Utils.murmur2(byte[])`: a signed 32-bit hash. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2] << 16;
    if (rest >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Java's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
