/**
 * A queued infill: the source (a library item, or a file opened from disk that the library keeps
 * by hash without making it an item) and the mask from the request, planned by infill-plan.ts (the
 * whole image at the model's resolution, or a region of a larger one), and the result stored with
 * its lineage (parent, operation, mask hash). The mask itself is kept too, so the result can be
 * replayed.
 */
import { diffusionFor } from '../../common/diffusion-settings.ts';
import { infillJobSchema, type InfillJob } from '../../common/queue-contract.ts';
import type { NewGeneration } from '../../gallery/index.ts';
import type { ExecutionContext, ExecutionOutcome, Executor } from '../execution.ts';
import { planInfill } from '../infill-plan.ts';
import { pngOf, recipeOf, type ImageOutcome } from '../outcome-png.ts';
import { replayParent, replaySummary, reproducesOriginal, wrongModel } from '../replay-outcome.ts';
import { forwardStops } from './forward-stops.ts';
import { storeImage } from './store-image.ts';

interface Source {
  bytes: Buffer;
  sha256: string;
  /** how the summary and errors name it */
  name: string;
  /** the lineage link of the result, unless it is a replay */
  parent: NewGeneration['parent'];
}

const failed = (code: string, message: string): ExecutionOutcome => ({
  status: 'failed',
  code,
  message,
  retryable: false,
});

/** The image to infill, read back by its hash so a file edited since cannot slip in. */
async function readSource(
  ctx: ExecutionContext,
  req: InfillJob,
): Promise<Source | ExecutionOutcome> {
  if (req.parentId !== undefined) {
    const parent = ctx.gallery.getItem(req.parentId);
    const bytes = parent === null ? null : await ctx.gallery.readImageBytes(parent.sha256);
    if (parent === null || bytes === null)
      return failed(
        'parent-missing',
        `library item ${req.parentId} (the image to infill) no longer exists, or its file is gone or was changed: restore it from the trash or pick another image`,
      );
    return {
      bytes,
      sha256: parent.sha256,
      name: `item ${parent.id}`,
      parent: { assetId: parent.id, op: 'infill', maskSha256: null },
    };
  }
  if (req.sourceSha256 !== undefined) {
    const bytes = await ctx.gallery.readImageBytes(req.sourceSha256);
    if (bytes === null)
      return failed(
        'source-missing',
        `the image to infill (sha256 ${req.sourceSha256.slice(0, 12)}…) is no longer kept by the library: open the file in Infill again`,
      );
    // Not a library item: the recipe's parent hash records it. Should the same bytes be in the
    // library after all, the gallery links them as the parent by that hash.
    return { bytes, sha256: req.sourceSha256, name: 'the opened file', parent: null };
  }
  return failed('bad-request', 'an infill names its image: a library item or an opened file');
}

export const executeInfill: Executor = async (ctx) => {
  const asked = infillJobSchema.parse(ctx.job.request);
  // A diffusion model's steps and sampler, its defaults where none were asked, so the recipe
  // records what ran.
  const req = { ...asked, sampling: diffusionFor(ctx.model.manifest, asked.sampling) };
  const refused = req.replay === undefined ? null : wrongModel(ctx, req.replay);
  if (refused !== null) return refused;
  const source = await readSource(ctx, req);
  if ('status' in source) return source;
  const { width, height } = ctx.model.manifest.image;
  const plan = await planInfill(source, req, width, height);
  if ('status' in plan) return plan;
  const started = Date.now();
  const stops = forwardStops(ctx);
  const end = await ctx.client.run(
    {
      task: 'infill',
      modelDir: ctx.model.dir,
      provider: req.provider,
      threads: req.threads,
      prompt: req.prompt,
      style: req.style,
      seed: req.seed,
      imageIndex: 0,
      sampling: req.sampling,
      imageRgb: Buffer.from(plan.modelRgb).toString('base64'),
      mask: Buffer.from(plan.modelMask).toString('base64'),
      featherPx: req.featherPx,
    },
    (e) => {
      if (e.type === 'started') {
        ctx.emit({ type: 'started', provider: e.provider });
        // The provider asked for could not start: the user learns the job ran on the CPU.
        if (e.notice !== null) ctx.emit({ type: 'notice', message: e.notice });
      } else if (e.type === 'progress') {
        ctx.progress(e.done, e.total, e.unit === 'file' ? 'token' : e.unit, e.ratePerSecond);
      } else if (e.type === 'preview') {
        ctx.emit({ type: 'preview', imageRgb: e.imageRgb, width, height });
      }
    },
    stops.inferenceId,
  );
  stops.done();
  // An infill keeps no token state: resuming runs it again, to the same bytes (same seed).
  if (end.type === 'paused') return { status: 'paused', checkpoint: null };
  if (end.type === 'failed')
    return { status: 'failed', code: end.code, message: end.message, retryable: end.retryable };
  if (end.type !== 'completed' || end.result.task !== 'infill') return { status: 'cancelled' };
  const mask = plan.keptMask;
  const maskSha256 = await ctx.gallery.storeMask(mask);
  const modelRgb = new Uint8Array(Buffer.from(end.result.imageRgb, 'base64'));
  const outcome: ImageOutcome = {
    task: 'infill',
    manifest: ctx.model.manifest,
    prompt: req.prompt,
    negativePrompt: '',
    style: req.style,
    seed: req.seed,
    imageIndex: 0,
    sampling: req.sampling,
    provider: end.provider,
    codes: end.result.codes,
    ...(await plan.finish(modelRgb)),
    parent: {
      sha256: source.sha256,
      maskSha256,
      featherPx: req.featherPx,
      ...(plan.square === null ? {} : { region: plan.square }),
    },
    selfScore: null,
    replayOf: req.replay?.sha256 ?? null,
  };
  const parent =
    req.replay !== undefined
      ? replayParent(ctx, req.replay)
      : source.parent === null
        ? null
        : { ...source.parent, maskSha256 };
  const assetId = await storeImage(ctx, {
    png: pngOf(outcome),
    recipe: recipeOf(outcome),
    codes: end.result.codes,
    durationMs: Date.now() - started,
    parent,
    boardId: req.boardId,
  });
  if (req.replay !== undefined) {
    const identical = reproducesOriginal(outcome, req.replay);
    return {
      status: 'completed',
      assetIds: [assetId],
      summary: replaySummary(req.replay, identical),
      result: { replayOf: req.replay.assetId, identical },
    };
  }
  const painted = mask.reduce((a, b) => a + (b ? 1 : 0), 0);
  const where =
    plan.region === null
      ? ''
      : ` (a ${plan.square!.side} px square around the mask, worked on at ${width}×${height})`;
  return {
    status: 'completed',
    assetIds: [assetId],
    summary: `seed ${req.seed}, ${painted} of ${mask.length} pixels regenerated from ${source.name}${where}`,
    ...(plan.region === null ? {} : { result: { region: plan.region } }),
  };
};
