/** Additive attention masks for the decoder signature (docs/models.md §Decoder graph I/O). */

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

/**
 * f32 [B, 1, S, C+S] for a slot cache: query i sees the first `length` slots and the new
 * tokens up to itself; free slots (length..C) are blocked.
 */
export function slotMask(batch: number, seq: number, length: number, slots: number): Float32Array {
  const width = slots + seq;
  const mask = new Float32Array(batch * seq * width);
  for (let r = 0; r < batch * seq; r++) {
    const row = r * width;
    const i = r % seq;
    mask.fill(MASK_VALUE, row + length, row + slots);
    mask.fill(MASK_VALUE, row + slots + i + 1, row + width);
  }
  return mask;
}
