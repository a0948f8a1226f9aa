/**
 * The logits pipeline of every token-sampling loop, in float64 (docs/models.md §Logits pipeline).
 * It mirrors native-models/…/common/sampling.py step for step; golden vectors hold the two
 * identical.
 *
 * Order: guidance (CFG or CD-K) -> temperature -> top-k -> softmax -> top-p -> one draw.
 * The caller restricts logits to the allowed ids first. Ties sort by the lower id, sums run
 * left to right, and the draw walks kept ids in ascending order.
 */
import type { Prng } from '../rng.ts';

export const PIPELINE_VERSION = 1;

export interface SamplingSettings {
  cfgScale: number;
  temperature: number;
  /** 0 = off */
  topK: number;
  /** 1 = off */
  topP: number;
  cdk: { alpha: number; k: number; tau: number } | null;
}

type Logits = ArrayLike<number>;

/** Indices sorted by value descending, ties by ascending index (of all, or of `subset`). */
function descendingOrder(values: ArrayLike<number>): number[];
function descendingOrder(subset: number[], values: ArrayLike<number>): number[];
function descendingOrder(a: ArrayLike<number> | number[], b?: ArrayLike<number>): number[] {
  const values = b ?? a;
  const order = b === undefined ? Array.from({ length: a.length }, (_, i) => i) : (a as number[]);
  return order.sort((x, y) => values[y]! - values[x]! || x - y);
}

/**
 * The ids whose probability is at least some threshold t, for a t where they already hold
 * `topP` of the mass. They are a prefix of the full descending order, so sorting only them
 * yields the same nucleus as sorting everything — at a fraction of the cost per step.
 */
function nucleusCandidates(probs: Float64Array, topP: number): number[] {
  let max = 0;
  for (const p of probs) if (p > max) max = p;
  for (let t = max * 1e-2; t > 1e-300; t *= 1e-2) {
    const ids: number[] = [];
    let mass = 0;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i]! >= t) {
        ids.push(i);
        mass += probs[i]!;
      }
    }
    // The margin covers summation-order rounding: any order of these ids reaches topP.
    if (mass >= topP + 1e-9) return ids;
  }
  return Array.from({ length: probs.length }, (_, i) => i);
}

function softmax(x: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  const e = new Float64Array(x.length);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    e[i] = Math.exp(x[i]! - max);
    total += e[i]!;
  }
  for (let i = 0; i < x.length; i++) e[i] = e[i]! / total;
  return e;
}

/** Inverse-CDF draw over kept ids in ascending order; probs need not be normalised. */
export function drawIndex(probs: Float64Array, keep: Uint8Array, u: number): number {
  let total = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (keep[i]) {
      total += probs[i]!;
      last = i;
    }
  }
  const target = u * total;
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    if (!keep[i]) continue;
    acc += probs[i]!;
    if (target < acc) return i;
  }
  return last;
}

export function guidedLogits(cond: Logits, uncond: Logits | null, scale: number): Float64Array {
  const out = Float64Array.from(cond);
  if (uncond === null || scale === 1) return out;
  for (let i = 0; i < out.length; i++) out[i] = uncond[i]! + scale * (cond[i]! - uncond[i]!);
  return out;
}

/** Index into `cond` drawn with exactly one PRNG draw (consumed even when greedy). */
export function sampleToken(
  cond: Logits,
  uncond: Logits | null,
  s: SamplingSettings,
  prng: Prng,
): number {
  const u = prng.uniform();
  const d = pipeline(cond, uncond, s);
  return 'index' in d ? d.index : drawIndex(d.probs, d.keep, u);
}

/**
 * The distribution `sampleToken` draws from, over the indices of `cond`, normalised, zero
 * outside what the pipeline keeps (a point mass when greedy). Speculative decoding accepts and
 * resamples against it, so its tokens follow the same distribution as the plain loop's.
 */
export function tokenDistribution(
  cond: Logits,
  uncond: Logits | null,
  s: SamplingSettings,
): Float64Array {
  const d = pipeline(cond, uncond, s);
  const out = new Float64Array(cond.length);
  if ('index' in d) {
    out[d.index] = 1;
    return out;
  }
  let total = 0;
  for (let i = 0; i < out.length; i++) if (d.keep[i]) total += d.probs[i]!;
  for (let i = 0; i < out.length; i++) if (d.keep[i]) out[i] = d.probs[i]! / total;
  return out;
}

/** The pipeline up to its draw: a greedy pick, or probabilities and the ids kept for the draw. */
function pipeline(
  cond: Logits,
  uncond: Logits | null,
  s: SamplingSettings,
): { index: number } | { probs: Float64Array; keep: Uint8Array } {
  if (s.cdk !== null && uncond !== null) return contrastive(cond, uncond, s.cdk);
  const logits = guidedLogits(cond, uncond, s.cfgScale);
  if (s.temperature <= 0) return { index: descendingOrder(logits)[0]! };
  for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! / s.temperature;
  const keep = new Uint8Array(logits.length).fill(1);
  if (s.topK > 0 && s.topK < logits.length) {
    keep.fill(0);
    for (const i of descendingOrder(logits).slice(0, s.topK)) keep[i] = 1;
  }
  const topK = s.topK > 0 && s.topK < logits.length;
  if (topK) for (let i = 0; i < logits.length; i++) if (!keep[i]) logits[i] = -Infinity;
  const probs = softmax(logits);
  if (s.topP < 1) {
    const order = descendingOrder(nucleusCandidates(probs, s.topP), probs);
    const nucleus = new Uint8Array(probs.length);
    let cum = 0;
    for (const i of order) {
      nucleus[i] = 1;
      cum += probs[i]!;
      if (cum >= s.topP) break;
    }
    for (let i = 0; i < keep.length; i++) keep[i] = keep[i]! & nucleus[i]!;
  }
  return { probs, keep };
}

/** CM3Leon's CD-K: log p_EXP − log p_AMA over V = {t : p_EXP(t) ≥ α · k-th largest p_EXP}. */
function contrastive(
  cond: Logits,
  uncond: Logits,
  cdk: { alpha: number; k: number; tau: number },
): { index: number } | { probs: Float64Array; keep: Uint8Array } {
  const pExp = softmax(Float64Array.from(cond));
  const pAma = softmax(Float64Array.from(uncond));
  const kth = pExp[descendingOrder(pExp)[Math.min(cdk.k, pExp.length) - 1]!]!;
  const keep = new Uint8Array(pExp.length);
  const score = new Float64Array(pExp.length);
  for (let i = 0; i < pExp.length; i++) {
    keep[i] = pExp[i]! >= cdk.alpha * kth ? 1 : 0;
    score[i] = keep[i]
      ? Math.log(Math.max(pExp[i]!, 1e-300)) - Math.log(Math.max(pAma[i]!, 1e-300))
      : -Infinity;
  }
  if (cdk.tau <= 0) return { index: descendingOrder(score)[0]! };
  const probs = softmax(score.map((x) => x / cdk.tau));
  for (let i = 0; i < probs.length; i++) if (!keep[i]) probs[i] = 0;
  return { probs, keep };
}
