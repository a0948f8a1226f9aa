/**
 * The two diffusion objectives' samplers in float64, step for step as
 * native-models/tessera_models/transfusion/schedule.py computes them (the goldens hold the two
 * together). The network's time input is t ∈ [0, 1], 1 = pure noise.
 *
 * ddpm: DDIM (η = 0) over S steps k_i = round((T − 1)·(1 − i/S)), then ᾱ = 1; the network
 *       predicts ε and x̂₀ = (x − √(1 − ᾱ)·ε)/√ᾱ, clipped to [−1, 1].
 * flow: Euler over S uniform steps t_i = 1 − i/S; the network predicts v = ε − x₀ and
 *       x̂₀ = x − t·v; Heun adds a corrector at every step but the last; the midpoint rule
 *       takes each step with the velocity at the half-way time, reached by half an Euler step.
 */

/** Python's round(): halves go to the even neighbour, so the step indices agree exactly. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function ddimSteps(timesteps: number, steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => roundHalfEven((timesteps - 1) * (1 - i / steps)));
}

export function flowTimes(steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => 1 - i / steps);
}

const clip = (v: number) => (v < -1 ? -1 : v > 1 ? 1 : v);

// Plain loops: a typed array's map() with a closure costs several times more, and these run on
// every value at every step.

export function ddimX0(x: Float64Array, eps: Float64Array, a: number): Float64Array {
  const s = Math.sqrt(1 - a);
  const r = Math.sqrt(a);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = clip((x[i]! - s * eps[i]!) / r);
  return out;
}

/**
 * x at ᾱ = aNext from x at ᾱ = a, given x̂₀ = ddimX0(x, ε, a); ε is re-derived from the clipped
 * x̂₀ (schedule.py), so the step stays on the data range even where ᾱ is near 0.
 */
export function ddimStep(
  x: Float64Array,
  x0: Float64Array,
  a: number,
  aNext: number,
): Float64Array {
  const sa = Math.sqrt(a);
  const s1a = Math.sqrt(1 - a);
  const sn = Math.sqrt(aNext);
  const s1n = Math.sqrt(1 - aNext);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = sn * x0[i]! + s1n * ((x[i]! - sa * x0[i]!) / s1a);
  return out;
}

export function flowX0(x: Float64Array, v: Float64Array, t: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = clip(x[i]! - t * v[i]!);
  return out;
}

export function eulerStep(
  x: Float64Array,
  v: Float64Array,
  t: number,
  tNext: number,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + (tNext - t) * v[i]!;
  return out;
}

export type Objective = 'ddpm' | 'flow';

/** a·x + b·noise, value by value. */
function mix(x: Float64Array, a: number, noise: Float64Array, b: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i]! + b * noise[i]!;
  return out;
}

/** x at a noisier level from a cleaner one by the forward process (RePaint's resampling). */
export function renoiseBack(
  x: Float64Array,
  noise: Float64Array,
  objective: Objective,
  levelFrom: number,
  levelTo: number,
): Float64Array {
  if (objective === 'ddpm') {
    const ratio = levelTo / levelFrom;
    return mix(x, Math.sqrt(ratio), noise, Math.sqrt(1 - ratio));
  }
  const scale = (1 - levelTo) / (1 - levelFrom);
  return mix(x, scale, noise, Math.sqrt(Math.max(0, levelTo ** 2 - (scale * levelFrom) ** 2)));
}

/** Known values at a noise level: ᾱ (ddpm) or t (flow). */
export function renoiseKnown(
  x0: Float64Array,
  noise: Float64Array,
  objective: Objective,
  level: number,
): Float64Array {
  return objective === 'ddpm'
    ? mix(x0, Math.sqrt(level), noise, Math.sqrt(1 - level))
    : mix(x0, 1 - level, noise, level);
}
