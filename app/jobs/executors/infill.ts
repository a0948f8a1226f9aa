/**
 * A queued infill of a library item: the parent's pixels at the model's resolution, the mask
 * from the request, and the result stored with its lineage (parent, operation, mask hash).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { infillJobSchema } from '../../common/queue-contract.ts';
import { toModelRgb } from '../../media/load-image.ts';
import type { Executor } from '../execution.ts';
import { pngOf, recipeOf, type ImageOutcome } from '../outcome-png.ts';
import { storeImage } from './store-image.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export const executeInfill: Executor = async (ctx) => {
  const req = infillJobSchema.parse(ctx.job.request);
  const parent = ctx.gallery.getItem(req.parentId);
  if (parent === null || parent.filePath === null)
    return {
      status: 'failed',
      code: 'parent-missing',
      message: `library item ${req.parentId} (the image to infill) no longer exists or its file is gone: restore it from the trash or pick another image`,
      retryable: false,
    };
  const size = ctx.model.manifest.image.width;
  const rgb = await toModelRgb(await readFile(parent.filePath), size, parent.filePath);
  const mask = new Uint8Array(Buffer.from(req.mask, 'base64'));
  if (mask.length !== size * ctx.model.manifest.image.height)
    return {
      status: 'failed',
      code: 'bad-mask',
      message: `the mask has ${mask.length} pixels but this model works at ${size}×${ctx.model.manifest.image.height}: paint the mask again for this model`,
      retryable: false,
    };
  const started = Date.now();
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
      imageRgb: Buffer.from(rgb).toString('base64'),
      mask: req.mask,
      featherPx: req.featherPx,
    },
    (e) => {
      if (e.type === 'started') ctx.emit({ type: 'started', provider: e.provider });
    },
  );
  if (end.type === 'failed')
    return { status: 'failed', code: end.code, message: end.message, retryable: end.retryable };
  if (end.type !== 'completed' || end.result.task !== 'infill') return { status: 'cancelled' };
  const maskSha256 = sha256(mask);
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
    rgb: new Uint8Array(Buffer.from(end.result.imageRgb, 'base64')),
    parent: { sha256: parent.sha256, maskSha256, featherPx: req.featherPx },
    selfScore: null,
  };
  const assetId = await storeImage(ctx, {
    png: pngOf(outcome),
    recipe: recipeOf(outcome),
    codes: end.result.codes,
    durationMs: Date.now() - started,
    parent: { assetId: parent.id, op: 'infill', maskSha256 },
    boardId: req.boardId,
  });
  const painted = mask.reduce((a, b) => a + (b ? 1 : 0), 0);
  return {
    status: 'completed',
    assetIds: [assetId],
    summary: `seed ${req.seed}, ${painted} of ${mask.length} pixels regenerated from item ${parent.id}`,
  };
};
