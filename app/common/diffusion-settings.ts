/**
 * Denoising settings (steps, sampler) belong to models whose manifest declares a `diffusion`
 * block, with its defaults, step bounds and samplers. A request's own settings are checked
 * against that block, and the defaults fill in what it leaves out, so every job runs, and its
 * recipe records, the settings it used: a replay then asks for exactly those. A model without
 * the block writes its image token by token and refuses them.
 */
import { TesseraError } from './errors.ts';
import {
  DIFFUSION_SAMPLER_NAMES,
  type DiffusionSampler,
  type DiffusionSettingsRequest,
  type Sampling,
} from './inference-contract.ts';
import { DIFFUSION_SAMPLERS, type ModelManifest } from './model-manifest.ts';

/** How often an infill may retake each step (RePaint's r). */
export const MAX_RESAMPLE = 20;

/** Denoising settings a model cannot run with; the message says what it takes. */
export class DiffusionRequestError extends TesseraError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** What a request may say: any values, checked here with the model's own words. */
export interface AskedDiffusion {
  steps?: number | undefined;
  sampler?: string | undefined;
  resample?: number | undefined;
}

/** Why `asked` does not fit `manifest`'s model, or null when it does. */
export function diffusionProblem(manifest: ModelManifest, asked: AskedDiffusion): string | null {
  const d = manifest.diffusion;
  if (d === undefined)
    return (
      `${manifest.id} is a ${manifest.family} model that writes its image token by token: ` +
      'steps and sampler are settings of diffusion models; leave them out'
    );
  const [lo, hi] = d.bounds.steps;
  if (
    asked.steps !== undefined &&
    (!Number.isInteger(asked.steps) || asked.steps < lo || asked.steps > hi)
  )
    return (
      `steps must be a whole number from ${lo} to ${hi} for ${manifest.id}, not ${asked.steps} ` +
      `(its default is ${d.defaults.steps})`
    );
  if (
    asked.resample !== undefined &&
    (!Number.isInteger(asked.resample) || asked.resample < 1 || asked.resample > MAX_RESAMPLE)
  )
    return `resample must be a whole number from 1 to ${MAX_RESAMPLE}, not ${asked.resample}`;
  const own: readonly string[] = d.samplers;
  const takes = `${manifest.id} samples with ${own.join(', ')} (default ${d.defaults.sampler})`;
  if (asked.sampler !== undefined && !own.includes(asked.sampler)) {
    const objective = (Object.keys(DIFFUSION_SAMPLERS) as (keyof typeof DIFFUSION_SAMPLERS)[]).find(
      (o) => (DIFFUSION_SAMPLERS[o] as readonly string[]).includes(asked.sampler!),
    );
    if (objective !== undefined && objective !== d.objective)
      return `${asked.sampler} is a sampler of ${objective} models; ${manifest.id} is a ${d.objective} model: ${takes}`;
    if (!(DIFFUSION_SAMPLER_NAMES as readonly string[]).includes(asked.sampler))
      return `"${asked.sampler}" is not a sampler Tessera knows: ${takes}`;
    return `${takes}, not ${asked.sampler}`;
  }
  return null;
}

/**
 * The settings a job runs with: `asked` completed with the manifest's defaults, or undefined
 * for a model without a `diffusion` block that was asked none. Throws a DiffusionRequestError
 * that says the allowed range or samplers.
 */
export function resolveDiffusion(
  manifest: ModelManifest,
  asked: AskedDiffusion | undefined,
): DiffusionSettingsRequest | undefined {
  if (manifest.diffusion === undefined && asked === undefined) return undefined;
  const problem = diffusionProblem(manifest, asked ?? {});
  if (problem !== null) throw new DiffusionRequestError(problem);
  const d = manifest.diffusion!.defaults;
  return {
    steps: asked?.steps ?? d.steps,
    sampler: (asked?.sampler as DiffusionSampler | undefined) ?? d.sampler,
    ...(asked?.resample === undefined ? {} : { resample: asked.resample }),
  };
}

/** `sampling` with its diffusion settings resolved (see resolveDiffusion). */
export function diffusionFor(manifest: ModelManifest, sampling: Sampling): Sampling {
  const diffusion = resolveDiffusion(manifest, sampling.diffusion);
  return diffusion === undefined ? sampling : { ...sampling, diffusion };
}

/** What a user may choose for a diffusion model: its samplers, step bounds and defaults. */
export interface DiffusionChoices {
  samplers: DiffusionSampler[];
  defaults: { steps: number; sampler: DiffusionSampler };
  bounds: { steps: [number, number] };
}

/** The model's denoising choices, or null for a model that has none (a token model). */
export function diffusionChoices(manifest: ModelManifest): DiffusionChoices | null {
  const d = manifest.diffusion;
  if (d === undefined) return null;
  return {
    samplers: [...d.samplers],
    defaults: { steps: d.defaults.steps, sampler: d.defaults.sampler },
    bounds: { steps: [d.bounds.steps[0], d.bounds.steps[1]] },
  };
}
