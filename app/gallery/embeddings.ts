/**
 * "More like this": cosine similarity of the pixel descriptors, brute force over every item
 * outside the trash (256 multiply-adds per item, over the in-memory copy of EmbeddingIndex;
 * bench/gallery.ts times it at 100,000 items), and the backfill of descriptors for items that
 * have none.
 */
import { readFile } from 'node:fs/promises';
import type { GalleryContext } from './context.ts';
import { invalid } from './errors.ts';
import { EMBEDDING_VERSION, embeddingFromBlob, imageEmbedding } from './image-embedding.ts';
import type { EmbeddingIndex } from './embedding-index.ts';
import { insertEmbedding } from './item-insert.ts';
import { summariesByIds } from './item-read.ts';
import { assertAssetsExist, assertId } from './validate.ts';

export function similar(
  ctx: GalleryContext,
  index: EmbeddingIndex,
  id: number,
  limit: number,
): { id: number; score: number }[] {
  assertId(id);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalid(`ask for 1 to 1000 similar items, not ${String(limit)}`);
  assertAssetsExist(ctx, [id]);
  const own = ctx.get<{ vec: Buffer }>(
    'SELECT vec FROM embeddings WHERE asset_id = ? AND version = ?',
    id,
    EMBEDDING_VERSION,
  );
  if (own === undefined) return []; // not an image sharp could read: nothing to compare
  index.refresh();
  const skip = new Set(
    ctx.all<{ id: number }>('SELECT id FROM assets WHERE deleted_at IS NOT NULL').map((r) => r.id),
  );
  skip.add(id);
  return index.search(embeddingFromBlob(own.vec), skip, limit);
}

/**
 * Computes descriptors for items that lack one (libraries from before schema 40), newest
 * first, until `max` are stored; unreadable files are skipped. Returns how many it stored.
 */
export async function indexMissingEmbeddings(ctx: GalleryContext, max = 500): Promise<number> {
  if (!Number.isInteger(max) || max < 1) throw invalid('max must be a positive whole number');
  const ids = ctx
    .all<{ id: number }>(
      `SELECT a.id FROM assets a LEFT JOIN embeddings e ON e.asset_id = a.id AND e.version = ?
       WHERE e.asset_id IS NULL ORDER BY a.id DESC`,
      EMBEDDING_VERSION,
    )
    .map((r) => r.id);
  let stored = 0;
  for (let start = 0; start < ids.length && stored < max; start += 100) {
    for (const item of summariesByIds(ctx, ids.slice(start, start + 100))) {
      if (stored >= max) break;
      if (item.filePath === null) continue;
      const bytes = await readFile(item.filePath).catch(() => null);
      const vec = bytes === null ? null : await imageEmbedding(bytes);
      if (vec === null) continue; // file gone or unreadable: the reconcile job reports those
      ctx.write(() => {
        if (ctx.get('SELECT 1 FROM assets WHERE id = ?', item.id) === undefined) return;
        insertEmbedding(ctx, item.id, vec);
        stored++;
      });
    }
  }
  return stored;
}
