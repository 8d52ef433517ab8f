/**
 * The seeded pseudo-random generator of the tests and benchmarks (mulberry32: one 32-bit state,
 * fast, well spread), so that a randomised run is reproduced from its seed.
 */

/** Numbers in [0, 1) from `seed`; the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
