import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addL, deepEquals, divL, modL, mulL, negL, subL, type Long, decimalOp, ExpressionError } from '../../../src/exec/expr/runtime.ts';
import { compileLike, likeMatches } from '../../../src/exec/expr/like.ts';
import { Decimal } from '../../../src/types/decimal.ts';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const norm = (b: bigint): Long => {
  const w = BigInt.asIntN(64, b);
  return w >= -MAX && w <= MAX ? Number(w) : w;
};

test('BIGINT helpers agree with 64-bit BigInt arithmetic and keep the representation normalised', () => {
  const samples: bigint[] = [0n, 1n, -1n, 7n, -7n, 3n, MAX, -MAX, MAX + 1n, -(MAX + 1n), 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345n, -98765432109876n, 4503599627370497n];
  const asLong = (b: bigint): Long => norm(b);
  for (const a of samples) {
    for (const b of samples) {
      const x = asLong(a);
      const y = asLong(b);
      assert.equal(addL(x, y), norm(a + b), `${a} + ${b}`);
      assert.equal(subL(x, y), norm(a - b), `${a} - ${b}`);
      assert.equal(mulL(x, y), norm(a * b), `${a} * ${b}`);
      if (b !== 0n) {
        assert.equal(divL(x, y), norm(a / b), `${a} / ${b}`);
        assert.equal(modL(x, y), norm(a % b), `${a} % ${b}`);
      } else {
        assert.throws(() => divL(x, y), ExpressionError);
        assert.throws(() => modL(x, y), ExpressionError);
      }
    }
    assert.equal(negL(asLong(a)), norm(-a));
  }
});

test('BIGINT division of large safe numbers is exact', () => {
  for (let i = 0; i < 2000; i++) {
    const a = Math.floor((Math.random() * 2 - 1) * Number.MAX_SAFE_INTEGER);
    const b = Math.floor((Math.random() * 2 - 1) * 1000) || 3;
    assert.equal(divL(a, b), norm(BigInt(a) / BigInt(b)), `${a} / ${b}`);
  }
});

test('DECIMAL operations check the result precision', () => {
  const add = decimalOp('+', 3, 1);
  assert.equal(add(new Decimal(505n, 1), new Decimal(400n, 1)).toString(), '90.5');
  assert.throws(() => add(new Decimal(999n, 1), new Decimal(10n, 1)), /Numeric field overflow/);
  assert.throws(() => decimalOp('/', 10, 6)(new Decimal(1n, 0), new Decimal(0n, 0)), /Division by zero/);
});

test('deep equality', () => {
  assert.equal(deepEquals([1, [2, null]], [1, [2, null]]), true);
  assert.equal(deepEquals({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(deepEquals({ a: new Decimal(10n, 1) }, { a: new Decimal(100n, 2) }), true);
  assert.equal(deepEquals([new Uint8Array([1])], [new Uint8Array([1])]), true);
  assert.equal(deepEquals([1n << 60n], [1n << 60n]), true);
  assert.equal(deepEquals([NaN], [NaN]), true);
  assert.equal(deepEquals([1], { 0: 1 }), false);
});

test('LIKE patterns compile to the cheapest test', () => {
  assert.deepEqual(compileLike('%x%', null), { kind: 'contains', text: 'x' });
  assert.deepEqual(compileLike('ab%%', null), { kind: 'prefix', text: 'ab' });
  assert.deepEqual(compileLike('%ab', null), { kind: 'suffix', text: 'ab' });
  assert.deepEqual(compileLike('a!%b', '!'), { kind: 'equals', text: 'a%b' });
  assert.equal(compileLike('a_c', null).kind, 'regex');
  assert.equal(likeMatches(compileLike('a_c', null), 'a😀c'), true);
  assert.equal(likeMatches(compileLike('[a]%', null), '[a]x'), true);
  assert.equal(likeMatches(compileLike('%$^', null), 'x$^'), true);
});
