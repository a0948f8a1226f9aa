/**
 * The fused DDIM step against the plain one it replaces in the loop: guided() then ddimX0 and
 * ddimStep, bit for bit, over values that cover clipping and ᾱ near both ends, with the next x
 * on every row of the network's input; and a NaN or an infinity in either row is caught.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from '../../engine/rng.ts';
import { guided, guidedDdimStep } from './guided-step.ts';
import { ddimStep, ddimX0 } from './schedule.ts';

const n = 3 * 64;

function sample(seed: number, rows: number) {
  const prng = new Prng(seed, 7);
  const out = Float32Array.from({ length: rows * n }, () => 4 * prng.uniform() - 2);
  const x = Float64Array.from({ length: n }, () => 6 * prng.uniform() - 3);
  return { out, x };
}

for (const rows of [1, 2])
  for (const [a, aNext] of [
    [0.00004, 0.02],
    [0.3, 0.31],
    [0.97, 1],
  ] as const)
    test(`fused DDIM step = guided, ddimX0, ddimStep bit for bit (${rows} rows, ᾱ ${a} → ${aNext})`, () => {
      const { out, x } = sample(rows * 1000 + Math.round(a * 100), rows);
      const eps = guided(out, rows, 3.5)!;
      const x0Plain = ddimX0(x, eps, a);
      const xPlain = ddimStep(x, x0Plain, a, aNext);
      const xFused = x.slice();
      const x0Fused = new Float64Array(n);
      const batch = new Float32Array(rows * n);
      assert.equal(guidedDdimStep(out, rows, 3.5, xFused, a, aNext, x0Fused, batch), true);
      assert.deepEqual(Buffer.from(x0Fused.buffer), Buffer.from(x0Plain.buffer));
      assert.deepEqual(Buffer.from(xFused.buffer), Buffer.from(xPlain.buffer));
      for (let r = 0; r < rows; r++)
        assert.deepEqual(batch.subarray(r * n, (r + 1) * n), Float32Array.from(xPlain), `row ${r}`);
    });

test('a NaN or infinite output value in either row is caught', () => {
  for (const [rows, at, bad] of [
    [1, 5, NaN],
    [2, 7, Infinity],
    [2, n + 9, NaN],
    [2, 2 * n - 1, -Infinity],
  ] as const) {
    const { out, x } = sample(3, rows);
    out[at] = bad;
    assert.equal(guided(out, rows, 3), null, `guided, value ${at} of ${rows} rows`);
    assert.equal(
      guidedDdimStep(out, rows, 3, x, 0.5, 0.6, new Float64Array(n)),
      false,
      `fused step, value ${at} of ${rows} rows`,
    );
  }
});
