/**
 * The working square's geometry: the mask's bounds taken straight from a mask painted at the
 * model's resolution are those of the mask mapped onto the image (what the job composites
 * through), for images wider, taller, smaller and larger than the model, so the studio's
 * canvas and the job place the same square.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  maskBounds,
  maskFromModel,
  modelMaskBounds,
  visiblePart,
  workingRegion,
  workingSquare,
  worksOnRegion,
} from './infill-square.ts';

/** A deterministic pseudo-random mask: a few rectangles, or single pixels. */
function randomMask(size: number, seed: number): Uint8Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const mask = new Uint8Array(size * size);
  const shapes = 1 + Math.floor(next() * 3);
  for (let i = 0; i < shapes; i++) {
    const x = Math.floor(next() * size);
    const y = Math.floor(next() * size);
    const w = next() < 0.3 ? 1 : 1 + Math.floor(next() * (size - x));
    const h = next() < 0.3 ? 1 : 1 + Math.floor(next() * (size - y));
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) mask[yy * size + xx] = 1;
  }
  return mask;
}

test('bounds from the model-sized mask equal the bounds of the mask mapped onto the image', () => {
  const sizes: [number, number][] = [
    [451, 300],
    [300, 451],
    [20, 7],
    [1000, 3],
    [33, 32],
    [64, 64],
    [7, 7],
  ];
  let compared = 0;
  for (const size of [32, 64])
    for (const [w, h] of sizes)
      for (let seed = 1; seed <= 40; seed++) {
        const mask = randomMask(size, seed * 7919 + w);
        const expected = maskBounds(maskFromModel(mask, size, w, h), w, h);
        assert.deepEqual(
          modelMaskBounds(mask, size, w, h),
          expected,
          `${w}×${h} at ${size}, seed ${seed}`,
        );
        compared++;
      }
  assert.equal(compared, 2 * sizes.length * 40);
});

test('a mask only over the letterbox bars, or none, has no bounds', () => {
  const size = 32;
  const bars = new Uint8Array(size * size);
  bars.fill(1, 0, size * 4); // the top four rows: above a 451×300 photo fitted inside
  assert.equal(modelMaskBounds(bars, size, 451, 300), null);
  assert.equal(modelMaskBounds(new Uint8Array(size * size), size, 451, 300), null);
  assert.equal(workingRegion(bars, size, 451, 300), null);
});

test('the working region is the square around the mask, clipped to the image', () => {
  const size = 32;
  const mask = new Uint8Array(size * size);
  for (let y = 14; y < 18; y++) for (let x = 14; x < 18; x++) mask[y * size + x] = 1;
  const found = workingRegion(mask, size, 451, 300)!;
  const box = maskBounds(maskFromModel(mask, size, 451, 300), 451, 300)!;
  const square = workingSquare(box, 451, 300, size);
  assert.deepEqual(found, { square, region: visiblePart(square, 451, 300) });
  assert.ok(found.square.side >= size && found.square.side >= box.width);
});

test('only an image not at the size of a square model is worked on in a region', () => {
  const model = { width: 32, height: 32 };
  assert.equal(worksOnRegion({ width: 451, height: 300 }, model), true);
  assert.equal(worksOnRegion({ width: 16, height: 16 }, model), true);
  assert.equal(worksOnRegion({ width: 32, height: 32 }, model), false);
  assert.equal(worksOnRegion({ width: 451, height: 300 }, { width: 64, height: 32 }), false);
});
