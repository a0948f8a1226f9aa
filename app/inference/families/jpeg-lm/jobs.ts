/**
 * Runs `jpeg-lm` jobs for the inference host. Progress is counted in MCUs; after each MCU a
 * checkpoint (the body tokens so far) and a preview (the body prefix through the tolerant
 * decoder, MCUs not yet written grey). Cancel and pause are read after every token. Token
 * state and result `codes` are byte-BPE ids (model id − JPEG offset): the body's bytes.
 */
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobResult,
} from '../../../common/inference-contract.ts';
import { featheredComposite } from '../../engine/image/composite.ts';
import { parallelDecodingRefusal } from '../../../common/parallel-decoding.ts';
import type { Emit, JobControl } from '../types.ts';
import { captionImage, scoreTexts } from './caption.ts';
import { decodeBodyTokens, imageMcuTokens } from './image-tokens.ts';
import { runMcus, type McuRun } from './loop.ts';
import { maskedMcus } from './mcu-mask.ts';
import type { JpegLmModel } from './model.ts';
import { b64, decodeRgb, yieldToEventLoop } from '../shared/job-io.ts';

const toCodes = (model: JpegLmModel, body: readonly number[]) =>
  body.map((id) => id - model.vocab.jpegOffset);

function fromCodes(model: JpegLmModel, codes: readonly number[]): number[] {
  const size = model.vocab.bpe.size;
  for (const c of codes)
    if (!Number.isInteger(c) || c < 0 || c >= size)
      throw new RangeError(`saved token ${c} is not a JPEG token of this model (0..${size - 1})`);
  return codes.map((c) => c + model.vocab.jpegOffset);
}

/**
 * The loop's hooks for a job: yield and read the stop after every token; progress and a preview
 * after every MCU, and for a generation a checkpoint it can resume from.
 */
function jobHooks(
  model: JpegLmModel,
  control: JobControl,
  emit: Emit,
  checkpoints: boolean,
): Pick<McuRun, 'afterToken' | 'afterMcu'> {
  const total = model.jpeg.mcus;
  const started = Date.now();
  return {
    afterToken: async () => {
      await yieldToEventLoop();
      return control.stop === null;
    },
    afterMcu: (m, sofar) => {
      const done = m + 1;
      const seconds = Math.max(1, Date.now() - started) / 1000;
      emit({ type: 'progress', done, total, unit: 'mcu', ratePerSecond: done / seconds });
      if (checkpoints) emit({ type: 'checkpoint', state: { codes: toCodes(model, sofar) } });
      emit({ type: 'preview', imageRgb: b64(decodeBodyTokens(model, sofar).rgb), done });
    },
  };
}

export async function runGenerate(
  model: JpegLmModel,
  req: GenerateRequest,
  control: JobControl,
  emit: Emit,
): Promise<JobResult | 'stopped'> {
  const total = model.jpeg.mcus;
  const refusal =
    req.sampling.decoding === undefined ? null : parallelDecodingRefusal(model.manifest);
  if (refusal !== null) throw new RangeError(refusal);
  const resumeFrom = req.resumeFrom === null ? [] : fromCodes(model, req.resumeFrom.codes);
  const { body, mcusDone } = await runMcus(model, {
    captionIds: model.promptIds(req.prompt, req.style),
    ...(req.negativePrompt.trim() === ''
      ? {}
      : { negativeIds: model.vocab.captionIds(req.negativePrompt, null) }),
    known: new Array<null>(total).fill(null),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings: req.sampling,
    resumeFrom,
    ...(req.sampling.decoding === undefined ? {} : { decoding: req.sampling.decoding }),
    ...jobHooks(model, control, emit, true),
  });
  if (mcusDone < total) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes: toCodes(model, body) } });
    return 'stopped';
  }
  const { width, height } = model.manifest.image;
  const { rgb } = decodeBodyTokens(model, body);
  return { task: 'generate', codes: toCodes(model, body), imageRgb: b64(rgb), width, height };
}

/**
 * Known MCUs teacher-forced, masked ones sampled; the decoded image is composited over the
 * source outside the painted mask. A mask covering whole MCU rows from row N down is the
 * prefix completion "continue from the top N rows" (see mcu-mask.ts).
 */
export async function runInfill(
  model: JpegLmModel,
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
  const masked = maskedMcus(mask, { width, height, mcuSize: model.jpeg.mcuSize });
  const tokens = imageMcuTokens(model, source);
  const { body, mcusDone } = await runMcus(model, {
    captionIds: model.promptIds(req.prompt, req.style),
    known: tokens.map((t, m) => (masked[m] ? null : t)),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings: req.sampling,
    ...jobHooks(model, control, emit, false),
  });
  if (mcusDone < model.jpeg.mcus) {
    if (control.stop === 'pause') emit({ type: 'paused', state: { codes: [] } });
    return 'stopped';
  }
  const { rgb } = decodeBodyTokens(model, body);
  const composite = featheredComposite(source, rgb, mask, width, height, req.featherPx);
  return { task: 'infill', codes: toCodes(model, body), imageRgb: b64(composite), width, height };
}

export async function runCaption(model: JpegLmModel, req: CaptionRequest): Promise<JobResult> {
  const tokens = imageMcuTokens(model, decodeRgb(model, req.imageRgb, 'the image'));
  return { task: 'caption', caption: await captionImage(model, tokens, req.sampling) };
}

/** logProbs are totals in nats, as the contract has them; the reference's score is the mean. */
export async function runScore(
  model: JpegLmModel,
  imageRgb: string,
  texts: string[],
): Promise<JobResult> {
  const tokens = imageMcuTokens(model, decodeRgb(model, imageRgb, 'the image'));
  const scores = await scoreTexts(model, tokens, texts);
  return {
    task: 'score',
    logProbs: scores.map((s) => s.logProb),
    tokens: scores.map((s) => s.tokens),
  };
}
