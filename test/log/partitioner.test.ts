import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2, partitionForKey, toPositive } from '../../src/log/partitioner.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('murmur2 matches Kafka (UtilsTest.testMurmur2 vectors)', () => {
  const cases: [string | Uint8Array, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    [new Uint8Array([97, 98, 99]), 479470107], // 'abc' as raw bytes
  ];
  for (const [input, expected] of cases) {
    assert.equal(murmur2(typeof input === 'string' ? bytes(input) : input), expected, String(input));
  }
});

test('murmur2 covers every tail length and reads bytes unsigned', () => {
  // Lengths 0..7 exercise each branch of the tail; bytes >= 0x80 must not sign-extend.
  const seen = new Set<number>();
  for (let len = 0; len < 8; len++) {
    const h = murmur2(new Uint8Array(len).fill(0xff));
    assert.ok(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31);
    seen.add(h);
  }
  assert.equal(seen.size, 8);
  // A view into a larger buffer hashes only its own bytes.
  const big = bytes('xxfoobarxx');
  assert.equal(murmur2(big.subarray(2, 8)), -790332482);
});

test('toPositive clears the sign bit like Kafka (not Math.abs)', () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-(2 ** 31)), 0);
  assert.equal(toPositive(5), 5);
});

test('partitionForKey is toPositive(murmur2(key)) % numPartitions', () => {
  // murmur2('foobar') = -790332482 -> toPositive = 1357151166
  assert.equal(partitionForKey(bytes('foobar'), 10), 1357151166 % 10);
  assert.equal(partitionForKey(bytes('21'), 3), toPositive(-973932308) % 3);
  for (let i = 0; i < 100; i++) {
    const p = partitionForKey(bytes(`key-${i}`), 7);
    assert.ok(p >= 0 && p < 7);
  }
});
