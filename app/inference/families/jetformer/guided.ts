/**
 * Sampling one soft token's AR dims from the guided GMM (docs/models.md §jetformer): the
 * component k is drawn from the conditional mixture (logits × temperatureProbs, float64 softmax,
 * inverse CDF over ascending k) and reused for the unconditional row; each dim then follows
 * N(μ_c, σ_c²)^(1+w) · N(μ_u, σ_u²)^(−w), w = cfgScale − 1, with σ × temperatureScales. For two
 * Gaussians that product is the Gaussian of precision λ = (1+w)/σ_c² − w/σ_u² and mean
 * ((1+w)μ_c/σ_c² − wμ_u/σ_u²)/λ; where λ ≤ 0 it cannot be normalised and the dim falls back to
 * the conditional Gaussian, as the reference loop does.
 */
import { drawIndex } from '../../engine/logits/sample.ts';
import { TesseraError } from '../../../common/errors.ts';
import type { Prng } from '../../engine/rng.ts';
import type { GmmOutput } from './model.ts';

export interface GmmSettings {
  cfgScale: number;
  temperatureProbs: number;
  temperatureScales: number;
}

/** Mean and std of the guided density of one dim (float64). */
export function guidedGaussian(
  muC: number,
  sdC: number,
  muU: number,
  sdU: number,
  w: number,
): { mean: number; std: number; fallback: boolean } {
  const pc = 1 / (sdC * sdC);
  const pu = 1 / (sdU * sdU);
  const lam = (1 + w) * pc - w * pu;
  if (!(lam > 0)) return { mean: muC, std: sdC, fallback: true };
  return {
    mean: ((1 + w) * muC * pc - w * muU * pu) / lam,
    std: 1 / Math.sqrt(lam),
    fallback: false,
  };
}

/** `count` standard normals from whole Box–Muller pairs (the odd one's twin is dropped). */
export function normals(prng: Prng, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const [a, b] = prng.normalPair();
    out[i] = a;
    if (i + 1 < count) out[i + 1] = b;
  }
  return out;
}

/** A model whose head went bad (NaN or infinite) while sampling; says what to do. */
export class NonFiniteError extends TesseraError {
  constructor(what: string) {
    super(
      'model-invalid',
      `${what}: its graph files are damaged or its weights diverged; re-export it, or choose another model`,
    );
  }
}

/**
 * One token's AR dims from the head's outputs for rows [cond, uncond] (uncond absent when
 * unguided), one uniform and ⌈d/2⌉ normal pairs from `prng`. Returns the component and dims.
 */
export function sampleToken(
  head: GmmOutput,
  guided: boolean,
  settings: GmmSettings,
  prng: Prng,
): { component: number; dims: Float32Array } {
  const k = head.logits.length / (guided ? 2 : 1);
  const d = head.means.length / ((guided ? 2 : 1) * k);
  const mix = new Float64Array(k);
  let max = -Infinity;
  for (let i = 0; i < k; i++) {
    mix[i] = head.logits[i]! * settings.temperatureProbs;
    if (mix[i]! > max) max = mix[i]!;
  }
  const probs = new Float64Array(k);
  for (let i = 0; i < k; i++) probs[i] = Math.exp(mix[i]! - max);
  if (!Number.isFinite(max) || probs.some((p) => !Number.isFinite(p)))
    throw new NonFiniteError('the GMM head returned non-finite mixture logits');
  const component = drawIndex(probs, new Uint8Array(k).fill(1), prng.uniform());
  const eps = normals(prng, d);
  const w = settings.cfgScale - 1;
  const dims = new Float32Array(d);
  const c = component * d;
  const u = k * d + component * d;
  for (let j = 0; j < d; j++) {
    const muC = head.means[c + j]!;
    const sdC = head.scales[c + j]! * settings.temperatureScales;
    let z: number;
    if (guided) {
      const sdU = head.scales[u + j]! * settings.temperatureScales;
      const g = guidedGaussian(muC, sdC, head.means[u + j]!, sdU, w);
      z = g.mean + g.std * eps[j]!;
    } else {
      z = muC + sdC * eps[j]!;
    }
    if (!Number.isFinite(z))
      throw new NonFiniteError('the GMM head returned a non-finite mean or scale');
    dims[j] = z;
  }
  return { component, dims };
}
