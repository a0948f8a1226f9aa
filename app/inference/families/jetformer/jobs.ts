/**
 * Runs `jetformer` jobs for the inference host: progress in soft tokens, a live preview (the
 * flow's inverse of the tokens so far, unknown ones zero), a checkpoint after every token (the
 * sampled AR dims, so a pause or a restart resumes from the same soft tokens), cancel and pause
 * between tokens, results as RGB bytes plus the final state as the token record.
 */
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobResult,
} from '../../../common/inference-contract.ts';
import type { Emit, JobControl } from '../types.ts';
import { bitsPerDim, captionImage, scoreImage } from './caption.ts';
import { factoredDims, generateTokens, softTokens } from './generate.ts';
import { infillImage } from './infill.ts';
import type { JetFormerModel } from './model.ts';
import { toU8 } from './pixels.ts';
import { gmmSettingsOf, GmmSettingsError } from './settings.ts';
import { decodeState, encodeState, type TokenState } from './state.ts';
import { b64, decodeRgb, yieldToEventLoop } from '../shared/job-io.ts';

/** Previews at most this many times per image: each is one run of the flow's inverse. */
const PREVIEWS = 16;

function reporter(model: JetFormerModel, emit: Emit, from: number) {
  const total = model.gmm.tokens;
  const every = Math.max(1, Math.round(total / PREVIEWS));
  const started = Date.now();
  return {
    total,
    progress(done: number) {
      const rate = ((done - from) / Math.max(1, Date.now() - started)) * 1000;
      emit({ type: 'progress', done, total, unit: 'token', ratePerSecond: rate });
    },
    wantsPreview: (done: number) => done % every === 0 || done === total,
  };
}

export async function runGenerate(
  model: JetFormerModel,
  req: GenerateRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const settings = gmmSettingsOf(model, req.sampling);
  if (req.negativePrompt.trim() !== '')
    throw new GmmSettingsError(
      'a jetformer model guides against its null caption only: leave the negative prompt empty',
    );
  const { tokens, arDims } = model.gmm;
  const resumeFrom =
    req.resumeFrom === null ? undefined : decodeState(req.resumeFrom.codes, tokens, arDims);
  const factored = factoredDims(model, req.seed, req.imageIndex);
  const report = reporter(model, emit, resumeFrom?.done ?? 0);
  let last: TokenState | null = resumeFrom ?? null;
  const out = await generateTokens(model, {
    captionIds: model.captionIds(req.prompt, req.style),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    afterToken: async (state) => {
      last = { done: state.done, ar: state.ar.slice() };
      report.progress(state.done);
      if (report.wantsPreview(state.done)) {
        const image = await model.decode(softTokens(model, state.ar, factored, state.done));
        emit({ type: 'preview', imageRgb: b64(toU8(image)), done: state.done });
      }
      emit({ type: 'checkpoint', state: { codes: encodeState(state, tokens, arDims) } });
      await yieldToEventLoop();
      return control.stop === null;
    },
  });
  if (out === null) {
    if (control.stop === 'pause' && last !== null)
      emit({ type: 'paused', state: { codes: encodeState(last, tokens, arDims) } });
    return 'stopped';
  }
  const { width, height } = model.manifest.image;
  return {
    task: 'generate',
    codes: encodeState({ done: tokens, ar: out.ar }, tokens, arDims),
    imageRgb: b64(toU8(await model.decode(out.tokens))),
    width,
    height,
  };
}

export async function runInfill(
  model: JetFormerModel,
  req: InfillRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const settings = gmmSettingsOf(model, req.sampling);
  const { width, height } = model.manifest.image;
  const source = decodeRgb(model, req.imageRgb, 'the image');
  const mask = new Uint8Array(Buffer.from(req.mask, 'base64'));
  if (mask.length !== width * height)
    throw new RangeError(
      `the mask must be ${width}×${height} (one byte per pixel), got ${mask.length} bytes`,
    );
  const report = reporter(model, emit, 0);
  const out = await infillImage(model, req, source, mask, settings, async (state, preview) => {
    report.progress(state.done);
    if (report.wantsPreview(state.done))
      emit({ type: 'preview', imageRgb: b64(await preview()), done: state.done });
    await yieldToEventLoop();
    return control.stop === null;
  });
  if (out === null) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes: [] } });
    return 'stopped';
  }
  const { tokens, arDims } = model.gmm;
  return {
    task: 'infill',
    codes: encodeState({ done: tokens, ar: out.ar }, tokens, arDims),
    imageRgb: b64(out.rgb),
    width,
    height,
  };
}

export async function runCaption(model: JetFormerModel, req: CaptionRequest): Promise<JobResult> {
  if (req.sampling !== null)
    throw new GmmSettingsError(
      'a jetformer model captions greedily only: leave the caption sampling settings out',
    );
  return {
    task: 'caption',
    caption: await captionImage(model, decodeRgb(model, req.imageRgb, 'the image')),
  };
}

export async function runScore(
  model: JetFormerModel,
  imageRgb: string,
  texts: string[],
): Promise<JobResult> {
  const rgb = decodeRgb(model, imageRgb, 'the image');
  const scored = await scoreImage(model, rgb, texts);
  // The image's own exact bits per dimension (unconditional: an empty caption), stored by the
  // library beside the texts' scores.
  return { task: 'score', ...scored, bitsPerDim: await bitsPerDim(model, rgb, '', null) };
}
