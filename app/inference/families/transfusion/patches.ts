/**
 * Pixels ↔ patches as the reference loop lays them out: patches in raster order, each patch's
 * values in (row, column, channel) order, values in [−1, 1].
 */

/** RGB u8 [size·size·3] -> patch values [N·p·p·3] in [−1, 1], float64. */
export function patchify(rgb: ArrayLike<number>, size: number, patch: number): Float64Array {
  const g = size / patch;
  const out = new Float64Array(size * size * 3);
  let o = 0;
  for (let gy = 0; gy < g; gy++)
    for (let gx = 0; gx < g; gx++)
      for (let y = 0; y < patch; y++)
        for (let x = 0; x < patch; x++) {
          const i = ((gy * patch + y) * size + gx * patch + x) * 3;
          for (let c = 0; c < 3; c++) out[o++] = rgb[i + c]! / 127.5 - 1;
        }
  return out;
}

/** One value per pixel (a mask) repeated over the channels, in patch order. */
export function patchifyMask(mask: ArrayLike<number>, size: number, patch: number): Uint8Array {
  const rgb = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) rgb.fill(mask[p] ? 1 : 0, p * 3, p * 3 + 3);
  const g = size / patch;
  const out = new Uint8Array(rgb.length);
  let o = 0;
  for (let gy = 0; gy < g; gy++)
    for (let gx = 0; gx < g; gx++)
      for (let y = 0; y < patch; y++)
        for (let x = 0; x < patch; x++) {
          const i = ((gy * patch + y) * size + gx * patch + x) * 3;
          for (let c = 0; c < 3; c++) out[o++] = rgb[i + c]!;
        }
  return out;
}

/** Patch values -> RGB u8: level = round((v + 1)·127.5), clipped to 0–255 (numpy's rounding). */
export function unpatchify(values: ArrayLike<number>, size: number, patch: number): Uint8Array {
  const g = size / patch;
  const out = new Uint8Array(size * size * 3);
  let o = 0;
  for (let gy = 0; gy < g; gy++)
    for (let gx = 0; gx < g; gx++)
      for (let y = 0; y < patch; y++)
        for (let x = 0; x < patch; x++) {
          const i = ((gy * patch + y) * size + gx * patch + x) * 3;
          for (let c = 0; c < 3; c++) out[i + c] = toLevel(values[o++]!);
        }
  return out;
}

function toLevel(v: number): number {
  const s = (v + 1) * 127.5;
  let r = Math.round(s);
  if (Math.abs(s % 1) === 0.5 && r % 2 !== 0) r -= 1; // numpy rounds halves to even
  return r < 0 ? 0 : r > 255 ? 255 : r;
}
