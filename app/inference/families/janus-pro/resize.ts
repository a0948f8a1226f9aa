/**
 * Bilinear resizing of an RGB picture (half-pixel centres, edges clamped): the host sends
 * captions at the manifest's image size, which for a small converted model can differ from the
 * size its SigLIP tower reads. For Janus-Pro itself both are 384, and nothing is resized.
 */
export function resizeRgb(rgb: Uint8Array, from: number, to: number): Uint8Array {
  if (from === to) return rgb;
  const out = new Uint8Array(to * to * 3);
  const scale = from / to;
  const axis = (i: number): [number, number, number] => {
    const x = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
    const lo = Math.floor(x);
    return [lo, Math.min(lo + 1, from - 1), x - lo];
  };
  for (let y = 0; y < to; y++) {
    const [y0, y1, fy] = axis(y);
    for (let x = 0; x < to; x++) {
      const [x0, x1, fx] = axis(x);
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => rgb[(yy * from + xx) * 3 + c]!;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out[(y * to + x) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}
