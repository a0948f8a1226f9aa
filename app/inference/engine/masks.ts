/** Additive attention masks for the decoder signature (docs/models.md §Decoder graph I/O). */

export const MASK_VALUE = -1e9;

/**
 * f32 [B, 1, S, P+S]: query i (at position P+i) sees cached keys and keys up to itself.
 * Rows here are never padded (CFG rows have equal length), so no key is blocked otherwise.
 */
export function causalMask(
  batch: number,
  seq: number,
  past: number,
  tree: TokenTree | null = null,
): Float32Array {
  const total = past + seq;
  const mask = new Float32Array(batch * seq * total);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * total;
      for (let k = past; k < total; k++) {
        if (!sees(tree, i, k - past)) mask[row + k] = MASK_VALUE;
      }
    }
  }
  return mask;
}

/**
 * New tokens as a tree (speculative drafts branching into alternatives): `parents[i]` is the
 * new token i's parent among the new tokens, -1 for one that follows the cache directly, and
 * always < i. Token i sees the cache, its ancestors and itself; null = one causal chain.
 */
export type TokenTree = readonly number[];

function sees(tree: TokenTree | null, i: number, j: number): boolean {
  if (tree === null) return j <= i;
  for (let a = i; a >= 0; a = tree[a]!) if (a === j) return true;
  return false;
}

/** Depth of each new token of a tree (0 for one that follows the cache). */
export function treeDepths(tree: TokenTree): number[] {
  const depth: number[] = [];
  tree.forEach((p, i) => (depth[i] = p < 0 ? 0 : depth[p]! + 1));
  return depth;
}

/**
 * f32 [B, 1, S, C+S] for a slot cache: query i sees the first `length` slots and the new
 * tokens up to itself; free slots (length..C) are blocked.
 */
export function slotMask(
  batch: number,
  seq: number,
  length: number,
  slots: number,
  tree: TokenTree | null = null,
): Float32Array {
  const width = slots + seq;
  const mask = new Float32Array(batch * seq * width);
  for (let r = 0; r < batch * seq; r++) {
    const row = r * width;
    const i = r % seq;
    mask.fill(MASK_VALUE, row + length, row + slots);
    if (tree === null) mask.fill(MASK_VALUE, row + slots + i + 1, row + width);
    else for (let j = 0; j < seq; j++) if (!sees(tree, i, j)) mask[row + slots + j] = MASK_VALUE;
  }
  return mask;
}
