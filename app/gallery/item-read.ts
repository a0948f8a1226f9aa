/** Reading items back: the grid's summaries (by id, in the order asked) and the detail view. */
import { basename, join } from 'node:path';
import type { Recipe } from '../common/recipe.ts';
import type { GalleryContext } from './context.ts';
import { likelihoodOf } from './likelihoods.ts';
import { objectPathForMime } from './object-store.ts';
import { thumbPathFor } from './thumbnails.ts';
import { decodeCodes } from './tokens.ts';
import type { CaptionInfo, ItemDetail, ItemKind, ItemSummary } from './types.ts';
import { idsJson } from './validate.ts';

interface SummaryRow {
  id: number;
  sha256: string;
  kind: ItemKind;
  mime: string;
  width: number;
  height: number;
  created_at: number;
  starred: number;
  rating: number;
  origin: string;
  has_thumb: number;
  prompt: string | null;
  model_id: string | null;
  caption: string | null;
  library_file: string | null;
}

const SUMMARY_COLUMNS = `
  a.id, a.sha256, a.kind, a.mime, a.width, a.height, a.created_at, a.starred, a.rating,
  a.origin, a.has_thumb, coalesce(g.prompt, nullif(fg.prompt, '')) AS prompt,
  coalesce(g.model_id, fg.model_name) AS model_id,
  (SELECT c.text FROM captions c WHERE c.asset_id = a.id
    ORDER BY c.role = 'current' DESC, c.id DESC LIMIT 1) AS caption,
  (SELECT json_array(r.path, lf.rel_path) FROM library_files lf
    JOIN library_roots r ON r.id = lf.root_id WHERE lf.asset_id = a.id ORDER BY lf.id LIMIT 1)
    AS library_file`;

function toSummary(ctx: GalleryContext, row: SummaryRow): ItemSummary {
  const libraryPath =
    row.library_file === null ? null : join(...(JSON.parse(row.library_file) as [string, string]));
  const filePath =
    row.origin === 'library' ? libraryPath : objectPathForMime(ctx.dir, row.sha256, row.mime);
  return {
    id: row.id,
    sha256: row.sha256,
    kind: row.kind,
    mime: row.mime,
    width: row.width,
    height: row.height,
    createdAt: row.created_at,
    starred: row.starred === 1,
    rating: row.rating,
    title: row.prompt ?? row.caption ?? (libraryPath === null ? '' : basename(libraryPath)),
    modelId: row.model_id,
    thumbPath: row.has_thumb === 1 ? thumbPathFor(ctx.dir, row.sha256) : null,
    filePath,
  };
}

/** Summaries of `ids`, in that order; ids with no row are skipped. */
export function summariesByIds(ctx: GalleryContext, ids: readonly number[]): ItemSummary[] {
  if (ids.length === 0) return [];
  const rows = ctx.all<SummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM assets a LEFT JOIN generations g ON g.asset_id = a.id
       LEFT JOIN foreign_generations fg ON fg.asset_id = a.id
     WHERE a.id IN (SELECT value FROM json_each(?))`,
    idsJson(ids),
  );
  const byId = new Map(rows.map((r) => [r.id, toSummary(ctx, r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function findBySha(ctx: GalleryContext, sha256: string): number | null {
  return ctx.get<{ id: number }>('SELECT id FROM assets WHERE sha256 = ?', sha256)?.id ?? null;
}

export function getItem(ctx: GalleryContext, id: number): ItemDetail | null {
  // One read transaction: a concurrent writer cannot make the parts disagree.
  return ctx.db.transaction(() => readItem(ctx, id))();
}

function readItem(ctx: GalleryContext, id: number): ItemDetail | null {
  const summary = summariesByIds(ctx, [id])[0];
  if (summary === undefined) return null;
  const asset = ctx.get<{
    origin: string;
    bytes: number;
    exif_json: string | null;
    deleted_at: number | null;
  }>('SELECT origin, bytes, exif_json, deleted_at FROM assets WHERE id = ?', id)!;
  const generation = ctx.get<{
    recipe_json: string;
    tokens: Buffer;
    job_id: string | null;
    provider: string;
    duration_ms: number | null;
  }>(
    'SELECT recipe_json, tokens, job_id, provider, duration_ms FROM generations WHERE asset_id = ?',
    id,
  );
  const foreign = ctx.get<{
    tool: 'automatic1111' | 'comfyui';
    prompt: string;
    negative_prompt: string;
    settings_json: string;
    seed: number | null;
    infotext: string;
    prompt_graph_json: string | null;
    workflow_json: string | null;
  }>(
    `SELECT tool, prompt, negative_prompt, settings_json, seed, infotext, prompt_graph_json,
       workflow_json FROM foreign_generations WHERE asset_id = ?`,
    id,
  );
  const score = ctx.get<{ logProbPerToken: number; candidates: number }>(
    `SELECT prompt_logp_per_token AS logProbPerToken, candidates FROM scores WHERE asset_id = ?`,
    id,
  );
  return {
    ...summary,
    origin: asset.origin,
    bytes: asset.bytes,
    exif:
      asset.exif_json === null ? null : (JSON.parse(asset.exif_json) as Record<string, unknown>),
    generation:
      generation === undefined
        ? null
        : {
            recipe: JSON.parse(generation.recipe_json) as Recipe,
            codes: decodeCodes(generation.tokens),
            jobId: generation.job_id,
            provider: generation.provider,
            durationMs: generation.duration_ms,
          },
    foreign:
      foreign === undefined
        ? null
        : {
            tool: foreign.tool,
            prompt: foreign.prompt,
            negativePrompt: foreign.negative_prompt,
            settings: JSON.parse(foreign.settings_json) as Record<string, string>,
            seed: foreign.seed,
            infotext: foreign.infotext,
            promptGraph: foreign.prompt_graph_json,
            workflow: foreign.workflow_json,
          },
    captions: ctx.all<CaptionInfo>(
      `SELECT id, text, source, model_id AS modelId, role, conflict, created_at AS createdAt
       FROM captions WHERE asset_id = ? ORDER BY role = 'current' DESC, id DESC`,
      id,
    ),
    tags: ctx
      .all<{ name: string }>(
        `SELECT t.name FROM asset_tags x JOIN tags t ON t.id = x.tag_id WHERE x.asset_id = ?
         ORDER BY t.name COLLATE NOCASE`,
        id,
      )
      .map((r) => r.name),
    boards: ctx.all<{ id: number; name: string }>(
      `SELECT b.id, b.name FROM board_assets x JOIN boards b ON b.id = x.board_id
       WHERE x.asset_id = ? ORDER BY b.name`,
      id,
    ),
    score: score ?? null,
    likelihood: likelihoodOf(ctx, id),
    parents: ctx.all<{ id: number; op: string; maskSha256: string | null }>(
      'SELECT parent_id AS id, op, mask_sha AS maskSha256 FROM lineage WHERE child_id = ?',
      id,
    ),
    children: ctx.all<{ id: number; op: string }>(
      'SELECT child_id AS id, op FROM lineage WHERE parent_id = ? ORDER BY child_id',
      id,
    ),
    files: ctx
      .all<{ path: string; rel_path: string }>(
        `SELECT r.path, f.rel_path FROM library_files f JOIN library_roots r ON r.id = f.root_id
         WHERE f.asset_id = ? ORDER BY f.id`,
        id,
      )
      .map((r) => join(r.path, r.rel_path)),
    deletedAt: asset.deleted_at,
  };
}
