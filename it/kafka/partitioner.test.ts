/**
 * Kafka's default partitioner (src/log/partitioner.ts, shared by the embedded and the Kafka log):
 * murmur2 and the partition choice must be bit-identical to the Java client's, or keyed records (joins, aggregations, ksqlDB/Kafka Streams interop) land on other
 * partitions than Java producers put them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { murmur2, partitionForKey } from '../../src/log/kafka/index.ts';
import { run } from './helpers.ts';

// From Kafka's own UtilsTest.testMurmur2 (values computed by the Java implementation).
const JAVA_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

/** The broker's jar dir: with-broker.sh exports it; else fetch.sh's default cache location. */
function kafkaLib(): string | null {
  const cache = process.env.RIFFLE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'riffle');
  const candidates = [process.env.RIFFLE_KAFKA_LIB, ...(existsSync(cache) ? readdirSync(cache).map((d) => join(cache, d, 'lib')) : [])];
  return candidates.find((dir) => !!dir && existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('kafka-clients-'))) ?? null;
}

describe('default partitioner', { timeout: 120_000 }, () => {
  test('murmur2 matches the Java test vectors', () => {
    for (const [key, hash] of JAVA_VECTORS) assert.equal(murmur2(Buffer.from(key)), hash, key);
  });

  test('partitions match the Java client (BuiltInPartitioner) for random and binary keys', async (t) => {
    const lib = kafkaLib();
    if (!lib) {
      t.skip('Kafka jars not found (set RIFFLE_KAFKA_LIB or run scripts/kafka/fetch.sh)');
      return;
    }
    const keys: Buffer[] = [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('é€𝄞')];
    let seed = 42;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 300; i++) keys.push(Buffer.from(Array.from({ length: rnd() % 40 }, () => rnd() & 0xff)));
    const counts = [1, 2, 3, 7, 12, 100];
    const args = ['-cp', `${lib}/*`, join(import.meta.dirname, 'JavaPartitioner.java'), counts.join(','), ...keys.map((k) => (k.length ? k.toString('hex') : '-'))];
    const result = await run('java', args);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, keys.length);
    keys.forEach((k, i) => {
      const [hash, ...partitions] = lines[i].split(' ').map(Number);
      assert.equal(murmur2(k), hash, `murmur2(${k.toString('hex')})`);
      counts.forEach((n, j) => assert.equal(partitionForKey(k, n), partitions[j], `partition of ${k.toString('hex')} among ${n}`));
    });
  });
});
