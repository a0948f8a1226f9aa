/**
 * The denoising loop: prefill the text prefix once (rows [cond, uncond], uncond = each caption
 * token replaced by <null>; one row for an empty caption or guidance 1), then S steps over the
 * image block against that cache: patch_in at the step's time, the decoder with the image block
 * attending both ways, patch_out, guidance u + s·(c − u) and the solver step. The step's own
 * keys and values are dropped, never appended. Every network call is one batch of the rows.
 * Infill is RePaint: before each call the known values are the clean image noised to the
 * current level with fresh normals; with resample r each step is taken r times, going back to
 * the step's level by the forward process in between. All noise comes from the PRNG's noise
 * stream, drawn in the reference loop's order (native-models/…/transfusion/reference_loop.py).
 */
import { TesseraError } from '../../../common/errors.ts';
import type { DiffusionSampler } from '../../../common/inference-contract.ts';
import { Prng, PURPOSE_NOISE, streamId } from '../../engine/rng.ts';
import type { TransfusionModel } from './model.ts';
import { guided, guidedDdimStep } from './guided-step.ts';
import { ddimSteps, eulerStep, flowTimes, flowX0, renoiseBack, renoiseKnown } from './schedule.ts';

export const MAX_RESAMPLE = 20;

export interface DiffusionSettings {
  steps: number;
  cfgScale: number;
  sampler: DiffusionSampler;
  /** infill only: each step taken this many times (RePaint's r) */
  resample: number;
}

/** Settings or inputs a model cannot sample with; the message says what to do. */
export class DiffusionSettingsError extends TesseraError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** A model whose outputs went bad (NaN or infinite) while sampling. */
export class NonFiniteOutputError extends TesseraError {
  constructor(message: string) {
    super('model-invalid', message);
  }
}

/** Where a generation stands after `done` steps: enough to resume it exactly. */
export interface DenoiseState {
  done: number;
  x: Float64Array;
}

export interface Known {
  /** clean patch values of the source image, [N·C] */
  x0: Float64Array;
  /** 1 = keep, per patch value */
  keep: Uint8Array;
}

export interface DenoiseJob {
  captionIds: number[];
  seed: number;
  imageIndex: number;
  settings: DiffusionSettings;
  known?: Known;
  resumeFrom?: DenoiseState;
  /**
   * After each step: its index, the predicted clean image (the preview, no extra model cost)
   * and the state to resume from. Resolves false to stop. Both arrays are the loop's working
   * buffers, overwritten by the next step: read them before resolving, copy them to keep them.
   */
  afterStep?: (step: number, x0: Float64Array, state: DenoiseState) => Promise<boolean>;
}

export interface Denoised {
  /** the final clean patches in [−1, 1] (known values restored for infill) */
  x: Float64Array;
  calls: number;
}

/** Refuses settings outside the manifest's bounds and samplers before any work is done. */
export function checkSettings(model: TransfusionModel, s: DiffusionSettings): void {
  const d = model.diffusion;
  const [lo, hi] = d.bounds.steps;
  if (!Number.isInteger(s.steps) || s.steps < lo || s.steps > hi)
    throw new DiffusionSettingsError(
      `steps must be a whole number between ${lo} and ${hi}, not ${s.steps}: choose a step count in that range`,
    );
  const [glo, ghi] = d.bounds.cfgScale;
  if (!Number.isFinite(s.cfgScale) || s.cfgScale < glo || s.cfgScale > ghi)
    throw new DiffusionSettingsError(
      `guidance must be between ${glo} and ${ghi} for this model, not ${s.cfgScale}`,
    );
  if (!d.samplers.includes(s.sampler))
    throw new DiffusionSettingsError(
      `this ${d.objective} model samples with ${d.samplers.join(' or ')}, not ${s.sampler}`,
    );
  if (!Number.isInteger(s.resample) || s.resample < 1 || s.resample > MAX_RESAMPLE)
    throw new DiffusionSettingsError(
      `resample must be between 1 and ${MAX_RESAMPLE}, not ${s.resample}`,
    );
}

function normals(prng: Prng, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const [a, b] = prng.normalPair();
    out[i] = a;
    if (i + 1 < count) out[i + 1] = b;
  }
  return out;
}

