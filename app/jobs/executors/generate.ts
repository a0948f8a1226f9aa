/**
 * A queued generation: one image (the best of `bestOf` candidates, ranked by the model's own
 * p(prompt | image)), checkpointed as it goes so a pause, a crash or a power cut resumes it
 * exactly, then stored in the library with its full recipe.
 */
import { diffusionFor } from '../../common/diffusion-settings.ts';
import { decodingFor } from '../../common/parallel-decoding.ts';
import type { GenerateRequest } from '../../common/inference-contract.ts';
import {
  generateJobSchema,
  imageCheckpointSchema,
  type GenerateJob,
  type ImageCheckpoint,
} from '../../common/queue-contract.ts';
import type { ExecutionContext, ExecutionOutcome, Executor } from '../execution.ts';
import { pngOf, recipeOf, type ImageOutcome } from '../outcome-png.ts';
import { replayParent, replaySummary, reproducesOriginal, wrongModel } from '../replay-outcome.ts';
import { forwardStops } from './forward-stops.ts';
import { storeImage } from './store-image.ts';

interface Finished {
  imageIndex: number;
  document: ImageOutcome['document'];
  codes: number[];
  rgb: Uint8Array;
  score: number | null;
  provider: ImageOutcome['provider'];
}

async function selfScore(ctx: ExecutionContext, req: GenerateJob, rgb: Uint8Array) {
  const end = await ctx.client.run({
    task: 'score',
    modelDir: ctx.model.dir,
    provider: req.provider,
    threads: req.threads,
    imageRgb: Buffer.from(rgb).toString('base64'),
    texts: [req.prompt],
  });
  if (end.type !== 'completed' || end.result.task !== 'score')
    throw new Error(end.type === 'failed' ? end.message : `scoring ended: ${end.type}`);
  return end.result.logProbs[0]! / end.result.tokens[0]!;
}

/** Runs (or resumes) one candidate; returns its pixels or how the run ended instead. */
async function runCandidate(
  ctx: ExecutionContext,
  req: GenerateJob,
  cp: ImageCheckpoint,
  imageIndex: number,
  resumeCodes: number[] | null,
  candidateNo: number,
): Promise<Finished | ExecutionOutcome> {
  const stops = forwardStops(ctx);
  const request: GenerateRequest = {
    task: 'generate',
    modelDir: ctx.model.dir,
    provider: req.provider,
    threads: req.threads,
    prompt: req.prompt,
    negativePrompt: req.negativePrompt,
    style: req.style,
    seed: req.seed,
    imageIndex,
    sampling: req.sampling,
    resumeFrom: resumeCodes === null ? null : { codes: resumeCodes },
    ...(req.retrieval === undefined ? {} : { retrieval: req.retrieval }),
  };
  const { width, height } = ctx.model.manifest.image;
  const end = await ctx.client.run(
    request,
    (e) => {
      if (e.type === 'started') {
        ctx.emit({ type: 'started', provider: e.provider });
        if (e.notice !== null) ctx.emit({ type: 'notice', message: e.notice });
      } else if (e.type === 'progress') {
        ctx.progress(
          candidateNo * e.total + e.done,
          req.bestOf * e.total,
          e.unit === 'file' ? 'token' : e.unit,
          e.ratePerSecond,
        );
      } else if (e.type === 'preview') {
        ctx.emit({ type: 'preview', imageRgb: e.imageRgb, width, height });
      } else if (e.type === 'checkpoint') {
        cp.partial = { imageIndex, state: e.state };
        ctx.checkpoint(cp);
      }
    },
    stops.inferenceId,
  );
  stops.done();
  if (end.type === 'paused') {
    cp.partial = { imageIndex, state: end.state };
    return { status: 'paused', checkpoint: cp };
  }
  if (end.type === 'cancelled') return { status: 'cancelled' };
  if (end.type === 'failed')
    return { status: 'failed', code: end.code, message: end.message, retryable: end.retryable };
  if (end.result.task !== 'generate')
    return { status: 'failed', code: 'internal', message: 'wrong result', retryable: false };
  return {
    imageIndex,
    document: end.result.document ?? null,
    codes: end.result.codes,
    rgb: new Uint8Array(Buffer.from(end.result.imageRgb, 'base64')),
    score: null,
    provider: end.provider,
  };
}

