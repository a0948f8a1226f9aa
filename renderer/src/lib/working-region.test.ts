import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regionForMask, stageBox } from './working-region.ts';

const model = { width: 32, height: 32 };
const centre = () => {
  const mask = new Uint8Array(32 * 32);
  for (let y = 14; y < 18; y++) for (let x = 14; x < 18; x++) mask[y * 32 + x] = 1;
  return mask;
};

test('a photo gets a working region around the mask; an image at the model size none', () => {
  const region = regionForMask(centre(), model, { width: 451, height: 300 })!;
  // 4 model pixels of 451/32 photo pixels each, with half again of context on every side.
  assert.ok(region.width >= 32 && region.height >= 32, JSON.stringify(region));
  assert.ok(region.x > 0 && region.x + region.width < 451, 'centred, inside the photo');
  assert.equal(region.width, region.height, 'a square well inside the photo');
  assert.equal(regionForMask(centre(), model, { width: 32, height: 32 }), null);
  assert.equal(regionForMask(new Uint8Array(32 * 32), model, { width: 451, height: 300 }), null);
});

test('a region is placed on the stage as the image is fitted and centred in it', () => {
  const image = { width: 400, height: 200 };
  assert.deepEqual(stageBox({ x: 0, y: 0, width: 400, height: 200 }, image), {
    left: 0,
    top: 0.25,
    width: 1,
    height: 0.5,
  });
  assert.deepEqual(stageBox({ x: 100, y: 50, width: 100, height: 100 }, image), {
    left: 0.25,
    top: 0.375,
    width: 0.25,
    height: 0.25,
  });
});
