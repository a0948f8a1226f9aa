/**
 * `openGallery(dir)`: the library folder (`library.sqlite`, `objects/`, `thumbs/`) behind one
 * object. Every method's SQLite failures reach callers as GalleryErrors that say what to do.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assetFile } from './asset-file.ts';
import type { FileIo } from './atomic-file.ts';
import * as boards from './boards.ts';
import * as captions from './captions.ts';
import { createContext, type GalleryContext } from './context.ts';
import { openLibraryDatabase } from './db.ts';
import { EmbeddingIndex } from './embedding-index.ts';
import { indexMissingEmbeddings, similar } from './embeddings.ts';
import { GalleryError, translateSqliteError } from './errors.ts';
import { readImageBytes } from './image-bytes.ts';
import { addForeignGeneration, addGeneration, addPhoto } from './item-add.ts';
import { findBySha, getItem } from './item-read.ts';
import { setLikelihood } from './likelihoods.ts';
import * as state from './item-state.ts';
import { createJobStore } from './job-store.ts';
import * as library from './library-files.ts';
import { lineage } from './lineage.ts';
import { readMask, storeMask } from './masks.ts';
import { findObject, storeObject } from './object-store.ts';
import { countItems, queryItems } from './query.ts';
import * as tags from './tags.ts';
import type { Gallery } from './types.ts';

export const LIBRARY_FILE = 'library.sqlite';

function makeFolders(dir: string): void {
  for (const sub of ['', 'objects', 'thumbs']) {
    try {
      mkdirSync(join(dir, sub), { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new GalleryError(
        code === 'ENOSPC' ? 'disk-full' : 'invalid',
        `cannot create the library folder ${join(dir, sub)} (${code ?? String(err)}): ` +
          'choose a folder you can write to',
        { cause: err },
      );
    }
  }
}

/** Wraps every method so SQLite's codes (disk full, corruption) become GalleryErrors. */
function translated<T extends object>(target: T, dbPath: string): T {
  const fail = (err: unknown) => {
    throw translateSqliteError(err, dbPath);
  };
  for (const key of Object.keys(target) as (keyof T)[]) {
    const value = target[key];
    if (typeof value !== 'function') continue;
    target[key] = ((...args: unknown[]) => {
      try {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? result.catch(fail) : result;
      } catch (err) {
        return fail(err);
      }
    }) as T[keyof T];
  }
  return target;
}

/** For tests: the same gallery with injected file system calls (e.g. a disk that fills up). */
export function openGalleryWith(dir: string, io?: FileIo): Gallery {
  makeFolders(dir);
  const dbPath = join(dir, LIBRARY_FILE);
  const db = openLibraryDatabase(dbPath);
  const ctx: GalleryContext = createContext(db, dir, io);
  const embeddingIndex = new EmbeddingIndex(ctx);
  const gallery: Gallery = {
    dir,
    dbPath,
    close() {
      if (!db.open) return;
      try {
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
    schemaVersion: () => db.pragma('user_version', { simple: true }) as number,
    integrityCheck: () =>
      (db.pragma('integrity_check') as { integrity_check: string }[])
        .map((r) => r.integrity_check)
        .join('\n'),
    optimize: () => {
      db.pragma('optimize = 0x10002');
    },
    storeBytes: async (bytes) => {
      const { sha256, path } = await storeObject(dir, bytes, io);
      return { sha256, path };
    },
    objectPath: (sha256) => findObject(dir, sha256),
    assetFile: (sha256, size) => assetFile(ctx, sha256, size),
    readImageBytes: (sha256) => readImageBytes(ctx, sha256),
    storeMask: (mask) => storeMask(dir, mask, io),
    readMask: (sha256) => readMask(dir, sha256),
    addGeneration: (g) => addGeneration(ctx, g),
    addForeignGeneration: (g) => addForeignGeneration(ctx, g),
    addPhoto: (p) => addPhoto(ctx, p),
    findBySha: (sha256) => findBySha(ctx, sha256),
    getItem: (id) => getItem(ctx, id),
    query: (q) => queryItems(ctx, q),
    count: (q) => countItems(ctx, q),
    similar: (id, limit) => similar(ctx, embeddingIndex, id, limit),
    setLikelihood: (assetId, modelId, bitsPerDim) =>
      setLikelihood(ctx, assetId, modelId, bitsPerDim),
    indexMissingEmbeddings: (max) => indexMissingEmbeddings(ctx, max),
    lineage: (id) => lineage(ctx, id),
    setStar: (ids, starred) => state.setStar(ctx, ids, starred),
    setRating: (ids, rating) => state.setRating(ctx, ids, rating),
    trash: (ids) => state.trash(ctx, ids),
    restore: (ids) => state.restore(ctx, ids),
    purgeTrash: (olderThanMs) => state.purgeTrash(ctx, olderThanMs),
    addTags: (ids, names, source) => tags.addTags(ctx, ids, names, source),
    removeTags: (ids, names) => tags.removeTags(ctx, ids, names),
    listTags: () => tags.listTags(ctx),
    createBoard: (name, autoAdd) => boards.createBoard(ctx, name, autoAdd),
    renameBoard: (id, name) => boards.renameBoard(ctx, id, name),
    deleteBoard: (id) => boards.deleteBoard(ctx, id),
    setBoardAutoAdd: (id, autoAdd) => boards.setBoardAutoAdd(ctx, id, autoAdd),
    addToBoard: (boardId, ids) => boards.addToBoard(ctx, boardId, ids),
    removeFromBoard: (boardId, ids) => boards.removeFromBoard(ctx, boardId, ids),
    listBoards: () => boards.listBoards(ctx),
    setUserCaption: (assetId, text) => captions.setUserCaption(ctx, assetId, text),
    acceptSuggestion: (captionId) => captions.acceptSuggestion(ctx, captionId),
    addFileCaption: (assetId, text) => captions.addFileCaption(ctx, assetId, text),
    addLibraryRoot: (path) => library.addLibraryRoot(ctx, path),
    libraryFile: (rootId, relPath) => library.libraryFile(ctx, rootId, relPath),
    upsertLibraryFile: (rootId, relPath, f) => library.upsertLibraryFile(ctx, rootId, relPath, f),
    captionResult: (sha256, modelId) => captions.captionResult(ctx, sha256, modelId),
    saveCaption: (r) => captions.saveCaption(ctx, r),
    saveCaptionFailure: (r) => captions.saveCaptionFailure(ctx, r),
    resetModelCaptions: (f) => captions.resetModelCaptions(ctx, f),
    captionResultCounts: (modelId, rootId) => captions.captionResultCounts(ctx, modelId, rootId),
    jobs: translated(createJobStore(ctx), dbPath),
  };
  return translated(gallery, dbPath);
}

/** Opens (creating if needed) the library in `dir`, migrating it to the current schema. */
export function openGallery(dir: string): Gallery {
  return openGalleryWith(dir);
}
