/**
 * Runs `vq-ar` jobs for the inference host: progress, previews and checkpoints as events,
 * cancel and pause between decoder runs, and results as RGB bytes plus the token record.
 */
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobResult,
} from '../../../common/inference-contract.ts';
import { parallelDecodingRefusal } from '../../../common/parallel-decoding.ts';
import type { Emit, JobControl } from '../types.ts';
import { featheredComposite } from '../../engine/image/composite.ts';
import { captionCodes, scoreTexts } from './caption.ts';
import { decodeCodes, generateCodes } from './generate.ts';
import { encodeImage, infillCodes, maskToSegments } from './infill.ts';
import type { VqArModel } from './model.ts';
import { generationEvents, infillEvents } from '../shared/code-events.ts';
import { b64, decodeRgb } from '../shared/job-io.ts';

const CHECKPOINT_EVERY = 8; // codes: one grid row

/** The partial grid decoded, with rows not yet sampled painted grey. */
async function preview(model: VqArModel, codes: readonly number[]): Promise<Uint8Array> {
  const g = model.grid;
  const total = g * g;
  const filled = [
    ...codes,
    ...new Array<number>(total - codes.length).fill(codes[codes.length - 1] ?? 0),
  ];
  const rgb = await decodeCodes(model, filled);
  const { width } = model.manifest.image;
  const cell = width / g;
  const firstGreyPixelRow = Math.floor(codes.length / g) * cell;
  rgb.fill(128, firstGreyPixelRow * width * 3);
  return rgb;
}

export async function runGenerate(
  model: VqArModel,
  req: GenerateRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const total = model.grid ** 2;
  const started = Date.now();
  const resumeFrom = req.resumeFrom?.codes;
  const decoding = req.sampling.decoding;
  const refusal = decoding === undefined ? null : parallelDecodingRefusal(model.manifest);
  if (refusal !== null) throw new RangeError(refusal);
  const document = model.document(req.prompt, req.retrieval ?? 'auto');
  const codes = await generateCodes(model, {
    promptIds: model.promptIds(req.prompt, req.style),
    documentIds: model.documentIds(document),
    ...(req.negativePrompt.trim() === ''
      ? {}
      : { negativeIds: model.promptIds(req.negativePrompt, null) }),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings: req.sampling,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    ...(decoding === undefined ? {} : { decoding }),
    afterCode: generationEvents(emit, control, total, CHECKPOINT_EVERY, (sofar) =>
      preview(model, sofar),
    ),
  });
  if (codes.length < total) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes } });
    return 'stopped';
  }
  emit({
    type: 'progress',
    done: total,
    total,
    unit: 'token',
    ratePerSecond: (total / Math.max(1, Date.now() - started)) * 1000,
  });
  const { width, height } = model.manifest.image;
  return {
    task: 'generate',
    codes,
    imageRgb: b64(await decodeCodes(model, codes)),
    width,
    height,
    document,
  };
}

export async function runInfill(
  model: VqArModel,
  req: InfillRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  if (req.sampling.decoding !== undefined)
    throw new RangeError(
      'parallel decoding is for generation; an infill decodes one token per run: leave the decoding setting out',
    );
  const { width, height } = model.manifest.image;
  const source = decodeRgb(model, req.imageRgb, 'the image');
  const mask = new Uint8Array(Buffer.from(req.mask, 'base64'));
  if (mask.length !== width * height) {
    throw new RangeError(
      `the mask must be ${width}×${height} (one byte per pixel), got ${mask.length} bytes`,
    );
  }
  const codes = await encodeImage(model, source);
  const segments = maskToSegments(mask, width, model.grid);
  const out = await infillCodes(model, {
    codes,
    segments,
    promptIds: model.promptIds(req.prompt, req.style),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings: req.sampling,
    afterCode: infillEvents(emit, control, (grid) => decodeCodes(model, grid)),
  });
  if (out === null) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes: [] } });
    return 'stopped';
  }
  const generated = await decodeCodes(model, out);
  const composite = featheredComposite(source, generated, mask, width, height, req.featherPx);
  return { task: 'infill', codes: out, imageRgb: b64(composite), width, height };
}

export async function runCaption(model: VqArModel, req: CaptionRequest): Promise<JobResult> {
  const codes = await encodeImage(model, decodeRgb(model, req.imageRgb, 'the image'));
  return { task: 'caption', caption: await captionCodes(model, codes, req.sampling) };
}

export async function runScore(
  model: VqArModel,
  imageRgb: string,
  texts: string[],
): Promise<JobResult> {
  const codes = await encodeImage(model, decodeRgb(model, imageRgb, 'the image'));
  const ids = texts.map((t) => model.promptIds(t, null));
  const logProbs = await scoreTexts(model, codes, ids);
  return { task: 'score', logProbs, tokens: ids.map((x) => x.length + 1) };
}
