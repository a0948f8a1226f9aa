/**
 * Runs `janus-pro` jobs for the inference host: progress, previews of the codes so far and
 * checkpoints as events, cancel and pause between language-model runs, and results as RGB bytes
 * plus the codes. Captions take a picture at the understanding path's input size.
 */
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobResult,
} from '../../../common/inference-contract.ts';
import { featheredComposite } from '../../engine/image/composite.ts';
import { parallelDecodingRefusal } from '../../../common/parallel-decoding.ts';
import { generationEvents, infillEvents } from '../shared/code-events.ts';
import { b64 } from '../shared/job-io.ts';
import type { Emit, JobControl } from '../types.ts';
import { captionTokens } from './caption.ts';
import { decodeCodes, generateCodes } from './generate.ts';
import { encodeImage, infillCells, infillCodes } from './infill.ts';
import type { JanusModel } from './model.ts';
import { resizeRgb } from './resize.ts';
import { scoreTexts } from './score.ts';

/** Captions are one short sentence; the cap keeps a rambling model from running on. */
const CAPTION_MAX_TOKENS = 48;

/** The codes so far decoded, the rest of the grid filled with the last code, unsampled rows grey. */
async function preview(model: JanusModel, codes: readonly number[]): Promise<Uint8Array> {
  const g = model.grid;
  const filled = [...codes, ...new Array<number>(g * g - codes.length).fill(codes.at(-1) ?? 0)];
  const rgb = await decodeCodes(model, filled);
  const { width } = model.manifest.image;
  rgb.fill(128, Math.floor(codes.length / g) * (width / g) * width * 3);
  return rgb;
}

export async function runGenerate(
  model: JanusModel,
  req: GenerateRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const decoding = req.sampling.decoding;
  const refusal = decoding === undefined ? null : parallelDecodingRefusal(model.manifest);
  if (refusal !== null) throw new RangeError(refusal);
  if (req.negativePrompt.trim() !== '')
    throw new RangeError(
      `${model.manifest.id} guides with Janus's own unconditional prompt: leave the negative prompt empty`,
    );
  const g = model.grid;
  const total = g * g;
  const started = Date.now();
  const codes = await generateCodes(model, {
    promptIds: model.promptIds(req.prompt),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings: req.sampling,
    ...(req.resumeFrom === null ? {} : { resumeFrom: req.resumeFrom.codes }),
    ...(decoding === undefined ? {} : { decoding }),
    afterCode: generationEvents(emit, control, total, g, (sofar) => preview(model, sofar)),
  });
  if (codes.length < total) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes } });
    return 'stopped';
  }
  const ratePerSecond = (total / Math.max(1, Date.now() - started)) * 1000;
  emit({ type: 'progress', done: total, total, unit: 'token', ratePerSecond });
  const { width, height } = model.manifest.image;
  const imageRgb = b64(await decodeCodes(model, codes));
  return { task: 'generate', codes, imageRgb, width, height };
}

/**
 * A picture sent for the understanding path as RGB bytes: at the manifest's image size (what
 * the model generates, resized up to the SigLIP input) or already at the SigLIP input size.
 */
function understandingPicture(model: JanusModel, imageRgb: string): Uint8Array {
  const { width, height } = model.manifest.image;
  const { size } = model.layouts.imageInput;
  const sent = new Uint8Array(Buffer.from(imageRgb, 'base64'));
  const atManifestSize = width === height && sent.length === width * height * 3;
  const rgb = atManifestSize ? resizeRgb(sent, width, size) : sent;
  if (!atManifestSize && rgb.length !== size * size * 3)
    throw new RangeError(
      `the picture must be ${width}×${height} RGB (${width * height * 3} bytes), got ${rgb.length}`,
    );
  return rgb;
}

export async function runCaption(model: JanusModel, req: CaptionRequest): Promise<JobResult> {
  if (req.sampling !== null)
    throw new RangeError(`${model.manifest.id} captions greedily: leave caption sampling off`);
  const tokens = await captionTokens(
    model,
    understandingPicture(model, req.imageRgb),
    CAPTION_MAX_TOKENS,
  );
  const eos = model.manifest.specialTokens.eos;
  return { task: 'caption', caption: model.decode(tokens.filter((t) => t !== eos)).trim() };
}

/** log p(text | picture) per text; `tokens` counts each text's tokens and its <eos>. */
export async function runScore(
  model: JanusModel,
  imageRgb: string,
  texts: string[],
): Promise<JobResult> {
  const ids = texts.map((t) => model.encode(t));
  const logProbs = await scoreTexts(model, understandingPicture(model, imageRgb), ids);
  return { task: 'score', logProbs, tokens: ids.map((x) => x.length + 1) };
}

export async function runInfill(
  model: JanusModel,
  req: InfillRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  if (req.sampling.decoding !== undefined)
    throw new RangeError(
      'parallel decoding is for generation; an infill decodes one code per run: leave the decoding setting out',
    );
  const { width, height } = model.manifest.image;
  const source = new Uint8Array(Buffer.from(req.imageRgb, 'base64'));
  const mask = new Uint8Array(Buffer.from(req.mask, 'base64'));
  const cells = infillCells(model, mask);
  const codes = await encodeImage(model, source);
  const out = await infillCodes(model, {
    promptIds: model.promptIds(req.prompt),
    codes,
    cells,
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
