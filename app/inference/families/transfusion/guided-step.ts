/**
 * Classifier-free guidance on the network's raw output, and the DDIM step fused with it. A
 * denoising step of a small model lasts well under a millisecond, so the loop's own arithmetic
 * shows beside the graphs: the fused step reads the output and x once and writes x̂₀ and the next
 * x in one pass, value for value the arithmetic of guided() then schedule.ts's ddimX0 and
 * ddimStep (guided-step.test.ts holds them equal bit for bit).
 *
 * `out` is the prediction for `rows` rows of n values, [cond, uncond] when guided. `v − v` is 0
 * for a finite v and NaN otherwise, so one running sum checks every value without a branch.
 */

const clip = (v: number) => (v < -1 ? -1 : v > 1 ? 1 : v);

/** u + scale·(c − u) per value (the output itself for one row); null if any value is not finite. */
export function guided(out: Float32Array, rows: number, scale: number): Float64Array | null {
  const n = out.length / rows;
  const g = new Float64Array(n);
  let check = 0;
  if (rows === 1)
    for (let i = 0; i < n; i++) {
      const c = out[i]!;
      check += c - c;
      g[i] = c;
    }
  else
    for (let i = 0; i < n; i++) {
      const c = out[i]!;
      const u = out[n + i]!;
      check += c - c + (u - u);
      g[i] = u + scale * (c - u);
    }
  return check === 0 ? g : null;
}

/**
 * The DDIM step from ᾱ = a to aNext on the guided ε in `out`: x̂₀ into `x0`, the next x into `x`
 * (in place) and, as float32, into each of the `rows` rows of `batch` (the network's next input)
 * when given. False, with x, x0 and batch undefined, if any output value is not finite.
 */
export function guidedDdimStep(
  out: Float32Array,
  rows: number,
  scale: number,
  x: Float64Array,
  a: number,
  aNext: number,
  x0: Float64Array,
  batch: Float32Array | null = null,
): boolean {
  const n = x.length;
  const s = Math.sqrt(1 - a);
  const r = Math.sqrt(a);
  const sn = Math.sqrt(aNext);
  const s1n = Math.sqrt(1 - aNext);
  let check = 0;
  for (let i = 0; i < n; i++) {
    const c = out[i]!;
    let eps = c;
    check += c - c;
    if (rows === 2) {
      const u = out[n + i]!;
      check += u - u;
      eps = u + scale * (c - u);
    }
    const xi = x[i]!;
    const x0i = clip((xi - s * eps) / r);
    x0[i] = x0i;
    const next = sn * x0i + s1n * ((xi - r * x0i) / s);
    x[i] = next;
    if (batch !== null) {
      batch[i] = next;
      if (rows === 2) batch[n + i] = next;
    }
  }
  return check === 0;
}
