/**
 * Captions and per-file captioning results. The rules of docs/studio.md §Folder captioning: at most
 * one current caption per asset; a model caption never displaces a user's or a file's own caption
 * (it becomes a suggestion); a reset removes model captions and never user ones; each (file
 * content, model) pair has exactly one result row, written with its caption in one transaction.
 */
import type { GalleryContext } from './context.ts';
import { invalid, notFound } from './errors.ts';
import type { CaptionResult } from './types.ts';
import { assertAssetsExist, assertId, assertSha256 } from './validate.ts';

function cleanText(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '')
    throw invalid('the caption is empty: type a caption');
  return text.trim();
}

function assertModelId(modelId: unknown): asserts modelId is string {
  if (typeof modelId !== 'string' || modelId === '') throw invalid('name the captioning model');
}

function demoteCurrent(ctx: GalleryContext, assetId: number): void {
  ctx.run(
    `UPDATE captions SET role = 'suggestion' WHERE asset_id = ? AND role = 'current'`,
    assetId,
  );
}

export function setUserCaption(ctx: GalleryContext, assetId: number, text: string): number {
  assertId(assetId);
  const clean = cleanText(text);
  return ctx.write(() => {
    assertAssetsExist(ctx, [assetId]);
    demoteCurrent(ctx, assetId);
    // Typing back an earlier caption of one's own reuses it instead of piling up copies.
    const same = ctx.get<{ id: number }>(
      `SELECT id FROM captions WHERE asset_id = ? AND source = 'user' AND text = ?`,
      assetId,
      clean,
    );
    if (same !== undefined) {
      ctx.run(`UPDATE captions SET role = 'current' WHERE id = ?`, same.id);
      return same.id;
    }
    return ctx.get<{ id: number }>(
      `INSERT INTO captions (asset_id, text, source, model_id, role, conflict, created_at)
       VALUES (?, ?, 'user', NULL, 'current', NULL, ?) RETURNING id`,
      assetId,
      clean,
      Date.now(),
    )!.id;
  });
}

/**
 * A description the file's author embedded (EXIF, XMP, IPTC). It is the author's text, so it
 * outranks model captions: it becomes current unless a user caption is current.
 */
export function addFileCaption(ctx: GalleryContext, assetId: number, text: string): number {
  assertId(assetId);
  const clean = cleanText(text);
  return ctx.write(() => {
    assertAssetsExist(ctx, [assetId]);
    const same = ctx.get<{ id: number }>(
      `SELECT id FROM captions WHERE asset_id = ? AND source = 'file' AND text = ?`,
      assetId,
      clean,
    );
    if (same !== undefined) return same.id;
    const current = ctx.get<{ source: string }>(
      `SELECT source FROM captions WHERE asset_id = ? AND role = 'current'`,
      assetId,
    );
    const role = current === undefined || current.source === 'model' ? 'current' : 'suggestion';
    if (role === 'current') demoteCurrent(ctx, assetId);
    return ctx.get<{ id: number }>(
      `INSERT INTO captions (asset_id, text, source, model_id, role, conflict, created_at)
       VALUES (?, ?, 'file', NULL, ?, NULL, ?) RETURNING id`,
      assetId,
      clean,
      role,
      Date.now(),
    )!.id;
  });
}

/** The user picks a suggestion: it becomes current and, if a model wrote it, the user's own. */
export function acceptSuggestion(ctx: GalleryContext, captionId: number): void {
  assertId(captionId, 'caption');
  ctx.write(() => {
    const caption = ctx.get<{ asset_id: number }>(
      'SELECT asset_id FROM captions WHERE id = ?',
      captionId,
    );
    if (caption === undefined)
      throw notFound(`no caption with id ${captionId}: refresh the item, it may have changed`);
    demoteCurrent(ctx, caption.asset_id);
    ctx.run(
      `UPDATE captions SET role = 'current',
         source = CASE source WHEN 'model' THEN 'user' ELSE source END
       WHERE id = ?`,
      captionId,
    );
  });
}

export function captionResult(
  ctx: GalleryContext,
  sha256: string,
  modelId: string,
): CaptionResult | null {
  return (
    ctx.get<CaptionResult>(
      `SELECT r.status, r.error, r.attempts, r.caption_id AS captionId, c.role AS captionRole
       FROM caption_results r LEFT JOIN captions c ON c.id = r.caption_id
       WHERE r.sha256 = ? AND r.model_id = ?`,
      sha256,
      modelId,
    ) ?? null
  );
}

export interface ModelCaption {
  sha256: string;
  assetId: number;
  fileId: number | null;
  modelId: string;
  text: string;
  role: 'current' | 'suggestion';
  conflict: string | null;
}

function assertFile(ctx: GalleryContext, fileId: number | null): void {
  if (fileId === null) return;
  assertId(fileId, 'library file');
  if (ctx.get('SELECT 1 FROM library_files WHERE id = ?', fileId) === undefined)
    throw notFound(`no library file with id ${fileId}: scan the folder again`);
}