export async function denoise(model: TransfusionModel, job: DenoiseJob): Promise<Denoised | null> {
  const s = job.settings;
  checkSettings(model, s);
  const d = model.diffusion;
  const sp = model.manifest.specialTokens;
  const prefix = [sp.bos, ...job.captionIds, sp.boi!];
  const rows: number[][] = [prefix];
  if (job.captionIds.length > 0 && s.cfgScale !== 1)
    rows.push([sp.bos, ...job.captionIds.map(() => sp.null), sp.boi!]);
  const b = rows.length;
  const { cache } = await model.decode(
    await model.embedText(rows),
    b,
    prefix.length,
    model.emptyCache(b),
    null,
  );
  const p = prefix.length;
  const n = d.patches * d.patchDim;
  const noise = new Prng(job.seed, streamId(job.imageIndex, PURPOSE_NOISE));
  let x = normals(noise, n);
  let start = 0;
  if (job.resumeFrom !== undefined) {
    if (job.resumeFrom.x.length !== n || job.resumeFrom.done > s.steps)
      throw new DiffusionSettingsError(
        'the saved state does not fit this model and step count: start the generation again',
      );
    x = Float64Array.from(job.resumeFrom.x);
    start = job.resumeFrom.done;
  }
  let calls = 0;

  const network = model.imageNetwork(b, cache, [p, p + d.patches]);
  // The x whose values network.x holds on every row already (the fused DDIM step writes them
  // as it goes); every other x is copied in.
  let inBatch: Float64Array | null = null;
  /** The network's raw prediction for x at time t, [b·n] (overwritten by the next call). */
  const predict = (xIn: Float64Array, t: number): Promise<Float32Array> => {
    calls++;
    if (xIn !== inBatch) {
      network.x.set(xIn);
      for (let r = 1; r < b; r++) network.x.copyWithin(r * n, 0, n);
    }
    inBatch = null;
    return network.predict(t);
  };
  const nonFinite = () =>
    new NonFiniteOutputError(
      `the model produced NaN or infinite values at network call ${calls}: its graph files ` +
        'may be damaged; re-export or re-download the model',
    );
  const net = async (xIn: Float64Array, t: number): Promise<Float64Array> => {
    const g = guided(await predict(xIn, t), b, s.cfgScale);
    if (g === null) throw nonFinite();
    return g;
  };
  const known = job.known;
  const impose = (xIn: Float64Array, level: number): Float64Array => {
    if (known === undefined) return xIn;
    const out = renoiseKnown(known.x0, normals(noise, n), d.objective, level);
    for (let i = 0; i < n; i++) if (!known.keep[i]) out[i] = xIn[i]!;
    return out;
  };
  const back = (xIn: Float64Array, from: number, to: number) =>
    renoiseBack(xIn, normals(noise, n), d.objective, from, to);
  const repeats = known === undefined ? 1 : s.resample;
  const after = async (i: number, x0: Float64Array): Promise<boolean> =>
    job.afterStep === undefined ? true : job.afterStep(i, x0, { done: i + 1, x });

  if (d.objective === 'ddpm') {
    // The step works in place (x is always the loop's own: fresh noise, the resumed state's copy
    // or what impose() and back() return) and x̂₀ goes to one reused array.
    const x0 = new Float64Array(n);
    const alphas = d.alphasBar!;
    const ks = ddimSteps(d.timesteps, s.steps);
    for (let i = start; i < ks.length; i++) {
      const k = ks[i]!;
      const a = alphas[k]!;
      const aNext = i + 1 < ks.length ? alphas[ks[i + 1]!]! : 1;
      for (let j = 0; j < repeats; j++) {
        if (j > 0) x = back(x, aNext, a);
        x = impose(x, a);
        const out = await predict(x, k / d.timesteps);
        if (!guidedDdimStep(out, b, s.cfgScale, x, a, aNext, x0, network.x)) throw nonFinite();
        inBatch = x;
      }
      if (!(await after(i, x0))) return null;
    }
  } else {
    const ts = flowTimes(s.steps);
    for (let i = start; i < s.steps; i++) {
      const t = ts[i]!;
      const tNext = ts[i + 1]!;
      let x0 = x;
      for (let j = 0; j < repeats; j++) {
        if (j > 0) x = back(x, tNext, t);
        x = impose(x, t);
        const v = await net(x, t);
        x0 = flowX0(x, v, t);
        let moved: Float64Array;
        if (s.sampler === 'midpoint') {
          const tMid = 0.5 * (t + tNext);
          moved = eulerStep(x, await net(eulerStep(x, v, t, tMid), tMid), t, tNext);
        } else moved = eulerStep(x, v, t, tNext);
        if (s.sampler === 'heun' && tNext > 0) {
          const v2 = await net(moved, tNext);
          moved = eulerStep(
            x,
            v.map((vi, q) => 0.5 * (vi + v2[q]!)),
            t,
            tNext,
          );
        }
        x = moved;
      }
      if (!(await after(i, x0))) return null;
    }
  }
  const final = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    final[i] = known?.keep[i] ? known.x0[i]! : v < -1 ? -1 : v > 1 ? 1 : v;
  }
  return { x: final, calls };
}
