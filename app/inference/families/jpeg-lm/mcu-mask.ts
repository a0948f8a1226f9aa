/**
 * Infill masks in pixels -> MCUs. Coverage rule: an MCU is regenerated when ANY pixel of its
 * 16×16 square is painted (the rule vq-ar applies to its code cells), so a painted region is
 * never left partly unregenerated; the feathered composite then keeps the source's pixels
 * outside the painted region itself.
 *
 * Prefix completion — "continue the image from the top N MCU rows" — is the infill whose mask
 * covers every pixel row from N·16 down: exactly the MCUs of rows N and below are sampled,
 * the rows above teacher-forced, which is the reference's `complete(image, keep_rows=N)`.
 */
import { prefixCompletionMask } from '../../../common/prefix-completion.ts';
import { InfillMaskError } from '../types.ts';

export interface McuLayout {
  width: number;
  height: number;
  /** MCU side in pixels */
  mcuSize: number;
}

/** Pixel mask (nonzero = regenerate, row-major H×W) -> one flag per MCU, raster order. */
export function maskedMcus(mask: ArrayLike<number | boolean>, layout: McuLayout): boolean[] {
  const { width, height, mcuSize } = layout;
  if (mask.length !== width * height)
    throw new RangeError(
      `the mask must be ${width}×${height} (one byte per pixel), got ${mask.length} bytes`,
    );
  const columns = width / mcuSize;
  const out = new Array<boolean>(columns * (height / mcuSize)).fill(false);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x])
        out[Math.floor(y / mcuSize) * columns + Math.floor(x / mcuSize)] = true;
    }
  }
  if (!out.includes(true))
    throw new InfillMaskError('the mask is empty: paint the region to regenerate');
  return out;
}

/** The mask of a prefix completion: keep the top `keepRows` MCU rows, regenerate the rest. */
export function completionMask(layout: McuLayout, keepRows: number): Uint8Array {
  return prefixCompletionMask(
    { width: layout.width, height: layout.height, rowHeight: layout.mcuSize },
    keepRows,
  );
}
