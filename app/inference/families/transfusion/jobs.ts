/**
 * Runs `transfusion` jobs for the inference host: progress in denoising steps, the predicted
 * clean image as a preview at every step, a checkpoint after the first step and then at most once
 * a second (the latent, ~9,000 codes, so the queue does not write it at every fast step; a pause
 * or a restart resumes exactly), cancel and pause between steps, results as RGB bytes plus the
 * final state as the token record.
 */
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobResult,
  Sampling,
} from '../../../common/inference-contract.ts';
import { featheredComposite } from '../../engine/image/composite.ts';
import { InfillMaskError, type Emit, type JobControl } from '../types.ts';
import { captionImage, scoreImage } from './caption.ts';
import { denoise, DiffusionSettingsError, type DiffusionSettings } from './denoise.ts';
import type { TransfusionModel } from './model.ts';
import { patchify, patchifyMask, unpatchify } from './patches.ts';
import { decodeState, encodeState } from './state.ts';
import { b64, decodeRgb, yieldToEventLoop } from '../shared/job-io.ts';

const CHECKPOINT_INTERVAL_MS = 1000;

/** The request's denoising settings, the manifest's defaults where it names none. */
export function settingsOf(model: TransfusionModel, sampling: Sampling): DiffusionSettings {
  if (sampling.decoding !== undefined)
    throw new DiffusionSettingsError(
      'parallel decoding is for token models; a transfusion model denoises the whole image at every step: leave the decoding setting out',
    );
  const d = model.diffusion.defaults;
  return {
    steps: sampling.diffusion?.steps ?? d.steps,
    sampler: sampling.diffusion?.sampler ?? d.sampler,
    cfgScale: sampling.cfgScale,
    resample: sampling.diffusion?.resample ?? 1,
  };
}

function pixels(model: TransfusionModel, x: ArrayLike<number>): Uint8Array {
  return unpatchify(x, model.manifest.image.width, model.manifest.image.patch!);
}

export async function runGenerate(
  model: TransfusionModel,
  req: GenerateRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const settings = settingsOf(model, req.sampling);
  if (req.negativePrompt.trim() !== '')
    throw new DiffusionSettingsError(
      'a transfusion model guides against its null caption only: leave the negative prompt empty',
    );
  const values = model.diffusion.patches * model.diffusion.patchDim;
  const resumeFrom =
    req.resumeFrom === null ? undefined : decodeState(req.resumeFrom.codes, settings.steps, values);
  const started = Date.now();
  const from = resumeFrom?.done ?? 0;
  let last = resumeFrom ?? null;
  let lastCheckpoint = -Infinity;
  const out = await denoise(model, {
    captionIds: model.captionIds(req.prompt, req.style),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    afterStep: async (step, x0, state) => {
      last = state;
      const done = step + 1;
      const rate = ((done - from) / Math.max(1, Date.now() - started)) * 1000;
      emit({ type: 'progress', done, total: settings.steps, unit: 'step', ratePerSecond: rate });
      emit({ type: 'preview', imageRgb: b64(pixels(model, x0)), done });
      if (Date.now() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) {
        lastCheckpoint = Date.now();
        emit({ type: 'checkpoint', state: { codes: encodeState(state, settings.steps) } });
      }
      await yieldToEventLoop();
      return control.stop === null;
    },
  });
  if (out === null) {
    if (control.stop === 'pause' && last !== null)
      emit({ type: 'paused', state: { codes: encodeState(last, settings.steps) } });
    return 'stopped';
  }
  const { width, height } = model.manifest.image;
  return {
    task: 'generate',
    codes: encodeState({ done: settings.steps, x: out.x }, settings.steps),
    imageRgb: b64(pixels(model, out.x)),
    width,
    height,
  };
}

export async function runInfill(
  model: TransfusionModel,
  req: InfillRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const settings = settingsOf(model, req.sampling);
  const { width, height, patch } = model.manifest.image;
  const source = decodeRgb(model, req.imageRgb, 'the image');
  const mask = new Uint8Array(Buffer.from(req.mask, 'base64'));
  if (mask.length !== width * height)
    throw new RangeError(
      `the mask must be ${width}×${height} (one byte per pixel), got ${mask.length} bytes`,
    );
  const fill = mask.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  if (fill === 0)
    throw new InfillMaskError('the infill mask marks nothing to fill: paint the area to redraw');
  if (fill === mask.length)
    throw new InfillMaskError(
      'the infill mask covers the whole image: generate instead, or leave some pixels unmasked',
    );
  const keepPixels = mask.map((v) => (v === 0 ? 1 : 0));
  const started = Date.now();
  const out = await denoise(model, {
    captionIds: model.captionIds(req.prompt, req.style),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings,
    known: { x0: patchify(source, width, patch!), keep: patchifyMask(keepPixels, width, patch!) },
    afterStep: async (step, x0) => {
      const done = step + 1;
      const rate = (done / Math.max(1, Date.now() - started)) * 1000;
      emit({ type: 'progress', done, total: settings.steps, unit: 'step', ratePerSecond: rate });
      emit({ type: 'preview', imageRgb: b64(pixels(model, x0)), done });
      await yieldToEventLoop();
      return control.stop === null;
    },
  });
  if (out === null) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes: [] } });
    return 'stopped';
  }
  const generated = pixels(model, out.x);
  const composite = featheredComposite(source, generated, mask, width, height, req.featherPx);
  return {
    task: 'infill',
    codes: encodeState({ done: settings.steps, x: out.x }, settings.steps),
    imageRgb: b64(composite),
    width,
    height,
  };
}

export async function runCaption(model: TransfusionModel, req: CaptionRequest): Promise<JobResult> {
  const rgb = decodeRgb(model, req.imageRgb, 'the image');
  return { task: 'caption', caption: await captionImage(model, rgb, req.sampling) };
}

export async function runScore(
  model: TransfusionModel,
  imageRgb: string,
  texts: string[],
): Promise<JobResult> {
  const scored = await scoreImage(model, decodeRgb(model, imageRgb, 'the image'), texts);
  return { task: 'score', ...scored };
}
