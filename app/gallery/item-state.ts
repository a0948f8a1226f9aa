/** Star, rating, trash and restore of many items at once, and purging the trash for good. */
import type { GalleryContext } from './context.ts';
import { invalid } from './errors.ts';
import { objectPathForMime, removeObject } from './object-store.ts';
import { thumbPathFor } from './thumbnails.ts';
import { assertAssetsExist, assertIds, idsJson } from './validate.ts';

/** Checks the ids, then runs `sql` (with `?` = JSON list of ids last) in one transaction. */
function updateMany(ctx: GalleryContext, ids: number[], sql: string, ...params: unknown[]) {
  assertIds(ids);
  ctx.write(() => {
    assertAssetsExist(ctx, ids);
    ctx.run(sql, ...params, idsJson(ids));
  });
}

const WHERE_IDS = 'WHERE id IN (SELECT value FROM json_each(?))';

export function setStar(ctx: GalleryContext, ids: number[], starred: boolean): void {
  if (typeof starred !== 'boolean') throw invalid('starred must be true or false');
  updateMany(ctx, ids, `UPDATE assets SET starred = ? ${WHERE_IDS}`, starred ? 1 : 0);
}

export function setRating(ctx: GalleryContext, ids: number[], rating: number): void {
  if (!Number.isInteger(rating) || rating < 0 || rating > 5)
    throw invalid(`a rating is 0 to 5 stars, got ${String(rating)}`);
  updateMany(ctx, ids, `UPDATE assets SET rating = ? ${WHERE_IDS}`, rating);
}

export function trash(ctx: GalleryContext, ids: number[]): void {
  // Keeps the first trashing time, so the 30-day purge clock does not restart.
  updateMany(
    ctx,
    ids,
    `UPDATE assets SET deleted_at = coalesce(deleted_at, ?) ${WHERE_IDS}`,
    Date.now(),
  );
}

export function restore(ctx: GalleryContext, ids: number[]): void {
  updateMany(ctx, ids, `UPDATE assets SET deleted_at = NULL ${WHERE_IDS}`);
}

interface PurgedRow {
  id: number;
  sha256: string;
  mime: string;
  origin: string;
  has_thumb: number;
}

/** Deletes items trashed at least `olderThanMs` ago, then the files no row names any more. */
export async function purgeTrash(ctx: GalleryContext, olderThanMs: number): Promise<number> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
    throw invalid(`olderThanMs must be 0 or more milliseconds, got ${String(olderThanMs)}`);
  const cutoff = Date.now() - olderThanMs;
  const purged = ctx.write(() => {
    const rows = ctx.all<PurgedRow>(
      `SELECT id, sha256, mime, origin, has_thumb FROM assets
       WHERE deleted_at IS NOT NULL AND deleted_at <= ?`,
      cutoff,
    );
    ctx.run(`DELETE FROM assets ${WHERE_IDS}`, idsJson(rows.map((r) => r.id)));
    ctx.run(
      'DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM asset_tags x WHERE x.tag_id = tags.id)',
    );
    return rows;
  });
  for (const row of purged) {
    // Another process may have added the same bytes again since; then the files stay.
    if (ctx.get('SELECT 1 FROM assets WHERE sha256 = ?', row.sha256) !== undefined) continue;
    // A library photo's file belongs to the user's folder and is never deleted.
    if (row.origin !== 'library')
      await removeObject(objectPathForMime(ctx.dir, row.sha256, row.mime));
    if (row.has_thumb === 1) await removeObject(thumbPathFor(ctx.dir, row.sha256));
  }
  return purged.length;
}
