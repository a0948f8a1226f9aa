/**
 * Feathered compositing for infill: generated pixels inside the mask, the original pixels
 * outside it untouched, and a linear blend over `featherPx` pixels just outside the mask edge.
 */

/**
 * Euclidean distance (px) from each pixel to the nearest masked pixel; 0 inside the mask.
 * With a `limit`, only distances up to it are found (farther pixels read Infinity): a masked
 * pixel within `limit` lies within `limit` on each axis, so a window of that radius around each
 * pixel finds it exactly, and the cost grows with the pixels times the window, not the pixels
 * squared (a 384×384 infill with a 2 px feather: 7 M pairs instead of 10 G).
 */
export function distanceToMask(
  mask: ArrayLike<number | boolean>,
  width: number,
  height: number,
  limit = Infinity,
): Float64Array {
  const dist = new Float64Array(width * height).fill(Infinity);
  const r = Math.min(Math.max(width, height), Math.floor(limit));
  for (let i = 0; i < width * height; i++) {
    if (mask[i]) {
      dist[i] = 0;
      continue;
    }
    const x = i % width;
    const y = (i - x) / width;
    let best = Infinity;
    for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
      const dy = yy - y;
      for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
        if (!mask[yy * width + xx]) continue;
        const dx = xx - x;
        const d = Math.sqrt(dx * dx + dy * dy);
        if (d < best) best = d;
      }
    }
    dist[i] = best <= limit ? best : Infinity;
  }
  return dist;
}

/** RGB uint8 composite of `generated` over `original` through the feathered mask. */
export function featheredComposite(
  original: Uint8Array,
  generated: Uint8Array,
  mask: ArrayLike<number | boolean>,
  width: number,
  height: number,
  featherPx: number,
): Uint8Array {
  // Beyond featherPx + 1 the blend weight is 0, so no distance past it is needed.
  const dist = distanceToMask(mask, width, height, featherPx + 1);
  const out = new Uint8Array(original.length);
  for (let p = 0; p < width * height; p++) {
    const d = dist[p]!;
    const alpha = d === 0 ? 1 : featherPx > 0 ? Math.max(0, 1 - d / (featherPx + 1)) : 0;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      out[i] =
        alpha === 0 ? original[i]! : Math.round(alpha * generated[i]! + (1 - alpha) * original[i]!);
    }
  }
  return out;
}
