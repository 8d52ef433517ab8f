import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msgpackCodec } from '../../src/state/codec.ts';
import { Decimal } from '../../src/types/decimal.ts';

const rt = (v: unknown): unknown => msgpackCodec.decode(msgpackCodec.encode(v));

test('bigint keeps its type at every size; numbers stay numbers', () => {
  for (const v of [0n, 5n, -5n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n, 2n ** 200n, -(2n ** 200n)]) {
    const got = rt(v);
    assert.equal(typeof got, 'bigint');
    assert.equal(got, v);
  }
  for (const v of [0, 1, -1, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53) + 1, 0.1, 1e300, -1.5, Infinity, -Infinity]) {
    assert.equal(rt(v), v);
  }
  assert.ok(Number.isNaN(rt(NaN)));
});

test('-0 comes back as 0 (documented limitation of the encoding)', () => {
  assert.ok(Object.is(rt(-0), 0));
});

test('Decimal round-trips as a Decimal with its scale', () => {
  for (const d of [new Decimal(1230n, 2), new Decimal(-1n, 0), new Decimal(10n ** 40n + 7n, 38), new Decimal(0n, 5)]) {
    const got = rt(d);
    assert.ok(got instanceof Decimal);
    assert.equal(got.unscaled, d.unscaled);
    assert.equal(got.scale, d.scale);
    assert.equal(got.toString(), d.toString());
  }
});

test('bytes come back as a copy (not a view of the encoded buffer)', () => {
  const encoded = msgpackCodec.encode({ b: Uint8Array.of(1, 2, 3) });
  const got = msgpackCodec.decode(encoded) as { b: Uint8Array };
  assert.ok(got.b instanceof Uint8Array);
  encoded.fill(0);
  assert.deepEqual([...got.b], [1, 2, 3]);
});

test('every encoded value decodes on its own (no shared structures between values)', () => {
  const a = msgpackCodec.encode({ x: 1, y: 'a' });
  const b = msgpackCodec.encode({ x: 2, y: 'b' });
  assert.deepEqual(msgpackCodec.decode(b), { x: 2, y: 'b' });
  assert.deepEqual(msgpackCodec.decode(a), { x: 1, y: 'a' });
});
