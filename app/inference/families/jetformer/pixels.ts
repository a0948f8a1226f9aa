/**
 * Pixels ↔ the flow's [-1, 1] inputs, as the reference loop reads and writes them: an image is
 * encoded at each level's bin centre, (level + 0.5)/127.5 − 1, and a sampled one is quantised
 * by flooring, min(255, ⌊(x + 1)·127.5⌋), the inverse of "level plus uniform noise".
 */

export function binCentres(rgb: Uint8Array): Float32Array {
  const x = new Float32Array(rgb.length);
  // float32 at every step, as numpy computes it, so the flow sees the reference's exact inputs
  for (let i = 0; i < rgb.length; i++) x[i] = Math.fround((rgb[i]! + 0.5) / 127.5) - 1;
  return x;
}

export function toU8(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.min(1, Math.max(-1, x[i]!));
    out[i] = Math.min(255, Math.floor(Math.fround(Math.fround(v + 1) * 127.5)));
  }
  return out;
}
