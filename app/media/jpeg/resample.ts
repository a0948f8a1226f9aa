/**
 * Chroma resampling for 4:2:0 as libjpeg does it. Down: a plane of width×height (both even)
 * → (width/2)×(height/2), each sample the mean of a 2×2 square with the bias alternating 1, 2
 * along a row so rounding does not drift (jcsample.c h2v2_downsample). Up: "fancy" triangle
 * filter (jdsample.c h2v2_fancy_upsample): each output sample is 9/16 of the nearest input,
 * 3/16 of each side neighbour and 1/16 of the diagonal one, edges replicated.
 */
export function downsampleH2V2(plane: Uint8Array, width: number, height: number): Uint8Array {
  const outWidth = width >> 1;
  const out = new Uint8Array(outWidth * (height >> 1));
  for (let row = 0; row < height >> 1; row++) {
    const top = 2 * row * width;
    const bottom = top + width;
    let bias = 1;
    for (let col = 0; col < outWidth; col++) {
      const x = 2 * col;
      const sum =
        plane[top + x]! + plane[top + x + 1]! + plane[bottom + x]! + plane[bottom + x + 1]!;
      out[row * outWidth + col] = (sum + bias) >> 2;
      bias ^= 3;
    }
  }
  return out;
}

/** A plane of width×height (width at least 2) → (2·width)×(2·height). */
export function upsampleH2V2Fancy(plane: Uint8Array, width: number, height: number): Uint8Array {
  const outWidth = 2 * width;
  const out = new Uint8Array(outWidth * 2 * height);
  for (let row = 0; row < height; row++) {
    const near = row * width;
    for (let v = 0; v < 2; v++) {
      // The next nearest row is the one above for the upper output row, below for the lower.
      const farRow = v === 0 ? Math.max(row - 1, 0) : Math.min(row + 1, height - 1);
      const far = farRow * width;
      const o = (2 * row + v) * outWidth;
      const colSum = (col: number) => plane[near + col]! * 3 + plane[far + col]!;
      let last = colSum(0);
      let current = last;
      let next = colSum(1);
      out[o] = (current * 4 + 8) >> 4;
      out[o + 1] = (current * 3 + next + 7) >> 4;
      for (let col = 1; col < width - 1; col++) {
        last = current;
        current = next;
        next = colSum(col + 1);
        out[o + 2 * col] = (current * 3 + last + 8) >> 4;
        out[o + 2 * col + 1] = (current * 3 + next + 7) >> 4;
      }
      last = current;
      current = next;
      out[o + 2 * width - 2] = (current * 3 + last + 8) >> 4;
      out[o + 2 * width - 1] = (current * 4 + 7) >> 4;
    }
  }
  return out;
}
