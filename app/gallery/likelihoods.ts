/**
 * An item's exact likelihood in bits per dimension under the model that measured it (schema
 * 80): stored when a model with exact likelihood makes a generation or scores an image, read by
 * the detail panel and by the "most surprising first" sort. One value per item, the latest.
 */
import type { GalleryContext } from './context.ts';
import { invalid } from './errors.ts';
import { assertAssetsExist, assertId } from './validate.ts';

export interface Likelihood {
  bitsPerDim: number;
  modelId: string;
  measuredAt: number;
}

/** Bits per dimension a real model can report: a non-negative finite number (8 bits is noise). */
export function assertBitsPerDim(bits: unknown): asserts bits is number {
  if (typeof bits !== 'number' || !Number.isFinite(bits) || bits < 0 || bits >= 1e6)
    throw invalid(
      `${String(bits)} is not a likelihood in bits per dimension: the model returned a broken value, measure the image again or re-export the model`,
    );
}

/** Writes the row; the caller holds the write transaction and has checked the asset exists. */
export function upsertLikelihoodRow(
  ctx: GalleryContext,
  assetId: number,
  modelId: string,
  bitsPerDim: number,
  now: number,
): void {
  ctx.run(
    `INSERT INTO likelihoods (asset_id, model_id, bits_per_dim, measured_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (asset_id) DO UPDATE SET model_id = excluded.model_id,
       bits_per_dim = excluded.bits_per_dim, measured_at = excluded.measured_at`,
    assetId,
    modelId,
    bitsPerDim,
    now,
  );
}

export function setLikelihood(
  ctx: GalleryContext,
  assetId: number,
  modelId: string,
  bitsPerDim: number,
): void {
  assertId(assetId);
  assertBitsPerDim(bitsPerDim);
  if (typeof modelId !== 'string' || modelId.trim() === '')
    throw invalid('a likelihood needs the id of the model that measured it');
  ctx.write(() => {
    assertAssetsExist(ctx, [assetId]);
    upsertLikelihoodRow(ctx, assetId, modelId, bitsPerDim, Date.now());
  });
}

export function likelihoodOf(ctx: GalleryContext, assetId: number): Likelihood | null {
  return (
    ctx.get<Likelihood>(
      `SELECT bits_per_dim AS bitsPerDim, model_id AS modelId, measured_at AS measuredAt
       FROM likelihoods WHERE asset_id = ?`,
      assetId,
    ) ?? null
  );
}