/** A model's caption and its 'done' result, together or not at all. Returns the caption id. */
export function saveCaption(ctx: GalleryContext, r: ModelCaption): number {
  assertSha256(r.sha256);
  assertId(r.assetId);
  assertModelId(r.modelId);
  const text = cleanText(r.text);
  if (r.role !== 'current' && r.role !== 'suggestion')
    throw invalid(`a caption role is current or suggestion, got ${JSON.stringify(r.role)}`);
  const now = Date.now();
  return ctx.write(() => {
    assertAssetsExist(ctx, [r.assetId]);
    assertFile(ctx, r.fileId);
    const asset = ctx.get<{ sha256: string }>('SELECT sha256 FROM assets WHERE id = ?', r.assetId)!;
    if (asset.sha256 !== r.sha256)
      throw invalid(`item ${r.assetId} holds other bytes than ${r.sha256}: pass the file's item`);
    const current = ctx.get<{ source: string }>(
      `SELECT source FROM captions WHERE asset_id = ? AND role = 'current'`,
      r.assetId,
    );
    const role =
      r.role === 'current' && current?.source !== undefined && current.source !== 'model'
        ? 'suggestion'
        : r.role;
    if (role === 'current') demoteCurrent(ctx, r.assetId);
    const { id } = ctx.get<{ id: number }>(
      `INSERT INTO captions (asset_id, text, source, model_id, role, conflict, created_at)
       VALUES (?, ?, 'model', ?, ?, ?, ?)
       ON CONFLICT (asset_id, model_id) WHERE source = 'model' DO UPDATE SET
         text = excluded.text, role = excluded.role, conflict = excluded.conflict,
         created_at = excluded.created_at
       RETURNING id`,
      r.assetId,
      text,
      r.modelId,
      role,
      r.conflict,
      now,
    )!;
    ctx.run(
      `INSERT INTO caption_results (sha256, model_id, file_id, status, caption_id, error, attempts,
         done_at)
       VALUES (?, ?, ?, 'done', ?, NULL, 1, ?)
       ON CONFLICT (sha256, model_id) DO UPDATE SET status = 'done',
         file_id = coalesce(excluded.file_id, file_id), caption_id = excluded.caption_id,
         error = NULL, attempts = attempts + 1, done_at = excluded.done_at`,
      r.sha256,
      r.modelId,
      r.fileId,
      id,
      now,
    );
    return id;
  });
}

export function saveCaptionFailure(
  ctx: GalleryContext,
  r: { sha256: string; fileId: number | null; modelId: string; error: string },
): void {
  assertSha256(r.sha256);
  assertModelId(r.modelId);
  if (typeof r.error !== 'string' || r.error === '') throw invalid('say why captioning failed');
  ctx.write(() => {
    assertFile(ctx, r.fileId);
    ctx.run(
      `INSERT INTO caption_results (sha256, model_id, file_id, status, caption_id, error, attempts,
         done_at)
       VALUES (?, ?, ?, 'failed', NULL, ?, 1, ?)
       ON CONFLICT (sha256, model_id) DO UPDATE SET status = 'failed',
         file_id = coalesce(excluded.file_id, file_id), error = excluded.error,
         attempts = attempts + 1, done_at = excluded.done_at`,
      r.sha256,
      r.modelId,
      r.fileId,
      r.error,
      Date.now(),
    );
  });
}

/**
 * Deletes model captions (of one model, of one folder's files, or both) and their results so
 * a new run redoes them. User captions, including model captions a user accepted, stay.
 */
export function resetModelCaptions(
  ctx: GalleryContext,
  f: { modelId?: string; rootId?: number },
): number {
  if (f.modelId !== undefined) assertModelId(f.modelId);
  if (f.rootId !== undefined) assertId(f.rootId, 'library folder');
  const model = f.modelId ?? null;
  const root = f.rootId ?? null;
  return ctx.write(() => {
    const deleted = ctx.run(
      `DELETE FROM captions WHERE source = 'model' AND (@model IS NULL OR model_id = @model)
       AND (@root IS NULL OR asset_id IN
         (SELECT asset_id FROM library_files WHERE root_id = @root AND asset_id IS NOT NULL))`,
      { model, root },
    );
    ctx.run(
      `DELETE FROM caption_results WHERE (@model IS NULL OR model_id = @model)
       AND (@root IS NULL OR sha256 IN
         (SELECT sha256 FROM library_files WHERE root_id = @root AND sha256 IS NOT NULL))
       AND (caption_id IS NULL OR caption_id NOT IN (SELECT id FROM captions))`,
      { model, root },
    );
    return deleted;
  });
}

export function captionResultCounts(
  ctx: GalleryContext,
  modelId: string,
  rootId?: number,
): { done: number; failed: number } {
  const row = ctx.get<{ done: number; failed: number }>(
    `SELECT coalesce(sum(status = 'done'), 0) AS done, coalesce(sum(status = 'failed'), 0) AS failed
     FROM caption_results WHERE model_id = @model
     AND (@root IS NULL OR sha256 IN
       (SELECT sha256 FROM library_files WHERE root_id = @root AND sha256 IS NOT NULL))`,
    { model: modelId, root: rootId ?? null },
  )!;
  return row;
}
