import assert from 'node:assert/strict';
import { test } from 'node:test';
import { philox4x32_10, Prng, streamId } from './rng.ts';

// Known answers of Philox4x32-10 (Random123 kat_vectors); the Python twin checks the same.
const KAT: [[number, number, number, number], [number, number], number[]][] = [
  [
    [0, 0, 0, 0],
    [0, 0],
    [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  ],
  [
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

test('Philox4x32-10 matches the known answers', () => {
  for (const [counter, key, expected] of KAT)
    assert.deepEqual(philox4x32_10(counter, key), expected);
});

test('draws depend only on seed, stream and counter', () => {
  const a = new Prng(7, streamId(0, 1));
  const first = Array.from({ length: 10 }, () => a.uniform());
  const b = new Prng(7, streamId(0, 1), 5);
  assert.deepEqual(
    Array.from({ length: 5 }, () => b.uniform()),
    first.slice(5),
  );
  assert.notEqual(new Prng(8, streamId(0, 1)).uniform(), first[0]);
});

test('the draw counter carries into its high word past 2^32, as the Python twin does', () => {
  // Expected values from native-models/tessera_models/common/prng.py:
  //   Prng(1, 0, 2**32 - 1).uniform() twice, and Prng(1, 0, 2**32 + 3) against Prng(1, 0, 3).
  const edge = new Prng(1, 0, 2 ** 32 - 1);
  assert.equal(edge.uniform(), 0.001846982044035994);
  assert.equal(edge.uniform(), 0.5126948813663814);
  assert.equal(edge.counter, 2 ** 32 + 1);
  assert.equal(new Prng(1, 0, 2 ** 32 + 3).uniform(), 0.7336421671786082);
  assert.equal(new Prng(1, 0, 3).uniform(), 0.7576265114288315, 'the high word changes the draw');
});

test('uniforms and normals have the right moments', () => {
  const p = new Prng(123, 0);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const u = p.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  const q = new Prng(99, 2);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < 10000; i++) {
    for (const z of q.normalPair()) {
      s1 += z;
      s2 += z * z;
    }
  }
  assert.ok(Math.abs(s1 / 20000) < 0.03);
  assert.ok(Math.abs(s2 / 20000 - 1) < 0.05);
});

test('seeds outside u32 are refused', () => {
  assert.throws(() => new Prng(2 ** 32, 0), /seed must be/);
  assert.throws(() => new Prng(-1, 0), /seed must be/);
  assert.throws(() => new Prng(1.5, 0), /seed must be/);
});
