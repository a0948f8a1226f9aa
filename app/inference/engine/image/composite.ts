/**
 * Feathered compositing for infill: generated pixels inside the mask, the original pixels
 * outside it untouched, and a linear blend over `featherPx` pixels just outside the mask edge.
 */

/** Euclidean distance (px) from each pixel to the nearest masked pixel; 0 inside the mask. */
export function distanceToMask(
  mask: ArrayLike<number | boolean>,
  width: number,
  height: number,
): Float64Array {
  const inside: number[] = [];
  for (let i = 0; i < width * height; i++) if (mask[i]) inside.push(i);
  const dist = new Float64Array(width * height).fill(Infinity);
  // Brute force is fine at model resolutions (32² or 64²: at most 4k × 4k pairs).
  for (let i = 0; i < width * height; i++) {
    if (mask[i]) {
      dist[i] = 0;
      continue;
    }
    const x = i % width;
    const y = (i - x) / width;
    for (const j of inside) {
      const dx = (j % width) - x;
      const dy = Math.floor(j / width) - y;
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d < dist[i]!) dist[i] = d;
    }
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
  const dist = distanceToMask(mask, width, height);
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
