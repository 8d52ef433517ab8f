/**
 * A small data set with string features for Hoeffding trees' nominal splits (compared with River
 * in test/ml/learn/hoeffding-nominal.test.ts and it/ml/learn/nominal-river.test.ts): COLOR and
 * SHAPE are strings, SIZE a number; the label depends on all three, with 10% noise; the colour
 * 'purple' only appears after row 2,500 (a category a multiway branch has not seen).
 */
import { PyRandom } from '../../../src/ml/learn/random.ts';

export interface NominalRow {
  readonly COLOR: string;
  readonly SHAPE: string;
  readonly SIZE: number;
  readonly LABEL: string;
}

export function nominalRows(n = 4000, seed = 5): NominalRow[] {
  const rng = new PyRandom(seed);
  const out: NominalRow[] = [];
  for (let i = 0; i < n; i++) {
    const colors = i < 2500 ? ['red', 'green', 'blue', 'yellow'] : ['red', 'green', 'blue', 'yellow', 'purple'];
    const COLOR = colors[Math.floor(rng.random() * colors.length)];
    const SHAPE = ['circle', 'square', 'triangle'][Math.floor(rng.random() * 3)];
    const SIZE = Math.round(rng.random() * 1000) / 100;
    let y = ((COLOR === 'red' || COLOR === 'blue' || COLOR === 'purple') && SIZE > 3) || (SHAPE === 'triangle' && SIZE > 7);
    if (rng.random() < 0.1) y = !y;
    out.push({ COLOR, SHAPE, SIZE, LABEL: y ? '1' : '0' });
  }
  return out;
}
