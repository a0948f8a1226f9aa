/** Additive attention masks for the shared decoder signature (MODELS.md §5.2). */

export const MASK_VALUE = -1e9;

/**
 * f32 [B, 1, S, P+S]: query i (at position P+i) sees cached keys and keys up to itself.
 * Rows here are never padded (CFG rows have equal length), so no key is blocked otherwise.
 */
export function causalMask(batch: number, seq: number, past: number): Float32Array {
  const total = past + seq;
  const mask = new Float32Array(batch * seq * total);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * total;
      for (let k = past + i + 1; k < total; k++) mask[row + k] = MASK_VALUE;
    }
  }
  return mask;
}
