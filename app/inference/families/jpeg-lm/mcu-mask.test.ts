import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InfillMaskError } from '../types.ts';
import { completionMask, maskedMcus } from './mcu-mask.ts';

const layout = { width: 64, height: 64, mcuSize: 16 };
const paint = (pixels: [number, number][]) => {
  const mask = new Uint8Array(64 * 64);
  for (const [y, x] of pixels) mask[y * 64 + x] = 1;
  return mask;
};
const indices = (flags: boolean[]) => flags.flatMap((f, m) => (f ? [m] : []));

test('an MCU is regenerated when any of its pixels is painted', () => {
  assert.deepEqual(indices(maskedMcus(paint([[0, 0]]), layout)), [0]);
  assert.deepEqual(indices(maskedMcus(paint([[15, 15]]), layout)), [0]);
  assert.deepEqual(indices(maskedMcus(paint([[16, 15]]), layout)), [4]);
  assert.deepEqual(
    indices(
      maskedMcus(
        paint([
          [63, 63],
          [20, 40],
        ]),
        layout,
      ),
    ),
    [6, 15],
  );
  // A 2×2 dot across the centre touches the four middle MCUs.
  const centre = paint([
    [31, 31],
    [31, 32],
    [32, 31],
    [32, 32],
  ]);
  assert.deepEqual(indices(maskedMcus(centre, layout)), [5, 6, 9, 10]);
});

test('an empty or mis-sized mask is refused with what to do', () => {
  assert.throws(
    () => maskedMcus(new Uint8Array(64 * 64), layout),
    (err: Error) => {
      assert.ok(err instanceof InfillMaskError);
      assert.match(err.message, /the mask is empty: paint the region to regenerate/);
      return true;
    },
  );
  assert.throws(() => maskedMcus(new Uint8Array(32 * 32), layout), /must be 64×64 .* got 1024/);
});

test('a completion mask regenerates exactly the MCU rows below the kept ones', () => {
  const mask = completionMask(layout, 1);
  assert.equal(mask.subarray(0, 16 * 64).some(Boolean), false);
  assert.equal(mask.subarray(16 * 64).every(Boolean), true);
  assert.deepEqual(indices(maskedMcus(mask, layout)), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  assert.deepEqual(indices(maskedMcus(completionMask(layout, 3), layout)), [12, 13, 14, 15]);
  assert.throws(() => completionMask(layout, 0), /keep 1 to 3 rows from the top, not 0/);
  assert.throws(() => completionMask(layout, 4), /keep 1 to 3 rows from the top, not 4/);
});
