/** The pixel mask snapped to a code grid: any masked pixel claims its whole cell. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskedCells } from './grid-mask.ts';

test('a cell is masked when any of its pixels is, and only then', () => {
  const size = 8;
  const mask = new Uint8Array(size * size);
  mask[0] = 1; // top-left pixel of cell (0, 0)
  mask[5 * size + 7] = 1; // a pixel of cell (1, 1) on a 2×2 grid
  assert.deepEqual(maskedCells(mask, size, 2), [true, false, false, true]);
  assert.deepEqual(maskedCells(new Uint8Array(size * size), size, 4), new Array(16).fill(false));
});

test('every cell a painted rectangle touches is masked, in raster order', () => {
  const size = 12;
  const mask = new Uint8Array(size * size);
  for (let y = 5; y < 7; y++) for (let x = 2; x < 10; x++) mask[y * size + x] = 1;
  const cells = maskedCells(mask, size, 3).map((c) => (c ? 1 : 0));
  assert.deepEqual(cells, [0, 0, 0, 1, 1, 1, 0, 0, 0]);
});
