/**
 * The synchronous row writes of a new item, run inside one transaction after its file is on
 * disk. Shared by addGeneration/addPhoto and the benchmark's bulk loader.
 */
import type { Recipe } from '../common/recipe.ts';
import type { GalleryContext } from './context.ts';
import { EMBEDDING_VERSION, embeddingToBlob } from './image-embedding.ts';
import { upsertLikelihoodRow } from './likelihoods.ts';

export interface GenerationRows {
  sha256: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  createdAt: number;
  hasThumb: boolean;
  recipe: Recipe;
  tokens: Buffer;
  jobId: string | null;
  durationMs: number | null;
  parent: { assetId: number; op: string; maskSha256: string | null } | null;
  boardId: number | null;
  embedding: Float32Array | null;
  bitsPerDim: number | null;
}

/** Adds the item to every auto-add board and to `boardId`, if given. */
function addToBoards(ctx: GalleryContext, assetId: number, boardId: number | null, now: number) {
  ctx.run(
    `INSERT OR IGNORE INTO board_assets (board_id, asset_id, added_at)
     SELECT id, ?, ? FROM boards WHERE auto_add = 1 OR id = ?`,
    assetId,
    now,
    boardId,
  );
}

export function insertEmbedding(ctx: GalleryContext, assetId: number, vec: Float32Array): void {
  ctx.run(
    `INSERT INTO embeddings (asset_id, version, vec) VALUES (?, ?, ?)
     ON CONFLICT (asset_id) DO UPDATE SET version = excluded.version, vec = excluded.vec`,
    assetId,
    EMBEDDING_VERSION,
    embeddingToBlob(vec),
  );
}

/**
 * Inserts a generation. Identical bytes are one asset: a generation that reproduces an
 * existing image (a replay, say) returns that asset, restored from the trash if needed.
 */
