/** Box-filter downsampling of RGB images by an integer factor (area average, rounded). */
export function downsampleRgb(rgb: Uint8Array, size: number, factor: number): Uint8Array {
  if (size % factor !== 0) throw new Error(`size ${size} is not a multiple of ${factor}`);
  const out = size / factor;
  const result = new Uint8Array(out * out * 3);
  const area = factor * factor;
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          for (let dx = 0; dx < factor; dx++) {
            sum += rgb[((y * factor + dy) * size + (x * factor + dx)) * 3 + c]!;
          }
        }
        result[(y * out + x) * 3 + c] = Math.round(sum / area);
      }
    }
  }
  return result;
}
