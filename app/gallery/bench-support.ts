/**
 * Bulk loading of synthetic items for bench/gallery.ts: the same row writes as addGeneration
 * and addPhoto, batched many to a transaction, without image files (the benchmark measures
 * the database). Not used by the app.
 */
import type { Recipe } from '../common/recipe.ts';
import * as boards from './boards.ts';
import { createContext } from './context.ts';
import { openLibraryDatabase } from './db.ts';
import { insertGenerationRows, insertPhotoRows } from './item-insert.ts';
import * as captions from './captions.ts';
import * as tags from './tags.ts';
import * as state from './item-state.ts';

export interface SyntheticItem {
  sha256: string;
  createdAt: number;
  /** null: a photo */
  generation: { recipe: Recipe; codes: Buffer } | null;
  starred: boolean;
  rating: number;
  tags: string[];
  boardIds: number[];
  caption: string | null;
  trashed: boolean;
  embedding: Float32Array;
}

export interface BulkLoader {
  /** Inserts the items in one transaction; returns their ids. */
  insert(items: SyntheticItem[]): number[];
  close(): void;
}

export function openBulkLoader(dir: string, dbPath: string): BulkLoader {
  const db = openLibraryDatabase(dbPath);
  const ctx = createContext(db, dir);
  const insertOne = (item: SyntheticItem): number => {
    const id =
      item.generation === null
        ? insertPhotoRows(ctx, {
            sha256: item.sha256,
            mime: 'image/jpeg',
            width: 4032,
            height: 3024,
            bytes: 2_000_000,
            origin: 'imported',
            createdAt: item.createdAt,
            hasThumb: true,
            exif: { Make: 'Bench' },
            embedding: item.embedding,
          }).assetId
        : insertGenerationRows(ctx, {
            sha256: item.sha256,
            mime: 'image/png',
            width: 32,
            height: 32,
            bytes: 900,
            createdAt: item.createdAt,
            hasThumb: false,
            recipe: item.generation.recipe,
            tokens: item.generation.codes,
            jobId: null,
            durationMs: 1500,
            parent: null,
            boardId: null,
            embedding: item.embedding,
            bitsPerDim: null,
          });
    if (item.starred) state.setStar(ctx, [id], true);
    if (item.rating > 0) state.setRating(ctx, [id], item.rating);
    if (item.tags.length > 0) tags.addTags(ctx, [id], item.tags, 'model');
    for (const boardId of item.boardIds) boards.addToBoard(ctx, boardId, [id]);
    if (item.caption !== null) captions.setUserCaption(ctx, id, item.caption);
    if (item.trashed) state.trash(ctx, [id]);
    return id;
  };
  return {
    insert: (items) => ctx.write(() => items.map(insertOne)),
    close: () => db.close(),
  };
}