export const executeGenerate: Executor = async (ctx) => {
  const asked = generateJobSchema.parse(ctx.job.request);
  // A model that cannot check draft tokens decodes one per run, and its recipe says so.
  const { sampling, notice } = decodingFor(ctx.model.manifest, asked.sampling);
  if (notice !== null) ctx.emit({ type: 'notice', message: notice });
  // A diffusion model's steps and sampler, its defaults where none were asked, so the recipe
  // records what ran.
  const req = { ...asked, sampling: diffusionFor(ctx.model.manifest, sampling) };
  const refused = req.replay === undefined ? null : wrongModel(ctx, req.replay);
  if (refused !== null) return refused;
  const cp: ImageCheckpoint = imageCheckpointSchema
    .nullable()
    .parse(ctx.job.checkpoint ?? null) ?? { candidates: [], partial: null };
  const started = Date.now();
  const finished: Finished[] = [];
  for (let j = 0; j < req.bestOf; j++) {
    const imageIndex = req.imageIndex + j;
    const done = cp.candidates.find((c) => c.imageIndex === imageIndex);
    // A finished candidate from before an interruption is replayed from its codes: the
    // pixels come back identical without sampling anything again.
    const resume =
      done?.codes ?? (cp.partial?.imageIndex === imageIndex ? cp.partial.state.codes : null);
    const run = await runCandidate(ctx, req, cp, imageIndex, resume, j);
    if ('status' in run) return run;
    run.score = done?.score ?? (req.bestOf > 1 ? await selfScore(ctx, req, run.rgb) : null);
    finished.push(run);
    if (done === undefined) {
      cp.candidates.push({ imageIndex, codes: run.codes, score: run.score });
      cp.partial = null;
      ctx.checkpoint(cp);
    }
  }
  const best = finished.reduce((a, b) => ((b.score ?? -Infinity) > (a.score ?? -Infinity) ? b : a));
  const outcome: ImageOutcome = {
    task: 'generate',
    manifest: ctx.model.manifest,
    prompt: req.prompt,
    negativePrompt: req.negativePrompt,
    style: req.style,
    seed: req.seed,
    imageIndex: best.imageIndex,
    sampling: req.sampling,
    provider: best.provider,
    codes: best.codes,
    rgb: best.rgb,
    parent: null,
    selfScore: best.score === null ? null : { logProbPerToken: best.score, candidates: req.bestOf },
    document: best.document,
  };
  const replay = req.replay;
  if (replay !== undefined) {
    // The replayed candidate is the original's best-of-N winner: it keeps the winner's score.
    outcome.selfScore = replay.selfScore;
    outcome.replayOf = replay.sha256;
  }
  const assetId = await storeImage(ctx, {
    png: pngOf(outcome),
    recipe: recipeOf(outcome),
    codes: best.codes,
    durationMs: Date.now() - started,
    parent: replay === undefined ? null : replayParent(ctx, replay),
    boardId: req.boardId,
  });
  if (replay !== undefined) {
    const identical = reproducesOriginal(outcome, replay);
    return {
      status: 'completed',
      assetIds: [assetId],
      summary: replaySummary(replay, identical),
      result: { replayOf: replay.assetId, identical },
    };
  }
  return {
    status: 'completed',
    assetIds: [assetId],
    summary: `seed ${req.seed}${best.imageIndex ? ` #${best.imageIndex}` : ''}${best.score !== null ? `, self-score ${best.score.toFixed(3)} (best of ${req.bestOf})` : ''}`,
    result: { scores: finished.map((f) => f.score) },
  };
};