export function insertGenerationRows(ctx: GalleryContext, g: GenerationRows): number {
  const existing = ctx.get<{ id: number }>('SELECT id FROM assets WHERE sha256 = ?', g.sha256);
  if (existing !== undefined) {
    ctx.run('UPDATE assets SET deleted_at = NULL WHERE id = ?', existing.id);
    addToBoards(ctx, existing.id, g.boardId, g.createdAt);
    if (g.bitsPerDim !== null)
      upsertLikelihoodRow(ctx, existing.id, g.recipe.modelId, g.bitsPerDim, g.createdAt);
    return existing.id;
  }
  const { id } = ctx.get<{ id: number }>(
    `INSERT INTO assets (sha256, kind, mime, width, height, bytes, origin, created_at, has_thumb)
     VALUES (?, 'generation', ?, ?, ?, ?, 'generated', ?, ?) RETURNING id`,
    g.sha256,
    g.mime,
    g.width,
    g.height,
    g.bytes,
    g.createdAt,
    g.hasThumb ? 1 : 0,
  )!;
  const r = g.recipe;
  const params = {
    sampling: r.sampling,
    steps: r.steps,
    pipelineVersion: r.pipelineVersion,
    width: r.width,
    height: r.height,
  };
  ctx.run(
    `INSERT INTO generations (asset_id, job_id, model_id, model_sha, family, task, prompt,
       negative_prompt, style, seed, image_index, params_json, recipe_json, rng_version, tokens,
       tokens_sha, provider, duration_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    g.jobId,
    r.modelId,
    r.modelSha256,
    r.family,
    r.task,
    r.prompt,
    r.negativePrompt,
    r.style,
    r.seed,
    r.imageIndex,
    JSON.stringify(params),
    JSON.stringify(r),
    r.prngVersion,
    g.tokens,
    r.tokensSha256,
    r.provider,
    g.durationMs,
  );
  const parent = g.parent ?? inferredParent(ctx, r);
  if (parent !== null)
    ctx.run(
      'INSERT INTO lineage (child_id, parent_id, op, mask_sha) VALUES (?, ?, ?, ?)',
      id,
      parent.assetId,
      parent.op,
      parent.maskSha256,
    );
  if (r.selfScore !== null)
    ctx.run(
      `INSERT INTO scores (asset_id, model_id, prompt_logp_per_token, candidates)
       VALUES (?, ?, ?, ?)`,
      id,
      r.modelId,
      r.selfScore.logProbPerToken,
      r.selfScore.candidates,
    );
  if (g.bitsPerDim !== null) upsertLikelihoodRow(ctx, id, r.modelId, g.bitsPerDim, g.createdAt);
  addToBoards(ctx, id, g.boardId, g.createdAt);
  if (g.embedding !== null) insertEmbedding(ctx, id, g.embedding);
  return id;
}

/** An infill's recipe names its source image by hash; link it when that image is here. */
function inferredParent(ctx: GalleryContext, r: Recipe): GenerationRows['parent'] {
  if (r.parent === null) return null;
  const row = ctx.get<{ id: number }>('SELECT id FROM assets WHERE sha256 = ?', r.parent.sha256);
  return row === undefined
    ? null
    : { assetId: row.id, op: 'infill', maskSha256: r.parent.maskSha256 };
}

export interface PhotoRows {
  sha256: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  origin: 'imported' | 'library';
  createdAt: number;
  hasThumb: boolean;
  exif: Record<string, unknown> | null;
  embedding: Float32Array | null;
}

/** Inserts a photo unless its bytes are already an asset; `created` tells which happened. */
export function insertPhotoRows(
  ctx: GalleryContext,
  p: PhotoRows,
): { assetId: number; created: boolean } {
  const inserted = ctx.get<{ id: number }>(
    `INSERT INTO assets (sha256, kind, mime, width, height, bytes, origin, created_at, has_thumb,
       exif_json)
     VALUES (?, 'photo', ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (sha256) DO NOTHING RETURNING id`,
    p.sha256,
    p.mime,
    p.width,
    p.height,
    p.bytes,
    p.origin,
    p.createdAt,
    p.hasThumb ? 1 : 0,
    p.exif === null ? null : JSON.stringify(p.exif),
  );
  if (inserted === undefined) {
    const { id } = ctx.get<{ id: number }>('SELECT id FROM assets WHERE sha256 = ?', p.sha256)!;
    return { assetId: id, created: false };
  }
  if (p.embedding !== null) insertEmbedding(ctx, inserted.id, p.embedding);
  return { assetId: inserted.id, created: true };
}

export interface ForeignGenerationRows {
  sha256: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  createdAt: number;
  hasThumb: boolean;
  tool: 'automatic1111' | 'comfyui';
  prompt: string;
  negativePrompt: string;
  settings: Record<string, string>;
  seed: number | null;
  infotext: string;
  promptGraph: string | null;
  workflow: string | null;
  embedding: Float32Array | null;
}

/** Inserts a generation from another tool, unless its bytes are already an asset. */
export function insertForeignGenerationRows(ctx: GalleryContext, g: ForeignGenerationRows): number {
  const inserted = ctx.get<{ id: number }>(
    `INSERT INTO assets (sha256, kind, mime, width, height, bytes, origin, created_at, has_thumb)
     VALUES (?, 'generation', ?, ?, ?, ?, 'imported', ?, ?)
     ON CONFLICT (sha256) DO NOTHING RETURNING id`,
    g.sha256,
    g.mime,
    g.width,
    g.height,
    g.bytes,
    g.createdAt,
    g.hasThumb ? 1 : 0,
  );
  if (inserted === undefined)
    return ctx.get<{ id: number }>('SELECT id FROM assets WHERE sha256 = ?', g.sha256)!.id;
  ctx.run(
    `INSERT INTO foreign_generations (asset_id, tool, prompt, negative_prompt, model_name,
       settings_json, seed, infotext, prompt_graph_json, workflow_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    inserted.id,
    g.tool,
    g.prompt,
    g.negativePrompt,
    g.settings.Model ?? null,
    JSON.stringify(g.settings),
    g.seed,
    g.infotext,
    g.promptGraph,
    g.workflow,
  );
  if (g.embedding !== null) insertEmbedding(ctx, inserted.id, g.embedding);
  return inserted.id;
}
