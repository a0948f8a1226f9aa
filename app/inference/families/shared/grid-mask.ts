/**
 * An infill's pixel mask on a model's code grid: a cell is regenerated when any of its pixels is
 * masked, so the hole always covers what was painted. vq-ar groups the cells into one segment
 * per grid row; janus-pro regenerates them one by one in raster order.
 */

/** Pixel mask (nonzero = regenerate, row-major size×size) -> grid² cells in raster order. */
export function maskedCells(
  mask: ArrayLike<boolean | number>,
  size: number,
  grid: number,
): boolean[] {
  const cell = size / grid;
  const cells = new Array<boolean>(grid * grid).fill(false);
  for (let r = 0; r < grid; r++)
    for (let c = 0; c < grid; c++) {
      let any = false;
      for (let y = r * cell; y < (r + 1) * cell && !any; y++)
        for (let x = c * cell; x < (c + 1) * cell && !any; x++) if (mask[y * size + x]) any = true;
      cells[r * grid + c] = any;
    }
  return cells;
}
